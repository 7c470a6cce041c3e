//! What an editor controls before anything is published: whether the
//! corrector's restorations go out or only wait as suggestions ([`Mode`]),
//! and the terms it must never touch (the keep list, [`keep_ranges`]).
//!
//! Both act on a finished [`Report`], after every stage of the engine, so
//! they hold whatever the engine's stages become: a kept term is never
//! changed by any of them, and suggest mode holds every change that is not
//! a house rule.

use std::collections::HashMap;
use std::ops::Range;
use std::sync::{LazyLock, Mutex};

use regex::Regex;
use serde::{Deserialize, Deserializer};

use super::Report;

/// `[correct] mode`, or a page's `correct = "suggest"`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Mode {
    /// Publish the corrected wording (the default).
    #[default]
    Apply,
    /// Publish the source wording for everything but typography, house style
    /// and spelling; every restoration is a suggestion for an editor.
    Suggest,
}

impl Mode {
    /// The values as written in `config.toml` and front matter.
    pub const NAMES: [&'static str; 2] = ["apply", "suggest"];

    pub fn parse(s: &str) -> Option<Mode> {
        match s {
            "apply" => Some(Mode::Apply),
            "suggest" => Some(Mode::Suggest),
            _ => None,
        }
    }

    /// The message for a value that is not a mode, with the closest one.
    pub fn unknown(written: &str, key: &str) -> String {
        unknown_value(written, key, &Mode::NAMES)
    }
}

impl<'de> Deserialize<'de> for Mode {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Mode::parse(&s).ok_or_else(|| serde::de::Error::custom(Mode::unknown(&s, "correct.mode")))
    }
}

/// `[correct] quotations`: only the values the corrector acts on, so a typo
/// is an error at its line rather than silently the default.
pub fn quotations<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    const VALUES: [&str; 2] = ["restore-spun", "verbatim"];
    let s = String::deserialize(d)?;
    if VALUES.contains(&s.as_str()) {
        return Ok(s);
    }
    Err(serde::de::Error::custom(unknown_value(&s, "correct.quotations", &VALUES)))
}

/// "unknown `key` value `x`: did you mean `y`? (one of …)".
fn unknown_value(written: &str, key: &str, values: &[&str]) -> String {
    let list = values.iter().map(|v| format!("\"{v}\"")).collect::<Vec<_>>().join(" or ");
    match crate::content::front_matter::closest(written, values.iter().copied()) {
        Some(best) => format!("unknown `{key}` value \"{written}\": did you mean \"{best}\"? (it is {list})"),
        None => format!("unknown `{key}` value \"{written}\": it is {list}"),
    }
}

/// Rules suggest mode still applies: fixes a newsroom wants on every page
/// and that never change what a sentence says.
const HOUSE_RULES: [&str; 3] = ["typography", "house-style", "spelling"];

/// Whether suggest mode holds changes of `rule` for review: everything but
/// the house rules (spin restorations, spintax removal, paraphrase
/// restorations, and the grammar repairs that go with them). A list of what
/// is applied, not of what is held, so a rule the engine adds later is held.
pub fn held_in_suggest_mode(rule: &str) -> bool {
    !HOUSE_RULES.contains(&rule)
}

/// Turn every applied change suggest mode holds into a suggestion.
pub fn hold_for_review(report: &mut Report) {
    for c in report.changes.iter_mut().filter(|c| c.applied && held_in_suggest_mode(c.rule)) {
        c.applied = false;
        c.reason.push_str(" (held for review: correction mode is \"suggest\")");
    }
}

/// Drop every change that touches a term of the site's keep list or the page's.
pub fn drop_kept(report: &mut Report, text: &str, site: &[String], page: &[String]) {
    if site.is_empty() && page.is_empty() {
        return;
    }
    let terms: Vec<String> = site.iter().chain(page).cloned().collect();
    let kept = keep_ranges(text, &terms);
    if kept.is_empty() {
        return;
    }
    report.changes.retain(|c| !kept.iter().any(|k| k.start < c.span.end && c.span.start < k.end));
}

/// Where the terms of `keep` occur in `text`: case-insensitive, as whole
/// words (a term's edge that is a letter or digit must not continue into
/// one; `U.S.` ends at its dot), any run of white space between its words
/// (a term may wrap across lines), and `'` matching `’`. Where two terms
/// overlap, the longer one wins (either way nothing there changes).
pub fn keep_ranges(text: &str, keep: &[String]) -> Vec<Range<usize>> {
    matcher(keep).map_or_else(Vec::new, |re| re.find_iter(text).map(|m| m.range()).collect())
}

/// Compiled keep lists, by list: a 10,000-article site checks every article
/// against the same site list, and compiling it each time would cost more
/// than matching. Cleared when it holds [`MATCHERS_MAX`] lists (each page
/// with its own list adds one).
static MATCHERS: LazyLock<Mutex<HashMap<Vec<String>, Option<Regex>>>> = LazyLock::new(Mutex::default);
const MATCHERS_MAX: usize = 4096;

/// One pattern for every term of `keep` (`None` when no term has a word).
fn matcher(keep: &[String]) -> Option<Regex> {
    if let Ok(cache) = MATCHERS.lock()
        && let Some(re) = cache.get(keep)
    {
        return re.clone();
    }
    let mut terms: Vec<&String> = keep.iter().collect();
    // Longest first, so "Cold War era" wins over "Cold War" at the same place.
    terms.sort_by_key(|t| std::cmp::Reverse(t.len()));
    let alternatives: Vec<String> = terms.into_iter().filter_map(|t| term_pattern(t)).collect();
    let re = if alternatives.is_empty() { None } else { Regex::new(&format!("(?i){}", alternatives.join("|"))).ok() };
    if let Ok(mut cache) = MATCHERS.lock() {
        if cache.len() >= MATCHERS_MAX {
            cache.clear();
        }
        cache.insert(keep.to_vec(), re.clone());
    }
    re
}

/// The pattern for one keep term; `None` for an empty one.
fn term_pattern(term: &str) -> Option<String> {
    let words: Vec<&str> = term.split_whitespace().collect();
    let (first, last) = (words.first()?, words.last()?);
    let body = words.iter().map(|w| regex::escape(w).replace(['\'', '’'], "['’]")).collect::<Vec<_>>().join(r"\s+");
    let word_edge = |c: Option<char>| c.is_some_and(char::is_alphanumeric);
    // Unicode-aware boundaries: "Türkiye" and "Škoda" are words too.
    let start = if word_edge(first.chars().next()) { r"\b" } else { "" };
    let end = if word_edge(last.chars().last()) { r"\b" } else { "" };
    Some(format!("(?:{start}{body}{end})"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn matches<'t>(text: &'t str, term: &str) -> Vec<&'t str> {
        keep_ranges(text, &[term.to_string()]).into_iter().map(|r| &text[r]).collect()
    }

    #[test]
    fn keep_terms_match_whole_words_in_any_case_across_lines() {
        assert_eq!(
            matches("The Chilly Warfare show; chilly\nwarfare again.", "Chilly Warfare"),
            ["Chilly Warfare", "chilly\nwarfare"]
        );
        assert!(matches("Chilly Warfares", "Chilly Warfare").is_empty());
    }

    #[test]
    fn keep_terms_ending_in_punctuation_match() {
        assert_eq!(matches("The U.S. policy", "U.S."), ["U.S."]);
        assert_eq!(matches("Rock ’n’ Roll", "Rock 'n' Roll"), ["Rock ’n’ Roll"]);
        assert!(matches("text", "  ").is_empty());
    }

    #[test]
    fn several_terms_in_one_pattern() {
        let keep = ["Cold War".to_string(), "Cold War era".to_string(), "(sic)".to_string()];
        let text = "The Cold War era (sic) and the cold war.";
        let found: Vec<&str> = keep_ranges(text, &keep).into_iter().map(|r| &text[r]).collect();
        assert_eq!(found, ["Cold War era", "(sic)", "cold war"]);
    }

    #[test]
    fn mode_values_and_typos() {
        assert_eq!(Mode::parse("suggest"), Some(Mode::Suggest));
        assert_eq!(Mode::parse("Suggest"), None);
        assert!(Mode::unknown("sugest", "correct.mode").contains("did you mean \"suggest\""));
        assert!(!Mode::unknown("zzz", "correct.mode").contains("did you mean"));
    }

    #[test]
    fn suggest_mode_holds_all_but_house_rules() {
        assert!(held_in_suggest_mode("spin/strong"));
        assert!(held_in_suggest_mode("spin/spintax"));
        assert!(held_in_suggest_mode("grammar/article"));
        assert!(!held_in_suggest_mode("typography"));
        assert!(!held_in_suggest_mode("house-style"));
        assert!(!held_in_suggest_mode("spelling"));
    }
}
