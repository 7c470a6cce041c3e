//! Builds the corrector's n-gram language models (see `data/correct/LM.md`):
//!
//! - `--sphinx en-us.lm.bin --out data/correct/en-us.bin` converts CMU Sphinx's
//!   US-English trigram (pocketsphinx's binary "trie" format) into the
//!   quantised back-off format of `attache::correct::ngram`;
//! - `--corpus DIR --out F` counts the dev split of the foreign-policy corpus
//!   (and, optionally, general-English frequency lists) into the count-based
//!   format of `attache::correct::lm`.
//!
//! ```text
//! cargo run --release --bin attache-lm -- --sphinx /tmp/ps/en-us.lm.bin --out data/correct/en-us.bin
//! cargo run --release --bin attache-lm -- --corpus /work/shared/corpus --out lm.bin \
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
use attache::correct::ngram;
use clap::Parser;
use serde::Deserialize;

#[derive(Parser, Debug)]
#[command(about = "Build the corrector's n-gram language model")]
struct Args {
    /// Folder with the corpus `*.jsonl` files (only `split == "dev"` is used).
    #[arg(long, required_unless_present = "sphinx")]
    corpus: Option<PathBuf>,
    /// Convert this pocketsphinx trie model (`en-us.lm.bin`) instead of counting a corpus.
    #[arg(long, conflicts_with = "corpus")]
    sphinx: Option<PathBuf>,
    /// With `--sphinx`: ln P for unknown words (default: the rarest word's ln P minus 1).
    #[arg(long, allow_negative_numbers = true)]
    unknown: Option<f32>,
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
    if let Some(path) = &args.sphinx {
        return convert_sphinx(path, args.out.as_deref(), args.unknown);
    }
    let Some(corpus) = &args.corpus else { bail!("give --corpus or --sphinx") };
    let t0 = Instant::now();
    let mut builder = Builder::new();
    let mut heldout: Vec<Doc> = Vec::new();
    let (mut docs, mut skipped_test) = (0usize, 0usize);
    for path in corpus_files(corpus)? {
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

/// Convert a pocketsphinx trie model into `attache::correct::ngram`'s format,
/// read it back, verify it and report sizes, quantisation error and load time.
fn convert_sphinx(path: &Path, out: Option<&Path>, unknown: Option<f32>) -> Result<()> {
    let t0 = Instant::now();
    let bytes = fs::read(path).with_context(|| format!("reading {}", path.display()))?;
    let trie = sphinx::read(&bytes).with_context(|| format!("{}: not a pocketsphinx trie model", path.display()))?;
    let ln = |x: f32| f64::from(x) * sphinx::LN_BASE;
    let mass: f64 = trie.unigrams.iter().map(|u| ln(u.0).exp()).sum();
    println!(
        "{}: {} words, {} bigrams, {} trigrams; unigram mass {mass:.4} (1 if the log base is right)",
        path.display(),
        trie.words.len(),
        trie.bigrams.len(),
        trie.trigrams.len()
    );
    let rarest =
        trie.words.iter().zip(&trie.unigrams).filter(|(w, _)| *w != BOS).map(|(_, u)| ln(u.0)).fold(0.0f64, f64::min);
    let floor = unknown.unwrap_or((rarest - 1.0) as f32);
    let mut builder = ngram::BackoffBuilder::new(floor);
    let w = |i: u32| trie.words.get(i as usize).map_or("", String::as_str);
    for (i, &(p, bo)) in trie.unigrams.iter().enumerate() {
        builder.add(&[w(i as u32)], ln(p) as f32, ln(bo) as f32);
    }
    for &(v, x, p, bo) in &trie.bigrams {
        builder.add(&[w(v), w(x)], ln(p) as f32, ln(bo) as f32);
    }
    for &(u, v, x, p) in &trie.trigrams {
        builder.add(&[w(u), w(v), w(x)], ln(p) as f32, 0.0);
    }
    let (model_bytes, report) = builder.build();
    let t = Instant::now();
    let model = ngram::BackoffModel::from_bytes(&model_bytes).context("reading back the model just built")?;
    let load = t.elapsed();
    model.verify().context("verifying the model just built")?;
    println!("rarest word ln P {rarest:.3}; unknown-word floor {floor:.3}");
    for (n, name) in ["unigrams", "bigrams", "trigrams"].iter().enumerate() {
        println!(
            "{name}: {} written, {} merged by key collision, RMS quantisation error {:.4} (log-prob) {:.4} (back-off)",
            report.entries[n], report.merged[n], report.rms_error[n].0, report.rms_error[n].1
        );
    }
    println!(
        "file {} bytes ({:.2} MB); load {load:?}; converted in {:.1?}",
        report.file_len,
        report.file_len as f64 / 1e6,
        t0.elapsed()
    );
    if let Some(out) = out {
        fs::write(out, &model_bytes).with_context(|| format!("writing {}", out.display()))?;
        println!("wrote {}", out.display());
    }
    Ok(())
}

/// A reader for pocketsphinx's binary "trie" language model (written by its
/// `lm_trie.c` / `ngram_model_trie.c`, after KenLM's trie), for trigrams.
///
/// Layout, little-endian: the 19 bytes `Trie Language Model`; the order (u8);
/// one u32 count per order; a u32 (once the quantiser type); the quantiser's
/// codebooks, `f32` × 65,536 each: bigram log-probabilities, bigram back-offs,
/// trigram log-probabilities; `count[0] + 1` unigrams of `prob f32, backoff
/// f32, next u32`; the bigram bit array then the trigram bit array; a u32
/// byte length and the NUL-terminated words, in word-id order.
///
/// The n-gram arrays are reversed tries: unigram `w`'s `next` range lists
/// the bigrams ending in `w`, each entry holding the word before it; a bigram
/// entry's range lists the trigrams ending in that bigram. A bigram entry is
/// `word_bits` (the bits needed for `count[0]`), a 16-bit back-off code, a
/// 16-bit log-probability code and `next_bits` (for `count[2]`) of trigram
/// start; a trigram entry is `word_bits` and a 16-bit log-probability code.
/// Entries are packed back to back from bit 0, each value read as the low
/// bits of the little-endian u32 at its byte. Values are in pocketsphinx's
/// log base 1.0001.
mod sphinx {
    use anyhow::{Result, bail};

    const HEADER: &[u8] = b"Trie Language Model";
    const CODES: usize = 1 << 16;
    /// ln(1.0001): pocketsphinx's stored scores are logs in base 1.0001.
    pub const LN_BASE: f64 = 9.999_500_033_330_834e-5;

    /// The model's contents: word strings, unigrams `(prob, backoff)`,
    /// bigrams `(w1, w2, prob, backoff)`, trigrams `(w1, w2, w3, prob)`.
    pub struct Trie {
        pub words: Vec<String>,
        pub unigrams: Vec<(f32, f32)>,
        pub bigrams: Vec<(u32, u32, f32, f32)>,
        pub trigrams: Vec<(u32, u32, u32, f32)>,
    }

    struct Cursor<'a> {
        b: &'a [u8],
        at: usize,
    }

    impl<'a> Cursor<'a> {
        fn take(&mut self, n: usize) -> Result<&'a [u8]> {
            let Some(s) = self.at.checked_add(n).and_then(|end| self.b.get(self.at..end)) else {
                bail!("truncated at byte {} (wanted {n} more)", self.at)
            };
            self.at += n;
            Ok(s)
        }
        fn u32(&mut self) -> Result<u32> {
            let s = self.take(4)?;
            Ok(u32::from_le_bytes([s[0], s[1], s[2], s[3]]))
        }
        fn f32s(&mut self, n: usize) -> Result<Vec<f32>> {
            Ok(self.take(n * 4)?.chunks_exact(4).map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]])).collect())
        }
    }

    /// Bits needed to store values up to `max` (0 for 0).
    fn required_bits(max: u32) -> u32 {
        32 - max.leading_zeros()
    }

    /// `bits` (≤ 25) bits at bit offset `at` of `mem`; bytes past the end read as 0.
    fn bits_at(mem: &[u8], at: u64, bits: u32) -> u32 {
        let byte = (at >> 3) as usize;
        let mut w = [0u8; 4];
        for (k, slot) in w.iter_mut().enumerate() {
            *slot = mem.get(byte + k).copied().unwrap_or(0);
        }
        (u32::from_le_bytes(w) >> (at & 7)) & ((1u32 << bits) - 1)
    }

    /// Bytes of a bit array of `entries` entries (+1 for the final `next`),
    /// as pocketsphinx sizes it (with 8 bytes of slack).
    fn array_len(entries: u32, entry_bits: u32) -> usize {
        ((u64::from(entries) + 1) * u64::from(entry_bits)).div_ceil(8) as usize + 8
    }

    pub fn read(b: &[u8]) -> Result<Trie> {
        let mut c = Cursor { b, at: 0 };
        if c.take(HEADER.len())? != HEADER {
            bail!("bad header");
        }
        let order = c.take(1)?[0];
        if order != 3 {
            bail!("order {order}: only trigram models are supported");
        }
        let counts = [c.u32()?, c.u32()?, c.u32()?];
        let _quant_type = c.u32()?;
        let bi_prob = c.f32s(CODES)?;
        let bi_bo = c.f32s(CODES)?;
        let tri_prob = c.f32s(CODES)?;
        let n_uni = counts[0] as usize;
        let mut unigrams = Vec::with_capacity(n_uni);
        let mut next = Vec::with_capacity(n_uni + 1);
        for _ in 0..=n_uni {
            let v = c.f32s(2)?;
            unigrams.push((v[0], v[1]));
            next.push(c.u32()?);
        }
        unigrams.pop();
        let word_bits = required_bits(counts[0]);
        let next_bits = required_bits(counts[2]);
        let mid_bits = word_bits + 32 + next_bits;
        let long_bits = word_bits + 16;
        let mid = c.take(array_len(counts[1], mid_bits))?;
        let long = c.take(array_len(counts[2], long_bits))?;
        let words_len = c.u32()? as usize;
        let words: Vec<String> = c
            .take(words_len)?
            .split(|&x| x == 0)
            .take(n_uni)
            .map(|w| String::from_utf8_lossy(w).into_owned())
            .collect();
        if words.len() != n_uni {
            bail!("{} word strings for {n_uni} unigrams", words.len());
        }
        if c.at != b.len() {
            bail!("{} bytes left over after the word strings", b.len() - c.at);
        }

        let mid_at = |i: u32| u64::from(i) * u64::from(mid_bits);
        let mid_next = |i: u32| bits_at(mid, mid_at(i) + u64::from(word_bits) + 32, next_bits);
        let (mut bigrams, mut trigrams) = (Vec::new(), Vec::new());
        for w in 0..counts[0] {
            let (lo, hi) = (next[w as usize], next[w as usize + 1]);
            if lo > hi || hi > counts[1] {
                bail!("unigram {w}: bad bigram range {lo}..{hi}");
            }
            for m in lo..hi {
                let at = mid_at(m);
                let v = bits_at(mid, at, word_bits);
                let bo = bi_bo[bits_at(mid, at + u64::from(word_bits), 16) as usize];
                let p = bi_prob[bits_at(mid, at + u64::from(word_bits) + 16, 16) as usize];
                bigrams.push((v, w, p, bo));
                let (tlo, thi) = (mid_next(m), mid_next(m + 1));
                if tlo > thi || thi > counts[2] {
                    bail!("bigram {m}: bad trigram range {tlo}..{thi}");
                }
                for t in tlo..thi {
                    let at = u64::from(t) * u64::from(long_bits);
                    let u = bits_at(long, at, word_bits);
                    let p = tri_prob[bits_at(long, at + u64::from(word_bits), 16) as usize];
                    trigrams.push((u, v, w, p));
                }
            }
        }
        // The header's counts are the slots pocketsphinx allocated, which can
        // exceed the n-grams it filled (en-us.lm.bin: 6 unused bigram slots).
        if bigrams.len() > counts[1] as usize || trigrams.len() > counts[2] as usize {
            bail!("found {} bigrams and {} trigrams, header says {counts:?}", bigrams.len(), trigrams.len());
        }
        Ok(Trie { words, unigrams, bigrams, trigrams })
    }

    #[cfg(test)]
    mod tests {
        use super::*;

        /// Pack `(value, bits)` fields back to back, as pocketsphinx does.
        fn pack(fields: &[(u32, u32)]) -> Vec<u8> {
            let mut out = vec![0u8; 64];
            let mut at = 0u64;
            for &(v, n) in fields {
                for k in 0..n {
                    if v >> k & 1 == 1 {
                        let bit = at + u64::from(k);
                        out[(bit >> 3) as usize] |= 1 << (bit & 7);
                    }
                }
                at += u64::from(n);
            }
            out
        }

        #[test]
        fn bits_round_trip() {
            let mem = pack(&[(5, 3), (0x1ffff, 17), (1, 1), (12345, 21)]);
            assert_eq!(bits_at(&mem, 0, 3), 5);
            assert_eq!(bits_at(&mem, 3, 17), 0x1ffff);
            assert_eq!(bits_at(&mem, 20, 1), 1);
            assert_eq!(bits_at(&mem, 21, 21), 12345);
            assert_eq!(bits_at(&[], 1000, 8), 0);
            assert_eq!(required_bits(0), 0);
            assert_eq!(required_bits(72547), 17);
        }

        #[test]
        fn a_tiny_trie_reads_back() {
            // Words: 0 "a", 1 "b". Bigram "a b" (under unigram b), trigram "b a b".
            let (word_bits, next_bits) = (required_bits(2), required_bits(1));
            let mut f = HEADER.to_vec();
            f.push(3);
            for n in [2u32, 1, 1, 1] {
                f.extend_from_slice(&n.to_le_bytes());
            }
            let mut books = vec![0f32; 3 * CODES];
            books[7] = -1.5; // bigram prob code 7
            books[CODES + 9] = -0.25; // bigram back-off code 9
            books[2 * CODES + 4] = -0.5; // trigram prob code 4
            for x in books {
                f.extend_from_slice(&x.to_le_bytes());
            }
            for (p, bo, next) in [(-2.0f32, -0.1f32, 0u32), (-3.0, -0.2, 0), (0.0, 0.0, 1)] {
                f.extend_from_slice(&p.to_le_bytes());
                f.extend_from_slice(&bo.to_le_bytes());
                f.extend_from_slice(&next.to_le_bytes());
            }
            let mid = pack(&[
                (0, word_bits),
                (9, 16),
                (7, 16),
                (0, next_bits),
                (0, word_bits),
                (0, 16),
                (0, 16),
                (1, next_bits),
            ]);
            f.extend_from_slice(&mid[..array_len(1, word_bits + 32 + next_bits)]);
            let long = pack(&[(1, word_bits), (4, 16)]);
            f.extend_from_slice(&long[..array_len(1, word_bits + 16)]);
            f.extend_from_slice(&4u32.to_le_bytes());
            f.extend_from_slice(b"a\0b\0");
            let t = read(&f).unwrap();
            assert_eq!(t.words, ["a", "b"]);
            assert_eq!(t.unigrams, [(-2.0, -0.1), (-3.0, -0.2)]);
            assert_eq!(t.bigrams, [(0, 1, -1.5, -0.25)]);
            assert_eq!(t.trigrams, [(1, 0, 1, -0.5)]);
            for cut in [0, 10, 20, 30, f.len() / 2, f.len() - 1] {
                assert!(read(&f[..cut]).is_err(), "truncated to {cut}");
            }
        }
    }
}
