//! The correction engine: one pass over an article that finds every change
//! (spin restoration, spintax, house style, spelling, typography), decides
//! which to apply and which only to suggest, and says why.
//!
//! It reads as a pipeline of stages, each in its own module with a small
//! type between it and the next:
//!
//! 1. [`spans`]: the prose runs and the kept ranges ([`spans::Spans`]);
//! 2. [`tokens`]: the words of each block ([`tokens::Block`]);
//! 3. [`lattice`]: lexicon, insertion and spintax candidates and their
//!    evidence ([`lattice::Lattice`]), with [`paraphrase`] candidates on demand;
//! 4. [`gate`]: is the document spun? ([`gate::Verdict`]);
//! 5. [`decode`]: which candidates to apply or suggest, sentence by sentence;
//! 6. [`repair`]: capitals, possessives and a/an around each restoration;
//! 7. [`style`]: house style, spelling and typography, then the [`Report`].
//!
//! It never writes anything: callers apply the changes ([`super::apply`]).
//!
//! [`spans`]: super::spans
//! [`spans::Spans`]: super::spans::Spans
//! [`tokens`]: super::tokens
//! [`tokens::Block`]: super::tokens::Block
//! [`lattice`]: super::lattice
//! [`lattice::Lattice`]: super::lattice::Lattice
//! [`paraphrase`]: super::paraphrase
//! [`gate`]: super::gate
//! [`gate::Verdict`]: super::gate::Verdict
//! [`decode`]: super::decode
//! [`repair`]: super::repair
//! [`style`]: super::style

use std::collections::HashMap;

use super::lexicon::Lexicon;
use super::report::Claims;
pub use super::report::{Change, Evidence, Report};
use super::{decode, gate, lattice, spans, style, tokens};

/// Per-document switches (from front matter and `config.toml`).
#[derive(Debug, Clone)]
pub struct DocOptions {
    pub lang: String,
    pub typography: bool,
    pub house_style: bool,
    pub spelling: bool,
    pub spin: bool,
    /// Restore spun wording inside quotations of a spun document (the spinner
    /// rewrote them, so they are no longer anyone's words).
    pub restore_spun_quotes: bool,
    /// Phrases never to change.
    pub keep: Vec<String>,
    /// `Some("US")` or `Some("U.S.")`: the abbreviation to use.
    pub us_style: Option<String>,
    /// Treat the document as spun whatever the gate says (the second decoding
    /// pass, once the first has established it).
    pub assume_spun: bool,
}
impl Default for DocOptions {
    fn default() -> Self {
        DocOptions {
            lang: "en".into(),
            typography: true,
            house_style: true,
            spelling: true,
            spin: true,
            restore_spun_quotes: true,
            keep: Vec::new(),
            us_style: None,
            assume_spun: false,
        }
    }
}

/// A house-style rule: `wrong` → `right`, unless inside one of `except`.
#[derive(Debug, Clone)]
pub struct HouseRule {
    pub wrong: Vec<String>,
    pub wrong_text: String,
    pub right: String,
    pub except: Vec<Vec<String>>,
    /// Only when followed by one of these words or by punctuation (for "the Ukraine").
    pub before_function_word: bool,
}

/// The data the engine works with.
#[derive(Debug, Default)]
pub struct Data {
    pub lexicon: Lexicon,
    /// House style of English prose.
    pub house: Vec<HouseRule>,
    /// House style of other languages, by primary language code (`fr`, `uk`):
    /// English rules ("the Ukraine") mean nothing in French or Ukrainian prose.
    pub house_by_lang: HashMap<String, Vec<HouseRule>>,
    /// FxHash: looked up once per word of every document.
    pub spelling: rustc_hash::FxHashMap<String, String>,
    /// Paraphrase neighbours (PPDB): candidate originals for spun words that
    /// no lexicon entry covers.
    pub paraphrases: HashMap<String, Vec<String>>,
}

/// The context model the engine consults: how likely a word sequence is in
/// clean prose. (A trait so tests can run without the real model.)
pub trait ContextModel {
    /// Log-probability of `words[from..]` given the words before `from`.
    fn score(&self, words: &[&str], from: usize) -> f32;
    /// Share of clean-text tokens that are `word` (0 when unknown).
    fn frequency(&self, word: &str) -> f32;
}

/// No context knowledge: every sequence equally likely.
pub struct Flat;

impl ContextModel for Flat {
    fn score(&self, _: &[&str], _: usize) -> f32 {
        0.0
    }
    fn frequency(&self, _: &str) -> f32 {
        0.0
    }
}

/// Words this common ("can", "will", "each") are almost always the writer's
/// own: a swap among them needs much stronger context evidence.
pub const COMMON: f32 = 8e-4;

/// ln(0.3 / 0.7): the spinner rewrites about three words in ten (shared/spin
/// README), so before context a word is more likely the writer's own.
pub const REWRITE_ODDS: f32 = -0.847;

impl Data {
    /// The house-style rules for prose in `lang`.
    pub fn house_for(&self, lang: &str) -> &[HouseRule] {
        if is_english(lang) {
            return &self.house;
        }
        self.house_by_lang.get(super::typography::primary(lang)).map_or(&[], Vec::as_slice)
    }
}

/// Whether `lang` (`en`, `en-GB`) is English: the only language whose spin
/// lexicons, misspelling list and language models exist. On any other
/// language the corrector never guesses (see [`check`]).
pub fn is_english(lang: &str) -> bool {
    super::typography::primary(lang).eq_ignore_ascii_case("en")
}

/// Correct one Markdown file (front matter optional). Spin restoration and
/// the misspelling list run only on English prose: their data are English,
/// and a French or Ukrainian word that happens to be an English lexicon key
/// ("regard", "collaboration") is not spun. Other languages get their own
/// house style and typography only.
pub fn check(text: &str, data: &Data, opts: &DocOptions, lm: &dyn ContextModel) -> Report {
    let spans = spans::find(text, &opts.keep);
    let blocks = tokens::blocks(text, &spans.runs);
    let mut report = Report { words: blocks.iter().map(Vec::len).sum(), ..Default::default() };
    let mut claims = Claims::new(spans.keep);
    if is_english(&opts.lang) {
        let lattice = lattice::build(text, &blocks, &spans.runs, data, opts.spin);
        let inputs = gate::Inputs { text, blocks: &blocks, lattice: &lattice, data, lm, opts };
        let verdict = gate::judge(&inputs, &mut report);
        let ctx = decode::Ctx { text, blocks: &blocks, lattice: &lattice, data, lm, opts, spun: verdict.spun };
        decode::restore(&ctx, &verdict.para, &mut claims, &mut report);
        decode::spintax(&ctx, &mut claims, &mut report);
    }
    style::words(text, &blocks, data, opts, &mut claims, &mut report);
    if opts.typography {
        style::typography(text, &spans.runs, &opts.lang, &mut claims, &mut report);
    }
    report.changes.sort_by_key(|c| c.span.start);
    report
}

#[cfg(test)]
mod tests {
    use super::*;

    fn data() -> Data {
        let mut lexicon = Lexicon::default();
        lexicon
            .add_tsv(
                "t.tsv",
                "Chilly Warfare\tCold War\tfingerprint\nessentially the most\tthe most\tfingerprint\novert\tobvious\tstrong\nmentioned\tsaid\tweak\n",
                "test",
            )
            .unwrap();
        let house = vec![HouseRule {
            wrong: vec!["kiev".into()],
            wrong_text: "Kiev".into(),
            right: "Kyiv".into(),
            except: vec![vec!["chicken".into(), "kiev".into()]],
            before_function_word: false,
        }];
        let spelling = [("goverment".to_string(), "government".to_string())].into_iter().collect();
        Data { lexicon, house, spelling, ..Default::default() }
    }

    fn fixed(text: &str) -> String {
        let r = check(text, &data(), &DocOptions::default(), &Flat);
        super::super::apply(text, &r.changes)
    }

    #[test]
    fn fingerprints_are_restored_with_case() {
        assert_eq!(fixed("After the Chilly Warfare ended."), "After the Cold War ended.");
        // One fingerprint makes its paragraph suspect, so the strong entry applies too.
        assert_eq!(fixed("It is essentially the most overt case."), "It is the most obvious case.");
    }

    #[test]
    fn weak_entries_need_a_spun_document() {
        assert_eq!(fixed("She mentioned it in passing."), "She mentioned it in passing.");
    }

    #[test]
    fn house_style_with_exceptions_and_quotes() {
        assert_eq!(fixed("Talks in Kiev, over Chicken Kiev."), "Talks in Kyiv, over Chicken Kiev.");
        assert_eq!(fixed("He wrote \"Kiev\" in 1991."), "He wrote “Kiev” in 1991.");
        assert_eq!(fixed("The goverment fell."), "The government fell.");
    }

    #[test]
    fn code_and_spintax() {
        assert_eq!(fixed("Use `Chilly Warfare` here {that a} way."), "Use `Chilly Warfare` here that a way.");
    }

    #[test]
    fn article_agrees_with_new_word() {
        let mut lx = Lexicon::default();
        lx.add_tsv(
            "t.tsv",
            "brand new pact\tnew pact\tfingerprint\nhand-picked poll\ttiebreaking ballot\tfingerprint\n",
            "t",
        )
        .unwrap();
        let d = Data { lexicon: lx, ..Default::default() };
        let t = "They held a hand-picked poll.";
        let r = check(t, &d, &DocOptions::default(), &Flat);
        assert_eq!(super::super::apply(t, &r.changes), "They held a tiebreaking ballot.");
    }

    #[test]
    fn one_kind_of_evidence_does_not_open_the_gate() {
        let d = data();
        let opts = DocOptions::default();
        // Braces alone, however many: not spun.
        let braces = "It was {that a} case and {the|a} deal, with {so it} goes on.";
        let r = check(braces, &d, &opts, &Flat);
        assert_eq!(r.evidence.braces, 3);
        assert!(!r.spun);
        // One fingerprint alone: restored, but the document is not judged spun.
        assert!(!check("After the Chilly Warfare ended.", &d, &opts, &Flat).spun);
        // Braces and a fingerprint together: spun.
        let both = format!("{braces} After the Chilly Warfare ended.");
        assert!(check(&both, &d, &opts, &Flat).spun);
    }

    #[test]
    fn tex_braces_are_neither_spintax_nor_evidence() {
        let t = "The sum $\\sum_{i=1}^{n} x_i$ and {n+1 \\choose k} and \\begin{align*} x \\end{align*}.";
        let r = check(t, &data(), &DocOptions::default(), &Flat);
        assert_eq!(r.evidence, Evidence::default());
        assert!(r.changes.is_empty(), "{:?}", r.changes);
    }

    #[test]
    fn keep_list_protects() {
        let opts = DocOptions { keep: vec!["Chilly Warfare".into()], ..Default::default() };
        let t = "The Chilly Warfare exhibition.";
        let r = check(t, &data(), &opts, &Flat);
        assert!(r.changes.is_empty(), "{:?}", r.changes);
    }

    /// Words that are English lexicon or misspelling keys but ordinary French
    /// or Ukrainian: the engine must not touch them outside English.
    fn bilingual_traps() -> Data {
        let mut lexicon = Lexicon::default();
        lexicon
            .add_tsv(
                "t.tsv",
                "situation\tcondition\tfingerprint\nnation\tcountry\tfingerprint\nрегіон\tregion\tfingerprint\n",
                "t",
            )
            .unwrap();
        let spelling = [("adresse".to_string(), "address".to_string())].into_iter().collect();
        let mut house_by_lang = HashMap::new();
        let uk = HouseRule {
            wrong: vec!["киев".into()],
            wrong_text: "Киев".into(),
            right: "Київ".into(),
            except: vec![],
            before_function_word: false,
        };
        house_by_lang.insert("uk".to_string(), vec![uk]);
        Data { lexicon, spelling, house_by_lang, house: data().house, ..Default::default() }
    }

    fn fixed_in(text: &str, lang: &str) -> String {
        let opts = DocOptions { lang: lang.into(), ..Default::default() };
        let r = check(text, &bilingual_traps(), &opts, &Flat);
        super::super::apply(text, &r.changes)
    }

    #[test]
    fn no_spin_or_english_spelling_outside_english() {
        // In English the same keys are restored and corrected.
        assert_eq!(fixed_in("The nation and the situation, adresse.", "en"), "The country and the condition, address.");
        assert_eq!(
            fixed_in("La nation et la situation {à|en} Kiev, adresse.", "fr"),
            "La nation et la situation {à|en} Kiev, adresse."
        );
        assert_eq!(fixed_in("Нація і регіон: Киев.", "uk"), "Нація і регіон: Київ.");
        // Every report outside English is free of spin evidence.
        let r = check(
            "situation nation {a|b}",
            &bilingual_traps(),
            &DocOptions { lang: "fr".into(), ..Default::default() },
            &Flat,
        );
        assert!(!r.spun && r.evidence == Evidence::default());
    }

    #[test]
    fn house_style_follows_the_page_language() {
        // The English table does not apply to Ukrainian, nor the Ukrainian one to English.
        assert_eq!(fixed_in("Talks in Kiev and Киев.", "en-GB"), "Talks in Kyiv and Киев.");
        assert_eq!(fixed_in("Київ, не Kiev.", "uk"), "Київ, не Kiev.");
    }
}
