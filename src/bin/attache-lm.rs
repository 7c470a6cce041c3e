//! Builds `data/correct/lm.bin`, the corrector's n-gram language model, from
//! the dev split of the foreign-policy corpus (and, optionally, general-English
//! frequency lists). See `data/correct/LM.md`.
//!
//! ```text
//! cargo run --release --bin attache-lm -- --corpus /work/shared/corpus --out data/correct/lm.bin \
//!     [--extra-unigrams F --extra-bigrams F] [--heldout K]
//! ```
//!
//! With `--heldout K`, the dev documents whose id hashes to 0 mod K are left
//! out of training and the tool reports perplexity on them instead (nothing
//! is written unless `--out` is also given). The test split is never read.

use std::fs;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::{Context, Result, bail};
use attache::correct::lm::{self, BOS, BuildOptions, Builder, EOS, LanguageModel};
use clap::Parser;
use serde::Deserialize;

#[derive(Parser, Debug)]
#[command(about = "Build the corrector's n-gram language model")]
struct Args {
    /// Folder with the corpus `*.jsonl` files (only `split == "dev"` is used).
    #[arg(long)]
    corpus: PathBuf,
    /// Where to write the model.
    #[arg(long)]
    out: Option<PathBuf>,
    /// General-English unigram counts, `word count` per line.
    #[arg(long)]
    extra_unigrams: Option<PathBuf>,
    /// General-English bigram counts, `word1 word2 count` per line.
    #[arg(long)]
    extra_bigrams: Option<PathBuf>,
    /// Weight of the extra counts relative to the domain counts (see `BuildOptions`).
    #[arg(long, default_value_t = BuildOptions::default().extra_weight)]
    extra_weight: f64,
    /// Share of the continuation (Kneser–Ney) distribution below a context.
    #[arg(long, default_value_t = BuildOptions::default().cont_weight)]
    cont_weight: f64,
    #[arg(long, default_value_t = BuildOptions::default().min_unigram)]
    min_unigram: u32,
    #[arg(long, default_value_t = BuildOptions::default().min_bigram)]
    min_bigram: u32,
    #[arg(long, default_value_t = BuildOptions::default().min_trigram)]
    min_trigram: u32,
    /// Hold out dev documents whose id hashes to 0 mod K and report perplexity on them.
    #[arg(long)]
    heldout: Option<u64>,
}

#[derive(Deserialize)]
struct Doc {
    id: String,
    text: String,
    split: String,
    #[serde(default)]
    modern: bool,
    #[serde(default)]
    genre: String,
}

fn corpus_files(dir: &Path) -> Result<Vec<PathBuf>> {
    let mut files: Vec<PathBuf> = fs::read_dir(dir)
        .with_context(|| format!("reading {}", dir.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "jsonl"))
        .collect();
    files.sort();
    if files.is_empty() {
        bail!("no *.jsonl files in {}", dir.display());
    }
    Ok(files)
}

fn id_hash(id: &str) -> u64 {
    lm::ngram_key(&[id])
}

/// Reads `word count` (n = 1) or `word1 word2 count` (n = 2) lines.
fn read_counts(path: &Path, n: usize, mut add: impl FnMut(&[&str], f64) -> bool) -> Result<(usize, usize)> {
    let file = fs::File::open(path).with_context(|| format!("opening {}", path.display()))?;
    let (mut lines, mut accepted) = (0, 0);
    for line in BufReader::new(file).lines() {
        let line = line?;
        let fields: Vec<&str> = line.split_whitespace().collect();
        if fields.len() != n + 1 {
            continue;
        }
        let Ok(count) = fields[n].parse::<f64>() else { continue };
        lines += 1;
        if add(&fields[..n], count) {
            accepted += 1;
        }
    }
    Ok((lines, accepted))
}

#[derive(Default)]
struct Perplexity {
    sum: f64,
    tokens: u64,
    unknown: u64,
}

impl Perplexity {
    fn add(&mut self, model: &LanguageModel<'_>, text: &str) {
        let toks: Vec<&str> = lm::tokens(text).map(|t| t.1).collect();
        let mut start = 0;
        for (i, &t) in toks.iter().enumerate() {
            if t == BOS {
                start = i;
                continue;
            }
            let w2 = Some(toks[i - 1]);
            let w1 = if i >= start + 2 { Some(toks[i - 2]) } else { None };
            self.sum += f64::from(model.logprob(w1, w2, t));
            self.tokens += 1;
            if t != EOS && !model.is_known(t) {
                self.unknown += 1;
            }
        }
    }

    fn report(&self, what: &str) {
        if self.tokens == 0 {
            return;
        }
        println!(
            "  {what}: {} tokens, perplexity {:.1}, mean logprob {:.3}, unknown words {:.2}%",
            self.tokens,
            (-self.sum / self.tokens as f64).exp(),
            self.sum / self.tokens as f64,
            100.0 * self.unknown as f64 / self.tokens as f64
        );
    }
}

fn main() -> Result<()> {
    let args = Args::parse();
    let t0 = Instant::now();
    let mut builder = Builder::new();
    let mut heldout: Vec<Doc> = Vec::new();
    let (mut docs, mut skipped_test) = (0usize, 0usize);
    for path in corpus_files(&args.corpus)? {
        let file = fs::File::open(&path).with_context(|| format!("opening {}", path.display()))?;
        let mut n = 0;
        for (i, line) in BufReader::new(file).lines().enumerate() {
            let line = line?;
            if line.trim().is_empty() {
                continue;
            }
            let doc: Doc =
                serde_json::from_str(&line).with_context(|| format!("{}:{}: bad record", path.display(), i + 1))?;
            if doc.split != "dev" {
                skipped_test += 1;
                continue;
            }
            if args.heldout.is_some_and(|k| k > 0 && id_hash(&doc.id).is_multiple_of(k)) {
                heldout.push(doc);
                continue;
            }
            builder.add_text(&doc.text);
            n += 1;
        }
        println!("{}: {n} dev documents", path.display());
        docs += n;
    }
    println!("trained on {docs} dev documents; left out {skipped_test} test documents and {} held out", heldout.len());

    if let Some(path) = &args.extra_unigrams {
        let (lines, ok) = read_counts(path, 1, |w, c| builder.add_extra_unigram(w[0], c))?;
        println!("extra unigrams {}: {ok} of {lines} lines are single tokens", path.display());
    }
    if let Some(path) = &args.extra_bigrams {
        let (lines, ok) = read_counts(path, 2, |w, c| builder.add_extra_bigram(w[0], w[1], c))?;
        println!("extra bigrams {}: {ok} of {lines} lines are two tokens", path.display());
    }

    let opts = BuildOptions {
        min_unigram: args.min_unigram,
        min_bigram: args.min_bigram,
        min_trigram: args.min_trigram,
        cont_weight: args.cont_weight,
        extra_weight: if args.extra_unigrams.is_some() || args.extra_bigrams.is_some() {
            args.extra_weight
        } else {
            0.0
        },
        ..BuildOptions::default()
    };
    let (bytes, stats) = builder.build(&opts);
    let model = LanguageModel::from_bytes(&bytes).context("reading back the model just built")?;
    model.verify().context("verifying the model just built")?;
    println!("{opts:?}");
    println!("tokens {} (words + </s>), sentences {}", stats.tokens, stats.sentences);
    for (i, name) in ["unigrams", "bigrams", "trigrams"].iter().enumerate() {
        println!(
            "{name}: {} distinct in the corpus, {} kept, {} key collisions",
            stats.types[i], stats.kept[i], stats.collisions[i]
        );
    }
    println!(
        "D2 {:.4}, D3 {:.4}, extra: {} unigrams (scale {:.3e}), {} bigrams (scale {:.3e})",
        stats.d2, stats.d3, stats.extra_unigrams, stats.beta_unigrams, stats.extra_bigrams, stats.beta_bigrams
    );
    println!("unknown-word floor {:.3}", model.unknown_logprob());
    println!("file {} bytes ({:.2} MB), built in {:.1?}", stats.file_len, stats.file_len as f64 / 1e6, t0.elapsed());

    if !heldout.is_empty() {
        let (mut all, mut modern_expo) = (Perplexity::default(), Perplexity::default());
        for doc in &heldout {
            all.add(&model, &doc.text);
            if doc.modern && doc.genre == "expository" {
                modern_expo.add(&model, &doc.text);
            }
        }
        println!("held out ({} documents):", heldout.len());
        all.report("all");
        modern_expo.report("modern expository");
    }

    if let Some(out) = &args.out {
        if let Some(dir) = out.parent().filter(|d| !d.as_os_str().is_empty()) {
            fs::create_dir_all(dir)?;
        }
        fs::write(out, &bytes).with_context(|| format!("writing {}", out.display()))?;
        println!("wrote {}", out.display());
    }
    Ok(())
}
