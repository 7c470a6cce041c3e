//! The search index the default theme's `search.js` loads: one compact JSON
//! file, `search_index.json`, so search works from `public/` on any static
//! host with no server and no external service.
//!
//! Each entry keeps the title, description and headings whole (they rank
//! highest and are what a reader remembers) and the page's distinct body words,
//! lower-cased, in order of first use. Body words are capped per page and the
//! cap shrinks until the whole index fits [`MAX_BYTES`], so one long article
//! cannot make every reader download megabytes.

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
pub fn words(html: &str) -> String {
    let mut text = String::with_capacity(html.len());
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
    build_with_words(entries, &all, &mut None)
}

/// [`build`] with each entry's [`words`] already known (the dev server keeps
/// them per page). `cap` is the word cap the last build settled on: the caps
/// are tried from there (after checking the one above it no longer fits)
/// rather than from the top, which gives the same index in two passes
/// instead of ten on a large site.
pub fn build_with_words(entries: &[Entry], all: &[String], cap: &mut Option<usize>) -> String {
    let caps: Vec<usize> = std::iter::successors(Some(MAX_WORDS), |&c| (c > 0).then_some(c / 2)).collect();
    let serialise = |cap: usize| {
        let out: Vec<Out> = entries
            .iter()
            .zip(all)
            .map(|(e, w)| Out { u: &e.url, t: e.title, d: e.description, h: &e.headings, w: first(w, cap) })
            .collect();
        serde_json::to_string(&out).unwrap_or_else(|_| "[]".into())
    };
    let fits = |json: &str, c: usize| json.len() <= MAX_BYTES || c == 0;
    let mut start = 0;
    if let Some(k) = cap.and_then(|c| caps.iter().position(|&x| x == c))
        && k > 0
        && !fits(&serialise(caps[k - 1]), caps[k - 1])
    {
        start = k;
    }
    for &c in &caps[start..] {
        let json = serialise(c);
        if fits(&json, c) {
            *cap = Some(c);
            return json;
        }
    }
    "[]".into()
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
}
