//! `attache correct FILE.md`: print the corrected Markdown of one file (or `-`
//! for stdin), a unified diff with `--diff`, or every change as JSON.
//! Works on any Markdown file, inside a site or not.

use std::io::{Read, Write};
use std::process::ExitCode;

use anyhow::{Context, Result};
use serde::Serialize;

use crate::cli::{CorrectArgs, CorrectFormat};
use crate::correct::{self, Change, Corrector};
use crate::diagnostics::line_col;

#[derive(Serialize)]
struct JsonChange<'a> {
    line: usize,
    column: usize,
    byte_range: [usize; 2],
    before: &'a str,
    after: &'a str,
    rule: &'a str,
    confidence: f32,
    status: &'static str,
    reason: &'a str,
}

#[derive(Serialize)]
struct JsonReport<'a> {
    file: String,
    spun: bool,
    spin_score: f32,
    odd_per_k: f32,
    words: usize,
    changes: Vec<JsonChange<'a>>,
}

pub(crate) fn read_input(path: &std::path::Path) -> Result<Vec<u8>> {
    if path.as_os_str() == "-" {
        let mut buf = Vec::new();
        std::io::stdin().read_to_end(&mut buf).context("could not read standard input")?;
        Ok(buf)
    } else {
        crate::fs::read(path)
    }
}

pub fn run(args: &CorrectArgs) -> Result<ExitCode> {
    let bytes = read_input(&args.file)?;
    let text = match String::from_utf8(bytes) {
        Ok(t) => t,
        Err(e) => {
            let at = e.utf8_error().valid_up_to();
            let lossy = String::from_utf8_lossy(e.as_bytes()).into_owned();
            let (l, c) = line_col(&lossy, at);
            anyhow::bail!("{}:{l}:{c}: not valid UTF-8; nothing was changed", args.file.display());
        }
    };
    let corrector = Corrector::builtin(&args.lang).map_err(|e| anyhow::anyhow!("{e}"))?;
    let keep = crate::cmd::fix::front_matter_keep(&text);
    if crate::cmd::fix::front_matter_says_no(&text) {
        print!("{text}");
        return Ok(ExitCode::SUCCESS);
    }
    let mode = crate::cmd::fix::front_matter_mode(&text).unwrap_or(corrector.config.mode);
    let report = corrector.check_in(&text, &corrector.options(&keep), mode);
    let corrected = correct::apply(&text, &report.changes);
    let mut out = std::io::stdout().lock();
    match args.format {
        CorrectFormat::Json => {
            let changes = report.changes.iter().map(|c| json_change(&text, c)).collect();
            let r = JsonReport {
                file: args.file.display().to_string(),
                spun: report.spun,
                spin_score: report.spin_score,
                odd_per_k: report.odd_per_k,
                words: report.words,
                changes,
            };
            serde_json::to_writer_pretty(&mut out, &r)?;
            writeln!(out)?;
        }
        CorrectFormat::Markdown if args.diff => {
            write!(out, "{}", unified_diff(&args.file.display().to_string(), &text, &corrected))?;
        }
        CorrectFormat::Markdown => write!(out, "{corrected}")?,
    }
    Ok(ExitCode::SUCCESS)
}

fn json_change<'a>(text: &str, c: &'a Change) -> JsonChange<'a> {
    let (line, column) = line_col(text, c.span.start);
    JsonChange {
        line,
        column,
        byte_range: [c.span.start, c.span.end],
        before: &c.before,
        after: &c.after,
        rule: c.rule,
        confidence: c.confidence,
        status: if c.applied { "applied" } else { "suggested" },
        reason: &c.reason,
    }
}

/// A line-based unified diff (three lines of context), enough for review and `patch`.
pub(crate) fn unified_diff(name: &str, old: &str, new: &str) -> String {
    let a: Vec<&str> = old.split_inclusive('\n').collect();
    let b: Vec<&str> = new.split_inclusive('\n').collect();
    if a == b {
        return String::new();
    }
    // Changes never add or remove lines except inside a line, so lines pair up
    // unless a change spans a newline; fall back to one hunk for the rest.
    let mut out = format!("--- a/{name}\n+++ b/{name}\n");
    if a.len() != b.len() {
        out.push_str(&format!("@@ -1,{} +1,{} @@\n", a.len(), b.len()));
        a.iter().for_each(|l| push_line(&mut out, '-', l));
        b.iter().for_each(|l| push_line(&mut out, '+', l));
        return out;
    }
    let changed: Vec<usize> = (0..a.len()).filter(|&i| a[i] != b[i]).collect();
    let mut i = 0;
    while i < changed.len() {
        let start = changed[i].saturating_sub(3);
        let mut end = (changed[i] + 4).min(a.len());
        let mut j = i + 1;
        while j < changed.len() && changed[j] < end + 3 {
            end = (changed[j] + 4).min(a.len());
            j += 1;
        }
        out.push_str(&format!("@@ -{},{} +{},{} @@\n", start + 1, end - start, start + 1, end - start));
        for k in start..end {
            if a[k] == b[k] {
                push_line(&mut out, ' ', a[k]);
            } else {
                push_line(&mut out, '-', a[k]);
                push_line(&mut out, '+', b[k]);
            }
        }
        i = j;
    }
    out
}

fn push_line(out: &mut String, mark: char, line: &str) {
    out.push(mark);
    out.push_str(line);
    if !line.ends_with('\n') {
        out.push_str("\n\\ No newline at end of file\n");
    }
}
