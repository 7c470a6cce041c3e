//! `cargo run --release --bin attache-eval [-- --shared ../shared]`
//!
//! Prints the corrector's figures (README, "Correction"):
//! - restoration on held-out facts: the observed facts are split by a stable
//!   hash; the corrector loses every entry matching a held-out fact, and
//!   corpus test documents are spun with the held-out facts plus
//!   paraphrase-table swaps the lexicon does not contain, at the real
//!   spinner's density; we count spun spans restored exactly and clean tokens
//!   damaged;
//! - the same with every fact learnable;
//! - our hand-spun samples (tests/fixtures/correct);
//! - the real-spinner set: modern clean text (our sample articles and the
//!   corpus's modern documents) spun the way the real spinner works: the
//!   observed facts applied forward (original → spun), each word a fact
//!   covers changed with probability one in three, at most 28 % of tokens
//!   (the real spinner's rate); `--real-spinner` prints only this;
//! - false corrections on the clean corpus test split;
//! - false corrections on clean technical documentation (`techdocs`, both
//!   splits): documents judged spun, changes inside math, markup or code, and
//!   word changes beyond typography and spelling per 10,000 words;
//! - speed.
//!
//! Only this tool reads `../shared`; the product never does.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

use attache::correct::{self, Corrector, DocOptions};

/// A deterministic generator (xorshift), so every run spins the same way.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn chance(&mut self, p: f64) -> bool {
        (self.next() % 1_000_000) as f64 / 1_000_000.0 < p
    }
    fn pick(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

fn fnv(s: &str) -> u64 {
    let mut h: u64 = 0xcbf29ce484222325;
    for b in s.bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x100000001b3);
    }
    h
}

struct Fact {
    spun: String,
    original: String,
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn facts(shared: &Path) -> Vec<Fact> {
    read(&shared.join("spin/mappings.tsv"))
        .lines()
        .skip(1)
        .filter_map(|l| {
            let c: Vec<&str> = l.split('\t').collect();
            (c.len() >= 2).then(|| Fact { spun: c[0].to_lowercase(), original: c[1].to_lowercase() })
        })
        .collect()
}

fn held_out(f: &Fact) -> bool {
    fnv(&format!("{}\t{}", f.spun, f.original)).is_multiple_of(5)
}

/// Test-split documents of the corpus: (id, text).
fn test_docs(shared: &Path, split: &str) -> Vec<(String, String)> {
    corpus_docs(shared, split, false)
}

/// Documents of one split of the corpus, all or only those written since
/// 1990 (`modern`): (id, text).
fn corpus_docs(shared: &Path, split: &str, modern_only: bool) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for name in ["milestones", "hsg", "frus", "sotu"] {
        for line in read(&shared.join(format!("corpus/{name}.jsonl"))).lines() {
            let Ok(v) = serde_json::from_str::<serde_json::Value>(line) else { continue };
            if v["split"] == split && (!modern_only || v["modern"] == true) {
                out.push((v["id"].as_str().unwrap_or("").to_string(), v["text"].as_str().unwrap_or("").to_string()));
            }
        }
    }
    out
}

/// Words of a text with their byte ranges.
fn words(text: &str) -> Vec<(usize, usize)> {
    attache::correct::words::tokenize(text).into_iter().filter(|t| t.is_word).map(|t| (t.start, t.end)).collect()
}

fn with_case_of(model: &str, word: &str) -> String {
    use attache::correct::words::{case_of, with_case};
    with_case(word, case_of(model))
}

/// Spin `text`: returns the spun text and the substitutions (range in the spun text, original).
fn spin(
    text: &str,
    facts: &[&Fact],
    ppdb: &HashMap<String, Vec<String>>,
    known: &HashSet<(String, String)>,
    rng: &mut Rng,
    density: f64,
) -> (String, Vec<(std::ops::Range<usize>, String)>) {
    let ws = words(text);
    let lower: Vec<String> = ws.iter().map(|&(s, e)| text[s..e].to_lowercase()).collect();
    let mut by_first: HashMap<&str, Vec<(Vec<&str>, &Fact)>> = HashMap::new();
    for f in facts {
        let toks: Vec<&str> = f.original.split_whitespace().collect();
        if let Some(first) = toks.first() {
            by_first.entry(first).or_default().push((toks.clone(), f));
        }
    }
    let total = ws.len().max(1);
    let mut subs: Vec<(usize, usize, String)> = Vec::new(); // word range [i, j) → spun text
    let mut changed = 0usize;
    let mut i = 0;
    // Facts first, then paraphrase swaps, at the target density.
    while i < ws.len() {
        let mut done = false;
        if let Some(list) = by_first.get(lower[i].as_str()) {
            for (toks, f) in list {
                let n = toks.len();
                if i + n <= ws.len()
                    && lower[i..i + n].iter().map(String::as_str).eq(toks.iter().copied())
                    && rng.chance(0.6)
                {
                    let contiguous = (i..i + n - 1).all(|k| text[ws[k].1..ws[k + 1].0].trim().is_empty());
                    if contiguous {
                        let orig_text = &text[ws[i].0..ws[i + n - 1].1];
                        subs.push((i, i + n, with_case_of(orig_text, &f.spun)));
                        changed += f.spun.split_whitespace().count().max(n);
                        i += n;
                        done = true;
                        break;
                    }
                }
            }
        }
        if !done {
            i += 1;
        }
    }
    let covered: HashSet<usize> = subs.iter().flat_map(|s| s.0..s.1).collect();
    let mut order: Vec<usize> = (0..ws.len()).filter(|k| !covered.contains(k)).collect();
    for k in (1..order.len()).rev() {
        let j = rng.pick(k + 1);
        order.swap(k, j);
    }
    for k in order {
        if changed as f64 / total as f64 >= density {
            break;
        }
        let w = &lower[k];
        let Some(cands) = ppdb.get(w) else { continue };
        let cands: Vec<&String> = cands.iter().filter(|c| !known.contains(&((*c).clone(), w.clone()))).collect();
        if cands.is_empty() {
            continue;
        }
        let c = cands[rng.pick(cands.len())];
        let orig_text = &text[ws[k].0..ws[k].1];
        subs.push((k, k + 1, with_case_of(orig_text, c)));
        changed += 1;
    }
    splice(text, &ws, subs)
}

/// `text` with words `[a, b)` replaced by each substitution's text: the spun
/// text and each substitution's range in it with the original wording.
fn splice(
    text: &str,
    ws: &[(usize, usize)],
    mut subs: Vec<(usize, usize, String)>,
) -> (String, Vec<(std::ops::Range<usize>, String)>) {
    subs.sort_by_key(|s| s.0);
    let mut out = String::with_capacity(text.len() + 64);
    let mut spans = Vec::new();
    let mut last = 0;
    for (a, b, spun) in subs {
        let (s, e) = (ws[a].0, ws[b - 1].1);
        out.push_str(&text[last..s]);
        let start = out.len();
        out.push_str(&spun);
        spans.push((start..out.len(), text[s..e].to_string()));
        last = e;
    }
    out.push_str(&text[last..]);
    (out, spans)
}

fn norm_tokens(s: &str) -> Vec<String> {
    let s = s.replace(['’', '‘'], "'").replace(['“', '”'], "\"").replace('—', "--").replace('…', "...");
    attache::correct::words::tokenize(&s).into_iter().map(|t| t.text(&s).to_lowercase()).collect()
}

#[derive(Default)]
struct Score {
    spans: usize,
    restored: usize,
    clean_tokens: usize,
    damaged: usize,
    docs: usize,
    gate_open: usize,
}

impl Score {
    fn add(&mut self, o: Score) {
        self.spans += o.spans;
        self.restored += o.restored;
        self.clean_tokens += o.clean_tokens;
        self.damaged += o.damaged;
        self.docs += o.docs;
        self.gate_open += o.gate_open;
    }
    fn line(&self, name: &str) -> String {
        format!(
            "{name:<34} {:>6.1} % restored ({}/{}), {:>5.2} damaged per 1,000 clean tokens, gate opened on {}/{} documents",
            100.0 * self.restored as f64 / self.spans.max(1) as f64,
            self.restored,
            self.spans,
            1000.0 * self.damaged as f64 / self.clean_tokens.max(1) as f64,
            self.gate_open,
            self.docs
        )
    }
}

/// Compare the corrected text with the clean original: a spun span counts as
/// restored when all its original tokens are matched unchanged; every other
/// clean token the corrector altered is damage.
fn score(clean: &str, spun: &str, spans: &[(std::ops::Range<usize>, String)], corrected: &str, gate: bool) -> Score {
    // Clean-token indices covered by substitutions: map spun spans to clean
    // token positions by walking the spun text.
    let clean_toks = norm_tokens(clean);
    let corr_toks = norm_tokens(corrected);
    let diff = similar::capture_diff_slices(similar::Algorithm::Myers, &clean_toks, &corr_toks);
    let mut equal = vec![false; clean_toks.len()];
    for op in diff {
        if let similar::DiffOp::Equal { old_index, len, .. } = op {
            equal[old_index..old_index + len].iter_mut().for_each(|e| *e = true);
        }
    }
    // Token index in the clean text of each substitution: count the tokens in
    // the spun text before it, adjusting by the difference in token count of
    // earlier substitutions.
    let mut s = Score { docs: 1, gate_open: usize::from(gate), clean_tokens: clean_toks.len(), ..Default::default() };
    let mut in_sub = vec![false; clean_toks.len()];
    let mut shift: isize = 0;
    for (range, original) in spans {
        let before = norm_tokens(&spun[..range.start]).len() as isize;
        let spun_n = norm_tokens(&spun[range.clone()]).len() as isize;
        let orig_n = norm_tokens(original).len();
        let at = (before + shift).max(0) as usize;
        shift += orig_n as isize - spun_n;
        s.spans += 1;
        let ok = (at..at + orig_n).all(|k| equal.get(k).copied().unwrap_or(false));
        s.restored += usize::from(ok);
        for k in at..(at + orig_n).min(in_sub.len()) {
            in_sub[k] = true;
        }
    }
    s.damaged = (0..clean_toks.len()).filter(|&k| !in_sub[k] && !equal[k]).count();
    s
}

fn opts() -> DocOptions {
    DocOptions { typography: false, house_style: false, spelling: false, ..DocOptions::default() }
}

/// The corrected text and the report it came from.
fn correct_text(c: &Corrector, text: &str) -> (String, correct::Report) {
    let r = c.check(text, &opts());
    (correct::apply(text, &r.changes), r)
}

fn restoration(
    name: &str,
    c: &Corrector,
    docs: &[(String, String)],
    facts: &[&Fact],
    ppdb: &HashMap<String, Vec<String>>,
    known: &HashSet<(String, String)>,
) -> Score {
    let mut rng = Rng(0x9e3779b97f4a7c15);
    let mut total = Score::default();
    let mut odds: Vec<f32> = Vec::new();
    let mut weaks: Vec<f32> = Vec::new();
    for (_, text) in docs {
        let (spun, spans) = spin(text, facts, ppdb, known, &mut rng, 0.17);
        let (corrected, r) = correct_text(c, &spun);
        if std::env::var_os("SHOW_DAMAGE").is_some() {
            for ch in r.changes.iter().filter(|ch| ch.applied) {
                if !spans.iter().any(|(r, _)| r.start < ch.span.end && ch.span.start < r.end) {
                    println!("  damage: “{}” → “{}” [{}]", ch.before, ch.after, ch.rule);
                }
            }
        }
        if let Some(path) = std::env::var_os("CALIBRATE") {
            let r = c.check(&spun, &DocOptions { assume_spun: true, ..opts() });
            dump_scores(&path, &format!("spun:{name}"), &spun, &r, &spans);
        }
        dump_gate(&format!("spun:{name}"), &r);
        total.add(score(text, &spun, &spans, &corrected, r.spun));
        odds.push(r.odd_per_k);
        weaks.push(r.weak_per_k);
    }
    odds.sort_by(f32::total_cmp);
    if !odds.is_empty() {
        println!(
            "  odd words per 1,000 in spun docs: p10 {:.1}, median {:.1}",
            odds[odds.len() / 10],
            odds[odds.len() / 2]
        );
    }
    println!("{}", total.line(name));
    total
}

fn main() {
    let mut shared = PathBuf::from("../shared");
    let args: Vec<String> = std::env::args().collect();
    if let Some(i) = args.iter().position(|a| a == "--shared") {
        shared = PathBuf::from(args.get(i + 1).cloned().unwrap_or_default());
    }
    let max_docs: usize =
        args.iter().position(|a| a == "--docs").and_then(|i| args.get(i + 1)?.parse().ok()).unwrap_or(usize::MAX);
    let all_facts = facts(&shared);
    let held: Vec<&Fact> = all_facts.iter().filter(|f| held_out(f)).collect();
    let held_pairs: HashSet<(String, String)> = held.iter().map(|f| (f.spun.clone(), f.original.clone())).collect();
    println!("facts: {} observed, {} held out by hash", all_facts.len(), held.len());

    // The paraphrase table, as the synthetic spinner's thesaurus.
    let mut ppdb: HashMap<String, Vec<String>> = HashMap::new();
    for line in read(&shared.join("spin/paraphrase_pairs.tsv")).lines().skip(1) {
        let c: Vec<&str> = line.split('\t').collect();
        if c.len() < 2 || !c[0].chars().all(|x| x.is_ascii_lowercase()) || !c[1].chars().all(|x| x.is_ascii_lowercase())
        {
            continue;
        }
        ppdb.entry(c[0].to_string()).or_default().push(c[1].to_string());
        ppdb.entry(c[1].to_string()).or_default().push(c[0].to_string());
    }
    let lm = attache::correct::lm::LanguageModel::get();
    // Only swaps to words a thesaurus would offer: known, reasonably common words.
    for v in ppdb.values_mut() {
        v.retain(|w| lm.count(&[w.as_str()]) >= 20);
        v.sort();
        v.dedup();
    }

    let data_all = correct::builtin_data(&[]).expect("built-in data parses");
    let mut data_learn = correct::builtin_data(&[]).expect("built-in data parses");
    data_learn.lexicon.retain(|e| !held_pairs.contains(&(e.spun.join(" "), e.original.to_lowercase())));
    let known_learn: HashSet<(String, String)> =
        data_learn.lexicon.entries.iter().map(|e| (e.spun.join(" "), e.original.to_lowercase())).collect();
    let known_all: HashSet<(String, String)> =
        data_all.lexicon.entries.iter().map(|e| (e.spun.join(" "), e.original.to_lowercase())).collect();
    println!(
        "lexicon: {} entries; {} after removing those matching held-out facts",
        data_all.lexicon.len(),
        data_learn.lexicon.len()
    );
    let data_stages = correct::builtin_data(&[]).expect("built-in data parses");
    let c_learn = Corrector::from_data(data_learn, "en");
    let c_all = Corrector::from_data(data_all, "en");
    // `--real-spinner` prints only the real-spinner set (for tuning).
    if args.iter().any(|a| a == "--real-spinner") {
        real_spinner_section(&c_all, &shared, max_docs);
        return;
    }
    // `--techdocs` prints only the technical-documentation figures (for tuning).
    if args.iter().any(|a| a == "--techdocs") {
        techdocs_section(&c_all, &shared);
        return;
    }

    let split = args
        .iter()
        .position(|a| a == "--split")
        .and_then(|i| args.get(i + 1).cloned())
        .unwrap_or_else(|| "test".into());
    let mut docs = test_docs(&shared, &split);
    if split != "test" {
        // The dev split is large: take every 10th document for calibration.
        docs = docs.into_iter().step_by(10).collect();
    }
    docs.truncate(max_docs);
    let words_total: usize = docs.iter().map(|d| d.1.split_whitespace().count()).sum();
    println!("corpus {split} split: {} documents, {} words\n", docs.len(), words_total);

    // `--speed` prints only the speed figures (clean prose, spun articles).
    let fx = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/correct");
    if args.iter().any(|a| a == "--speed") {
        stage_times(&data_stages, &docs);
        let (secs, bytes) = time_clean(&c_all, &docs);
        speed(&c_all, &fx, secs, bytes);
        return;
    }
    {
        println!("== Restoration (synthetic spin at 17 % of tokens: facts first, then paraphrase swaps)");
        restoration("held-out facts (generalisation)", &c_learn, &docs, &held, &ppdb, &known_learn);
        let every: Vec<&Fact> = all_facts.iter().collect();
        restoration("all facts learnable", &c_all, &docs, &every, &ppdb, &known_all);
        // Known facts alone, no paraphrase swaps: what the lexicon itself restores.
        let empty: HashMap<String, Vec<String>> = HashMap::new();
        restoration("all facts, no paraphrase swaps", &c_all, &docs, &every, &empty, &known_all);

        println!("\n== Hand-spun samples (tests/fixtures/correct)");
        let mut hand = Score::default();
        let mut names: Vec<_> =
            std::fs::read_dir(fx.join("spun")).map(|d| d.flatten().map(|e| e.path()).collect()).unwrap_or_default();
        names.sort();
        let mut spans_by_file: HashMap<String, Vec<(usize, String, String)>> = HashMap::new();
        for line in read(&fx.join("spans.tsv")).lines().skip(1) {
            let c: Vec<&str> = line.split('\t').collect();
            if c.len() == 4 {
                spans_by_file.entry(c[0].to_string()).or_default().push((
                    c[1].parse().unwrap_or(0),
                    c[2].to_string(),
                    c[3].to_string(),
                ));
            }
        }
        for path in names {
            let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
            let spun = read(&path);
            let clean = read(&fx.join("clean").join(&name));
            // Locate each listed span in the spun text, in order, line by line.
            let line_starts: Vec<usize> =
                std::iter::once(0).chain(spun.match_indices('\n').map(|(i, _)| i + 1)).collect();
            let mut spans = Vec::new();
            let mut cursor: HashMap<usize, usize> = HashMap::new();
            for (line, sp, orig) in spans_by_file.get(&name).cloned().unwrap_or_default() {
                let ls = line_starts.get(line.saturating_sub(1)).copied().unwrap_or(0);
                let from = *cursor.get(&line).unwrap_or(&ls);
                if let Some(i) = spun[from..].find(&sp) {
                    spans.push((from + i..from + i + sp.len(), orig));
                    cursor.insert(line, from + i + sp.len());
                }
            }
            let (corrected, report) = correct_text(&c_all, &spun);
            dump_gate("hand", &report);
            if std::env::var_os("SHOW_MISSES").is_some() {
                show_misses(&spun, &spans, &report);
            }
            let s = score(&clean, &spun, &spans, &corrected, report.spun);
            println!("{}", s.line(&name));
            hand.add(s);
        }
        println!("{}", hand.line("all hand-spun samples"));
        real_spinner_section(&c_all, &shared, max_docs);
    }
    println!("\n== False corrections on clean text (corpus test split)");
    let (mut applied, mut suggested, mut alarms, mut words) = (0usize, 0usize, 0usize, 0usize);
    let mut clean_odds: Vec<(f32, String)> = Vec::new();
    let mut clean_weak: Vec<f32> = Vec::new();
    let mut examples: Vec<String> = Vec::new();
    for (id, text) in &docs {
        let r = c_all.check(text, &opts());
        dump_gate("clean", &r);
        if let Some(path) = std::env::var_os("CALIBRATE") {
            let r = c_all.check(text, &DocOptions { assume_spun: true, ..opts() });
            dump_scores(&path, "clean", text, &r, &[]);
        }
        words += text.split_whitespace().count();
        alarms += usize::from(r.spun);
        clean_odds.push((r.odd_per_k, id.clone()));
        clean_weak.push(r.weak_per_k);
        for ch in &r.changes {
            if ch.applied {
                applied += 1;
                if examples.len() < 25 {
                    examples.push(format!("  {id}: “{}” → “{}” ({})", ch.before, ch.after, ch.rule));
                }
            } else {
                suggested += 1;
            }
        }
    }
    println!(
        "{words} words: {applied} applied changes ({:.2} per 20,000 words), {suggested} suggestions, {alarms} documents judged spun",
        applied as f64 * 20000.0 / words.max(1) as f64
    );
    for e in &examples {
        println!("{e}");
    }
    clean_odds.sort_by(|a, b| b.0.total_cmp(&a.0));
    clean_weak.sort_by(f32::total_cmp);
    if !clean_weak.is_empty() {
        println!(
            "  weak matches per 1,000 in clean docs: median {:.1}, p90 {:.1}, max {:.1}",
            clean_weak[clean_weak.len() / 2],
            clean_weak[clean_weak.len() * 9 / 10],
            clean_weak[clean_weak.len() - 1]
        );
    }
    println!("  highest odd words per 1,000 in clean docs: {:?}", clean_odds.iter().take(5).collect::<Vec<_>>());
    let clean_only = fx.join("clean-only");
    for e in std::fs::read_dir(&clean_only).map(|d| d.flatten().collect::<Vec<_>>()).unwrap_or_default() {
        let text = read(&e.path());
        let r = c_all.check(&text, &opts());
        let a: Vec<String> =
            r.changes.iter().filter(|c| c.applied).map(|c| format!("“{}” → “{}”", c.before, c.after)).collect();
        println!(
            "clean-only {}: {} applied, spun = {} {}",
            e.file_name().to_string_lossy(),
            a.len(),
            r.spun,
            a.join(", ")
        );
    }

    if let Some(path) = std::env::var_os("CALIBRATE") {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        let md = [root.join("content"), fx.join("clean"), fx.join("clean-only")]
            .into_iter()
            .flat_map(walkdir::WalkDir::new)
            .flatten()
            .filter(|e| e.path().extension().is_some_and(|x| x == "md"));
        for f in md {
            let text = read(f.path());
            dump_gate("modern", &c_all.check(&text, &opts()));
            let r = c_all.check(&text, &DocOptions { assume_spun: true, ..opts() });
            dump_scores(&path, "modern", &text, &r, &[]);
        }
    }

    techdocs_section(&c_all, &shared);

    let (secs, bytes) = time_clean(&c_all, &docs);
    speed(&c_all, &fx, secs, bytes);
}

/// `--speed`: the corrector's speed on one core, clean prose in MB/s (the
/// pre-scan's case) and a spun article in ms.
fn speed(c: &Corrector, fx: &Path, secs: f64, bytes: usize) {
    println!("\n== Speed (one core, CPU time)");
    println!("clean text: {:.1} MB/s ({:.1} MB in {:.2} s)", bytes as f64 / 1e6 / secs, bytes as f64 / 1e6, secs);
    for name in ["strait-of-hormuz.md", "arms-control-verification.md"] {
        let sample = read(&fx.join("spun").join(name));
        let n = 50;
        let t = cpu_seconds();
        for _ in 0..n {
            std::hint::black_box(c.check(&sample, &opts()));
        }
        let per = (cpu_seconds() - t) * 1000.0 / n as f64;
        let wc = sample.split_whitespace().count();
        println!("spun article {name} ({wc} words): {per:.2} ms ({:.2} ms per 1,000 words)", per * 1000.0 / wc as f64);
    }
}

/// Time the clean pass alone (no calibration dumps): CPU seconds and bytes.
fn time_clean(c: &Corrector, docs: &[(String, String)]) -> (f64, usize) {
    let start = cpu_seconds();
    let mut bytes = 0;
    for (_, text) in docs {
        bytes += text.len();
        std::hint::black_box(c.check(text, &opts()));
    }
    (cpu_seconds() - start, bytes)
}

/// CPU time of the engine's stages on clean prose, cumulative (each line
/// runs the stages before it again), to see where a clean document's time goes.
fn stage_times(data: &correct::Data, docs: &[(String, String)]) {
    use attache::correct::{engine, lattice, spans, tokens};
    let bytes: usize = docs.iter().map(|d| d.1.len()).sum();
    let mb = |t: f64| bytes as f64 / 1e6 / t.max(1e-9);
    let t = cpu_seconds();
    for (_, text) in docs {
        std::hint::black_box(spans::find(text, &[]));
    }
    let t_spans = cpu_seconds() - t;
    let t = cpu_seconds();
    for (_, text) in docs {
        let s = spans::find(text, &[]);
        let b = tokens::blocks(text, &s.runs);
        std::hint::black_box(lattice::build(text, &b, &s.runs, data, true));
    }
    let t_lattice = cpu_seconds() - t;
    let t = cpu_seconds();
    for (_, text) in docs {
        std::hint::black_box(engine::check(text, data, &opts(), &engine::Flat));
    }
    let t_flat = cpu_seconds() - t;
    println!(
        "stages on clean text: spans {:.1} MB/s, +tokens+lattice {:.1} MB/s, whole engine without a context model {:.1} MB/s",
        mb(t_spans),
        mb(t_lattice),
        mb(t_flat)
    );
}

/// This thread's CPU time: on a shared machine wall-clock time measures the
/// neighbours' load, not the corrector.
fn cpu_seconds() -> f64 {
    let mut ts = libc::timespec { tv_sec: 0, tv_nsec: 0 };
    // SAFETY: `ts` is a valid, writable timespec; the clock id is a constant.
    let ok = unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut ts) } == 0;
    if ok { ts.tv_sec as f64 + ts.tv_nsec as f64 / 1e9 } else { 0.0 }
}

/// Calibration dump: one line per word the paraphrase check scored.
/// With `GATE=FILE`, one line per document: the gate's odd words, scored
/// words, verdict, and every score it saw (for tuning the sequential test).
fn dump_gate(kind: &str, r: &correct::Report) {
    use std::io::Write;
    if let Some(path) = std::env::var_os("EVIDENCE")
        && let Ok(mut f) = std::fs::OpenOptions::new().create(true).append(true).open(path)
    {
        let e = r.evidence;
        let _ = writeln!(
            f,
            "{kind}\t{}\t{}\t{}\t{}\t{}\t{}\t{:?}\t{:.1}\t{}",
            r.words,
            u8::from(r.spun),
            e.braces,
            e.fingerprints,
            e.strong,
            e.weak,
            e.odd_rate,
            r.odd_per_k,
            e.weak_reversals
        );
    }
    let Some(path) = std::env::var_os("GATE") else { return };
    let Ok(mut f) = std::fs::OpenOptions::new().create(true).append(true).open(path) else { return };
    let scores: Vec<String> = r.gate_scores.iter().map(|(_, d)| format!("{d:.2}")).collect();
    let _ = writeln!(
        f,
        "{kind}\t{}\t{}\t{}\t{}\t{}",
        r.words,
        r.gate_odd.0,
        r.gate_odd.1,
        u8::from(r.spun),
        scores.join(",")
    );
}

fn dump_scores(
    path: &std::ffi::OsStr,
    kind: &str,
    text: &str,
    r: &correct::Report,
    spans: &[(std::ops::Range<usize>, String)],
) {
    use std::io::Write;
    let Ok(mut f) = std::fs::OpenOptions::new().create(true).append(true).open(path) else { return };
    let id = fnv(text);
    let mut out = String::new();
    for (span, d) in &r.para_scores {
        let swap = spans.iter().any(|(s, _)| s.start < span.end && span.start < s.end);
        out.push_str(&format!("{kind}\t{id}\t{}\t{}\t{d:.2}\t{}\n", r.words, u8::from(swap), &text[span.clone()]));
    }
    let _ = f.write_all(out.as_bytes());
}

/// One file of `../shared/corpus/techdocs` (path inside it, split, text).
struct TechDoc {
    file: String,
    split: String,
    text: String,
}

/// The techdocs files listed in its `MANIFEST.tsv` (empty when absent).
fn techdocs(shared: &Path) -> Vec<TechDoc> {
    let root = shared.join("corpus/techdocs");
    let Ok(manifest) = std::fs::read_to_string(root.join("MANIFEST.tsv")) else { return Vec::new() };
    let mut head = manifest.lines().next().unwrap_or("").split('\t');
    let split_col = head.position(|c| c == "split").unwrap_or(10);
    manifest
        .lines()
        .skip(1)
        .filter_map(|l| {
            let c: Vec<&str> = l.split('\t').collect();
            let (file, split) = (c.first()?, c.get(split_col)?);
            Some(TechDoc { file: file.to_string(), split: split.to_string(), text: read(&root.join(file)) })
        })
        .collect()
}

/// False corrections on clean technical documentation, per split.
fn techdocs_section(c: &Corrector, shared: &Path) {
    println!("\n== Technical documentation (corpus/techdocs: math, code, shortcodes, attribute lists)");
    let docs = techdocs(shared);
    if docs.is_empty() {
        println!("(no {} here)", shared.join("corpus/techdocs/MANIFEST.tsv").display());
        return;
    }
    for split in ["dev", "test"] {
        let part: Vec<&TechDoc> = docs.iter().filter(|d| d.split == split).collect();
        techdocs_split(c, &part, split);
    }
}

/// `techdocs` figures for one split: documents judged spun, changes inside
/// math/markup/code, word changes beyond typography and spelling.
fn techdocs_split(c: &Corrector, docs: &[&TechDoc], split: &str) {
    let (mut spun, mut in_markup, mut word_changes, mut spelling, mut typo, mut words) = (0, 0, 0, 0, 0, 0usize);
    let show = std::env::var_os("SHOW_TECHDOCS").is_some();
    let mut examples: Vec<String> = Vec::new();
    for d in docs {
        let r = c.check(&d.text, &DocOptions::default());
        dump_gate(&format!("techdocs-{split}"), &r);
        words += d.text.split_whitespace().count();
        spun += usize::from(r.spun);
        if show && r.spun {
            println!("  spun: {} (score {:.1}, odd {:?})", d.file, r.spin_score, r.gate_odd);
        }
        let markup = correct::audit::markup_ranges(&d.text);
        for ch in r.changes.iter().filter(|ch| ch.applied) {
            let inside = markup.iter().any(|m| m.start < ch.span.end && ch.span.start < m.end)
                || ch.before.contains(['\\', '{', '}', '$', '^', '_', '`']);
            let what = format!("  {}: “{}” → “{}” ({})", d.file, ch.before, ch.after, ch.rule);
            if inside {
                in_markup += 1;
            }
            match ch.rule {
                "typography" => typo += 1,
                "spelling" => spelling += 1,
                _ => word_changes += 1,
            }
            if (inside || ch.rule != "typography") && (show || examples.len() < 12) {
                examples.push(format!("{what}{}", if inside { " [inside math/markup/code]" } else { "" }));
            }
        }
    }
    println!(
        "techdocs {split:<5} {:>3} files, {words:>7} words: {spun} judged spun, {in_markup} changes inside math/markup/code, \
         {word_changes} word changes ({:.2} per 10,000 words), {spelling} misspelling fixes, {typo} typography",
        docs.len(),
        word_changes as f64 * 10_000.0 / words.max(1) as f64
    );
    for e in &examples {
        println!("{e}");
    }
}

/// One observed fact turned round, in the spinner's direction: the
/// original's lower-cased words and the spun forms seen for it, with how
/// often each was seen.
struct Forward {
    original: Vec<String>,
    spun: Vec<(String, u32)>,
}

/// The observed facts of `spin/mappings.tsv` and `spin/mappings_batch5.tsv`
/// as the spinner applies them (original → spun). Left out: pairs our
/// lexicon judges not the spinner's (`drop`: editorial differences between
/// versions of a story) or valid only inside a phrase (`phrase-bound`: "on"
/// for "at"), which the spinner does not apply word by word.
fn forward_facts(shared: &Path) -> Vec<Forward> {
    let observed = include_str!("../../data/correct/observed.tsv");
    let excluded: HashSet<(String, String)> = observed
        .lines()
        .filter(|l| !l.starts_with('#'))
        .filter_map(|l| {
            let c: Vec<&str> = l.split('\t').collect();
            let skip = c.len() >= 5 && (c[4] == "drop" || c[4] == "phrase-bound");
            skip.then(|| (c[0].to_lowercase(), c[1].to_lowercase()))
        })
        .collect();
    let mut by_original: std::collections::BTreeMap<String, std::collections::BTreeMap<String, u32>> =
        Default::default();
    for file in ["spin/mappings.tsv", "spin/mappings_batch5.tsv"] {
        let path = shared.join(file);
        let Ok(text) = std::fs::read_to_string(&path) else { continue };
        for line in text.lines().skip(1) {
            let c: Vec<&str> = line.split('\t').collect();
            if c.len() < 3 {
                continue;
            }
            let (spun, original) = (c[0].to_lowercase(), c[1].to_lowercase());
            if spun == original
                || excluded.contains(&(spun.clone(), original.clone()))
                || !original.chars().any(char::is_alphabetic)
            {
                continue;
            }
            *by_original.entry(original).or_default().entry(spun).or_default() += c[2].parse().unwrap_or(1);
        }
    }
    by_original
        .into_iter()
        .map(|(original, spun)| Forward {
            original: norm_tokens(&original).into_iter().filter(|t| t.chars().any(char::is_alphanumeric)).collect(),
            spun: spun.into_iter().collect(),
        })
        .filter(|f| !f.original.is_empty())
        .collect()
}

/// The real spinner's rate: 28.7 % of aligned tokens changed (shared/spin README).
const REAL_DENSITY: f64 = 0.28;
/// Of the words a fact covers, the share the spinner changes.
const REAL_CHANGE: f64 = 1.0 / 3.0;

/// What spinning one document did: words a fact covered, words changed,
/// prose words in all.
#[derive(Default, Clone, Copy)]
struct Coverage {
    covered: usize,
    changed: usize,
    words: usize,
}

/// Spin `text` the way the real spinner works: every occurrence of a fact's
/// original in prose (longest first; code, links, math and front matter are
/// never spun) is replaced, with probability one in three, by one of the
/// spun forms seen for it (weighted by how often), never beyond 28 % of the
/// prose words.
fn spin_forward(
    text: &str,
    facts: &HashMap<&str, Vec<&Forward>>,
    rng: &mut Rng,
) -> (String, Vec<(std::ops::Range<usize>, String)>, Coverage) {
    let body_start = attache::content::front_matter::split(Path::new(""), text).map_or(0, |s| s.body_start);
    let runs = correct::prose::runs(&text[body_start..], body_start);
    let ws: Vec<(usize, usize)> = words(text);
    let lower: Vec<String> = ws.iter().map(|&(s, e)| norm_tokens(&text[s..e]).concat()).collect();
    // The prose run each word sits in, if any.
    let run_of: Vec<Option<usize>> =
        ws.iter().map(|&(s, e)| runs.iter().position(|r| r.range.start <= s && e <= r.range.end)).collect();
    let mut cov = Coverage { words: run_of.iter().flatten().count(), ..Default::default() };
    let budget = (REAL_DENSITY * cov.words as f64) as usize;
    let mut subs: Vec<(usize, usize, String)> = Vec::new();
    let mut i = 0;
    while i < ws.len() {
        let Some(run) = run_of[i] else {
            i += 1;
            continue;
        };
        let fits = |f: &&&Forward| {
            let n = f.original.len();
            i + n <= ws.len()
                && lower[i..i + n].iter().zip(&f.original).all(|(a, b)| a == b)
                && run_of[i..i + n].iter().all(|r| *r == Some(run))
                && (i..i + n - 1).all(|k| text[ws[k].1..ws[k + 1].0].trim().is_empty())
        };
        let Some(fact) = facts.get(lower[i].as_str()).and_then(|list| list.iter().find(fits)) else {
            i += 1;
            continue;
        };
        let n = fact.original.len();
        cov.covered += n;
        if rng.chance(REAL_CHANGE) {
            let total: u32 = fact.spun.iter().map(|s| s.1).sum();
            let mut pick = rng.pick(total.max(1) as usize) as u32;
            let spun = fact
                .spun
                .iter()
                .find(|s| {
                    pick < s.1 || {
                        pick -= s.1;
                        false
                    }
                })
                .map_or("", |s| s.0.as_str());
            let size = spun.split_whitespace().count().max(n);
            if !spun.is_empty() && cov.changed + size <= budget {
                subs.push((i, i + n, with_case_of(&text[ws[i].0..ws[i + n - 1].1], spun)));
                cov.changed += size;
            }
        }
        i += n;
    }
    let (spun, spans) = splice(text, &ws, subs);
    (spun, spans, cov)
}

/// Our sample articles (content/): (path, text).
fn sample_articles() -> Vec<(String, String)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("content");
    let mut out: Vec<(String, String)> = walkdir::WalkDir::new(&root)
        .sort_by_file_name()
        .into_iter()
        .flatten()
        .filter(|e| e.path().extension().is_some_and(|x| x == "md"))
        .map(|e| (e.path().display().to_string(), read(e.path())))
        .collect();
    out.retain(|(_, t)| !t.trim().is_empty());
    out
}

/// The real-spinner set: restoration and damage on modern clean text spun
/// with the observed facts applied forward. Two lines: the dev part (our
/// sample articles and the corpus's modern dev documents; tune on this) and
/// the test part (the corpus's modern test documents; report this).
fn real_spinner_section(c: &Corrector, shared: &Path, max_docs: usize) {
    println!(
        "\n== Real-spinner set (observed facts applied forward to modern clean text: \
         1 in 3 covered words changed, at most 28 % of tokens)"
    );
    let facts = forward_facts(shared);
    let mut by_first: HashMap<&str, Vec<&Forward>> = HashMap::new();
    for f in &facts {
        by_first.entry(f.original[0].as_str()).or_default().push(f);
    }
    // Longest original first: "the cold war" before "cold".
    by_first.values_mut().for_each(|v| v.sort_by_key(|f| std::cmp::Reverse(f.original.len())));
    println!(
        "facts applied forward: {} originals, {} spun forms",
        facts.len(),
        facts.iter().map(|f| f.spun.len()).sum::<usize>()
    );
    let mut dev = sample_articles();
    let samples = dev.len();
    // The dev split is large: every 4th modern document keeps the run short.
    dev.extend(corpus_docs(shared, "dev", true).into_iter().step_by(4));
    dev.truncate(max_docs);
    let mut test = corpus_docs(shared, "test", true);
    test.truncate(max_docs);
    for (name, docs) in [
        (format!("real-spinner dev ({samples} samples + corpus)"), &dev),
        ("real-spinner test (corpus)".to_string(), &test),
    ] {
        let mut rng = Rng(0x0005_eed0_f5b1_7e75);
        let mut total = Score::default();
        let mut cov = Coverage::default();
        for (_, text) in docs.iter() {
            let (spun, spans, c1) = spin_forward(text, &by_first, &mut rng);
            cov.covered += c1.covered;
            cov.changed += c1.changed;
            cov.words += c1.words;
            let (corrected, r) = correct_text(c, &spun);
            if std::env::var_os("SHOW_MISSES").is_some() {
                show_misses(&spun, &spans, &r);
            }
            total.add(score(text, &spun, &spans, &corrected, r.spun));
        }
        let words: usize = docs.iter().map(|d| d.1.split_whitespace().count()).sum();
        println!(
            "  {} documents, {words} words: facts cover {:.1} % of prose words, {:.1} % changed",
            docs.len(),
            100.0 * cov.covered as f64 / cov.words.max(1) as f64,
            100.0 * cov.changed as f64 / cov.words.max(1) as f64
        );
        println!("{}", total.line(&name));
    }
}

/// Each spun span the corrector did not restore, with what it did there.
fn show_misses(spun: &str, spans: &[(std::ops::Range<usize>, String)], report: &correct::Report) {
    for (r, orig) in spans {
        let hit: Vec<&correct::Change> =
            report.changes.iter().filter(|ch| ch.span.start < r.end && r.start < ch.span.end).collect();
        let ok = hit.iter().any(|ch| ch.applied && ch.after.to_lowercase().ends_with(&orig.to_lowercase()));
        if !ok {
            let what: Vec<String> = hit
                .iter()
                .map(|ch| format!("{}{} → {} ({})", if ch.applied { "" } else { "?" }, ch.before, ch.after, ch.rule))
                .collect();
            println!("  miss\t{}\t{}\t{}", &spun[r.clone()], orig, what.join("; "));
        }
    }
}
