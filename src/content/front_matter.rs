//! Front matter: `+++` TOML or `---` YAML at the top of an article.
//!
//! Both syntaxes are parsed into one generic table first and the fields are then
//! read by hand, so every problem (an unknown key, a wrong type, a bad date) can
//! point at the exact line of the key, whichever syntax the editor used.

use std::ops::Range;
use std::path::Path;

use chrono::{DateTime, NaiveDate, NaiveDateTime};

use crate::diagnostics::Diagnostic;

/// Where the front matter and the body sit in a file.
#[derive(Debug, Clone)]
pub struct Split {
    pub front: Range<usize>,
    pub body_start: usize,
    pub yaml: bool,
}

/// Find the front matter block. The opening fence must be the first line (after
/// an optional BOM); the closing fence is the next line consisting of the same
/// fence alone.
pub fn split(path: &Path, text: &str) -> Result<Split, Diagnostic> {
    let bom = if text.starts_with('\u{feff}') { 3 } else { 0 };
    let start = fence_start(text, bom);
    let rest = &text[start..];
    let fence = if rest.starts_with("+++") {
        "+++"
    } else if rest.starts_with("---") {
        "---"
    } else {
        return Err(Diagnostic::error("fm/missing", path, "this article has no front matter")
            .with_span(start..start + rest.find('\n').unwrap_or(rest.len()).min(1))
            .with_help("start the file with a `+++` line, `title = \"…\"`, and another `+++` line"));
    };
    let first_nl = match rest.find('\n') {
        Some(i) if rest[..i].trim_end() == fence => i,
        _ => {
            return Err(Diagnostic::error(
                "fm/unclosed",
                path,
                format!("front matter opens with `{fence}` but never closes"),
            )
            .with_span(start..start + 3));
        }
    };
    let front_start = start + first_nl + 1;
    let mut pos = front_start;
    loop {
        let line_end = text[pos..].find('\n').map_or(text.len(), |i| pos + i);
        let line = text[pos..line_end].trim_end_matches('\r');
        if line.trim_end() == fence {
            let body_start = (line_end + 1).min(text.len());
            return Ok(Split { front: front_start..pos, body_start, yaml: fence == "---" });
        }
        if line_end >= text.len() {
            return Err(Diagnostic::error(
                "fm/unclosed",
                path,
                format!("front matter opens with `{fence}` but never closes"),
            )
            .with_span(start..start + 3)
            .with_help(format!("add a line with `{fence}` alone after the last front-matter key")));
        }
        pos = line_end + 1;
    }
}

/// Where the opening fence is: Zola lets blank lines come before it (files
/// written by scripts often start with one), so they are skipped when a
/// fence follows them; otherwise the file starts at `from`.
fn fence_start(text: &str, from: usize) -> usize {
    let rest = &text[from..];
    let trimmed = rest.trim_start();
    if trimmed.starts_with("+++") || trimmed.starts_with("---") { from + rest.len() - trimmed.len() } else { from }
}

/// Parse the front-matter text into a generic table.
pub fn parse_table(path: &Path, text: &str, split: &Split) -> Result<toml::Table, Diagnostic> {
    let src = &text[split.front.clone()];
    if split.yaml {
        if src.trim().is_empty() {
            return Ok(toml::Table::new());
        }
        let value: serde_yaml::Value = serde_yaml::from_str(src).map_err(|e| {
            let mut d = Diagnostic::error(
                "fm/invalid-yaml",
                path,
                format!("invalid YAML front matter: {}", strip_location(&e.to_string())),
            );
            if let Some(loc) = e.location() {
                d = d.with_span(split.front.start + loc.index()..split.front.start + loc.index() + 1);
            }
            d
        })?;
        match yaml_to_toml(&value) {
            Some(toml::Value::Table(t)) => Ok(t),
            _ => {
                Err(Diagnostic::error("fm/invalid-yaml", path, "YAML front matter must be a mapping of keys to values")
                    .with_span(split.front.start..split.front.start))
            }
        }
    } else {
        toml::from_str::<toml::Table>(src).map_err(|e| {
            let mut d = Diagnostic::error(
                "fm/invalid-toml",
                path,
                format!("invalid TOML front matter: {}", e.message().trim()),
            );
            if let Some(span) = e.span() {
                d = d.with_span(split.front.start + span.start..split.front.start + span.end.max(span.start + 1));
            }
            d
        })
    }
}

fn strip_location(msg: &str) -> String {
    match msg.find(" at line ") {
        Some(i) => msg[..i].to_string(),
        None => msg.to_string(),
    }
}

fn yaml_to_toml(v: &serde_yaml::Value) -> Option<toml::Value> {
    use serde_yaml::Value as Y;
    Some(match v {
        Y::Null => return None,
        Y::Bool(b) => toml::Value::Boolean(*b),
        Y::Number(n) => match n.as_i64() {
            Some(i) => toml::Value::Integer(i),
            None => toml::Value::Float(n.as_f64()?),
        },
        Y::String(s) => toml::Value::String(s.clone()),
        Y::Sequence(items) => toml::Value::Array(items.iter().filter_map(yaml_to_toml).collect()),
        Y::Mapping(m) => {
            let mut t = toml::Table::new();
            for (k, v) in m {
                let key = match k {
                    Y::String(s) => s.clone(),
                    Y::Number(n) => n.to_string(),
                    Y::Bool(b) => b.to_string(),
                    _ => continue,
                };
                if let Some(v) = yaml_to_toml(v) {
                    t.insert(key, v);
                }
            }
            toml::Value::Table(t)
        }
        Y::Tagged(t) => return yaml_to_toml(&t.value),
    })
}

/// Byte span of `key` as written in the front matter (`key =` or `key:`), so a
/// problem with its value points at its line.
pub fn key_span(text: &str, split: &Split, key: &str) -> Range<usize> {
    let front = &text[split.front.clone()];
    let mut offset = 0;
    for line in front.split_inclusive('\n') {
        let trimmed = line.trim_start();
        if let Some(rest) = trimmed.strip_prefix(key) {
            let rest = rest.trim_start();
            if rest.starts_with('=') || rest.starts_with(':') {
                let indent = line.len() - trimmed.len();
                let start = split.front.start + offset + indent;
                return start..start + key.len();
            }
        }
        offset += line.len();
    }
    // Not found by name (e.g. inside an inline table): point at the opening fence.
    let s = split.front.start.saturating_sub(4);
    s..s + 3
}

/// A validated date: the text given to templates and a key to sort by.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Date {
    /// Seconds since the epoch (UTC), for sorting.
    pub timestamp: i64,
    /// `YYYY-MM-DD`, or RFC 3339 when a time was given.
    pub text: String,
}

impl Date {
    pub fn parse(raw: &str) -> Option<Date> {
        let raw = raw.trim();
        if let Ok(d) = NaiveDate::parse_from_str(raw, "%Y-%m-%d") {
            let ts = d.and_hms_opt(0, 0, 0)?.and_utc().timestamp();
            return Some(Date { timestamp: ts, text: d.format("%Y-%m-%d").to_string() });
        }
        if let Ok(d) = DateTime::parse_from_rfc3339(raw) {
            return Some(Date { timestamp: d.timestamp(), text: d.to_rfc3339() });
        }
        for fmt in ["%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"] {
            if let Ok(d) = NaiveDateTime::parse_from_str(raw, fmt) {
                let utc = d.and_utc();
                return Some(Date { timestamp: utc.timestamp(), text: utc.to_rfc3339() });
            }
        }
        None
    }

    /// RFC 3339 with a time, as Atom feeds require.
    pub fn rfc3339(&self) -> String {
        DateTime::from_timestamp(self.timestamp, 0).map_or_else(String::new, |d| d.to_rfc3339())
    }
}

/// Reads typed fields out of a front-matter table, collecting a diagnostic for
/// each problem instead of stopping at the first.
pub struct Fields<'a> {
    pub path: &'a Path,
    pub text: &'a str,
    pub split: &'a Split,
    pub table: toml::Table,
    pub diags: Vec<Diagnostic>,
}

impl<'a> Fields<'a> {
    pub fn new(path: &'a Path, text: &'a str, split: &'a Split, table: toml::Table) -> Self {
        Fields { path, text, split, table, diags: Vec::new() }
    }

    fn wrong_type(&mut self, key: &str, expected: &str) {
        let span = key_span(self.text, self.split, key);
        self.diags.push(
            Diagnostic::error("fm/invalid-value", self.path, format!("`{key}` must be {expected}")).with_span(span),
        );
    }

    pub fn string(&mut self, key: &str) -> Option<String> {
        match self.table.remove(key)? {
            toml::Value::String(s) => Some(s),
            _ => {
                self.wrong_type(key, "a string in quotes");
                None
            }
        }
    }

    pub fn bool(&mut self, key: &str) -> Option<bool> {
        match self.table.remove(key)? {
            toml::Value::Boolean(b) => Some(b),
            _ => {
                self.wrong_type(key, "true or false");
                None
            }
        }
    }

    pub fn int(&mut self, key: &str) -> Option<i64> {
        match self.table.remove(key)? {
            toml::Value::Integer(i) => Some(i),
            _ => {
                self.wrong_type(key, "a whole number");
                None
            }
        }
    }

    pub fn positive(&mut self, key: &str) -> Option<usize> {
        let v = self.int(key)?;
        if v <= 0 {
            self.wrong_type(key, "a number above 0");
            return None;
        }
        usize::try_from(v).ok()
    }

    pub fn strings(&mut self, key: &str) -> Vec<String> {
        match self.table.remove(key) {
            None => Vec::new(),
            Some(toml::Value::String(s)) => vec![s],
            Some(toml::Value::Array(items)) if items.iter().all(|v| v.is_str()) => {
                items.into_iter().filter_map(|v| v.as_str().map(str::to_string)).collect()
            }
            Some(_) => {
                self.wrong_type(key, "a list of strings, like [\"a\", \"b\"]");
                Vec::new()
            }
        }
    }

    pub fn date(&mut self, key: &str) -> Option<Date> {
        let raw = match self.table.remove(key)? {
            toml::Value::String(s) => s,
            toml::Value::Datetime(d) => d.to_string(),
            _ => {
                self.wrong_type(key, "a date like 2025-03-14");
                return None;
            }
        };
        let date = Date::parse(&raw);
        if date.is_none() {
            let span = key_span(self.text, self.split, key);
            self.diags.push(
                Diagnostic::error("fm/invalid-date", self.path, format!("`{key}` is not a valid date: `{raw}`"))
                    .with_span(span)
                    .with_help("write dates as YYYY-MM-DD, or RFC 3339 such as 2025-03-14T09:30:00Z"),
            );
        }
        date
    }

    pub fn table(&mut self, key: &str) -> toml::Table {
        match self.table.remove(key) {
            None => toml::Table::new(),
            Some(toml::Value::Table(t)) => t,
            Some(_) => {
                self.wrong_type(key, "a table");
                toml::Table::new()
            }
        }
    }

    /// A key Zola knows and Attaché accepts but does not act on yet: a
    /// warning at the key saying what happens instead, never silence.
    pub fn unimplemented(&mut self, key: &str, what: &str) {
        let span = key_span(self.text, self.split, key);
        self.diags.push(
            Diagnostic::warning(
                "fm/unimplemented",
                self.path,
                format!("`{key}` is accepted but not implemented yet: {what}"),
            )
            .with_span(span),
        );
    }

    /// Keys Zola knows only in the other kind of file (`sort_by` in a page,
    /// `date` in a section): Zola ignores them there (sections before
    /// 0.19), so themes written for it carry them. A warning each, at the
    /// key, instead of an unknown-key error.
    pub fn ignore_foreign(&mut self, foreign: &[&str], own: &[&str], kind: &str) {
        let here = if kind == "section" { "page" } else { "section" };
        let keys: Vec<String> = self
            .table
            .keys()
            .filter(|k| foreign.contains(&k.as_str()) && !own.contains(&k.as_str()))
            .cloned()
            .collect();
        for key in keys {
            self.table.remove(&key);
            let span = key_span(self.text, self.split, &key);
            self.diags.push(
                Diagnostic::warning(
                    "fm/ignored-key",
                    self.path,
                    format!("`{key}` is a {kind} key: it has no effect in a {here}, as in Zola"),
                )
                .with_span(span)
                .with_help("remove it, or move it under [extra] if a template reads it"),
            );
        }
    }

    /// Report every key left unread as unknown, suggesting the closest known one.
    pub fn finish(mut self, known: &[&str]) -> Vec<Diagnostic> {
        let left: Vec<String> = self.table.keys().cloned().collect();
        for key in left {
            let span = key_span(self.text, self.split, &key);
            let mut d = Diagnostic::error("fm/unknown-key", self.path, format!("unknown front-matter key `{key}`"))
                .with_span(span);
            let extra = if self.split.yaml { "an `extra:` mapping" } else { "[extra]" };
            if let Some(help) = migration_help(&key, self.table.get(&key), self.split.yaml) {
                d = d.with_help(help);
            } else if let Some(best) = closest(&key, known.iter().copied()) {
                d = d.with_help(format!("did you mean `{best}`? Free-form values go under {extra}"));
            } else {
                d = d.with_help(format!("free-form values go under {extra}"));
            }
            self.diags.push(d);
        }
        self.diags
    }
}

/// How Attaché writes a key that Hugo or Zola sites use (`lastmod`,
/// `summary`, top-level `tags`/`categories`), in the syntax of the file's own
/// front matter, so a migrating editor can copy the suggestion as it is.
fn migration_help(key: &str, value: Option<&toml::Value>, yaml: bool) -> Option<String> {
    let shown = |v: Option<&toml::Value>, fallback: &str| match v {
        Some(toml::Value::String(s)) if yaml => s.clone(),
        Some(toml::Value::String(s)) => format!("{s:?}"),
        Some(toml::Value::Datetime(d)) => d.to_string(),
        Some(toml::Value::Array(items)) => {
            let items: Vec<String> = items.iter().filter_map(|i| i.as_str().map(|s| format!("{s:?}"))).collect();
            format!("[{}]", items.join(", "))
        }
        _ => fallback.to_string(),
    };
    match key {
        "lastmod" => {
            let v = shown(value, "2025-06-01");
            Some(if yaml {
                format!("Attaché calls the date of the last update `updated`: write `updated: {v}`")
            } else {
                format!("Attaché calls the date of the last update `updated`: write `updated = {v}`")
            })
        }
        "summary" => Some(
            "Attaché takes the summary from the article: put a line `<!-- more -->` after the paragraphs that \
             make it (`description` holds a one-line dek)"
                .to_string(),
        ),
        "tags" | "categories" => {
            let v = shown(value, "[\"…\"]");
            Some(if yaml {
                format!(
                    "terms go under `taxonomies:`, as `taxonomies:` then `  {key}: {v}` on the next line; \
                     declare the taxonomy in config.toml as [taxonomies.{key}]"
                )
            } else {
                format!(
                    "terms go in the [taxonomies] table, as `[taxonomies]` then `{key} = {v}` at the end of the \
                     front matter; declare the taxonomy in config.toml as [taxonomies.{key}]"
                )
            })
        }
        _ => None,
    }
}

/// The candidate closest to `word`, if it is close enough to be a likely typo.
pub fn closest<'c>(word: &str, candidates: impl Iterator<Item = &'c str>) -> Option<&'c str> {
    let lower = word.to_lowercase();
    candidates
        .map(|c| {
            let c_lower = c.to_lowercase();
            // Jaro-Winkler favours a shared beginning, which is how names are
            // usually misspelt ("Belorussia" → "Belarus", not "Russia").
            let score =
                strsim::jaro_winkler(&lower, &c_lower).max(strsim::normalized_damerau_levenshtein(&lower, &c_lower));
            (score, c)
        })
        .filter(|(score, _)| *score >= 0.8)
        .max_by(|a, b| a.0.total_cmp(&b.0).then_with(|| b.1.cmp(a.1)))
        .map(|(_, c)| c)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_toml_and_yaml() {
        let text = "+++\ntitle = \"A\"\n+++\nBody";
        let s = split(Path::new("a.md"), text).unwrap();
        assert_eq!(&text[s.front.clone()], "title = \"A\"\n");
        assert_eq!(&text[s.body_start..], "Body");
        let text = "---\r\ntitle: A\r\n---\r\nBody";
        let s = split(Path::new("a.md"), text).unwrap();
        assert!(s.yaml);
        assert_eq!(&text[s.body_start..], "Body");
    }

    #[test]
    fn unclosed_front_matter_is_an_error() {
        let err = split(Path::new("a.md"), "+++\ntitle = \"A\"\nBody").unwrap_err();
        assert_eq!(err.code, "fm/unclosed");
    }

    #[test]
    fn dates() {
        assert_eq!(Date::parse("2025-03-14").unwrap().text, "2025-03-14");
        assert!(Date::parse("2025-02-30").is_none());
        assert!(Date::parse("2025-03-14T09:30:00Z").is_some());
    }

    #[test]
    fn suggestions() {
        assert_eq!(closest("Belorussia", ["Belarus", "Belgium", "Russia"].into_iter()), Some("Belarus"));
        assert_eq!(closest("titel", ["title", "date"].into_iter()), Some("title"));
        assert_eq!(closest("zzz", ["title", "date"].into_iter()), None);
    }
}
