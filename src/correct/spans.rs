//! Stage 1: which bytes of a document are prose, and which the editor keeps.
//!
//! Prose is the front matter's `title` and `description` and the body's
//! prose runs ([`super::prose`], which leaves out code, math, markup and the
//! other technical text [`super::protect`] finds). Kept ranges are the
//! occurrences of the keep list: no stage may change them.

use std::ops::Range;

use regex::Regex;

use super::prose::{self, Run};

/// The prose of one document and the ranges no change may touch.
#[derive(Debug, Default)]
pub struct Spans {
    pub runs: Vec<Run>,
    pub keep: Vec<Range<usize>>,
}

/// Find the prose runs of `text` (front matter optional) and the keep list's ranges.
pub fn find(text: &str, keep: &[String]) -> Spans {
    let mut runs: Vec<Run> = Vec::new();
    let mut body_start = 0;
    if let Ok(split) = crate::content::front_matter::split(std::path::Path::new(""), text) {
        body_start = split.body_start;
        for (i, key) in ["title", "description"].iter().enumerate() {
            if let Some(r) = prose::front_matter_value(text, split.front.clone(), key) {
                // Block numbers from the top: never the same as a body block's.
                runs.extend(prose::value_runs(text, r, usize::MAX - i));
            }
        }
    }
    runs.extend(prose::runs(&text[body_start..], body_start));
    Spans { runs, keep: keep_ranges(text, keep) }
}

/// Where the phrases of `keep` occur (case-insensitive, whole words).
pub fn keep_ranges(text: &str, keep: &[String]) -> Vec<Range<usize>> {
    let mut out = Vec::new();
    for k in keep {
        if k.trim().is_empty() {
            continue;
        }
        let Ok(re) = Regex::new(&format!(r"(?i)\b{}\b", regex::escape(k.trim()))) else { continue };
        out.extend(re.find_iter(text).map(|m| m.range()));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn title_and_body_are_prose_code_is_not() {
        let t = "+++\ntitle = \"Chilly Warfare\"\n+++\nSome `code` here.\n";
        let s = find(t, &[]);
        let texts: Vec<&str> = s.runs.iter().map(|r| &t[r.range.clone()]).collect();
        assert!(texts.contains(&"Chilly Warfare"), "{texts:?}");
        assert!(texts.iter().all(|x| !x.contains("code")), "{texts:?}");
    }

    #[test]
    fn keep_phrases_are_whole_words_any_case() {
        let t = "The Cold War and the cold warfare.";
        assert_eq!(keep_ranges(t, &["cold war".into(), " ".into()]), vec![4..12]);
    }
}
