//! The reverse lexicon: spinner outputs and the wording they replaced.
//!
//! Built from readable TSV files in `data/correct/` (compiled into the binary
//! with `include_str!`) plus any a site adds. Each entry has a confidence tier
//! that decides how much evidence the corrector needs before reversing it.

use rustc_hash::FxHashMap;

use super::tsv::{self, DataError};
use super::words::lower;

/// How much evidence an entry needs before it is applied.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Tier {
    /// Essentially never occurs in clean prose ("Chilly Warfare"): reversed anywhere.
    Fingerprint,
    /// Unusual in clean prose: reversed when the document or paragraph looks spun.
    Strong,
    /// Ordinary English ("mentioned", "home"): reversed only in spun text and
    /// when the context model prefers the original.
    Weak,
    /// Only inside a given phrase ("Buffalo Payments" → "Buffalo Bills").
    PhraseBound,
}

impl Tier {
    fn parse(s: &str) -> Option<Option<Tier>> {
        Some(match s.trim() {
            "fingerprint" => Some(Tier::Fingerprint),
            "strong" => Some(Tier::Strong),
            "weak" => Some(Tier::Weak),
            "phrase-bound" => Some(Tier::PhraseBound),
            "drop" => None,
            _ => return None,
        })
    }

    pub fn name(self) -> &'static str {
        match self {
            Tier::Fingerprint => "fingerprint",
            Tier::Strong => "strong",
            Tier::Weak => "weak",
            Tier::PhraseBound => "phrase-bound",
        }
    }
}

/// The weight of a curated entry (no observation count) in the channel: as if
/// seen twice, about the median of the observed facts that recur.
const CURATED_COUNT: u32 = 2;

/// One reversal.
#[derive(Debug, Clone)]
pub struct Entry {
    /// Lower-cased tokens of the spun form.
    pub spun: Vec<String>,
    /// The spun form as written in the data (its capitals matter for names).
    pub spun_text: String,
    /// The original wording, as it should appear (case adjusted at use).
    pub original: String,
    pub tier: Tier,
    /// Times observed (1 for curated entries): the channel's weight.
    pub count: u32,
    /// For phrase-bound entries: the lower-cased tokens of the spun phrase it must sit in.
    pub context: Option<Vec<String>>,
    /// The spun form is capitalised in the data: only a capitalised match counts.
    pub cased: bool,
    /// Where it came from, for the report: `observed`, `curated` or a site file.
    pub source: String,
}

impl Entry {
    /// The spinner inserted words here: the original is what is left when
    /// some of the spun words are deleted ("brand new" → "new", "court
    /// docket" → "court", "essentially the most" → "the most").
    pub fn inserted(&self) -> bool {
        let orig = tokens_of(&self.original);
        let mut it = self.spun.iter();
        orig.len() < self.spun.len() && orig.iter().all(|o| it.any(|s| s == o))
    }
}

/// All entries, indexed by the first token of their spun form.
#[derive(Debug, Default)]
pub struct Lexicon {
    pub entries: Vec<Entry>,
    /// FxHash: these lookups run once per word of every document.
    by_first: FxHashMap<String, FirstWord>,
    pub max_len: usize,
    /// Total count of all spun forms of each (lower-cased) original.
    totals: FxHashMap<String, u32>,
}

/// The entries whose spun form starts with one word. Common words start
/// dozens of entries ("in", "the", "a" over fifty each, and they are a
/// large share of every text), so the longer entries are indexed again by
/// their second word: a lookup checks only the entries that can match.
#[derive(Debug, Default)]
struct FirstWord {
    /// One-word entries, in entry order.
    single: Vec<usize>,
    /// Longer entries by their second spun word, each list in entry order.
    by_second: FxHashMap<String, Vec<usize>>,
}

/// A lexicon match at a token position.
#[derive(Debug, Clone)]
pub struct Match {
    /// Token index range (word tokens only) covered.
    pub first: usize,
    pub len: usize,
    pub entry: usize,
}

/// `council` for `council's` (lower-cased words, apostrophes normalised);
/// `None` for contractions that only look possessive ("it's", "let's").
pub fn possessive_base(word: &str) -> Option<&str> {
    const CONTRACTED: &[&str] = &["it", "that", "there", "here", "what", "who", "he", "she", "let", "where", "how"];
    word.strip_suffix("'s").filter(|b| !b.is_empty() && !CONTRACTED.contains(b))
}

fn tokens_of(text: &str) -> Vec<String> {
    super::words::tokenize(text).into_iter().filter(|t| t.is_word).map(|t| lower(t.text(text))).collect()
}

impl Lexicon {
    /// Parse one TSV file: `spun original [count articles] tier [note]`.
    pub fn add_tsv(&mut self, file: &str, text: &str, source: &str) -> Result<(), DataError> {
        for row in tsv::parse(file, text, 3, 6)? {
            let c = &row.cols;
            if c[0] == "spun" && c[1] == "original" {
                continue; // header line
            }
            let (count, tier_col, note) = match c.len() {
                3 => (CURATED_COUNT, c[2], ""),
                4 => (CURATED_COUNT, c[2], c[3]),
                5 => (c[2].trim().parse().unwrap_or(1), c[4], ""),
                _ => (c[2].trim().parse().unwrap_or(1), c[4], c[5]),
            };
            let Some(tier) = Tier::parse(tier_col) else {
                return Err(DataError {
                    file: file.to_string(),
                    line: row.line,
                    message: format!("unknown tier `{tier_col}` (fingerprint, strong, weak, phrase-bound or drop)"),
                });
            };
            let Some(tier) = tier else { continue };
            let spun = tokens_of(c[0]);
            if spun.is_empty() || tokens_of(c[1]) == spun {
                continue;
            }
            let context = (tier == Tier::PhraseBound).then(|| parse_context(note)).flatten();
            if tier == Tier::PhraseBound && context.is_none() {
                // A phrase-bound entry without its phrase can never apply safely.
                continue;
            }
            let cased = c[0].chars().next().is_some_and(char::is_uppercase);
            let idx = self.entries.len();
            self.max_len = self.max_len.max(spun.len());
            self.index(&spun, idx);
            *self.totals.entry(c[1].trim().to_lowercase()).or_insert(0) += count;
            self.entries.push(Entry {
                spun,
                spun_text: c[0].to_string(),
                original: c[1].trim().to_string(),
                tier,
                count,
                context,
                cased,
                source: source.to_string(),
            });
        }
        Ok(())
    }

    /// File entry `idx`, whose lower-cased spun tokens are `spun`, under its first
    /// word (and its second, when it has one).
    fn index(&mut self, spun: &[String], idx: usize) {
        let first = self.by_first.entry(spun[0].clone()).or_default();
        match spun.get(1) {
            None => first.single.push(idx),
            Some(second) => first.by_second.entry(second.clone()).or_default().push(idx),
        }
    }

    /// Every entry matching at word position `i` of `words` (lower-cased),
    /// in entry order; one-word entries matched through a possessive's base
    /// come last. A word no entry starts with (most words) costs a hash
    /// lookup or two and no allocation.
    pub fn matches_at(&self, words: &[&str], i: usize) -> Vec<Match> {
        // The last word may carry a possessive the entry doesn't have
        // ("Safety Council's" for `safety council`): the engine carries it over.
        let last_is = |word: &str, spun: &str| word == spun || possessive_base(word) == Some(spun);
        let mut out = Vec::new();
        if let Some(ix) = self.by_first.get(words[i]) {
            // A one-word entry filed under this very word matches as it stands.
            out.extend(ix.single.iter().map(|&e| Match { first: i, len: 1, entry: e }));
            // A longer one needs its second word next, or (when that is its
            // last word) the next word's possessive base.
            let next = words.get(i + 1).copied();
            for key in [next, next.and_then(possessive_base)].into_iter().flatten() {
                for &e in ix.by_second.get(key).into_iter().flatten() {
                    let spun = &self.entries[e].spun;
                    let n = spun.len();
                    if words.len() >= i + n
                        && words[i..i + n - 1].iter().zip(spun).all(|(a, b)| *a == b)
                        && last_is(words[i + n - 1], &spun[n - 1])
                        && !out.iter().any(|m: &Match| m.entry == e)
                    {
                        out.push(Match { first: i, len: n, entry: e });
                    }
                }
            }
            // Entry order, as one list per first word would give.
            out.sort_unstable_by_key(|m| m.entry);
        }
        // A one-word entry is also matched through the possessive's base
        // (a longer one cannot be: its first word would have to be the base).
        if let Some(ix) = possessive_base(words[i]).and_then(|b| self.by_first.get(b)) {
            out.extend(ix.single.iter().map(|&e| Match { first: i, len: 1, entry: e }));
        }
        out
    }

    /// Keep only the entries `keep` accepts (the evaluation uses this to hide
    /// held-out facts from the corrector).
    pub fn retain(&mut self, keep: impl Fn(&Entry) -> bool) {
        let entries = std::mem::take(&mut self.entries);
        self.by_first.clear();
        self.totals.clear();
        self.max_len = 0;
        for e in entries.into_iter().filter(|e| keep(e)) {
            *self.totals.entry(e.original.to_lowercase()).or_insert(0) += e.count;
            self.max_len = self.max_len.max(e.spun.len());
            let idx = self.entries.len();
            self.index(&e.spun, idx);
            self.entries.push(e);
        }
    }

    /// ln P(spinner writes this entry's spun form | it rewrites the original):
    /// the entry's share of all the spun forms seen for that original.
    pub fn channel(&self, e: &Entry) -> f32 {
        let total = self.totals.get(&e.original.to_lowercase()).copied().unwrap_or(e.count).max(e.count);
        (e.count as f32 / total as f32).ln()
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

/// `context: Buffalo Payments (<- Buffalo Bills); …` → ["buffalo", "payments"].
fn parse_context(note: &str) -> Option<Vec<String>> {
    let i = note.find("context:")?;
    let rest = &note[i + "context:".len()..];
    let end = rest.find(['(', ';']).unwrap_or(rest.len());
    let toks = tokens_of(rest[..end].trim());
    (!toks.is_empty()).then_some(toks)
}

/// True when the token sequence `ctx` occurs in `words` and covers position `at`.
pub fn context_covers(words: &[&str], ctx: &[String], at: usize, len: usize) -> bool {
    if ctx.len() > words.len() {
        return false;
    }
    (0..=words.len() - ctx.len())
        .any(|s| s <= at && at + len <= s + ctx.len() && words[s..s + ctx.len()].iter().zip(ctx).all(|(a, b)| *a == b))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_observed_and_curated_rows() {
        let mut lx = Lexicon::default();
        let data = "spun\toriginal\tcount\tarticles\ttier\tnote\n# c\nChilly Warfare\tCold War\t3\t2\tfingerprint\t\nbecause\tas\t1\t1\tphrase-bound\tcontext: even because (<- even as)\nx\ty\t1\t1\tdrop\tversion difference\n";
        lx.add_tsv("observed.tsv", data, "observed").unwrap();
        assert_eq!(lx.len(), 2);
        let words = ["the", "chilly", "warfare", "ended"];
        let m = lx.matches_at(&words, 1);
        assert_eq!(m.len(), 1);
        assert_eq!(lx.entries[m[0].entry].original, "Cold War");
        assert!(lx.entries[m[0].entry].cased);
        assert_eq!(lx.entries[1].context.as_deref(), Some(&["even".to_string(), "because".to_string()][..]));
    }

    /// The first- and second-word index finds exactly what checking every
    /// entry at every position finds, in the same order.
    #[test]
    fn the_index_matches_like_a_scan_of_every_entry() {
        let data = crate::correct::builtin_data(&[]).unwrap();
        let lx = &data.lexicon;
        let scan = |words: &[&str], i: usize| -> Vec<usize> {
            let last_is = |word: &str, spun: &str| word == spun || possessive_base(word) == Some(spun);
            let exact = lx.entries.iter().enumerate().filter(|(_, e)| e.spun[0] == words[i]);
            let base =
                lx.entries.iter().enumerate().filter(|(_, e)| Some(e.spun[0].as_str()) == possessive_base(words[i]));
            exact
                .chain(base)
                .filter(|(_, e)| {
                    let n = e.spun.len();
                    words.len() >= i + n
                        && words[i..i + n - 1].iter().zip(&e.spun).all(|(a, b)| *a == b)
                        && last_is(words[i + n - 1], &e.spun[n - 1])
                })
                .map(|(k, _)| k)
                .collect()
        };
        let mut texts: Vec<String> = Vec::new();
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/correct/spun");
        for e in std::fs::read_dir(dir).unwrap().flatten() {
            texts.push(std::fs::read_to_string(e.path()).unwrap());
        }
        // Every entry's own spun form, possessive and not, with words around it.
        let own: Vec<String> =
            lx.entries.iter().map(|e| format!("so {} x {}'s y", e.spun.join(" "), e.spun.join(" "))).collect();
        texts.push(own.join(" "));
        let mut found = 0;
        for t in &texts {
            let words: Vec<String> =
                super::super::words::tokenize(t).into_iter().filter(|w| w.is_word).map(|w| lower(w.text(t))).collect();
            let words: Vec<&str> = words.iter().map(String::as_str).collect();
            for i in 0..words.len() {
                let got: Vec<usize> = lx.matches_at(&words, i).iter().map(|m| m.entry).collect();
                assert_eq!(got, scan(&words, i), "at {i}: {:?}", &words[i..(i + 4).min(words.len())]);
                found += got.len();
            }
        }
        assert!(found > 2 * lx.len(), "{found}");
    }

    #[test]
    fn bad_tier_names_the_line() {
        let mut lx = Lexicon::default();
        let err = lx.add_tsv("c.tsv", "a\tb\tsometimes\n", "curated").unwrap_err();
        assert_eq!(err.line, 1);
        assert!(err.message.contains("sometimes"));
    }
}
