//! Tab-separated data files that editors can read and extend.
//!
//! `#` starts a comment line; blank lines are skipped; every other line must
//! have exactly the expected number of columns. A malformed line is an error
//! naming the file and line, never a silently dropped entry.

use std::fmt;

/// A data-file problem, with its position.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DataError {
    pub file: String,
    pub line: usize,
    pub message: String,
}

impl fmt::Display for DataError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}: {}", self.file, self.line, self.message)
    }
}

impl std::error::Error for DataError {}

/// One data row: its 1-based line number and its columns.
pub struct Row<'a> {
    pub line: usize,
    pub cols: Vec<&'a str>,
}

/// Parse `text` into rows of `min..=max` columns (trailing empty columns of
/// optional notes may be omitted).
pub fn parse<'a>(file: &str, text: &'a str, min: usize, max: usize) -> Result<Vec<Row<'a>>, DataError> {
    let mut rows = Vec::new();
    for (i, raw) in text.lines().enumerate() {
        let line = raw.trim_end_matches('\r');
        if line.trim().is_empty() || line.starts_with('#') {
            continue;
        }
        let cols: Vec<&str> = line.split('\t').collect();
        if cols.len() < min || cols.len() > max {
            let expected = if min == max { min.to_string() } else { format!("{min} to {max}") };
            return Err(DataError {
                file: file.to_string(),
                line: i + 1,
                message: format!("expected {expected} tab-separated columns, found {}", cols.len()),
            });
        }
        if cols[..min].iter().any(|c| c.trim().is_empty()) {
            return Err(DataError {
                file: file.to_string(),
                line: i + 1,
                message: "a required column is empty".into(),
            });
        }
        rows.push(Row { line: i + 1, cols });
    }
    Ok(rows)
}

#[cfg(test)]
mod tests {
    #[test]
    fn malformed_line_is_named() {
        let err = super::parse("x.tsv", "# c\na\tb\nonly-one\n", 2, 2).err().unwrap();
        assert_eq!(err.to_string(), "x.tsv:3: expected 2 tab-separated columns, found 1");
        assert_eq!(super::parse("x.tsv", "a\tb\r\n\n", 2, 3).unwrap().len(), 1);
    }
}
