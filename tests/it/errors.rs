//! Bad input: each case must name the file, line and column, exit non-zero,
//! and leave the previous public/ byte-for-byte as it was.

use crate::support::SiteTest;

/// Build a good site, break it with `breakage`, rebuild, and check the report.
#[track_caller]
fn assert_fails(breakage: impl FnOnce(&SiteTest), code: &str, location: &str) -> String {
    let t = SiteTest::new();
    t.page("europe/_index.md", "title = \"Europe\"", "");
    t.page("europe/minsk.md", "title = \"Minsk\"\ndate = 2024-05-01", "## Who signed?\n\nText.\n");
    t.build().assert_ok();
    let before = t.snapshot();
    assert!(!before.is_empty());
    breakage(&t);
    let err = t.build().assert_error_at(code, location);
    assert_eq!(before, t.snapshot(), "public/ changed after a failed build");
    err
}

#[test]
fn bad_toml_front_matter() {
    assert_fails(
        |t| {
            t.file("content/europe/bad.md", "+++\ntitle = \"Bad\"\ndate = = 3\n+++\nx\n");
        },
        "fm/invalid-toml",
        "content/europe/bad.md:3:",
    );
}

#[test]
fn bad_yaml_front_matter() {
    assert_fails(
        |t| {
            t.file("content/europe/bad.md", "---\ntitle: Bad\nauthors: [a, b\n---\nx\n");
        },
        "fm/invalid-yaml",
        "content/europe/bad.md:",
    );
}

#[test]
fn missing_title() {
    assert_fails(
        |t| {
            // Zola makes `title` optional; this site requires it.
            t.file("config.toml", &format!("{}\n[editorial]\nrequired_fields = [\"title\"]\n", crate::support::CONFIG));
            t.page("europe/untitled.md", "date = 2024-01-01", "x\n");
        },
        "fm/missing-title",
        "content/europe/untitled.md:1:1",
    );
}

#[test]
fn invalid_date() {
    let err = assert_fails(
        |t| {
            t.page("europe/d.md", "title = \"D\"\ndate = \"2024-02-30\"", "x\n");
        },
        "fm/invalid-date",
        "content/europe/d.md:3:1",
    );
    assert!(err.contains("2024-02-30"));
}

#[test]
fn unknown_front_matter_key_suggests() {
    let err = assert_fails(
        |t| {
            t.page("europe/k.md", "title = \"K\"\ndescripton = \"typo\"", "x\n");
        },
        "fm/unknown-key",
        "content/europe/k.md:3:1",
    );
    assert!(err.contains("did you mean `description`"), "{err}");
}

#[test]
fn unknown_template() {
    assert_fails(
        |t| {
            t.page("europe/t.md", "title = \"T\"\ntemplate = \"fancy.html\"", "x\n");
        },
        "template/unknown",
        "content/europe/t.md:3:13",
    );
}

#[test]
fn unknown_shortcode() {
    let err = assert_fails(
        |t| {
            t.page("europe/s.md", "title = \"S\"", "Intro.\n\n{{ flags(country=\"x\") }}\n");
        },
        "shortcode/unknown",
        "content/europe/s.md:6:1",
    );
    assert!(err.contains("did you mean `flag`"), "{err}");
}

#[test]
fn unclosed_shortcode_body() {
    assert_fails(
        |t| {
            t.page("europe/s.md", "title = \"S\"", "{% note() %}\nNo end.\n");
        },
        "shortcode/unclosed",
        "content/europe/s.md:4:1",
    );
}

#[test]
fn tera_syntax_error_names_template_line() {
    assert_fails(
        |t| {
            t.file("templates/page.html", "<h1>{{ page.title }</h1>\n<p>{% if %}</p>\n");
        },
        "template/syntax",
        "templates/page.html:1:",
    );
}

/// The theme's templates are parsed together, and alone only when that
/// fails: every template with a syntax error is still named, not just the first.
#[test]
fn tera_syntax_errors_in_two_templates_are_both_named() {
    let err = assert_fails(
        |t| {
            t.file("templates/page.html", "<h1>{{ page.title }</h1>\n");
            t.file("templates/section.html", "<p>ok</p>\n<p>{% if %}</p>\n");
        },
        "template/syntax",
        "templates/page.html:1:",
    );
    assert!(err.contains("templates/section.html:2:"), "{err}");
}

#[test]
fn tera_render_error_names_template() {
    assert_fails(
        |t| {
            t.file("templates/page.html", "<h1>{{ page.title }}</h1>\n<p>{{ page.no_such_field }}</p>\n");
        },
        "template/render",
        "templates/page.html:2:",
    );
}

#[test]
fn broken_internal_link_lists_every_one() {
    let err = assert_fails(
        |t| {
            t.page(
                "europe/l.md",
                "title = \"L\"",
                "See [one](@/europe/nope.md) and\n[two](@/europe/minsk.md#who-signd) and [three](../missing/).\n",
            );
        },
        "link/broken",
        "content/europe/l.md:4:5",
    );
    assert!(err.contains("error[link/broken-anchor]"), "{err}");
    assert!(err.contains("content/europe/l.md:5:1"), "{err}");
    assert!(err.contains("did you mean #who-signed"), "{err}");
    // A plain path Zola doesn't check is a warning beside the two errors.
    assert!(
        err.contains("warning[link/broken]: link to a path that this build does not produce: ../missing/"),
        "{err}"
    );
    assert!(err.contains("2 errors and 1 warning"), "{err}");
}

#[test]
fn duplicate_output_paths() {
    assert_fails(
        |t| {
            t.page("europe/other.md", "title = \"Other\"\nslug = \"minsk\"", "x\n");
        },
        "output/conflict",
        "content/europe/other.md:3:1",
    );
}

#[test]
fn invalid_utf8() {
    assert_fails(
        |t| {
            t.bytes("content/europe/latin1.md", b"+++\ntitle = \"Caf\xe9\"\n+++\n");
        },
        "io/invalid-utf8",
        "content/europe/latin1.md:2:13",
    );
}

#[test]
fn slug_cannot_escape_output() {
    assert_fails(
        |t| {
            t.page("europe/esc.md", "title = \"E\"\nslug = \"../../x\"", "x\n");
        },
        "fm/invalid-slug",
        "content/europe/esc.md:3:1",
    );
}

#[test]
fn alias_cannot_escape_output() {
    assert_fails(
        |t| {
            t.page("europe/esc.md", "title = \"E\"\naliases = [\"/../etc/passwd\"]", "x\n");
        },
        "fm/invalid-alias",
        "content/europe/esc.md:3:",
    );
}

#[test]
fn unknown_config_key() {
    assert_fails(
        |t| {
            t.file("config.toml", &format!("{}paginate = 3\n", crate::support::CONFIG));
        },
        "config/invalid",
        "config.toml:",
    );
}

#[test]
fn disallowed_taxonomy_term_suggests_closest() {
    let err = assert_fails(
        |t| {
            t.page("europe/b.md", "title = \"B\"\n[taxonomies]\ncountries = [\"Belorussia\"]", "x\n");
        },
        "taxonomy/unknown-term",
        "content/europe/b.md:4:",
    );
    assert!(err.contains("did you mean \"Belarus\""), "{err}");
}

#[test]
fn required_fields_from_config() {
    assert_fails(
        |t| {
            t.file(
                "config.toml",
                &format!("{}\n[editorial]\nrequired_fields = [\"description\"]\n", crate::support::CONFIG),
            );
        },
        "fm/missing-field",
        "content/europe/minsk.md:1:1",
    );
}

#[test]
fn every_error_is_reported_in_one_run() {
    let t = SiteTest::new();
    t.file("config.toml", &format!("{}\n[editorial]\nrequired_fields = [\"title\"]\n", crate::support::CONFIG));
    t.page("a.md", "date = 2024-01-01", "x\n");
    t.page("b.md", "title = \"B\"\ndate = \"never\"", "x\n");
    t.page("c.md", "title = \"C\"", "[x](@/nowhere.md)\n");
    let run = t.build();
    assert_eq!(run.code(), 1);
    let err = run.stderr();
    for code in ["fm/missing-title", "fm/invalid-date", "link/broken"] {
        assert!(err.contains(code), "{code} missing:\n{err}");
    }
    assert!(err.contains("3 errors"), "{err}");
    assert!(!t.root().join("public").exists());
}

#[test]
fn no_config_is_a_clear_error() {
    let t = SiteTest::new();
    std::fs::remove_file(t.root().join("config.toml")).unwrap();
    let run = t.build();
    assert_eq!(run.code(), 2);
    assert!(run.stderr().contains("no config.toml"), "{}", run.stderr());
}
