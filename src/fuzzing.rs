//! Fuzz checks, one function per cargo-fuzz target in `fuzz/fuzz_targets/`.
//!
//! Each takes arbitrary bytes and panics only on a real bug (a panic inside
//! the code under test, or a broken property). They live in the library, not
//! in the fuzz targets, so that `cargo test` replays the seed corpus in
//! `fuzz/seeds/<target>/` through exactly the same checks on every machine
//! (tests/it/fuzz_replay.rs), while the nightly-only fuzzer explores further.
//! Not a public API.

use std::ops::Range;
use std::path::Path;
use std::sync::{Arc, LazyLock};

use crate::correct::{self, Corrector};
use crate::diagnostics::{Diagnostic, SourceMap, render_human};

/// The path fuzzed text pretends to come from, so diagnostics can name it.
const FUZZ_PATH: &str = "content/fuzz.md";

static CORRECTOR: LazyLock<Corrector> = LazyLock::new(|| match Corrector::builtin("en") {
    Ok(c) => c,
    Err(e) => panic!("built-in data must load: {e}"),
});

/// The corrector on arbitrary bytes: it must never panic, and what it
/// publishes must be the source with exactly the reported changes applied
/// (everything outside a change byte-identical).
pub fn correct(data: &[u8]) {
    // Invalid UTF-8 is refused before the corrector by the loader; the
    // corrector itself sees text, so fuzz it on the lossy decoding.
    let text = String::from_utf8_lossy(data);
    let opts = CORRECTOR.options(&[]);
    let report = CORRECTOR.check(&text, &opts);
    let mut applied: Vec<&correct::Change> = report.changes.iter().filter(|c| c.applied).collect();
    applied.sort_by_key(|c| c.span.start);
    let mut end = 0;
    let mut expected = String::new();
    for change in applied {
        assert!(change.span.start >= end, "applied changes overlap: {change:?}");
        assert_span(&text, &change.span, "a change");
        assert_eq!(&text[change.span.clone()], change.before, "a change's `before` is not the source");
        expected.push_str(&text[end..change.span.start]);
        expected.push_str(&change.after);
        end = change.span.end;
    }
    expected.push_str(&text[end..]);
    assert_eq!(correct::apply(&text, &report.changes), expected);
}

/// Front matter on arbitrary bytes: splitting and parsing must never panic,
/// and every error must render as a rustc-style diagnostic naming its file
/// (whose source line and caret come from the span, so a bad span shows here).
pub fn front_matter(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let path = Path::new(FUZZ_PATH);
    let result = crate::content::front_matter::split(path, text)
        .and_then(|split| crate::content::front_matter::parse_table(path, text, &split));
    if let Err(d) = result {
        if let Some(span) = &d.span {
            assert_diagnostic_span(text, span, "a front-matter diagnostic");
        }
        assert_renders(d, text);
    }
}

/// Templates the shortcode check expands with: an inline one, one with a
/// body, and one that always fails to render.
static SHORTCODE_TERA: LazyLock<tera::Tera> = LazyLock::new(|| {
    let mut tera = tera::Tera::default();
    let templates = [
        ("shortcodes/hi.html", "<b>{{ who | default(value='you') }}</b>"),
        ("shortcodes/box.html", "<div class=\"box\">\n\n{{ body }}\n</div>"),
        ("shortcodes/broken.html", "{{ missing_variable }}"),
    ];
    if let Err(e) = tera.add_raw_templates(templates) {
        panic!("fixed shortcode templates must parse: {e}");
    }
    tera
});

/// The shortcode parser on arbitrary bytes. It must never panic, and:
/// - text without `{{` or `{%` comes out unchanged, with no diagnostics;
/// - every diagnostic span lies in the source, starts on a character, and
///   renders naming the file;
/// - the offset map is a round trip: putting each call's source back in place
///   of its expansion gives the source again, byte for byte (so all text
///   outside calls is copied verbatim and every call is accounted for).
pub fn shortcodes(data: &[u8]) {
    let Ok(src) = std::str::from_utf8(data) else { return };
    let base = tera::Context::new();
    let env = crate::render::shortcodes::ShortcodeEnv::new(&SHORTCODE_TERA, &base);
    let (out, map, diags) = crate::render::shortcodes::expand(src, &env);
    if !src.contains("{{") && !src.contains("{%") {
        assert_eq!(out, src, "text without shortcodes changed");
        assert!(diags.is_empty(), "diagnostics for text without shortcodes: {diags:?}");
    }
    for d in diags {
        if let Some(span) = &d.span {
            assert_diagnostic_span(src, span, "a shortcode diagnostic");
        }
        assert_renders(d, src);
    }
    let mut rebuilt = String::with_capacity(src.len());
    let (mut out_at, mut src_at) = (0, 0);
    for (expanded, source) in map.regions() {
        assert!(expanded.start >= out_at, "expansions out of order: {expanded:?} after {out_at}");
        assert!(source.start >= src_at, "call spans out of order: {source:?} after {src_at}");
        assert_span(&out, &expanded, "an expansion");
        assert_span(src, &source, "a call");
        rebuilt.push_str(&out[out_at..expanded.start]);
        rebuilt.push_str(&src[source.clone()]);
        (out_at, src_at) = (expanded.end, source.end);
    }
    rebuilt.push_str(&out[out_at..]);
    assert_eq!(rebuilt, src, "expansion is not the source with calls replaced");
}

/// `span` is a valid slice of `text`.
#[track_caller]
fn assert_span(text: &str, span: &Range<usize>, what: &str) {
    assert!(
        span.start <= span.end && span.end <= text.len(),
        "{what} has span {span:?} outside the text ({} bytes)",
        text.len()
    );
    assert!(
        text.is_char_boundary(span.start) && text.is_char_boundary(span.end),
        "{what} has span {span:?} inside a character"
    );
}

/// A diagnostic's span lies in the text and starts on a character. Its end may
/// fall inside a character (a one-byte caret under `é`): renderers clamp it.
#[track_caller]
fn assert_diagnostic_span(text: &str, span: &Range<usize>, what: &str) {
    assert!(
        span.start <= span.end && span.end <= text.len(),
        "{what} has span {span:?} outside the text ({} bytes)",
        text.len()
    );
    assert!(text.is_char_boundary(span.start), "{what} starts inside a character: {span:?}");
}

/// A diagnostic about `text` renders like rustc and names the file.
#[track_caller]
fn assert_renders(mut d: Diagnostic, text: &str) {
    d.path = FUZZ_PATH.into();
    let mut sources = SourceMap::default();
    sources.insert(FUZZ_PATH, Arc::from(text));
    let shown = render_human(&d, &sources, false);
    assert!(shown.contains("fuzz.md"), "a diagnostic must name its file: {shown}");
}

/// The dev server's request-target resolver: it must never panic, and any
/// path it accepts must be plain relative segments (no `..`, no leading `/`,
/// no backslash, no NUL), since that path names the file served.
pub fn request_path(data: &[u8]) {
    // The server reads the request line as UTF-8 and answers 400 otherwise.
    let Ok(target) = std::str::from_utf8(data) else { return };
    if let Err(e) = crate::serve::http::check_resolve(target) {
        panic!("{e}");
    }
}
