//! Stage 2, "correct": restore machine-spun prose, fix typography, house style
//! and known misspellings, and report every change with its reason.
//!
//! One engine ([`engine::check`]) serves `build`, `check`, `correct` and `fix`.
//! It reads only prose (see [`prose`]) and returns [`Change`]s with byte spans;
//! callers decide whether to apply them ([`apply`]), show them, or write them
//! back. The data it works from are readable TSV files in `data/correct/`,
//! built into the binary; a site may add its own (see [`CorrectConfig`]).

#[doc(hidden)]
pub mod audit;
pub mod decode;
pub mod engine;
pub mod gate;
pub mod lattice;
pub mod lexicon;
pub mod lm;
pub mod ngram;
pub mod paraphrase;
pub mod prose;
pub mod protect;
pub mod repair;
pub mod report;
pub mod review;
pub mod spans;
pub mod style;
pub mod tokens;
pub mod tsv;
pub mod typography;
pub mod words;

use std::collections::HashMap;
use std::path::Path;
use std::sync::{LazyLock, Mutex};

use serde::Deserialize;

pub use engine::{Change, DocOptions, Report};
pub use engine::{Data, HouseRule};
use lexicon::Lexicon;
pub use review::Mode;
use tsv::DataError;

use crate::config::Config;
use crate::content::Content;
use crate::diagnostics::OffsetMap;

/// `[correct]` in `config.toml`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CorrectConfig {
    /// Run the corrector at all during `build`.
    #[serde(default = "yes")]
    pub enabled: bool,
    #[serde(default = "yes")]
    pub typography: bool,
    #[serde(default = "yes")]
    pub house_style: bool,
    #[serde(default = "yes")]
    pub spelling: bool,
    #[serde(default = "yes")]
    pub spin: bool,
    /// `apply` (default) publishes restorations; `suggest` publishes the
    /// source wording and lists every restoration as a suggestion (typography,
    /// house style and spelling still apply). A page may say `correct = "suggest"`.
    #[serde(default)]
    pub mode: Mode,
    /// Terms no part of the corrector ever touches, on every page (a page adds
    /// its own with `keep = [...]`): case-insensitive, whole words.
    #[serde(default)]
    pub keep: Vec<String>,
    /// `restore-spun` (default): in a document that is spun, quotations were
    /// rewritten by the spinner too and are restored; `verbatim`: never touch them.
    #[serde(default = "default_quotations", deserialize_with = "review::quotations")]
    pub quotations: String,
    /// `"US"` or `"U.S."`: the abbreviation this site uses.
    #[serde(default)]
    pub us: Option<String>,
    /// Extra house-style entries (`wrong  right  scope  note`), relative to the site root.
    #[serde(default)]
    pub house_style_file: Option<std::path::PathBuf>,
    /// Extra reverse-lexicon entries (`spun  original  tier  note`).
    #[serde(default)]
    pub lexicon_file: Option<std::path::PathBuf>,
    /// Optional house-style entries to switch on, by their `right` form (e.g. "Türkiye").
    #[serde(default)]
    pub house_style_optional: Vec<String>,
}

impl Default for CorrectConfig {
    fn default() -> Self {
        CorrectConfig {
            enabled: true,
            typography: true,
            house_style: true,
            spelling: true,
            spin: true,
            mode: Mode::Apply,
            keep: Vec::new(),
            quotations: default_quotations(),
            us: None,
            house_style_file: None,
            lexicon_file: None,
            house_style_optional: Vec::new(),
        }
    }
}

fn yes() -> bool {
    true
}
fn default_quotations() -> String {
    "restore-spun".into()
}

const OBSERVED: &str = include_str!("../../data/correct/observed.tsv");
const CURATED: &str = include_str!("../../data/correct/curated.tsv");
const HOUSE_STYLE: &str = include_str!("../../data/correct/house_style.tsv");
const MISSPELLINGS: &str = include_str!("../../data/correct/misspellings.tsv");
const PARAPHRASES: &str = include_str!("../../data/correct/paraphrases.tsv");
/// House style of other languages than English, by primary language code
/// (`data/correct/house_style.LANG.tsv`). A language not listed has none.
const HOUSE_STYLE_BY_LANG: &[(&str, &str, &str)] = &[
    ("fr", "data/correct/house_style.fr.tsv", include_str!("../../data/correct/house_style.fr.tsv")),
    ("uk", "data/correct/house_style.uk.tsv", include_str!("../../data/correct/house_style.uk.tsv")),
];

fn parse_paraphrases(text: &str) -> HashMap<String, Vec<String>> {
    text.lines()
        .filter(|l| !l.starts_with('#'))
        .filter_map(|l| {
            let (w, n) = l.split_once('\t')?;
            Some((w.to_string(), n.split(' ').filter(|x| !x.is_empty()).map(str::to_string).collect()))
        })
        .collect()
}

/// Parse house-style rows: `wrong  right  scope  note`. A note containing
/// `optional` leaves the entry off unless the site switches it on; `except:
/// A; B` lists phrases in which the wrong form stays.
pub fn parse_house_style(
    file: &str,
    text: &str,
    optional_on: &[String],
    out: &mut Vec<HouseRule>,
) -> Result<(), DataError> {
    for row in tsv::parse(file, text, 2, 4)? {
        let c = &row.cols;
        if c[0] == "wrong" && c[1] == "right" {
            continue;
        }
        let note = c.get(3).copied().unwrap_or("");
        if note.to_lowercase().contains("optional") && !optional_on.iter().any(|o| o == c[1]) {
            continue;
        }
        let toks = |s: &str| -> Vec<String> {
            words::tokenize(s).into_iter().filter(|t| t.is_word).map(|t| words::lower(t.text(s))).collect()
        };
        // Exceptions are the quoted phrases after "exception" in the note:
        // `exceptions: 'Chicken Kiev' (the dish)` keeps "Chicken Kiev".
        let mut except = Vec::new();
        if let Some(i) = note.find("exception") {
            let rest = &note[i..];
            let mut parts = rest.split('\'');
            parts.next();
            while let (Some(quoted), _) = (parts.next(), parts.next()) {
                let t = toks(quoted);
                if !t.is_empty() && t.len() <= 6 {
                    except.push(t);
                }
            }
        }
        let wrong = toks(c[0]);
        if wrong.is_empty() {
            continue;
        }
        out.push(HouseRule {
            before_function_word: wrong.first().is_some_and(|w| w == "the"),
            wrong,
            wrong_text: c[0].to_string(),
            right: c[1].to_string(),
            except,
        });
    }
    Ok(())
}

fn parse_spelling(file: &str, text: &str, out: &mut rustc_hash::FxHashMap<String, String>) -> Result<(), DataError> {
    for row in tsv::parse(file, text, 2, 3)? {
        if row.cols[0] == "wrong" {
            continue;
        }
        out.insert(row.cols[0].trim().to_lowercase(), row.cols[1].trim().to_string());
    }
    Ok(())
}

/// A fresh copy of the built-in data (for tools that modify it, like the evaluation).
pub fn builtin_data(optional_on: &[String]) -> Result<Data, DataError> {
    let mut lexicon = Lexicon::default();
    lexicon.add_tsv("data/correct/observed.tsv", OBSERVED, "observed")?;
    lexicon.add_tsv("data/correct/curated.tsv", CURATED, "curated")?;
    let mut house = Vec::new();
    parse_house_style("data/correct/house_style.tsv", HOUSE_STYLE, optional_on, &mut house)?;
    let mut house_by_lang = HashMap::new();
    for (lang, file, text) in HOUSE_STYLE_BY_LANG {
        let mut rules = Vec::new();
        parse_house_style(file, text, optional_on, &mut rules)?;
        house_by_lang.insert((*lang).to_string(), rules);
    }
    let mut spelling = rustc_hash::FxHashMap::default();
    parse_spelling("data/correct/misspellings.tsv", MISSPELLINGS, &mut spelling)?;
    Ok(Data { lexicon, house, house_by_lang, spelling, paraphrases: parse_paraphrases(PARAPHRASES) })
}

static BUILTIN: LazyLock<Result<Data, DataError>> = LazyLock::new(|| builtin_data(&[]));

/// The built-in data is parsed once and shared; a site with its own files gets a copy.
enum DataRef {
    Builtin(&'static Data),
    Owned(Box<Data>),
}

/// The corrector with its data, ready to check documents.
pub struct Corrector {
    data: DataRef,
    /// Which data this is, for [`correct_content`]'s cache: 0 for the
    /// built-in data, a hash of the site's own files for site data, a fresh
    /// number for data handed in by a caller.
    data_id: u64,
    pub config: CorrectConfig,
    lang: String,
}

impl Corrector {
    /// The built-in data only (for `attache correct` on a standalone file).
    pub fn builtin(lang: &str) -> Result<Corrector, DataError> {
        match &*BUILTIN {
            Ok(d) => Ok(Corrector {
                data: DataRef::Builtin(d),
                data_id: 0,
                config: CorrectConfig::default(),
                lang: lang.into(),
            }),
            Err(e) => Err(e.clone()),
        }
    }

    /// A corrector over data assembled by the caller.
    pub fn from_data(data: Data, lang: &str) -> Corrector {
        static NEXT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1 << 63);
        let data_id = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        Corrector { data: DataRef::Owned(Box::new(data)), data_id, config: CorrectConfig::default(), lang: lang.into() }
    }

    /// The built-in data plus the site's own files and switches.
    pub fn for_site(root: &Path, config: &Config) -> Result<Corrector, DataError> {
        let cc = config.correct.clone();
        let extra = cc.house_style_file.is_some() || cc.lexicon_file.is_some() || !cc.house_style_optional.is_empty();
        if !extra {
            let mut c = Corrector::builtin(&config.default_language)?;
            c.config = cc;
            return Ok(c);
        }
        let mut data = builtin_data(&cc.house_style_optional)?;
        let read = |p: &std::path::PathBuf| -> Result<String, DataError> {
            crate::inside::read_to_string(root, p).map_err(|e| DataError {
                file: p.display().to_string(),
                line: 0,
                message: format!("could not read: {e}"),
            })
        };
        let mut id = std::hash::DefaultHasher::new();
        if let Some(p) = &cc.house_style_file {
            let text = read(p)?;
            std::hash::Hash::hash(&text, &mut id);
            // The site's own rules are for its default language's prose.
            let lang = &config.default_language;
            let rules = if engine::is_english(lang) {
                &mut data.house
            } else {
                data.house_by_lang.entry(typography::primary(lang).to_string()).or_default()
            };
            parse_house_style(&p.display().to_string(), &text, &cc.house_style_optional, rules)?;
        }
        if let Some(p) = &cc.lexicon_file {
            let text = read(p)?;
            std::hash::Hash::hash(&text, &mut id);
            data.lexicon.add_tsv(&p.display().to_string(), &text, "site")?;
        }
        std::hash::Hash::hash(&cc.house_style_optional, &mut id);
        // Never 0 (the built-in data's id) and below the caller-data range.
        let data_id = (std::hash::Hasher::finish(&id) >> 1) | 1;
        Ok(Corrector {
            data: DataRef::Owned(Box::new(data)),
            data_id,
            config: cc,
            lang: config.default_language.clone(),
        })
    }

    /// Options for one document, from the site switches and its front
    /// matter. The site's keep list is applied after the engine
    /// ([`Corrector::check_in`]), by one matcher compiled once per build.
    pub fn options(&self, keep: &[String]) -> DocOptions {
        self.options_for(keep, None)
    }

    /// [`Corrector::options`] for a page in `lang` (its `x.LANG.md` suffix;
    /// `None`: the site's default language). The language picks the
    /// typography, the house-style table and whether spin restoration runs,
    /// and is part of the options, so of the report cache's key.
    pub fn options_for(&self, keep: &[String], lang: Option<&str>) -> DocOptions {
        DocOptions {
            lang: lang.unwrap_or(&self.lang).to_string(),
            typography: self.config.typography,
            house_style: self.config.house_style,
            spelling: self.config.spelling,
            spin: self.config.spin,
            restore_spun_quotes: self.config.quotations != "verbatim",
            keep: keep.to_vec(),
            us_style: self.config.us.clone(),
            assume_spun: false,
        }
    }

    /// Check one whole Markdown file in the site's mode. Nothing at all when the site switched correction
    /// off (`enabled = false`): every command (`build`, `check`, `fix`, `serve`) goes through here.
    pub fn check(&self, text: &str, opts: &DocOptions) -> Report {
        self.check_in(text, opts, self.config.mode)
    }

    /// [`Corrector::check`] in `mode` (a page's own, from its front matter).
    /// Kept terms are dropped and suggest mode's holds made after every
    /// stage, so no stage can change a kept term or publish a held change.
    pub fn check_in(&self, text: &str, opts: &DocOptions, mode: Mode) -> Report {
        let mut report = self.check_all(text, opts);
        if !opts.spin {
            // `spin = false` means no `spin/…` change of any kind, spintax included.
            report.changes.retain(|c| !c.rule.starts_with("spin/"));
        }
        review::drop_kept(&mut report, text, &self.config.keep, &opts.keep);
        if mode == Mode::Suggest {
            review::hold_for_review(&mut report);
        }
        report
    }

    /// Every change the engine finds, as if applied (both passes).
    fn check_all(&self, text: &str, opts: &DocOptions) -> Report {
        if !self.config.enabled {
            return Report::default();
        }
        let data: &Data = match &self.data {
            DataRef::Builtin(d) => d,
            DataRef::Owned(d) => d,
        };
        let first = engine::check(text, data, opts, &Embedded);
        if !first.spun || !opts.spin {
            return first;
        }
        // Second pass over the text as first corrected: neighbouring spun words
        // polluted each other's context the first time round. Only spin
        // restorations in untouched stretches are taken, mapped back to the source.
        let (text2, map) = apply_mapped(text, &first.changes, 0..text.len());
        let second = engine::check(&text2, data, &DocOptions { assume_spun: true, ..opts.clone() }, &Embedded);
        let mut report = first;
        let edited: Vec<std::ops::Range<usize>> =
            report.changes.iter().filter(|c| c.applied).map(|c| c.span.clone()).collect();
        for mut c in second.changes.into_iter().filter(|c| c.applied && c.rule.starts_with("spin/")) {
            let span = map.to_source(c.span.start)..map.to_source(c.span.end);
            if edited.iter().any(|e| e.start < span.end && span.start < e.end)
                || text.get(span.clone()) != Some(&*c.before)
            {
                continue;
            }
            // It replaces a first-pass suggestion at the same place, if any.
            report.changes.retain(|x| x.applied || x.span.start >= span.end || span.start >= x.span.end);
            c.span = span;
            c.reason.push_str("; context restored around it");
            report.changes.push(c);
        }
        report.changes.sort_by_key(|c| c.span.start);
        report
    }
}

/// The embedded n-gram models as the engine's context model: a linear mix
/// of log-probabilities, [`GENERAL_WEIGHT`] from the general US-English model
/// (`ngram`) and the rest from the domain model (`lm`); word frequencies from
/// the general model. A model whose file is unusable scores 0 (flat), so
/// correction degrades instead of failing.
struct Embedded;

/// Share of the general US-English model in [`Embedded`]'s score. Measured
/// with `attache-eval` (data/correct/LM.md): 0.3 restored the most with the
/// least damage on the hand-spun set; 0 (domain only), 0.5, 0.7 and 1
/// (general only) did worse.
const GENERAL_WEIGHT: f32 = 0.3;

impl engine::ContextModel for Embedded {
    fn score(&self, words: &[&str], from: usize) -> f32 {
        let domain = lm::LanguageModel::try_get().map_or(0.0, |m| m.window_logprob(words, from));
        let general = ngram::BackoffModel::try_get().map_or(0.0, |m| m.window_logprob(words, from));
        GENERAL_WEIGHT * general + (1.0 - GENERAL_WEIGHT) * domain
    }
    fn frequency(&self, word: &str) -> f32 {
        ngram::BackoffModel::try_get().map_or(0.0, |m| m.frequency(word))
    }
}

/// `text` with the applied changes made. Changes must not overlap (the engine
/// guarantees it); any that do are skipped rather than corrupting the text.
pub fn apply(text: &str, changes: &[Change]) -> String {
    apply_mapped(text, changes, 0..text.len()).0
}

/// Apply the changes that fall inside `range`, returning the new text of that
/// range and a map from its offsets back to offsets in `text[range]`.
pub fn apply_mapped(text: &str, changes: &[Change], range: std::ops::Range<usize>) -> (String, OffsetMap) {
    let mut out = String::with_capacity(range.len());
    let mut map = OffsetMap::default();
    let mut last = range.start;
    let mut sorted: Vec<&Change> =
        changes.iter().filter(|c| c.applied && c.span.start >= range.start && c.span.end <= range.end).collect();
    sorted.sort_by_key(|c| c.span.start);
    for c in sorted {
        if c.span.start < last || !text.is_char_boundary(c.span.start) || !text.is_char_boundary(c.span.end) {
            continue;
        }
        out.push_str(&text[last..c.span.start]);
        let start = out.len();
        out.push_str(&c.after);
        map.push(start..out.len(), c.span.start - range.start..c.span.end - range.start);
        last = c.span.end;
    }
    out.push_str(&text[last..range.end]);
    (out, map)
}

/// Reports already computed in this process, keyed by everything a report
/// depends on: the corrector's data and switches, the document's options and
/// its text. `serve` and `build --watch` rebuild the whole site on every
/// save, and correction is most of that work (profiled on a 1,000-article
/// site); with the cache only the edited article is checked again. Bounded:
/// cleared when it holds more than [`CACHE_BYTES`] of text.
static CACHE: LazyLock<Mutex<ReportCache>> = LazyLock::new(Mutex::default);
const CACHE_BYTES: usize = 256 << 20;

/// Reports by what they were computed from. The key is a SHA-1 of the
/// corrector's settings, the document options and the text, not the text
/// itself: on a 10,000-article site the texts would be a second copy of the
/// sources held for the life of the dev server.
#[derive(Default)]
struct ReportCache {
    reports: HashMap<(u64, [u8; 20]), Report>,
    bytes: usize,
}

fn cached_check(
    corrector: &Corrector,
    text: &str,
    opts: &DocOptions,
    mode: Mode,
    disk: Option<&crate::cache::Reports>,
) -> Report {
    use sha1::{Digest, Sha1};
    let mut h = Sha1::new();
    h.update(format!("{:?}|{}|{opts:?}|{mode:?}", corrector.config, corrector.lang).as_bytes());
    h.update([0u8]);
    h.update(text.as_bytes());
    let key = (corrector.data_id, <[u8; 20]>::from(h.finalize()));
    // The persistent build cache (`attache build`), which records what it used.
    let remember = |r: &Report| {
        if let Some(used) = disk.and_then(|d| d.used.lock().ok()).as_mut() {
            used.push((key, r.clone()));
        }
    };
    if let Some(r) = disk.and_then(|d| d.known.get(&key)) {
        remember(r);
        return r.clone();
    }
    if let Ok(cache) = CACHE.lock()
        && let Some(r) = cache.reports.get(&key)
    {
        remember(r);
        return r.clone();
    }
    let report = corrector.check_in(text, opts, mode);
    remember(&report);
    if let Ok(mut cache) = CACHE.lock() {
        // Roughly what a report holds: its changes' text.
        let size =
            64 + report.changes.iter().map(|c| 96 + c.before.len() + c.after.len() + c.reason.len()).sum::<usize>();
        if cache.bytes + size > CACHE_BYTES {
            cache.reports.clear();
            cache.bytes = 0;
        }
        cache.bytes += size;
        cache.reports.insert(key, report.clone());
    }
    report
}

/// What the correction stage did, for the build summary.
#[derive(Debug, Clone, Default)]
pub struct Summary {
    pub articles_corrected: usize,
    pub spun_articles: usize,
    pub changes_applied: usize,
    pub typography_applied: usize,
    pub suggestions: usize,
}

/// Correct the prose of every page and section in place, keeping a map from
/// the corrected body back to the source so diagnostics still point at what
/// the editor wrote.
pub fn correct_content(content: &mut Content, corrector: &Corrector) -> (Summary, Vec<(std::path::PathBuf, Report)>) {
    correct_content_cached(content, corrector, None)
}

/// [`correct_content`], reading and recording reports in the persistent
/// build cache when there is one.
pub fn correct_content_cached(
    content: &mut Content,
    corrector: &Corrector,
    disk: Option<&crate::cache::Reports>,
) -> (Summary, Vec<(std::path::PathBuf, Report)>) {
    use rayon::prelude::*;
    if !corrector.config.enabled {
        return (Summary::default(), Vec::new());
    }
    let results: Vec<Option<(std::path::PathBuf, Report)>> = content
        .pages
        .par_iter_mut()
        .map(|p| correct_page_cached(p, corrector, disk).map(|r| (p.file.rel.clone(), r)))
        .collect();
    let reports: Vec<(std::path::PathBuf, Report)> = results.into_iter().flatten().collect();
    (summarize(reports.iter().map(|(_, r)| r)), reports)
}

/// Correct one page in place (body, title and description); `None` when
/// correction is off for the site or the page.
pub fn correct_page(p: &mut crate::content::Page, corrector: &Corrector) -> Option<Report> {
    correct_page_cached(p, corrector, None)
}

/// [`correct_page`] with the persistent build cache.
fn correct_page_cached(
    p: &mut crate::content::Page,
    corrector: &Corrector,
    disk: Option<&crate::cache::Reports>,
) -> Option<Report> {
    if !corrector.config.enabled || !p.meta.correct {
        return None;
    }
    let mode = p.meta.correct_mode.unwrap_or(corrector.config.mode);
    let opts = corrector.options_for(&p.meta.keep, p.lang.as_deref());
    let report = cached_check(corrector, &p.file.text, &opts, mode, disk);
    let text = &p.file.text;
    let (body, map) = apply_mapped(text, &report.changes, p.body_start..text.len());
    p.body = body;
    p.body_map = map;
    for (key, slot) in
        [("title", &mut p.meta.title), ("description", p.meta.description.get_or_insert_with(String::new))]
    {
        let Ok(split) = crate::content::front_matter::split(Path::new(""), text) else { continue };
        if let Some(r) = prose::front_matter_value(text, split.front, key)
            && report.changes.iter().any(|c| c.applied && c.span.start >= r.start && c.span.end <= r.end)
        {
            *slot = apply_mapped(text, &report.changes, r).0;
        }
    }
    if p.meta.description.as_deref() == Some("") {
        p.meta.description = None;
    }
    Some(report)
}

/// The counts of the summary line, over every article's report.
pub fn summarize<'a>(reports: impl Iterator<Item = &'a Report>) -> Summary {
    let mut summary = Summary::default();
    for r in reports {
        let applied = r.changes.iter().filter(|c| c.applied && c.rule != "typography").count();
        summary.typography_applied += r.changes.iter().filter(|c| c.applied && c.rule == "typography").count();
        summary.changes_applied += applied;
        summary.suggestions += r.changes.iter().filter(|c| !c.applied).count();
        summary.spun_articles += usize::from(r.spun);
        summary.articles_corrected += usize::from(applied > 0);
    }
    summary
}

/// Corrections as diagnostics (severity note), for `check` and the dev server.
pub fn to_diagnostics(
    path: &std::path::Path,
    report: &Report,
    typography: bool,
) -> Vec<crate::diagnostics::Diagnostic> {
    report
        .changes
        .iter()
        .filter(|c| typography || c.rule != "typography")
        .map(|c| {
            let status = if c.applied { "corrected" } else { "suggestion" };
            crate::diagnostics::Diagnostic {
                code: c.rule,
                severity: crate::diagnostics::Severity::Note,
                path: path.to_path_buf(),
                span: Some(c.span.clone()),
                message: format!("{status}: “{}” → “{}”", c.before, c.after),
                help: Some(c.reason.clone()),
            }
        })
        .collect()
}
