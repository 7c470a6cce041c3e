//! `static/_headers` (read by Netlify and Cloudflare Pages from the published
//! directory): the one rule that must name files the build invents.
//!
//! Hosts match header paths with a `*` splat only, which cannot tell the
//! fingerprinted `style.3f2a9c01de.css` (safe to cache forever) from a plain
//! `style.css` (not safe). So the scaffolded `_headers` carries a marker line,
//! and the build writes one rule per fingerprinted file in its place, each with
//! the header lines indented under the marker.

/// The comment line that stands for "every fingerprinted stylesheet and script".
pub const MARKER: &str = "# attache: fingerprinted assets";

/// `text` with the [`MARKER`] block replaced by one rule per name in `names`
/// (output paths such as `style.3f2a9c01de.css`, under `base_path`). `None`
/// when there is no marker, so the file is published byte for byte.
pub fn expand(text: &str, names: &[String], base_path: &str) -> Option<String> {
    let lines: Vec<&str> = text.lines().collect();
    let at = lines.iter().position(|l| l.trim() == MARKER)?;
    // The header lines of the marker's block: indented, up to the next rule.
    let body: Vec<&str> =
        lines[at + 1..].iter().take_while(|l| l.starts_with([' ', '\t']) && !l.trim().is_empty()).copied().collect();
    let mut out = String::with_capacity(text.len() + names.len() * 64);
    for l in &lines[..at] {
        out.push_str(l);
        out.push('\n');
    }
    let mut sorted: Vec<&String> = names.iter().collect();
    sorted.sort();
    for name in sorted {
        out.push_str(&format!("{}/{name}\n", base_path.trim_end_matches('/')));
        for h in &body {
            out.push_str(h);
            out.push('\n');
        }
    }
    for l in &lines[at + 1 + body.len()..] {
        out.push_str(l);
        out.push('\n');
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn marker_becomes_one_rule_per_fingerprinted_name() {
        let text = format!("# why\n{MARKER}\n  Cache-Control: immutable\n\n/*\n  X-Frame-Options: DENY\n");
        let names = vec!["style.0123456789.css".to_string(), "app.abcdef0123.js".to_string()];
        let out = expand(&text, &names, "/sub").unwrap();
        assert_eq!(
            out,
            "# why\n/sub/app.abcdef0123.js\n  Cache-Control: immutable\n/sub/style.0123456789.css\n  Cache-Control: immutable\n\n/*\n  X-Frame-Options: DENY\n"
        );
        assert!(!out.contains("/style.css"));
        assert_eq!(expand("/*\n  X: y\n", &names, ""), None);
    }
}
