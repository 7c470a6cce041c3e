//! Attaché's own site search: a chunked full-text index that the default
//! theme's `search.js` fetches piece by piece at query time, so that a query
//! on a 10,000-article site downloads a few hundred kilobytes at most, from
//! `public/` on any static host, under any base path, with no service.
//!
//! The index of one language lives in `search-index/<lang>/`:
//!
//! - `meta.json`: `{"v":1,"lang":"en","pages":N,"per":16,"budget":307200,"docmax":B,
//!   "terms":[[first term, bytes], ...]}`: the first term and the size of every
//!   term chunk, so the script knows which chunk holds a word (and a word's
//!   prefix) and what it costs before fetching it; `docmax`, the largest
//!   page-record chunk, so it keeps room for the records of the results.
//! - `t/<k>.json`: a slice of the sorted dictionary, about [`CHUNK_BYTES`]:
//!   `{"term":[doc,score,doc,score,...]}` with each doc number the difference
//!   to the one before (small numbers are short in JSON).
//! - `d/<k>.json`: pages `k * 16 ..`, each `[url, title, section, date, description]`,
//!   loaded only for the results shown.
//!
//! Every word of every page is indexed (a term keeps its [`MAX_POSTINGS`]
//! best pages, which for a rare word is all of them). Scores are fixed at
//! build time: a word in the title counts most, then headings, description
//! and body; a page's length and its `[extra] search_weight` scale it, so a
//! full explainer ranks above a glossary stub of the same title word.
//!
//! Words are folded the same way here and in `search.js` ([`terms`]):
//! lower case, compatibility forms (`ﬁ` → `fi`), accents dropped from Latin
//! letters (`café` finds `cafe`), `ё` as `е`, other scripts kept as written
//! (Cyrillic `й` stays `й`), and runs of Chinese or Japanese characters,
//! which have no spaces, as overlapping pairs of characters (`東京都` →
//! `東京`, `京都`), matched by prefix so a one-character query works too.
//! The language is a parameter of the index (its folder, and the script's
//! plural handling): the multilingual build makes one index per language.

use std::collections::{BTreeMap, BTreeSet};

use rayon::prelude::*;
use rustc_hash::FxHashMap;
use unicode_normalization::UnicodeNormalization;
use unicode_normalization::char::is_combining_mark;

/// The folder (under the output root) that holds every language's index.
pub const DIR: &str = "search-index";
/// A term chunk is cut after the term that takes it to this size.
pub const CHUNK_BYTES: usize = 24 * 1024;
/// Pages per page-record chunk (`d/<k>.json`).
pub const DOCS_PER_CHUNK: usize = 16;
/// The most pages a term lists (its best-scoring ones): a word on every
/// page of a 10,000-page site would otherwise be 60 KB on its own.
pub const MAX_POSTINGS: usize = 2000;
/// The most a query may download, index files included (`search.js` keeps to it).
pub const QUERY_BUDGET: usize = 300 * 1024;
/// Words longer than this are not words (hashes, URLs run together).
const MAX_TERM_CHARS: usize = 40;

/// One page as the index sees it.
pub struct Entry<'a> {
    pub url: String,
    pub title: &'a str,
    pub description: &'a str,
    pub headings: Vec<String>,
    /// The page's rendered Markdown (tags are skipped).
    pub html: &'a str,
    /// The title of the page's section ("" at the top level).
    pub section: &'a str,
    /// `YYYY-MM-DD`, or "".
    pub date: &'a str,
    /// `[extra] search_weight` (1 when unset): scales every score of the page.
    pub weight: f32,
}

/// A page's terms with their scores, sorted by term: all terms in one
/// string (one allocation per page, not one per word: a 10,000-page site
/// has millions of page–term pairs). The build cache keeps it with the
/// page's rendered Markdown.
#[derive(Debug, Default, Clone, serde::Serialize, serde::Deserialize)]
pub struct DocTerms {
    text: String,
    /// (end of the term in `text`, score); a term starts where the previous ends.
    items: Vec<(u32, u16)>,
}

impl DocTerms {
    /// (term, score) in term order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, u16)> {
        let mut start = 0;
        self.items.iter().map(move |&(end, score)| {
            let t = self.text.get(start..end as usize).unwrap_or("");
            start = end as usize;
            (t, score)
        })
    }
}

/// Whether `c` belongs to a script written without spaces between words
/// (Han, Hiragana, Katakana): such runs are indexed as character pairs.
/// `search.js` has the same ranges.
fn is_cjk(c: char) -> bool {
    matches!(c as u32,
        0x3040..=0x30FF | 0x31F0..=0x31FF | 0x3400..=0x4DBF | 0x4E00..=0x9FFF
        | 0xF900..=0xFAFF | 0xFF66..=0xFF9F | 0x20000..=0x2FFFF)
}

/// Whether `c` is part of a word: letters, digits and combining marks.
fn is_word_char(c: char) -> bool {
    c.is_alphanumeric() || is_combining_mark(c)
}

/// `word` folded for matching: lower case, NFKD, accents dropped from
/// ASCII letters, `ё` → `е`, recomposed (NFC). ASCII words are only
/// lower-cased (the common case, kept cheap).
pub fn fold(word: &str) -> String {
    if word.is_ascii() {
        return word.to_ascii_lowercase();
    }
    let mut out = String::with_capacity(word.len());
    let mut after_latin = false;
    for c in word.to_lowercase().nfkd() {
        if is_combining_mark(c) && after_latin {
            continue;
        }
        after_latin = c.is_ascii_alphabetic();
        out.push(c);
    }
    out.nfc().map(|c| if c == 'ё' { 'е' } else { c }).collect()
}

/// Calls `f` with every search term of the plain text `text`, in order.
///
/// A term is a run of word characters (at least two characters once
/// folded, at most [`MAX_TERM_CHARS`]); a run of CJK characters gives each
/// overlapping pair (a lone character on its own).
pub fn terms(text: &str, mut f: impl FnMut(&str)) {
    let mut word: Option<usize> = None;
    let mut cjk: Vec<char> = Vec::new();
    let flush_word = |s: usize, e: usize, f: &mut dyn FnMut(&str)| {
        let w = &text[s..e];
        let folded;
        let w = if w.is_ascii() && !w.bytes().any(|b| b.is_ascii_uppercase()) {
            w
        } else {
            folded = fold(w);
            folded.as_str()
        };
        let n = if w.is_ascii() { w.len() } else { w.chars().count() };
        if (2..=MAX_TERM_CHARS).contains(&n) {
            f(w);
        }
    };
    let flush_cjk = |cjk: &mut Vec<char>, f: &mut dyn FnMut(&str)| {
        let mut pair = String::new();
        if cjk.len() == 1 {
            pair.push(cjk[0]);
            f(&pair);
        }
        for w in cjk.windows(2) {
            pair.clear();
            pair.extend(w);
            f(&pair);
        }
        cjk.clear();
    };
    for (i, c) in text.char_indices() {
        if is_cjk(c) {
            if let Some(s) = word.take() {
                flush_word(s, i, &mut f);
            }
            cjk.push(c);
            continue;
        }
        if !cjk.is_empty() {
            flush_cjk(&mut cjk, &mut f);
        }
        if is_word_char(c) {
            word.get_or_insert(i);
        } else if let Some(s) = word.take() {
            flush_word(s, i, &mut f);
        }
    }
    if let Some(s) = word {
        flush_word(s, text.len(), &mut f);
    }
    flush_cjk(&mut cjk, &mut f);
}

/// Calls `f` with each run of text outside tags in `html`; character
/// references (`&amp;`) separate words and are skipped.
fn text_runs(html: &str, mut f: impl FnMut(&str)) {
    let mut rest = html;
    while !rest.is_empty() {
        let stop = rest.find(['<', '&']).unwrap_or(rest.len());
        if stop > 0 {
            f(&rest[..stop]);
        }
        rest = &rest[stop..];
        if rest.starts_with('<') {
            rest = rest.find('>').map_or("", |e| &rest[e + 1..]);
        } else if rest.starts_with('&') {
            // `&name;` or `&#123;`: skip it; a lone `&` is one character.
            let end = rest.char_indices().skip(1).take(10).find(|&(_, c)| c == ';' || !c.is_alphanumeric() && c != '#');
            rest = match end {
                Some((e, ';')) => &rest[e + 1..],
                _ => &rest[1..],
            };
        }
    }
}

/// Field weights: a word in the title counts most, then headings, the
/// description, and the body (which saturates with repetition).
const TITLE: f32 = 8.0;
const HEADING: f32 = 4.0;
const DESCRIPTION: f32 = 3.0;
const BODY: f32 = 2.0;
/// Pages shorter than this many words count for less (a stub ranks below
/// an explainer of the same title word): the factor is
/// `sqrt(words / FULL_LENGTH)`, at least [`MIN_LENGTH_FACTOR`].
const FULL_LENGTH: f32 = 1200.0;
const MIN_LENGTH_FACTOR: f32 = 0.25;

/// The scored terms of one page: the part of indexing that runs in
/// parallel, one page at a time.
pub fn doc_terms(e: &Entry) -> DocTerms {
    #[derive(Default, Clone, Copy)]
    struct Hit {
        fields: u8,
        body: u32,
    }
    let mut hits: FxHashMap<String, Hit> = FxHashMap::default();
    let mut mark = |text: &str, field: u8| {
        terms(text, |t| match hits.get_mut(t) {
            Some(h) => h.fields |= field,
            None => {
                hits.insert(t.to_string(), Hit { fields: field, body: 0 });
            }
        })
    };
    mark(e.title, 1);
    for h in &e.headings {
        mark(h, 2);
    }
    mark(e.description, 4);
    let mut length = 0u32;
    text_runs(e.html, |run| {
        terms(run, |t| {
            length += 1;
            match hits.get_mut(t) {
                Some(h) => h.body += 1,
                None => {
                    hits.insert(t.to_string(), Hit { fields: 0, body: 1 });
                }
            }
        })
    });
    let length_factor = (length as f32 / FULL_LENGTH).min(1.0).sqrt().max(MIN_LENGTH_FACTOR);
    let weight = if e.weight.is_finite() && e.weight > 0.0 { e.weight } else { 1.0 };
    let mut scored: Vec<(String, u16)> = hits
        .into_iter()
        .map(|(t, h)| {
            let tf = h.body as f32;
            let raw = TITLE * f32::from(h.fields & 1)
                + HEADING * f32::from((h.fields >> 1) & 1)
                + DESCRIPTION * f32::from((h.fields >> 2) & 1)
                + BODY * tf / (tf + 1.2);
            let score = (raw * length_factor * weight * 10.0).round().clamp(1.0, f32::from(u16::MAX));
            (t, score as u16)
        })
        .collect();
    scored.sort_unstable();
    let mut out = DocTerms {
        text: String::with_capacity(scored.iter().map(|(t, _)| t.len()).sum()),
        items: Vec::with_capacity(scored.len()),
    };
    for (t, score) in scored {
        out.text.push_str(&t);
        out.items.push((out.text.len() as u32, score));
    }
    out
}

/// One term's pages and its JSON in a chunk, kept so that an edit
/// re-serialises only the terms it touched.
struct Term {
    /// (page, score), by page.
    postings: Vec<(u32, u16)>,
    /// `"term":[...]`.
    json: String,
}

impl Term {
    /// `"term":[d,s,d,s...]` over the [`MAX_POSTINGS`] best pages, page
    /// numbers as differences.
    fn serialise(term: &str, postings: &[(u32, u16)]) -> String {
        let mut best;
        let kept: &[(u32, u16)] = if postings.len() > MAX_POSTINGS {
            // The best by score (then page), found without sorting them all:
            // a common word is on most of a large site's pages.
            best = postings.to_vec();
            best.select_nth_unstable_by(MAX_POSTINGS - 1, |a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
            best.truncate(MAX_POSTINGS);
            best.sort_unstable();
            &best
        } else {
            postings
        };
        let mut out = serde_json::to_string(term).unwrap_or_else(|_| "\"\"".into());
        out.reserve(kept.len() * 8 + 3);
        out.push_str(":[");
        let mut last = 0;
        for (k, (d, s)) in kept.iter().enumerate() {
            if k > 0 {
                out.push(',');
            }
            push_number(&mut out, d - last);
            out.push(',');
            push_number(&mut out, u32::from(*s));
            last = *d;
        }
        out.push(']');
        out
    }
}

/// Append `n` in decimal (what `write!` prints, without its formatting
/// machinery: the index prints millions of numbers).
fn push_number(out: &mut String, mut n: u32) {
    let mut digits = [0u8; 10];
    let mut at = digits.len();
    loop {
        at -= 1;
        digits[at] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    for &d in &digits[at..] {
        out.push(char::from(d));
    }
}

/// The search index of one language: every term's pages and every page's
/// record, kept so that an edited page updates it in place.
pub struct Index {
    lang: String,
    terms: BTreeMap<String, Term>,
    /// Each page's record, `[url,title,section,date,description]`.
    docs: Vec<String>,
}

/// `lang` as a folder name: letters, digits and `-`, else `und`.
fn lang_dir(lang: &str) -> &str {
    let ok = !lang.is_empty() && lang.len() <= 35 && lang.chars().all(|c| c.is_ascii_alphanumeric() || c == '-');
    if ok { lang } else { "und" }
}

/// Where the index of `lang` is written, relative to the output root
/// (the search page points its script here).
pub fn meta_path(lang: &str) -> String {
    format!("{DIR}/{}/meta.json", lang_dir(lang))
}

fn doc_json(e: &Entry) -> String {
    serde_json::to_string(&(&e.url, e.title, e.section, e.date, e.description)).unwrap_or_else(|_| "[]".into())
}

impl Index {
    /// `terms`: each entry's [`doc_terms`], in the same order.
    pub fn build<T: std::borrow::Borrow<DocTerms>>(entries: &[Entry], terms: &[T], lang: &str) -> Index {
        Index::build_for(entries, terms, lang, |_| true)
    }

    /// The index of one language of a multilingual site: every page keeps
    /// its record (so page `i` stays document `i`, and [`Index::update`]
    /// works the same), but only the pages `keep` accepts are searchable.
    pub fn build_for<T: std::borrow::Borrow<DocTerms>>(
        entries: &[Entry],
        terms: &[T],
        lang: &str,
        keep: impl Fn(usize) -> bool,
    ) -> Index {
        // Millions of page–term pairs: a fast hash (the order is set by the sort below).
        let mut postings: FxHashMap<&str, Vec<(u32, u16)>> = FxHashMap::default();
        for (d, list) in terms.iter().enumerate().filter(|(d, _)| keep(*d)) {
            for (t, s) in list.borrow().iter() {
                postings.entry(t).or_default().push((d as u32, s));
            }
        }
        let terms: BTreeMap<String, Term> = postings
            .into_par_iter()
            .map(|(t, p)| {
                let json = Term::serialise(t, &p);
                (t.to_string(), Term { postings: p, json })
            })
            .collect::<Vec<_>>()
            .into_iter()
            .collect();
        let docs = entries.par_iter().map(doc_json).collect();
        Index { lang: lang_dir(lang).to_string(), terms, docs }
    }

    /// Replace page `i` (its record and its terms) by `entry` with `terms`.
    pub fn update(&mut self, i: usize, entry: &Entry, terms: &DocTerms) {
        let Some(slot) = self.docs.get_mut(i) else { return };
        *slot = doc_json(entry);
        let d = i as u32;
        let mut changed: BTreeSet<String> = BTreeSet::new();
        for (t, term) in &mut self.terms {
            if let Ok(k) = term.postings.binary_search_by_key(&d, |p| p.0) {
                term.postings.remove(k);
                changed.insert(t.clone());
            }
        }
        for (t, s) in terms.iter() {
            let term =
                self.terms.entry(t.to_string()).or_insert_with(|| Term { postings: Vec::new(), json: String::new() });
            let k = term.postings.partition_point(|p| p.0 < d);
            term.postings.insert(k, (d, s));
            changed.insert(t.to_string());
        }
        for t in changed {
            let drop = match self.terms.get_mut(&t) {
                Some(term) if term.postings.is_empty() => true,
                Some(term) => {
                    term.json = Term::serialise(&t, &term.postings);
                    false
                }
                None => false,
            };
            if drop {
                self.terms.remove(&t);
            }
        }
    }

    /// The term chunks: each a run of consecutive terms, cut once it
    /// reaches [`CHUNK_BYTES`].
    fn chunks(&self) -> Vec<Vec<&Term>> {
        let mut out: Vec<Vec<&Term>> = Vec::new();
        let mut size = 0;
        for term in self.terms.values() {
            if out.is_empty() || size >= CHUNK_BYTES {
                out.push(Vec::new());
                size = 2;
            }
            size += term.json.len() + 1;
            if let Some(last) = out.last_mut() {
                last.push(term);
            }
        }
        out
    }

    /// The paths [`Index::files`] writes, without serialising anything.
    pub fn paths(&self) -> Vec<String> {
        let base = format!("{DIR}/{}", self.lang);
        let terms = (0..self.chunks().len()).map(|k| format!("{base}/t/{k}.json"));
        let docs = (0..self.docs.len().div_ceil(DOCS_PER_CHUNK)).map(|k| format!("{base}/d/{k}.json"));
        terms.chain(docs).chain([format!("{base}/meta.json")]).collect()
    }

    /// Every file of the index: output path (relative to the root) → bytes.
    pub fn files(&self) -> Vec<(String, Vec<u8>)> {
        let base = format!("{DIR}/{}", self.lang);
        let mut files = Vec::new();
        let mut firsts: Vec<(&str, usize)> = Vec::new();
        for (k, chunk) in self.chunks().into_iter().enumerate() {
            let mut json = String::from("{");
            for (n, term) in chunk.iter().enumerate() {
                if n > 0 {
                    json.push(',');
                }
                json.push_str(&term.json);
            }
            json.push('}');
            let first = chunk.first().map_or("", |t| first_key(&t.json));
            firsts.push((first, json.len()));
            files.push((format!("{base}/t/{k}.json"), json.into_bytes()));
        }
        let mut docmax = 0;
        for (k, chunk) in self.docs.chunks(DOCS_PER_CHUNK).enumerate() {
            let json = format!("[{}]", chunk.join(","));
            docmax = docmax.max(json.len());
            files.push((format!("{base}/d/{k}.json"), json.into_bytes()));
        }
        let terms: Vec<serde_json::Value> = firsts
            .iter()
            .map(|(t, n)| serde_json::json!([serde_json::from_str::<String>(t).unwrap_or_default(), n]))
            .collect();
        let meta = serde_json::json!({
            "v": 1, "lang": self.lang, "pages": self.docs.len(), "per": DOCS_PER_CHUNK,
            "budget": QUERY_BUDGET, "docmax": docmax, "terms": terms,
        });
        files.push((format!("{base}/meta.json"), meta.to_string().into_bytes()));
        files
    }
}

/// The quoted key at the start of a term's JSON (`"word"` of `"word":[..]`).
fn first_key(json: &str) -> &str {
    // The key is a JSON string: its closing quote is the first `"` not escaped.
    let bytes = json.as_bytes();
    let mut i = 1;
    while i < bytes.len() {
        match bytes[i] {
            b'\\' => i += 2,
            b'"' => return &json[..=i],
            _ => i += 1,
        }
    }
    json
}

#[cfg(test)]
mod tests {
    use super::*;

    fn all_terms(text: &str) -> Vec<String> {
        let mut out = Vec::new();
        terms(text, |t| out.push(t.to_string()));
        out
    }

    fn entry<'a>(title: &'a str, html: &'a str) -> Entry<'a> {
        Entry {
            url: "/a/".into(),
            title,
            description: "",
            headings: vec![],
            html,
            section: "Europe",
            date: "2025-01-02",
            weight: 1.0,
        }
    }

    #[test]
    fn folds_case_and_latin_accents_but_not_cyrillic_letters() {
        assert_eq!(all_terms("Café NAÏVE Straße ﬁnal Ёлка йод"), ["cafe", "naive", "straße", "final", "елка", "йод"]);
        assert_eq!(fold("Ünïcode"), "unicode");
        assert_eq!(fold("ΣΟΦΙΑ"), "σοφια");
    }

    #[test]
    fn cjk_runs_become_overlapping_pairs() {
        assert_eq!(all_terms("東京都 and 日"), ["東京", "京都", "and", "日"]);
        assert_eq!(all_terms("これは日本語"), ["これ", "れは", "は日", "日本", "本語"]);
    }

    #[test]
    fn skips_tags_entities_and_one_letter_words() {
        let e = entry("T", "<p class=\"lead\">AT&amp;T and a <em>freeze</em>&nbsp;now</p>");
        let terms = doc_terms(&e);
        let got: Vec<&str> = terms.iter().map(|(t, _)| t).collect();
        assert_eq!(got, ["and", "at", "freeze", "now"]);
    }

    #[test]
    fn a_full_explainer_outranks_a_stub_of_the_same_title() {
        let long = "<p>The veto in the Council.</p>".repeat(300);
        let stub = doc_terms(&entry("Veto", "<p>A veto blocks a decision.</p>"));
        let full = doc_terms(&entry("The Security Council veto", &long));
        let score = |d: &DocTerms| d.iter().find(|(t, _)| *t == "veto").map(|x| x.1);
        assert!(score(&full) > score(&stub), "{:?} vs {:?}", score(&full), score(&stub));
    }

    fn index_of(pages: &[String]) -> Index {
        let entries: Vec<Entry> = pages.iter().map(|h| entry("Page", h)).collect();
        let terms: Vec<DocTerms> = entries.iter().map(doc_terms).collect();
        Index::build(&entries, &terms, "en")
    }

    #[test]
    fn chunks_are_sorted_sized_and_listed_in_meta() {
        let pages: Vec<String> = (0..300)
            .map(|i| format!("<p>{}</p>", (0..200).map(|k| format!("w{i}x{k} ")).collect::<String>()))
            .collect();
        let files: BTreeMap<String, Vec<u8>> = index_of(&pages).files().into_iter().collect();
        let meta: serde_json::Value = serde_json::from_slice(&files["search-index/en/meta.json"]).unwrap();
        let chunks = meta["terms"].as_array().unwrap();
        assert!(chunks.len() > 10);
        let mut previous = String::new();
        for (k, c) in chunks.iter().enumerate() {
            let bytes = &files[&format!("search-index/en/t/{k}.json")];
            assert_eq!(c[1].as_u64().unwrap() as usize, bytes.len());
            assert!(bytes.len() < CHUNK_BYTES + 1024, "chunk {k} is {} bytes", bytes.len());
            let first = c[0].as_str().unwrap().to_string();
            assert!(first > previous);
            let map: serde_json::Map<String, serde_json::Value> = serde_json::from_slice(bytes).unwrap();
            assert_eq!(map.keys().next().unwrap(), &first);
            previous = map.keys().next_back().unwrap().clone();
        }
        // w7x5 is on page 7 only.
        let k = chunks.iter().rposition(|c| c[0].as_str().unwrap() <= "w7x5").unwrap();
        let map: serde_json::Value = serde_json::from_slice(&files[&format!("search-index/en/t/{k}.json")]).unwrap();
        assert_eq!(map["w7x5"][0], 7);
    }

    #[test]
    fn updates_equal_a_fresh_build() {
        let mut pages: Vec<String> = (0..40).map(|i| format!("<p>shared w{i} {}</p>", "filler ".repeat(i))).collect();
        let mut index = index_of(&pages);
        for step in 0..30usize {
            let i = (step * 7) % pages.len();
            pages[i] = if step % 3 == 0 { String::new() } else { format!("<p>new{step} shared w{}</p>", step % 5) };
            let e = entry("Page", &pages[i]);
            index.update(i, &e, &doc_terms(&e));
            assert_eq!(index.files(), index_of(&pages).files(), "step {step}");
        }
    }

    #[test]
    fn numbers_print_as_format_prints_them() {
        for n in [0, 7, 10, 99, 100, 65_535, 1_000_001, u32::MAX] {
            let mut out = String::from("x");
            push_number(&mut out, n);
            assert_eq!(out, format!("x{n}"));
        }
    }

    #[test]
    fn a_common_term_keeps_its_best_pages() {
        let postings: Vec<(u32, u16)> = (0..5000).map(|d| (d, (d % 100) as u16 + 1)).collect();
        let json = Term::serialise("the", &postings);
        let v: serde_json::Value = serde_json::from_str(&format!("{{{json}}}")).unwrap();
        let list = v["the"].as_array().unwrap();
        assert_eq!(list.len(), 2 * MAX_POSTINGS);
        assert!(list.iter().skip(1).step_by(2).all(|s| s.as_u64().unwrap() >= 60));
    }
}
