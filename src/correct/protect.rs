//! What is not prose although a Markdown parser hands it over as text.
//!
//! pulldown-cmark knows code spans, code blocks and HTML, but math
//! (`$…$`, `$$…$$`, `\(…\)`, `\[…\]`, `\begin{x}…\end{x}`), template and
//! shortcode calls (`{{ … }}`, `{% … %}`, `{{< … >}}`, `{{% … %}}`),
//! attribute lists (`{: .note}`, `{#id .class}`), TeX commands, backslash
//! escapes (`\---`), URLs, file paths and identifiers all reach it as plain
//! text. Technical documentation is full of them, and a corrector that reads
//! them as words strips TeX braces as "spintax", counts them as spin evidence
//! and rewrites the page. [`ranges`] finds those bytes so that the corrector
//! neither changes them nor draws evidence from them.
//!
//! It errs on the side of protecting: a protected stretch of real prose only
//! costs a correction, a changed formula costs the reader the formula.

use std::ops::Range;
use std::sync::LazyLock;

use regex::Regex;

/// Longest inline math (`$…$`, `\(…\)`) we look for a closing delimiter in:
/// real inline formulas are far shorter, and the cap keeps a page full of
/// prices (`$5 and $10 …`) linear.
const INLINE_MATH_MAX: usize = 4000;

/// Byte ranges of `body` that are not prose, sorted and merged. `opaque` are
/// ranges the Markdown parser already knows as code or HTML: a `$` or a
/// brace inside them delimits nothing.
pub fn ranges(body: &str, opaque: &[Range<usize>]) -> Vec<Range<usize>> {
    let mut opaque: Vec<Range<usize>> = opaque.to_vec();
    let mut out: Vec<Range<usize>> = Vec::new();
    // Templates first: `{{ $x := 1 }}` is not the start of a formula.
    for re in [&*TEMPLATE_BLOCK, &*TEMPLATE] {
        out.extend(re.find_iter(body).map(|m| m.range()));
    }
    opaque.extend(out.iter().cloned());
    let opaque = merge(opaque);
    let mut math = Vec::new();
    if body.contains('$') {
        dollar_math(body, &opaque, &mut math);
    }
    if body.contains('\\') {
        bracket_math(body, &opaque, &mut math);
        environments(body, &mut math);
    }
    out.extend(math);
    out.extend(token_ranges(body));
    if body.contains('\\') {
        tex_commands(body, &mut out);
    }
    let so_far = merge(std::mem::take(&mut out));
    if body.contains('{') {
        braces(body, &so_far, &mut out);
    }
    out.extend(so_far);
    merge(out)
}

/// Template calls of every generator the docs we read use, and the paired
/// Liquid/Hugo blocks whose body is code (`{% raw %}…{% endraw %}`).
static TEMPLATE: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"(?s)\{\{.*?\}\}|\{%.*?%\}").expect("static regex"));
static TEMPLATE_BLOCK: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(concat!(
        r"(?s)\{%-?\s*raw\s*-?%\}.*?\{%-?\s*endraw\s*-?%\}",
        r"|\{%-?\s*highlight(?-u:\b).*?\{%-?\s*endhighlight\s*-?%\}",
        r"|\{%-?\s*comment\s*-?%\}.*?\{%-?\s*endcomment\s*-?%\}",
        r"|\{\{[<%]\s*(?:highlight|hl|code[\w-]*)(?-u:\b).*?\{\{[<%]\s*/\s*(?:highlight|hl|code[\w-]*)\s*[>%]\}\}",
    ))
    .expect("static regex")
});

/// Single tokens that are not prose. Where a pattern needs the character
/// before it (a path starts after a space), the protected part is group `p`.
static TOKENS: LazyLock<Regex> = LazyLock::new(|| {
    let patterns = [
        // URLs and e-mail addresses.
        r#"(?i:(?-u:\b)(?:[a-z][a-z0-9+.-]*://|www\.|mailto:)[^\s<>`]*[^\s<>`.,;:!?'")\]])"#,
        r"[\w.+-]+@[\w-]+\.[\w.-]*\w",
        // Paths: /usr/bin, ./x, ~/.config, content/posts/a.md, C:\Users.
        r"(?:(?m:^)|[\s(\[])(?P<p>(?:~|\.\.?)?/[\w.@~+%-]+(?:/[\w.@~+%-]*)*|[\w.@~+-]+(?:/[\w.@~+%-]+)+/?|[A-Za-z]:\\[\w\\.-]+)",
        // File names with a known extension; dotfiles and template dot-paths (.Site.Title).
        r"(?-u:\b)[\w-]+(?:\.[\w-]+)*\.(?:md|markdown|html?|toml|ya?ml|json|js|mjs|cjs|ts|tsx|jsx|css|scss|sass|less|rs|go|py|rb|sh|txt|xml|svg|png|jpe?g|gif|webp|avif|ico|pdf|zip|gz|lock|hbs|liquid|tmpl|gotmpl|conf|cfg|ini|env|lua|php|java|c|h|cpp|woff2?|ttf|otf|csv|tsv|wasm|mod|sum)(?-u:\b)",
        r"(?:(?m:^)|[\s(\[])(?P<q>\.[A-Za-z_][\w-]*(?:\.[\w-]+)*)",
        // Identifiers: snake_case, camelCase, dotted.names, --options.
        r"(?-u:\b)[A-Za-z0-9]+(?:_[A-Za-z0-9]+)+(?-u:\b)",
        r"(?-u:\b)[a-z]+[A-Z][A-Za-z0-9]*(?-u:\b)",
        r"(?-u:\b)[a-z][a-z0-9]*(?:\.[a-z_][a-z0-9_]*)+(?-u:\b)",
        // Calls written out in prose: fmt.Println("x"), len(x).
        r"(?-u:\b)[A-Za-z_][\w.]*\([^()\n]*\)",
        r"(?:(?m:^)|[\s(\[])(?P<r>--?[A-Za-z][\w-]*(?:=\S*)?)",
        // Icon and emoji shortcodes (:material-check:), keys (++ctrl+c++).
        r"(?:(?m:^)|\s)(?P<s>:[a-z0-9][a-z0-9_+-]*:)",
        r"\+\+[^\s+](?:[^\n]*?[^\s+])?\+\+",
        // Admonition and tab heads (!!! note "Title", === "Tab"), alerts ([!NOTE]).
        r"(?m:^[ \t]*(?:!!!|\?\?\?\+?|===)[ \t][^\n]*)",
        r"\[![A-Za-z]+\][+-]?",
        // Inline HTML whose content is code or math.
        r"(?is:<(?:code|kbd|pre|samp|var|tt)(?-u:\b)[^>]*>.*?</(?:code|kbd|pre|samp|var|tt)\s*>)",
        r"(?is:<(?:script|style|math|svg)(?-u:\b)[^>]*>.*?</(?:script|style|math|svg)\s*>)",
    ];
    Regex::new(&patterns.join("|")).expect("static regex")
});

/// The protected part of every [`TOKENS`] match in `body`: a named group
/// where the pattern needed the character before it, else the whole match;
/// found without capturing (that
/// costs more than the search itself). A match that starts with a space,
/// `(` or `[` is one of the patterns that need the character before them,
/// and its group is the rest of the match, unless it is an admonition head
/// (indented `!!!`, `???`, `===`) or an alert (`[!NOTE]`), which have no
/// group. Any other match is its group, or has none.
fn token_ranges(body: &str) -> impl Iterator<Item = Range<usize>> + '_ {
    TOKENS.find_iter(body).map(|m| {
        let s = m.as_str();
        let Some(lead) = s.chars().next().filter(|c| c.is_whitespace() || *c == '(' || *c == '[') else {
            return m.range();
        };
        let head = s.trim_start_matches([' ', '\t']);
        if s.starts_with("[!") || ["!!!", "???", "==="].iter().any(|h| head.starts_with(h)) {
            return m.range();
        }
        m.start() + lead.len_utf8()..m.end()
    })
}

/// Whether `at` lies inside one of `ranges` (sorted, merged).
fn inside(ranges: &[Range<usize>], at: usize) -> bool {
    let i = ranges.partition_point(|r| r.end <= at);
    ranges.get(i).is_some_and(|r| r.start <= at)
}

/// Sort and merge overlapping or touching ranges.
pub fn merge(mut v: Vec<Range<usize>>) -> Vec<Range<usize>> {
    v.retain(|r| r.start < r.end);
    v.sort_by_key(|r| r.start);
    let mut out: Vec<Range<usize>> = Vec::with_capacity(v.len());
    for r in v {
        match out.last_mut() {
            Some(last) if r.start <= last.end => last.end = last.end.max(r.end),
            _ => out.push(r),
        }
    }
    out
}

/// Whether a blank line starts at byte `i` (a newline followed by a line of
/// spaces only): a paragraph ends there, and inline math with it.
fn blank_line_at(b: &[u8], i: usize) -> bool {
    if b[i] != b'\n' {
        return false;
    }
    let rest = &b[i + 1..];
    let n = rest.iter().take_while(|c| **c == b' ' || **c == b'\t' || **c == b'\r').count();
    rest.get(n).is_none_or(|c| *c == b'\n')
}

/// `$…$` and `$$…$$` by pandoc's rules, so "$5 and $10" stays money: the
/// opening `$` is followed by a non-space, the closing one preceded by a
/// non-space and not followed by a digit; `\$` is no delimiter.
fn dollar_math(body: &str, opaque: &[Range<usize>], out: &mut Vec<Range<usize>>) {
    let b = body.as_bytes();
    let delimiter = |i: usize| b[i] == b'$' && !inside(opaque, i) && (i == 0 || b[i - 1] != b'\\');
    let mut display_done = false;
    // Below this position no `$` closes inline math (closers do not depend on
    // the opener), so later openers need not scan that stretch again.
    let mut no_closer_until = 0usize;
    let mut i = 0;
    while i < b.len() {
        if !delimiter(i) {
            i += 1;
            continue;
        }
        if b.get(i + 1) == Some(&b'$') {
            if display_done {
                i += 2;
                continue;
            }
            let mut k = i + 2;
            let close = loop {
                match body[k.min(b.len())..].find("$$") {
                    Some(d) if delimiter(k + d) => break Some(k + d),
                    Some(d) => k += d + 2,
                    None => break None,
                }
            };
            match close {
                Some(c) => {
                    out.push(i..c + 2);
                    i = c + 2;
                }
                None => {
                    display_done = true;
                    i += 2;
                }
            }
            continue;
        }
        if b.get(i + 1).is_none_or(u8::is_ascii_whitespace) {
            i += 1;
            continue;
        }
        let limit = (i + INLINE_MATH_MAX).min(b.len());
        let mut k = (i + 2).max(no_closer_until);
        let mut close = None;
        while k < limit {
            if blank_line_at(b, k) {
                break;
            }
            if b[k] == b'\\' {
                k += 2;
                continue;
            }
            if delimiter(k) && !b[k - 1].is_ascii_whitespace() && !b.get(k + 1).is_some_and(u8::is_ascii_digit) {
                close = Some(k);
                break;
            }
            k += 1;
        }
        match close {
            Some(c) => {
                out.push(i..c + 1);
                i = c + 1;
            }
            None => {
                no_closer_until = no_closer_until.max(k.min(b.len()));
                i += 1;
            }
        }
    }
}

/// `\(…\)` and `\[…\]` (MathJax and KaTeX's other delimiters), within a
/// paragraph for the inline form.
fn bracket_math(body: &str, opaque: &[Range<usize>], out: &mut Vec<Range<usize>>) {
    let b = body.as_bytes();
    // Paragraph breaks, for the inline form: found once, looked up by bisection.
    let blanks: Vec<usize> = (0..b.len()).filter(|&i| blank_line_at(b, i)).collect();
    // The first closer at or after a position; cached, since every opener
    // before a closer finds the same one (keeps `\(\(\(…` linear).
    let mut next_close: [Option<(usize, Option<usize>)>; 2] = [None, None];
    let mut i = 0;
    while i + 1 < b.len() {
        if b[i] != b'\\' {
            i += 1;
            continue;
        }
        if inside(opaque, i) || !matches!(b[i + 1], b'(' | b'[') {
            i += 2;
            continue;
        }
        let inline = b[i + 1] == b'(';
        let (slot, pat) = if inline { (0, "\\)") } else { (1, "\\]") };
        let from = i + 2;
        let close = match next_close[slot] {
            Some((at, found)) if at <= from && found.is_none_or(|f| f >= from) => found,
            _ => {
                let found = body[from..].find(pat).map(|d| from + d);
                next_close[slot] = Some((from, found));
                found
            }
        };
        let Some(c) = close else {
            i += 2;
            continue;
        };
        let broken = inline && {
            let k = blanks.partition_point(|&x| x < from);
            blanks.get(k).is_some_and(|&x| x < c) || c - i > INLINE_MATH_MAX
        };
        if broken {
            i += 2;
            continue;
        }
        out.push(i..c + 2);
        i = c + 2;
    }
}

static BEGIN: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"\\begin\{([A-Za-z]+\*?)\}").expect("static regex"));
static END: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"\\end\{([A-Za-z]+\*?)\}").expect("static regex"));

/// TeX environments `\begin{align*}…\end{align*}`, with or without `$$`
/// around them. An environment that never ends protects only its `\begin`.
fn environments(body: &str, out: &mut Vec<Range<usize>>) {
    let mut ends: std::collections::HashMap<&str, Vec<usize>> = std::collections::HashMap::new();
    for c in END.captures_iter(body) {
        if let (Some(all), Some(name)) = (c.get(0), c.get(1)) {
            ends.entry(name.as_str()).or_default().push(all.end());
        }
    }
    let mut covered = 0;
    for c in BEGIN.captures_iter(body) {
        let (Some(all), Some(name)) = (c.get(0), c.get(1)) else { continue };
        if all.start() < covered {
            continue;
        }
        let end = ends.get(name.as_str()).and_then(|v| v.get(v.partition_point(|e| *e <= all.end())).copied());
        let end = end.unwrap_or(all.end());
        out.push(all.start()..end);
        covered = end;
    }
}

/// TeX commands outside math (`\textbackslash`, `\frac{a}{b}`) with the
/// brace groups that follow them on the line, and backslash escapes with
/// the run of the character they escape (`\---` stays three hyphens).
fn tex_commands(body: &str, out: &mut Vec<Range<usize>>) {
    let b = body.as_bytes();
    let mut i = 0;
    while i + 1 < b.len() {
        if b[i] != b'\\' {
            i += 1;
            continue;
        }
        let start = i;
        let next = b[i + 1];
        let mut k = i + 2;
        if next.is_ascii_alphabetic() {
            while k < b.len() && (b[k].is_ascii_alphabetic() || b[k] == b'*') {
                k += 1;
            }
            // Arguments: `{…}` and `[…]` groups right after the name.
            while let Some(&open) = b.get(k) {
                let close = match open {
                    b'{' => b'}',
                    b'[' => b']',
                    _ => break,
                };
                match balanced(b, k, open, close) {
                    Some(e) => k = e,
                    None => break,
                }
            }
        } else if next.is_ascii_punctuation() {
            while k < b.len() && b[k] == next {
                k += 1;
            }
        } else {
            i += 1;
            continue;
        }
        out.push(start..k);
        i = k;
    }
}

/// The end (exclusive) of the group opened at `b[at]`, on the same line.
fn balanced(b: &[u8], at: usize, open: u8, close: u8) -> Option<usize> {
    let mut depth = 0usize;
    let mut k = at;
    while k < b.len() && b[k] != b'\n' {
        if b[k] == b'\\' {
            k += 2;
            continue;
        }
        if b[k] == open {
            depth += 1;
        } else if b[k] == close {
            depth = depth.saturating_sub(1);
            if depth == 0 {
                return Some(k + 1);
            }
        }
        k += 1;
    }
    None
}

/// Brace groups on one line that are not spintax: attribute lists
/// (`{: .note}`, `{ .md-button }`), placeholders, TeX arguments, critic
/// markup. A `{` that never closes on its line is left alone.
fn braces(body: &str, protected: &[Range<usize>], out: &mut Vec<Range<usize>>) {
    let b = body.as_bytes();
    let mut i = 0;
    while i < b.len() {
        if b[i] != b'{' || inside(protected, i) || (i > 0 && b[i - 1] == b'\\') {
            i += 1;
            continue;
        }
        let Some(end) = balanced(b, i, b'{', b'}') else {
            i += 1;
            continue;
        };
        if spintax(body, i..end).is_none() {
            out.push(i..end);
        }
        i = end;
    }
}

/// The shape of a spintax leftover.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Spintax {
    /// `{a|b|c}`: the spinner's alternatives; the first is kept.
    Alternatives,
    /// `{that a}`: plain lower-case words (two or more).
    Words,
    /// `{photograph}`: one plain lower-case word, which is just as often a
    /// placeholder in documentation (`{name}`): only in a spun document.
    Word,
}

/// Whether the braces at `braces` in `text` have the shape spinners leave,
/// and the text to keep. Never TeX-like content (backslash, `^`, `_`, `=`,
/// digits, nested braces), and words only in running prose: a space and a
/// word before them on the line, a space or punctuation after.
pub fn spintax(text: &str, braces: Range<usize>) -> Option<(Spintax, &str)> {
    let all = text.get(braces.clone())?;
    let inner = all.strip_prefix('{')?.strip_suffix('}')?;
    if inner.is_empty() || inner.len() > 80 || inner.contains(['{', '}', '\n']) {
        return None;
    }
    // Spinners leave braces between words, never glued to code or paths.
    let line_start = text[..braces.start].rfind('\n').map_or(0, |k| k + 1);
    let before = &text[line_start..braces.start];
    let after = &text[braces.end..];
    let separated = before.chars().next_back().is_none_or(|c| c.is_whitespace() || "(\"“".contains(c))
        && after.chars().next().is_none_or(|c| c.is_whitespace() || ".,;:!?)\"”".contains(c));
    if !separated {
        return None;
    }
    if inner.contains('|') {
        let plain = |a: &str| {
            let a = a.trim();
            a.chars().any(char::is_alphabetic)
                && a.chars().all(|c| c.is_alphabetic() || matches!(c, ' ' | '\'' | '’' | '-' | ','))
        };
        let alts: Vec<&str> = inner.split('|').collect();
        return (alts.len() >= 2 && alts.iter().all(|a| plain(a))).then(|| (Spintax::Alternatives, alts[0].trim()));
    }
    let words: Vec<&str> = inner.split(' ').collect();
    let plain_word = |w: &&str| {
        !w.is_empty()
            && w.chars().all(|c| c.is_ascii_lowercase() || c == '\'' || c == '’')
            && w.starts_with(|c: char| c.is_ascii_lowercase())
    };
    if words.len() > 4 || !words.iter().all(plain_word) {
        return None;
    }
    // Words only in running prose: a word before them on the line.
    if !before.ends_with(' ') || !before.chars().any(char::is_alphabetic) {
        return None;
    }
    Some((if words.len() == 1 { Spintax::Word } else { Spintax::Words }, inner))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The protected pieces of `body`, as text.
    fn pieces(body: &str) -> Vec<&str> {
        ranges(body, &[]).into_iter().map(|r| &body[r]).collect()
    }

    fn protects(body: &str, piece: &str) -> bool {
        let at = body.find(piece).expect("piece in body");
        ranges(body, &[]).iter().any(|r| r.start <= at && at + piece.len() <= r.end)
    }

    #[test]
    fn token_groups_are_resolved_as_a_full_capture_would() {
        let body = "See /usr/bin and (./x) or [~/.config], run --verbose=1 and -q; \
            :material-check: at\n:smile: starts, .Site.Title and\n.Page here, \
            \u{a0}/opt/x (a.md) [b.toml] fmt.Println(\"x\") snake_case camelCase \
            \n!!! note \"Title\"\n  === \"Tab\" [!NOTE] ++ctrl+c++ me@x.org https://a.b/c. \
            [Explainer](/middle-east/explainer-674/) (--flag) [.hidden] \t??? tip\n\t!!!+ x\n\
            ( C:\\Users\\x ) [a/b/c] \u{2003}:emoji: (a_b) [x.y.z] (f(x)) [www.x.org]";
        // The reference: every match captured, its named group or the whole.
        let full: Vec<Range<usize>> = TOKENS
            .captures_iter(body)
            .filter_map(|c| ["p", "q", "r", "s"].iter().find_map(|n| c.name(n)).or_else(|| c.get(0)))
            .map(|m| m.range())
            .collect();
        assert!(full.len() > 15, "{full:?}");
        assert_eq!(token_ranges(body).collect::<Vec<_>>(), full);
    }

    #[test]
    fn dollar_math_by_pandocs_rules() {
        assert_eq!(pieces("Sum $\\sum_{i=1}^{n} x_i$ here."), ["$\\sum_{i=1}^{n} x_i$"]);
        assert_eq!(pieces("It costs $5 and $10 a month."), Vec::<&str>::new());
        assert_eq!(pieces("From $5-$10, or $ 3 $."), Vec::<&str>::new());
        assert!(protects("Display:\n\n$$\na^2 + b^2\n$$\n\nDone.", "$$\na^2 + b^2\n$$"));
        assert!(pieces("Escaped \\$5 and $x$.").contains(&"$x$"));
        // Math does not run across a paragraph break.
        assert!(!protects("A $b\n\nc$ d.", "b\n\nc"));
    }

    #[test]
    fn dollars_inside_code_delimit_nothing() {
        let body = "Use `$HOME` then prose, then `$PATH`.";
        let code: Vec<Range<usize>> = vec![4..11, 29..36];
        assert!(ranges(body, &code).iter().all(|r| !body[r.clone()].contains("prose")));
    }

    #[test]
    fn tex_delimiters_and_environments() {
        assert!(protects("Inline \\(x^{2}\\) and more.", "\\(x^{2}\\)"));
        assert!(protects("Block \\[\n\\frac{a}{b}\n\\] end.", "\\[\n\\frac{a}{b}\n\\]"));
        let env = "\\begin{align*}\na &= b \\\\\nc &= d\n\\end{align*}";
        assert!(protects(&format!("Before.\n\n{env}\n\nAfter."), env));
        // Unbalanced: only the command itself.
        assert_eq!(pieces("See \\begin{align} and words"), ["\\begin{align}"]);
        assert!(protects("Use \\frac{n+1}{k} here.", "\\frac{n+1}{k}"));
    }

    #[test]
    fn escapes_keep_their_run() {
        assert_eq!(pieces("A \\--- dash and \\\" quote."), ["\\---", "\\\""]);
    }

    #[test]
    fn templates_and_attribute_lists() {
        for (body, piece) in [
            ("Text {{< hint info >}} more", "{{< hint info >}}"),
            ("Text {{% notice %}} more", "{{% notice %}}"),
            ("Text {% include x.html %} more", "{% include x.html %}"),
            ("Text {{ figure(src=\"a\") }} more", "{{ figure(src=\"a\") }}"),
            ("- item\n{: .note .info}\n", "{: .note .info}"),
            ("## Title {#id .class}\n", "{#id .class}"),
            ("[Button](x){ .md-button }", "{ .md-button }"),
            ("Use {Name} in the path.", "{Name}"),
            ("A {n+1 \\choose k} group.", "{n+1 \\choose k}"),
            ("{% raw %}{{ not prose }} said{% endraw %}", "said"),
            ("{{< code-toggle file=hugo >}}\nlow = '30s'\n{{</ code-toggle >}}", "'30s'"),
        ] {
            assert!(protects(body, piece), "{body:?} should protect {piece:?}: {:?}", pieces(body));
        }
    }

    #[test]
    fn urls_paths_and_identifiers() {
        for (body, piece) in [
            ("See https://example.org/a--b for more.", "https://example.org/a--b"),
            ("Edit content/posts/first.md now.", "content/posts/first.md"),
            ("Run it in /usr/local/bin today.", "/usr/local/bin"),
            ("Set base_url in config.toml.", "base_url"),
            ("Set base_url in config.toml.", "config.toml"),
            ("Call .Site.Params from there.", ".Site.Params"),
            ("Pass --minify to it.", "--minify"),
            ("Use site.data.authors there.", "site.data.authors"),
            ("Call fmt.Println(\"inline\") here.", "fmt.Println(\"inline\")"),
            ("!!! note \"A title\"\n", "!!! note \"A title\""),
            ("> [!NOTE]\n> Text.", "[!NOTE]"),
        ] {
            assert!(protects(body, piece), "{body:?} should protect {piece:?}: {:?}", pieces(body));
        }
        // Ordinary prose, dashes and U.S. stay prose.
        assert_eq!(pieces("The U.S. said -- twice -- \"no\", e.g. today."), ["e.g"]);
    }

    #[test]
    fn spintax_only_in_the_spinners_shapes() {
        let t = "It was {the|a} deal and {that a} case and a {photograph} here.";
        let at = |s: &str| {
            let i = t.find(s).expect("in text");
            i..i + s.len()
        };
        assert_eq!(spintax(t, at("{the|a}")), Some((Spintax::Alternatives, "the")));
        assert_eq!(spintax(t, at("{that a}")), Some((Spintax::Words, "that a")));
        assert_eq!(spintax(t, at("{photograph}")), Some((Spintax::Word, "photograph")));
        for bad in ["x {i=1} y", "x {n^2} y", "x {a_b} y", "x {12} y", "x {: .note} y", "x {Ab0} y", "x {a{b}} y"] {
            let i = bad.find('{').expect("brace");
            let j = bad.rfind('}').expect("brace") + 1;
            assert_eq!(spintax(bad, i..j), None, "{bad}");
        }
        // Not in running prose: at the start of a line, or glued to a path or code.
        assert_eq!(spintax("{that a} case", 0..8), None);
        assert_eq!(spintax("x `{a|b}` y", 3..8), None);
        assert_eq!(spintax("see /posts/{slug}/ here", 11..17), None);
        // Spintax-shaped braces are left to the engine, not protected.
        assert!(pieces(t).is_empty(), "{:?}", pieces(t));
    }

    #[test]
    fn bad_input_does_not_panic() {
        for body in [
            "$",
            "$$",
            "\\",
            "{",
            "}",
            "\\begin{",
            "\\(",
            "$a\\",
            "{\\}",
            "\\frac{a}{",
            "> - `{code}` {in {a} quote\n",
            "$$\\begin{align}x\\end{align",
            "é$ü$ö {ß|ø} \\é",
        ] {
            let _ = ranges(body, &[]);
        }
        let many = "$5 ".repeat(50_000);
        let start = std::time::Instant::now();
        assert!(ranges(&many, &[]).is_empty());
        assert!(start.elapsed().as_secs() < 5, "linear on prices");
    }
}
#[cfg(test)]
mod bench {
    #[test]
    #[ignore]
    fn speed() {
        let text = std::fs::read_to_string("tests/fixtures/correct/spun/strait-of-hormuz.md").unwrap().repeat(200);
        let t = std::time::Instant::now();
        let r = super::ranges(&text, &[]);
        eprintln!("{} MB/s, {} ranges", text.len() as f64 / 1e6 / t.elapsed().as_secs_f64(), r.len());
    }
}
