//! Problems found in user content, as plain data.
//!
//! A broken link or a bad front-matter date is not an `Err`: the pipeline keeps
//! going, collects every [`Diagnostic`], and reports them all together at the end,
//! the way rustc does. Each diagnostic keeps a byte span into its source; line and
//! column are computed only when it is rendered, from the [`SourceMap`].

use std::collections::HashMap;
use std::fmt::Write as _;
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde::Serialize;

/// How bad a problem is. Errors fail the build; warnings fail it only under
/// `--deny warnings`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// A correction the corrector made or suggests: information, never a failure
    /// unless asked (`--deny spin`).
    Note,
    Warning,
    Error,
}

/// One problem, with where it is and, if we know one, how to fix it.
#[derive(Debug, Clone, Serialize)]
pub struct Diagnostic {
    /// Stable, greppable code such as `fm/missing-title` or `link/broken`.
    pub code: &'static str,
    pub severity: Severity,
    /// Path relative to the site root where possible (what the user typed).
    pub path: PathBuf,
    /// Byte range into the file; `None` when the problem concerns the whole file.
    pub span: Option<Range<usize>>,
    pub message: String,
    pub help: Option<String>,
}

impl Diagnostic {
    pub fn error(code: &'static str, path: impl Into<PathBuf>, message: impl Into<String>) -> Self {
        Diagnostic {
            code,
            severity: Severity::Error,
            path: path.into(),
            span: None,
            message: message.into(),
            help: None,
        }
    }

    pub fn warning(code: &'static str, path: impl Into<PathBuf>, message: impl Into<String>) -> Self {
        Diagnostic { severity: Severity::Warning, ..Diagnostic::error(code, path, message) }
    }

    pub fn with_span(mut self, span: Range<usize>) -> Self {
        self.span = Some(span);
        self
    }

    pub fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }

    pub fn is_warning(&self) -> bool {
        self.severity == Severity::Warning
    }
}

/// The text of every file a diagnostic may point into, so rendering can show the
/// source line. Files are added as they are read; nothing is read twice.
#[derive(Debug, Default, Clone)]
pub struct SourceMap {
    files: HashMap<PathBuf, Arc<str>>,
}

impl SourceMap {
    pub fn insert(&mut self, path: impl Into<PathBuf>, text: Arc<str>) {
        self.files.insert(path.into(), text);
    }

    pub fn get(&self, path: &Path) -> Option<&str> {
        self.files.get(path).map(|t| &**t)
    }

    pub fn extend(&mut self, other: SourceMap) {
        self.files.extend(other.files);
    }
}

/// 1-based line and column (in characters) of a byte offset.
pub fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let offset = clamp_to_char_boundary(text, offset.min(text.len()));
    let before = &text[..offset];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let col = text[line_start..offset].chars().count() + 1;
    (line, col)
}

/// Byte offset of a 1-based line and column, for tools (Tera) that only report those.
pub fn offset_of(text: &str, line: usize, col: usize) -> usize {
    let mut start = 0;
    for _ in 1..line {
        match text[start..].find('\n') {
            Some(i) => start += i + 1,
            None => return text.len(),
        }
    }
    let line_text = &text[start..text[start..].find('\n').map_or(text.len(), |i| start + i)];
    let col_bytes: usize = line_text.chars().take(col.saturating_sub(1)).map(char::len_utf8).sum();
    start + col_bytes
}

fn clamp_to_char_boundary(text: &str, mut i: usize) -> usize {
    while i > 0 && !text.is_char_boundary(i) {
        i -= 1;
    }
    i
}

/// Maps offsets in edited text (shortcodes expanded, corrections applied)
/// back to the text as written, so diagnostics point at the editor's own bytes.
#[derive(Debug, Default, Clone)]
pub struct OffsetMap {
    /// Replaced regions, in order: (expanded range, source range).
    regions: Vec<(Range<usize>, Range<usize>)>,
}

impl OffsetMap {
    pub fn to_source(&self, offset: usize) -> usize {
        let mut delta: isize = 0;
        for (exp, src) in &self.regions {
            if offset < exp.start {
                break;
            }
            if offset < exp.end {
                return src.start;
            }
            delta = src.end as isize - exp.end as isize;
        }
        (offset as isize + delta).max(0) as usize
    }

    /// Record that `edited` in the new text replaced `source` in the old.
    pub fn push(&mut self, edited: Range<usize>, source: Range<usize>) {
        self.regions.push((edited, source));
    }

    /// The replaced regions as they read in the edited text (for shortcodes:
    /// where their output sits).
    pub fn edited(&self) -> Vec<Range<usize>> {
        self.regions.iter().map(|(e, _)| e.clone()).collect()
    }

    /// The replaced regions, in order: (edited range, source range).
    pub fn regions(&self) -> impl Iterator<Item = (Range<usize>, Range<usize>)> + '_ {
        self.regions.iter().cloned()
    }

    pub fn span_to_source(&self, span: Range<usize>) -> Range<usize> {
        let s = self.to_source(span.start);
        let e = self.to_source(span.end.saturating_sub(1)) + 1;
        s..e.max(s)
    }
}

/// Output formats for a list of diagnostics.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Human,
    Json,
    Github,
    Sarif,
}

/// Render one diagnostic like rustc:
///
/// ```text
/// error[link/broken]: link to a page that does not exist: @/europe/nope.md
///   --> content/europe/minsk.md:12:5
///    |
/// 12 | See [the talks](@/europe/nope.md).
///    |     ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^
///    = help: …
/// ```
pub fn render_human(d: &Diagnostic, sources: &SourceMap, color: bool) -> String {
    let (label, paint) = match d.severity {
        Severity::Error => ("error", "\x1b[1;31m"),
        Severity::Warning => ("warning", "\x1b[1;33m"),
        Severity::Note => ("note", "\x1b[1;36m"),
    };
    let (bold, blue, reset) = if color { ("\x1b[1m", "\x1b[1;34m", "\x1b[0m") } else { ("", "", "") };
    let paint = if color { paint } else { "" };
    let mut out = String::new();
    let _ = writeln!(out, "{paint}{label}[{}]{reset}{bold}: {}{reset}", d.code, d.message);
    let path = d.path.display();
    match (&d.span, sources.get(&d.path)) {
        (Some(span), Some(text)) => {
            let (line, col) = line_col(text, span.start);
            let gutter = line.to_string().len();
            let pad = " ".repeat(gutter);
            let _ = writeln!(out, "{pad}{blue}-->{reset} {path}:{line}:{col}");
            let line_start =
                text[..clamp_to_char_boundary(text, span.start.min(text.len()))].rfind('\n').map_or(0, |i| i + 1);
            let line_end = text[line_start..].find('\n').map_or(text.len(), |i| line_start + i);
            let src_line = text[line_start..line_end].trim_end_matches('\r');
            let end = span.end.clamp(span.start, line_end.max(span.start));
            let width = text
                .get(clamp_to_char_boundary(text, span.start)..clamp_to_char_boundary(text, end))
                .map_or(1, |s| s.chars().count().max(1));
            // Long lines (a paragraph is one line in Markdown) are cut to a
            // window around the span, as rustc does.
            let chars: Vec<char> = src_line.chars().map(|c| if c == '\t' { ' ' } else { c }).collect();
            let skip = col.saturating_sub(1).saturating_sub(50);
            let take = (width + 100).max(100);
            let mut shown: String = chars.iter().skip(skip).take(take).collect();
            let mut caret_col = col - 1 - skip;
            if skip > 0 {
                shown = format!("...{shown}");
                caret_col += 3;
            }
            if skip + take < chars.len() {
                shown.push_str("...");
            }
            let width = width.min(take);
            let _ = writeln!(out, "{pad} {blue}|{reset}");
            let _ = writeln!(out, "{blue}{line} |{reset} {shown}");
            let _ = writeln!(out, "{pad} {blue}|{reset} {}{paint}{}{reset}", " ".repeat(caret_col), "^".repeat(width));
        }
        _ => {
            let _ = writeln!(out, " {blue}-->{reset} {path}");
        }
    }
    if let Some(help) = &d.help {
        let _ = writeln!(out, "  {blue}={reset} {bold}help{reset}: {help}");
    }
    out
}

/// A diagnostic with its position resolved, for JSON output.
#[derive(Serialize)]
struct JsonDiagnostic<'a> {
    code: &'a str,
    severity: Severity,
    path: String,
    line: Option<usize>,
    column: Option<usize>,
    byte_range: Option<[usize; 2]>,
    message: &'a str,
    help: Option<&'a str>,
}

fn resolve<'a>(d: &'a Diagnostic, sources: &SourceMap) -> JsonDiagnostic<'a> {
    let pos = d.span.as_ref().and_then(|s| sources.get(&d.path).map(|t| line_col(t, s.start)));
    JsonDiagnostic {
        code: d.code,
        severity: d.severity,
        path: d.path.display().to_string(),
        line: pos.map(|p| p.0),
        column: pos.map(|p| p.1),
        byte_range: d.span.as_ref().map(|s| [s.start, s.end]),
        message: &d.message,
        help: d.help.as_deref(),
    }
}

/// Render a whole list in the chosen format.
pub fn render_all(diags: &[Diagnostic], sources: &SourceMap, format: Format, color: bool) -> String {
    match format {
        Format::Human => diags.iter().map(|d| render_human(d, sources, color)).collect::<Vec<_>>().join("\n"),
        Format::Json => {
            let list: Vec<_> = diags.iter().map(|d| resolve(d, sources)).collect();
            serde_json::to_string_pretty(&list).unwrap_or_default() + "\n"
        }
        Format::Sarif => sarif(diags, sources),
        Format::Github => {
            let mut out = String::new();
            for d in diags {
                let j = resolve(d, sources);
                let level = match d.severity {
                    Severity::Error => "error",
                    Severity::Warning => "warning",
                    Severity::Note => "notice",
                };
                let _ = write!(out, "::{level} file={}", j.path);
                if let (Some(l), Some(c)) = (j.line, j.column) {
                    let _ = write!(out, ",line={l},col={c}");
                }
                let msg = d.message.replace('%', "%25").replace('\n', "%0A");
                let _ = writeln!(out, ",title={}::{msg}", d.code);
            }
            out
        }
    }
}

/// SARIF 2.1.0, for code-scanning dashboards and editors.
fn sarif(diags: &[Diagnostic], sources: &SourceMap) -> String {
    let results: Vec<serde_json::Value> = diags
        .iter()
        .map(|d| {
            let j = resolve(d, sources);
            let level = match d.severity {
                Severity::Error => "error",
                Severity::Warning => "warning",
                Severity::Note => "note",
            };
            let mut region = serde_json::json!({});
            if let (Some(l), Some(c)) = (j.line, j.column) {
                region = serde_json::json!({"startLine": l, "startColumn": c});
            }
            serde_json::json!({
                "ruleId": d.code,
                "level": level,
                "message": {"text": d.message},
                "locations": [{"physicalLocation": {"artifactLocation": {"uri": j.path}, "region": region}}],
            })
        })
        .collect();
    let doc = serde_json::json!({
        "version": "2.1.0",
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "runs": [{"tool": {"driver": {"name": "attache", "version": env!("CARGO_PKG_VERSION")}}, "results": results}],
    });
    serde_json::to_string_pretty(&doc).unwrap_or_default() + "\n"
}

/// `1 page`, `2 pages`, `0 fixes`, `3 summaries`: a count with its noun in
/// the right number, for every summary line a user reads.
pub fn plural(n: usize, noun: &str) -> String {
    if n == 1 {
        return format!("1 {noun}");
    }
    let bytes = noun.as_bytes();
    let consonant_y = bytes.len() > 1 && bytes[bytes.len() - 1] == b'y' && !b"aeiou".contains(&bytes[bytes.len() - 2]);
    let word = if consonant_y {
        format!("{}ies", &noun[..noun.len() - 1])
    } else if noun.ends_with(['s', 'x']) || noun.ends_with("ch") || noun.ends_with("sh") {
        format!("{noun}es")
    } else {
        format!("{noun}s")
    };
    format!("{n} {word}")
}

/// Sort diagnostics so output order never depends on thread scheduling.
pub fn sort(diags: &mut [Diagnostic]) {
    diags.sort_by(|a, b| {
        let key = |d: &Diagnostic| (d.path.clone(), d.span.as_ref().map(|s| s.start), d.code, d.message.clone());
        key(a).cmp(&key(b))
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plurals() {
        assert_eq!(plural(1, "page"), "1 page");
        assert_eq!(plural(0, "article"), "0 articles");
        assert_eq!(plural(2, "fix"), "2 fixes");
        assert_eq!(plural(3, "summary"), "3 summaries");
        assert_eq!(plural(2, "day"), "2 days");
    }

    #[test]
    fn line_and_column_count_characters() {
        let text = "ab\nçd ef\n";
        assert_eq!(line_col(text, 0), (1, 1));
        assert_eq!(line_col(text, 3), (2, 1));
        assert_eq!(line_col(text, 6), (2, 3));
        assert_eq!(offset_of(text, 2, 3), 6);
    }

    #[test]
    fn human_rendering_shows_line_and_caret() {
        let mut sources = SourceMap::default();
        sources.insert("a.md", Arc::from("one\nsee [x](@/nope.md)\n"));
        let d = Diagnostic::error("link/broken", "a.md", "broken link").with_span(8..20);
        let out = render_human(&d, &sources, false);
        assert!(out.contains("--> a.md:2:5"), "{out}");
        assert!(out.contains("2 | see [x](@/nope.md)"), "{out}");
        assert!(out.contains("    ^^^^^^^^^^^^"), "{out}");
    }
}
