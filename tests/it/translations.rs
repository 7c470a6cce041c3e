//! Multilingual sites: correction in each page's own language, and `check`'s
//! reports of missing and stale translations and cross-language links.

use crate::support::{CONFIG, SiteTest};

/// A site whose default language is English, with `langs` declared besides.
fn site(langs: &[&str]) -> SiteTest {
    let t = SiteTest::new();
    let mut config = format!("default_language = \"en\"\n{CONFIG}\n");
    for l in langs {
        config.push_str(&format!("\n[languages.{l}]\ntitle = \"Test {l}\"\n"));
    }
    t.file("config.toml", &config);
    for l in langs {
        t.page(&format!("_index.{l}.md"), "title = \"Home\"", "");
    }
    t.page("europe/_index.md", "title = \"Europe\"", "");
    for l in langs {
        t.page(&format!("europe/_index.{l}.md"), "title = \"Europe\"", "");
    }
    t
}

/// Notes and errors of one code in `check`'s output, as `(severity, location)`
/// pairs, e.g. `("note", "content/europe/b.md")`.
fn findings(stderr: &str, code: &str) -> Vec<(String, String)> {
    let lines: Vec<&str> = stderr.lines().collect();
    let mut out = Vec::new();
    for (i, line) in lines.iter().enumerate() {
        let Some((severity, rest)) = line.split_once('[') else { continue };
        if !rest.starts_with(&format!("{code}]")) {
            continue;
        }
        let at = lines[i + 1..].iter().find_map(|l| l.trim_start().strip_prefix("--> ")).unwrap_or("");
        out.push((severity.to_string(), at.to_string()));
    }
    out
}

#[test]
fn check_notes_missing_translations_both_ways() {
    let t = site(&["uk"]);
    t.page("europe/a.md", "title = \"A\"", "Text.\n");
    t.page("europe/a.uk.md", "title = \"А\"", "Текст.\n");
    t.page("europe/b.md", "title = \"B\"", "Untranslated.\n");
    t.page("europe/c.uk.md", "title = \"В\"", "Лише українською.\n");
    let run = t.run(&["check"]);
    run.assert_ok();
    let err = run.stderr();
    let missing = findings(&err, "translation/missing");
    let at: Vec<&str> = missing.iter().map(|(_, at)| at.as_str()).collect();
    assert!(missing.iter().all(|(s, _)| s == "note"), "{err}");
    // The home's `_index.md` (with `_index.uk.md`) and europe/a are complete.
    assert_eq!(at, ["content/europe/b.md", "content/europe/c.uk.md"], "{err}");
    assert!(err.contains("no `uk` translation of this page"), "{err}");
    assert!(err.contains("translate it as content/europe/b.uk.md"), "{err}");
    assert!(err.contains("this `uk` page has no `en` original"), "{err}");
    assert!(err.contains("notes (corrections and translations)."), "{err}");
}

#[test]
fn deny_translations_turns_the_notes_into_errors() {
    let t = site(&["uk"]);
    t.page("europe/b.md", "title = \"B\"", "Untranslated.\n");
    let run = t.run(&["check", "--deny", "translations"]);
    assert_eq!(run.code(), 1, "{}", run.stderr());
    assert_eq!(findings(&run.stderr(), "translation/missing"), [("error".into(), "content/europe/b.md".into())]);
    // Without --deny the same site passes; without languages there is nothing to report.
    t.run(&["check"]).assert_ok();
    let mono = SiteTest::new();
    mono.page("europe/b.md", "title = \"B\"", "Only English.\n");
    let run = mono.run(&["check", "--deny", "translations"]);
    run.assert_ok();
    assert!(!run.stderr().contains("translation/"), "{}", run.stderr());
}

#[test]
fn check_notes_translations_older_than_their_original() {
    let t = site(&["uk"]);
    t.page("europe/a.md", "title = \"A\"\ndate = 2024-01-10\nupdated = 2024-05-02", "Revised.\n");
    t.page("europe/a.uk.md", "title = \"А\"\ndate = 2024-03-01", "Стара версія.\n");
    t.page("europe/b.md", "title = \"B\"\ndate = 2024-01-10", "Text.\n");
    t.page("europe/b.uk.md", "title = \"Б\"\ndate = 2024-01-12", "Текст.\n");
    let run = t.run(&["check"]);
    run.assert_ok();
    let err = run.stderr();
    assert_eq!(findings(&err, "translation/stale"), [("note".into(), "content/europe/a.uk.md".into())], "{err}");
    assert!(
        err.contains("this `uk` translation (2024-03-01) is older than its original content/europe/a.md (2024-05-02)"),
        "{err}"
    );
    let run = t.run(&["check", "--deny", "translations"]);
    assert_eq!(run.code(), 1, "{}", run.stderr());
}

#[test]
fn check_notes_body_links_into_another_language() {
    let t = site(&["uk"]);
    t.page("europe/a.md", "title = \"A\"", "Text.\n");
    t.page("europe/a.uk.md", "title = \"А\"", "Текст.\n");
    t.page("europe/b.md", "title = \"B\"", "Text.\n");
    t.page("europe/b.uk.md", "title = \"Б\"", "Текст.\n");
    t.page(
        "europe/c.md",
        "title = \"C\"",
        "See [A](@/europe/a.md) and [Б](/uk/europe/b/) and [the site](https://example.org/europe/a/).\n",
    );
    t.page(
        "europe/c.uk.md",
        "title = \"В\"",
        "Див. [А](@/europe/a.uk.md) і [Б](../b/).\n\nАле [B](@/europe/b.md), [A](../../../europe/a/) і [B](https://example.org/europe/b/).\n",
    );
    let run = t.run(&["check"]);
    run.assert_ok();
    let err = run.stderr();
    let at: Vec<String> = findings(&err, "translation/cross-language-link").into_iter().map(|(_, at)| at).collect();
    assert_eq!(
        at,
        [
            "content/europe/c.md:4:28",
            "content/europe/c.uk.md:6:5",
            "content/europe/c.uk.md:6:25",
            "content/europe/c.uk.md:6:51"
        ],
        "{err}"
    );
    assert!(err.contains("link from this `uk` page to the `en` page content/europe/b.md"), "{err}");
    assert!(err.contains("link to the `uk` version instead: @/europe/b.uk.md"), "{err}");
}

#[test]
fn each_page_is_corrected_in_its_own_language() {
    let t = site(&["fr", "uk"]);
    t.page("europe/a.md", "title = \"A\"", "He said \"Kiev\" was 'safe' -- in Kiev.\n");
    t.page(
        "europe/a.fr.md",
        "title = \"A\"",
        "La nation dit \"non\" ! La situation de Kiev: une correspondance l'atteste.\n",
    );
    t.page("europe/a.uk.md", "title = \"А\"", "Він сказав \"ні\" -- у Киев пам'ять жива.\n");
    t.build().assert_ok();
    let en = t.read("europe/a/index.html");
    assert!(en.contains("He said “Kiev” was ‘safe’ — in Kyiv."), "{en}");
    let fr = t.read("fr/europe/a/index.html");
    let expected =
        "La nation dit «\u{202f}non\u{202f}»\u{202f}! La situation de Kyiv\u{a0}: une correspondance l’atteste.";
    assert!(fr.contains(expected), "{fr}");
    let uk = t.read("uk/europe/a/index.html");
    assert!(uk.contains("Він сказав «ні» — у Київ пам’ять жива."), "{uk}");
}

#[test]
fn fix_corrects_a_translation_in_its_language() {
    let t = site(&["uk"]);
    t.page("europe/a.uk.md", "title = \"А\"", "Він сказав \"ні\" у Киев.\n");
    t.run(&["fix"]).assert_ok();
    let text = std::fs::read_to_string(t.root().join("content/europe/a.uk.md")).expect("read");
    assert!(text.ends_with("Він сказав «ні» у Київ.\n"), "{text}");
}
