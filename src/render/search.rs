//! The search index the default theme's `search.js` loads: one compact JSON
//! file, `search_index.json`, so search works from `public/` on any static
//! host with no server and no external service.
//!
//! Each entry keeps the title, description and headings whole (they rank
//! highest and are what a reader remembers) and the page's distinct body words,
//! lower-cased, in order of first use. Body words are capped per page and the
//! cap shrinks until the whole index fits [`MAX_BYTES`], so one long article
//! cannot make every reader download megabytes.

use rayon::prelude::*;
use serde::Serialize;

/// Upper bound for the serialised index.
pub const MAX_BYTES: usize = 200 * 1024;
/// Distinct body words kept per page before the size bound applies.
pub const MAX_WORDS: usize = 400;

/// One page as the index sees it.
pub struct Entry<'a> {
    pub url: String,
    pub title: &'a str,
    pub description: &'a str,
    pub headings: Vec<String>,
    pub html: &'a str,
}

#[derive(Serialize)]
struct Out<'a> {
    /// URL path (with the site's base path).
    u: &'a str,
    t: &'a str,
    d: &'a str,
    h: &'a [String],
    /// Body words, space-separated.
    w: &'a str,
}

/// The first [`MAX_WORDS`] distinct words (three letters or more) of the
/// text of `html`, space-separated: all the index can ever keep of a page.
///
/// A word is a run of letters and digits outside tags; tags separate words.
/// One pass over the HTML, stopping at the last word kept: this runs once per
/// page and was a tenth of a build's instructions when it copied the text out
/// first and lower-cased every word it met.
pub fn words(html: &str) -> String {
    let mut kept = Kept::default();
    let mut in_tag = false;
    let mut start: Option<usize> = None;
    for (i, c) in html.char_indices() {
        if !in_tag && c.is_alphanumeric() {
            start.get_or_insert(i);
            continue;
        }
        if let Some(s) = start.take()
            && kept.add(&html[s..i])
        {
            return kept.out;
        }
        match c {
            '<' => in_tag = true,
            '>' => in_tag = false,
            _ => {}
        }
    }
    if let Some(s) = start {
        kept.add(&html[s..]);
    }
    kept.out
}

/// The words [`words`] has kept so far.
struct Kept {
    out: String,
    seen: std::collections::HashSet<String>,
    /// The word being looked at, lower-cased (reused: most words are repeats).
    lower: String,
}

impl Default for Kept {
    /// Sized for a full page of words: growing the set rehashes it.
    fn default() -> Self {
        Kept { out: String::new(), seen: std::collections::HashSet::with_capacity(MAX_WORDS), lower: String::new() }
    }
}

impl Kept {
    /// Keep `word` if it is long enough, not a number and new; `true` once
    /// [`MAX_WORDS`] words are kept.
    fn add(&mut self, word: &str) -> bool {
        let ascii = word.is_ascii();
        let long_enough = if ascii { word.len() >= 3 } else { word.chars().count() >= 3 };
        if !long_enough || word.bytes().all(|b| b.is_ascii_digit()) {
            return false;
        }
        self.lower.clear();
        if ascii {
            self.lower.push_str(word);
            self.lower.make_ascii_lowercase();
        } else {
            self.lower.push_str(&word.to_lowercase());
        }
        if self.seen.contains(self.lower.as_str()) {
            return false;
        }
        if !self.out.is_empty() {
            self.out.push(' ');
        }
        self.out.push_str(&self.lower);
        self.seen.insert(self.lower.clone());
        self.seen.len() >= MAX_WORDS
    }
}

/// The first `cap` words of space-separated `words`.
fn first(words: &str, cap: usize) -> &str {
    match cap.checked_sub(1) {
        None => "",
        Some(k) => words.match_indices(' ').nth(k).map_or(words, |(i, _)| &words[..i]),
    }
}

/// The index as JSON, at most [`MAX_BYTES`] unless titles alone exceed it.
pub fn build(entries: &[Entry]) -> String {
    let all: Vec<String> = entries.iter().map(|e| words(e.html)).collect();
    Index::build(entries, &all).json()
}

/// The index as its entries' JSON, kept so that one edited page re-serialises
/// that page only. The word cap is the largest (from [`MAX_WORDS`] down, halving)
/// at which the whole index fits; the lengths at the cap above are kept too,
/// so an update can tell when the cap would move (then the caller rebuilds).
pub struct Index {
    cap: usize,
    /// Each entry's JSON at `cap`.
    entries: Vec<String>,
    /// Each entry's JSON length at the cap above `cap` (empty at the top).
    above: Vec<usize>,
}

fn caps() -> Vec<usize> {
    std::iter::successors(Some(MAX_WORDS), |&c| (c > 0).then_some(c / 2)).collect()
}

fn entry_json(e: &Entry, words: &str, cap: usize) -> String {
    let out = Out { u: &e.url, t: e.title, d: e.description, h: &e.headings, w: first(words, cap) };
    serde_json::to_string(&out).unwrap_or_else(|_| "{}".into())
}

/// Length of a JSON array of items of these lengths.
fn array_len(lens: impl Iterator<Item = usize>) -> usize {
    let (n, sum): (usize, usize) = lens.fold((0, 0), |(n, s), l| (n + 1, s + l));
    2 + sum + n.saturating_sub(1)
}

impl Index {
    /// `words`: each entry's [`words`].
    ///
    /// Each entry is serialised twice, whatever the cap: once without words
    /// to measure it, once at the chosen cap. [`words`] holds no character
    /// JSON escapes (lower-cased letters and digits, spaces), so an entry's
    /// length at any cap is its length without words plus those words' bytes.
    pub fn build(entries: &[Entry], words: &[String]) -> Index {
        let bare: Vec<usize> = entries.par_iter().zip(words).map(|(e, w)| entry_json(e, w, 0).len()).collect();
        let lens_at = |cap: usize| -> Vec<usize> {
            bare.iter().zip(words).map(|(&b, w)| b + first(w, cap).len()).collect::<Vec<_>>()
        };
        let mut above = Vec::new();
        let mut chosen = 0;
        for cap in caps() {
            let lens = lens_at(cap);
            if array_len(lens.iter().copied()) <= MAX_BYTES || cap == 0 {
                chosen = cap;
                break;
            }
            above = lens;
        }
        let json: Vec<String> = entries.par_iter().zip(words).map(|(e, w)| entry_json(e, w, chosen)).collect();
        Index { cap: chosen, entries: json, above }
    }

    /// Replace entry `i`; `false` when the index no longer fits its cap, or
    /// would now fit a larger one (rebuild it with [`Index::build`]).
    pub fn update(&mut self, i: usize, entry: &Entry, words: &str) -> bool {
        let Some(slot) = self.entries.get_mut(i) else { return false };
        *slot = entry_json(entry, words, self.cap);
        let caps = caps();
        let up = caps.iter().position(|&c| c == self.cap).and_then(|k| k.checked_sub(1)).map(|k| caps[k]);
        if let (Some(up), Some(len)) = (up, self.above.get_mut(i)) {
            *len = entry_json(entry, words, up).len();
            if array_len(self.above.iter().copied()) <= MAX_BYTES {
                return false;
            }
        }
        self.cap == 0 || array_len(self.entries.iter().map(String::len)) <= MAX_BYTES
    }

    pub fn json(&self) -> String {
        let mut out = String::with_capacity(array_len(self.entries.iter().map(String::len)));
        out.push('[');
        for (k, e) in self.entries.iter().enumerate() {
            if k > 0 {
                out.push(',');
            }
            out.push_str(e);
        }
        out.push(']');
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(html: &str) -> Entry<'_> {
        Entry { url: "/a/".into(), title: "Sanctions", description: "How they work", headings: vec![], html }
    }

    #[test]
    fn keeps_distinct_words_of_text_not_markup() {
        let json = build(&[entry("<p class=\"lead\">The <em>asset</em> freeze, the freeze.</p>")]);
        let v: serde_json::Value = serde_json::from_str(&json).unwrap();
        assert_eq!(v[0]["w"], "the asset freeze");
    }

    #[test]
    fn stays_within_the_size_bound() {
        let body: String = (0..20_000).map(|i| format!("word{i} ")).collect();
        let entries: Vec<Entry> = (0..40).map(|_| entry(&body)).collect();
        assert!(build(&entries).len() <= MAX_BYTES);
    }

    /// The one-pass [`words`] keeps what copying the text out of the tags and
    /// splitting it kept (the first version, kept here as the reference).
    #[test]
    fn one_pass_words_equal_the_reference() {
        fn reference(html: &str) -> String {
            let mut text = String::new();
            let mut in_tag = false;
            for c in html.chars() {
                match c {
                    '<' => in_tag = true,
                    '>' if in_tag => {
                        in_tag = false;
                        text.push(' ');
                    }
                    _ if !in_tag => text.push(c),
                    _ => {}
                }
            }
            let mut seen = std::collections::HashSet::new();
            text.split(|c: char| !c.is_alphanumeric())
                .filter(|w| w.chars().count() >= 3 && !w.chars().all(|c| c.is_ascii_digit()))
                .map(str::to_lowercase)
                .filter(|w| seen.insert(w.clone()))
                .take(MAX_WORDS)
                .collect::<Vec<_>>()
                .join(" ")
        }
        let long: String = (0..900).map(|i| format!("<b>w{i}</b> Word{} ", i % 450)).collect();
        for html in [
            "<p class=\"lead\">The <em>asset</em> freeze, the freeze.</p>",
            "a>b abc>def <i>ghi</i>jkl<br>mno 1234 12ab Ab1 ΣΟΦΙΑΣ İstanbul naïve 東京都 x&amp;y",
            "unclosed <tag with words inside",
            "trailing word",
            "",
            long.as_str(),
        ] {
            assert_eq!(words(html), reference(html), "{html}");
        }
    }

    /// The lengths `build` predicts from an entry without words are the
    /// lengths of the entry serialised at each cap, quotes and accents included.
    #[test]
    fn predicted_lengths_are_exact() {
        let html = "<p>\"Quoted\" Ünïcode İstanbul ΣΟΦΙΑ naïve tab\there back\\slash 東京 2025 x9y</p>";
        let mut e = entry(html);
        e.title = "A \"title\" with\\ escapes\u{1}";
        let w = words(html);
        let bare = entry_json(&e, &w, 0).len();
        for cap in caps() {
            assert_eq!(entry_json(&e, &w, cap).len(), bare + first(&w, cap).len(), "cap {cap}: {w}");
        }
    }

    /// Updating one entry at a time gives the index a fresh build gives,
    /// including when an edit moves the word cap down or back up.
    #[test]
    fn updates_equal_a_fresh_build() {
        let bodies: Vec<String> = (0..92).map(|i| (0..300).map(|k| format!("w{i}x{k} ")).collect()).collect();
        let mut htmls = bodies.clone();
        fn words_of(h: &[String]) -> Vec<String> {
            h.iter().map(|b| words(b)).collect()
        }
        fn entries(h: &[String]) -> Vec<Entry<'_>> {
            h.iter().map(|b| entry(b)).collect()
        }
        let mut index = Index::build(&entries(&htmls), &words_of(&htmls));
        let mut caps_seen = std::collections::BTreeSet::new();
        for step in 0..40usize {
            let i = (step * 7) % htmls.len();
            // Grow some pages a lot and shrink others to nothing.
            htmls[i] = if step % 2 == 0 { String::new() } else { format!("{} {}", bodies[i], bodies[(i + 1) % 92]) };
            let (e, w) = (entries(&htmls), words_of(&htmls));
            if !index.update(i, &e[i], &w[i]) {
                index = Index::build(&e, &w);
            }
            caps_seen.insert(index.cap);
            assert_eq!(index.json(), build(&e), "step {step}");
        }
        assert!(caps_seen.len() > 1, "the edits should move the cap: {caps_seen:?}");
    }
}
