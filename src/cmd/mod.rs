//! One module per subcommand; each exposes `run(&Args) -> Result<ExitCode>`.

pub mod build;
pub mod check;
pub mod correct;
pub mod deploy;
pub mod fix;
pub mod init;
pub mod new;

use std::io::IsTerminal;

use crate::diagnostics::{Diagnostic, Format, SourceMap, render_all};

/// Exit codes: 0 clean, 1 problems found in the site, 2 could not run.
pub const EXIT_PROBLEMS: u8 = 1;
pub const EXIT_ERROR: u8 = 2;

/// Print diagnostics to stderr (human) or stdout (machine formats), then a count.
pub(crate) fn report(diags: &[Diagnostic], sources: &SourceMap, format: Format) {
    let color = format == Format::Human && std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none();
    let text = render_all(diags, sources, format, color);
    if format == Format::Human {
        if !text.is_empty() {
            eprintln!("{text}");
        }
        let errors = diags.iter().filter(|d| d.is_error()).count();
        let warnings = diags.iter().filter(|d| d.is_warning()).count();
        if errors > 0 || warnings > 0 {
            eprintln!("{}", count_line(errors, warnings));
        }
    } else {
        print!("{text}");
    }
}

fn count_line(errors: usize, warnings: usize) -> String {
    let plural = |n: usize, w: &str| if n == 1 { format!("{n} {w}") } else { format!("{n} {w}s") };
    match (errors, warnings) {
        (0, w) => format!("{} found", plural(w, "warning")),
        (e, 0) => format!("{} found", plural(e, "error")),
        (e, w) => format!("{} and {} found", plural(e, "error"), plural(w, "warning")),
    }
}
