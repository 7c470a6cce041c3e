//! Stage 6: grammar repair around a restoration. The restored wording takes
//! the capitals of what it replaces, keeps a possessive the entry doesn't
//! spell, and the article before it agrees with it ("a overt" → "an
//! obvious" is wrong the other way round: "an overt case" → "an obvious case").

use std::ops::Range;

use super::lexicon::possessive_base;
use super::tokens::Word;
use super::words::{case_of, lower, with_case};

/// The words a change replaces and the text to put there.
#[derive(Debug, Clone, PartialEq)]
pub struct Repaired {
    pub span: Range<usize>,
    pub after: String,
}

/// Carry a possessive the restored wording doesn't spell over from the
/// written last word ("Safety Council’s" → "Security Council’s"): a plural
/// original takes the apostrophe alone ("both sides’").
pub fn keep_possessive(written_last: &str, spun_last: &str, after: &mut String) {
    if possessive_base(&lower(written_last)) != Some(spun_last) {
        return;
    }
    let keep = written_last.char_indices().rev().nth(1).map_or(written_last.len(), |(k, _)| k);
    let mark = &written_last[keep..];
    let mark = if after.ends_with('s') { mark.trim_end_matches(['s', 'S']) } else { mark };
    after.push_str(mark);
}

/// Keep the writer's hyphens: a spun compound ("arms-management") restores
/// as a compound ("arms-control") when the original has as many words.
pub fn keep_hyphens(text: &str, ws: &[Word<'_>], after: &mut String) {
    let gaps: Vec<&str> = ws.windows(2).map(|p| &text[p[0].span.end..p[1].span.start]).collect();
    let parts: Vec<&str> = after.split(' ').collect();
    if !gaps.contains(&"-") || parts.len() != ws.len() {
        return;
    }
    let mut out = String::with_capacity(after.len());
    for (i, part) in parts.iter().enumerate() {
        if i > 0 {
            out.push_str(if gaps[i - 1] == "-" { "-" } else { " " });
        }
        out.push_str(part);
    }
    *after = out;
}

/// Widen a change at `words[first..]` to the article before it when the
/// article no longer agrees with the new first word.
pub fn agree_article(text: &str, words: &[Word<'_>], first: usize, span: Range<usize>, after: String) -> Repaired {
    let unchanged = Repaired { span: span.clone(), after: after.clone() };
    let (Some(art), Some(w0)) = (first.checked_sub(1).and_then(|k| words.get(k)), words.get(first)) else {
        return unchanged;
    };
    let gap = &text[art.span.end..span.start];
    let is_article = art.lower == "a" || art.lower == "an";
    if !is_article || !gap.chars().all(char::is_whitespace) || art.run != w0.run || after.is_empty() {
        return unchanged;
    }
    let want = if starts_with_vowel_sound(&after) { "an" } else { "a" };
    if want == art.lower {
        return unchanged;
    }
    let fixed = with_case(want, case_of(&text[art.span.clone()]));
    Repaired { span: art.span.start..span.end, after: format!("{fixed}{gap}{after}") }
}

/// Whether "an" goes before `word`: vowel letters, except a "you" or "wun"
/// sound ("a union", "a one-off"), plus a silent h ("an hour").
pub fn starts_with_vowel_sound(word: &str) -> bool {
    let w = word.to_lowercase();
    if ["uni", "use", "usu", "eu", "one", "once", "ukr", "ura", "uti"].iter().any(|p| w.starts_with(p)) {
        return false;
    }
    if ["hour", "honest", "honou", "honor", "heir"].iter().any(|p| w.starts_with(p)) {
        return true;
    }
    w.starts_with(['a', 'e', 'i', 'o', 'u'])
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::correct::prose::Run;
    use crate::correct::tokens;

    #[test]
    fn possessives_are_carried_over() {
        let mut a = "Security Council".to_string();
        keep_possessive("Council’s", "council", &mut a);
        assert_eq!(a, "Security Council’s");
        let mut b = "both sides".to_string();
        keep_possessive("party's", "party", &mut b);
        assert_eq!(b, "both sides'");
        let mut c = "it".to_string();
        keep_possessive("it's", "it", &mut c);
        assert_eq!(c, "it", "a contraction is no possessive");
    }

    #[test]
    fn compounds_stay_compounds() {
        let t = "the arms-management treaty";
        let runs = vec![Run { range: 0..t.len(), block_quote: false, block: 0 }];
        let b = tokens::blocks(t, &runs);
        let mut after = "arms control treaty".to_string();
        keep_hyphens(t, &b[0][1..4], &mut after);
        assert_eq!(after, "arms-control treaty");
        let mut shorter = "arms control".to_string();
        keep_hyphens(t, &b[0][1..4], &mut shorter);
        assert_eq!(shorter, "arms control");
    }

    #[test]
    fn the_article_agrees_with_the_new_word() {
        let t = "They held A hand-picked poll.";
        let runs = vec![Run { range: 0..t.len(), block_quote: false, block: 0 }];
        let b = tokens::blocks(t, &runs);
        let span = b[0][3].span.start..b[0][5].span.end;
        let r = agree_article(t, &b[0], 3, span.clone(), "open ballot".into());
        assert_eq!(&t[r.span.clone()], "A hand-picked poll");
        assert_eq!(r.after, "An open ballot");
        let r = agree_article(t, &b[0], 3, span.clone(), "tiebreaking ballot".into());
        assert_eq!(r.span, span);
        assert!(starts_with_vowel_sound("hour") && !starts_with_vowel_sound("union"));
    }
}
