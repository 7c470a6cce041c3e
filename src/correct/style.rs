//! The editorial stages after spin: house style (per language) and known
//! misspellings (English only, outside quotations), the site's US/U.S. choice,
//! and typography last.
//! Each only fills bytes no earlier change claimed.

use rustc_hash::FxHashMap;

use super::engine::{Data, DocOptions, HouseRule};
use super::lexicon::context_covers;
use super::prose::Run;
use super::report::{Change, Claims, Report};
use super::tokens::{Block, Word};
use super::typography;
use super::words::{Case, case_of, with_case};

/// Words after which "the Ukraine"-style rules apply (the phrase is a name, not a noun phrase).
const FUNCTION_WORDS: &[&str] = &[
    "is", "was", "has", "had", "and", "or", "but", "in", "on", "to", "from", "of", "with", "that", "which", "who",
    "as", "at", "by", "for", "will", "would", "could", "should", "can", "may", "might", "must", "remains", "became",
    "declared", "itself", "since", "after", "before", "during", "under", "into", "than", "the", "a", "an",
];

/// A change made by an editorial rule (certain, applied).
fn rule_change(text: &str, span: std::ops::Range<usize>, after: String, rule: &'static str, reason: String) -> Change {
    Change { before: text[span.clone()].to_string(), after, span, rule, confidence: 0.9, applied: true, reason }
}

/// House style, spelling and the US/U.S. choice, word by word outside quotations.
pub fn words(text: &str, blocks: &[Block<'_>], data: &Data, opts: &DocOptions, claims: &mut Claims, r: &mut Report) {
    let english = super::engine::is_english(&opts.lang);
    let mut house_index: FxHashMap<&str, Vec<&HouseRule>> = FxHashMap::default();
    for rule in data.house_for(&opts.lang) {
        house_index.entry(rule.wrong[0].as_str()).or_default().push(rule);
    }
    for words in blocks {
        let lowers: Vec<&str> = words.iter().map(|w| w.lower.as_ref()).collect();
        for (i, w) in words.iter().enumerate() {
            if w.quoted {
                continue;
            }
            if opts.house_style {
                for &rule in house_index.get(lowers[i]).map_or(&[][..], Vec::as_slice) {
                    if let Some(c) = house_rule(text, words, &lowers, i, rule) {
                        claims.push(r, c);
                    }
                }
            }
            // The misspelling list is English: "adresse" is right in French.
            if opts.spelling
                && english
                && let Some(right) = data.spelling.get(w.lower.as_ref())
            {
                let after = with_case(right, case_of(&text[w.span.clone()]));
                claims.push(
                    r,
                    rule_change(text, w.span.clone(), after, "spelling", format!("known misspelling of “{right}”")),
                );
            }
            if english
                && let Some(style) = &opts.us_style
                && let Some(c) = us_style(text, w, style)
            {
                claims.push(r, c);
            }
        }
    }
}

/// One house-style rule at word `i`, if it matches there and no exception covers it.
fn house_rule(text: &str, words: &[Word<'_>], lowers: &[&str], i: usize, rule: &HouseRule) -> Option<Change> {
    let n = rule.wrong.len();
    if i + n > words.len() || !lowers[i..i + n].iter().zip(&rule.wrong).all(|(a, b)| *a == b) {
        return None;
    }
    let span = words[i].span.start..words[i + n - 1].span.end;
    let written = &text[span.clone()];
    // Case-sensitive on the first letter: "kiev" in a URL-ish lower-case
    // word is not the city.
    if case_of(written) == Case::Lower && case_of(&rule.wrong_text) != Case::Lower {
        return None;
    }
    if rule.except.iter().any(|ex| context_covers(lowers, ex, i, n)) {
        return None;
    }
    if rule.before_function_word {
        let next = lowers.get(i + n).copied();
        let gap_punct = words.get(i + n).is_none_or(|nx| !text[span.end..nx.span.start].trim().is_empty());
        if !(gap_punct || next.is_some_and(|x| FUNCTION_WORDS.contains(&x))) {
            return None;
        }
    }
    let after = if case_of(written) == Case::Title && case_of(&rule.right) == Case::Lower {
        with_case(&rule.right, Case::Title)
    } else {
        rule.right.clone()
    };
    let reason = format!("house style: “{}”, not “{}”", rule.right, rule.wrong_text);
    Some(rule_change(text, span, after, "house-style", reason))
}

/// "U.S." → "US" or the other way round, as the site wants.
fn us_style(text: &str, w: &Word<'_>, style: &str) -> Option<Change> {
    let written = &text[w.span.clone()];
    if written == "U" && style == "US" && text[w.span.start..].starts_with("U.S.") {
        let span = w.span.start..w.span.start + 4;
        return Some(rule_change(text, span, "US".into(), "house-style", "house style: “US”".into()));
    }
    if written == "US" && style == "U.S." && !text[w.span.end..].starts_with('.') {
        return Some(rule_change(text, w.span.clone(), "U.S.".into(), "house-style", "house style: “U.S.”".into()));
    }
    None
}

/// Typography last: it never overlaps a word change.
pub fn typography(text: &str, runs: &[Run], lang: &str, claims: &mut Claims, r: &mut Report) {
    for run in runs {
        let s = &text[run.range.clone()];
        for e in typography::edits(s, lang) {
            let span = run.range.start + e.range.start..run.range.start + e.range.end;
            let c = Change {
                before: text[span.clone()].to_string(),
                after: e.after,
                span,
                rule: "typography",
                confidence: 1.0,
                applied: true,
                reason: e.why.to_string(),
            };
            claims.push(r, c);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::correct::tokens;

    fn run_words(t: &str, opts: &DocOptions) -> Vec<Change> {
        let house = vec![HouseRule {
            wrong: vec!["the".into(), "ukraine".into()],
            wrong_text: "the Ukraine".into(),
            right: "Ukraine".into(),
            except: vec![],
            before_function_word: true,
        }];
        let data = Data { house, ..Default::default() };
        let runs = vec![Run { range: 0..t.len(), block_quote: false, block: 0 }];
        let blocks = tokens::blocks(t, &runs);
        let (mut claims, mut r) = (Claims::default(), Report::default());
        words(t, &blocks, &data, opts, &mut claims, &mut r);
        r.changes
    }

    #[test]
    fn function_word_rules_and_us_style() {
        let opts = DocOptions { us_style: Some("US".into()), ..Default::default() };
        let c = run_words("In the Ukraine, the U.S. said so; the Ukraine crisis.", &opts);
        let afters: Vec<&str> = c.iter().map(|c| c.after.as_str()).collect();
        assert_eq!(afters, ["Ukraine", "US"]);
    }
}
