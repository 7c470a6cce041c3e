//! Review before publishing: `[correct] mode = "suggest"` (and a page's
//! `correct = "suggest"`) publishes the source wording and lists every
//! restoration as a suggestion; `[correct] keep` terms are never touched.

use crate::support::{CONFIG, Running, SiteTest, http_get, texts};

/// Spun prose (fingerprints the corrector restores), a typographic fix
/// (straight quotes) and a house-style fix (Kiev → Kyiv).
const SPUN: &str = "The court docket named a particular grasp in Kiev, slightly than a panel. \"Fine,\" she said.\n";

fn site(correct: &str) -> SiteTest {
    let t = SiteTest::new();
    t.file("config.toml", &format!("{CONFIG}\n[correct]\n{correct}\n"));
    t.page("spun.md", "title = \"Talks\"", SPUN);
    t
}

fn paragraph(t: &SiteTest, rel: &str) -> String {
    texts(&t.html(rel), "article.content p").join("\n")
}

#[test]
fn suggest_mode_publishes_the_source_wording_with_house_rules_applied() {
    let t = site("mode = \"suggest\"");
    let build = t.build();
    build.assert_ok();
    let p = paragraph(&t, "spun/index.html");
    // Restorations held: the source wording is published ...
    assert!(p.contains("The court docket named a particular grasp"), "{p}");
    // ... while house style and typography still apply.
    assert!(p.contains("in Kyiv,"), "{p}");
    assert!(p.contains("\u{201c}Fine,\u{201d}"), "{p}");
    assert!(build.stdout().contains("left for you to review"), "{}", build.stdout());

    // `check` lists each restoration as a suggestion, at its place.
    let check = t.run(&["check"]);
    check.assert_ok();
    let err = check.stderr();
    assert!(err.contains("suggestion: “court docket” → “court”"), "{err}");
    assert!(err.contains("held for review"), "{err}");
    assert!(err.contains("--> content/spun.md:4:5"), "{err}");
    assert!(err.contains("corrected: “Kiev” → “Kyiv”"), "{err}");

    // `fix` writes back what `build` publishes: no restoration.
    t.run(&["fix"]).assert_ok();
    let fixed = std::fs::read_to_string(t.root().join("content/spun.md")).unwrap();
    assert!(fixed.contains("The court docket named a particular grasp in Kyiv"), "{fixed}");
}

#[test]
fn apply_mode_is_the_default_and_a_page_can_ask_for_suggest() {
    let t = site("");
    t.page("held.md", "title = \"Held\"\ncorrect = \"suggest\"", SPUN);
    t.build().assert_ok();
    let applied = paragraph(&t, "spun/index.html");
    assert!(applied.contains("The court named a special master in Kyiv"), "{applied}");
    let held = paragraph(&t, "held/index.html");
    assert!(held.contains("The court docket named a particular grasp in Kyiv"), "{held}");
    // And the other way round: a page may apply on a suggest-mode site.
    let t = site("mode = \"suggest\"");
    t.page("applied.md", "title = \"Applied\"\ncorrect = \"apply\"", SPUN);
    t.build().assert_ok();
    assert!(paragraph(&t, "applied/index.html").contains("The court named a special master"));
}

#[test]
fn unknown_mode_is_an_error_at_its_place_with_the_nearest_value() {
    let t = site("mode = \"sugest\"");
    let config = std::fs::read_to_string(t.root().join("config.toml")).expect("config");
    let line = config.lines().position(|l| l.starts_with("mode = ")).expect("mode line") + 1;
    let at = format!("config.toml:{line}:8");
    let run = t.build();
    let err = run.assert_error_at("config/invalid", &at);
    assert!(err.contains("did you mean \"suggest\"?"), "{err}");
    // `fix` reports it the same way instead of writing anything.
    let fix = t.run(&["fix"]);
    assert_eq!(fix.code(), 1, "{}", fix.stderr());
    assert!(fix.stderr().contains(&format!("--> {at}")), "{}", fix.stderr());
    assert!(std::fs::read_to_string(t.root().join("content/spun.md")).unwrap().contains("court docket"));

    // A misspelt key in [correct] gets the nearest key.
    let t = site("kep = [\"x\"]");
    let err = t.build().assert_error_at("config/invalid", &format!("config.toml:{line}:1"));
    assert!(err.contains("did you mean `keep`?"), "{err}");

    // In front matter too.
    let t = site("");
    t.page("bad.md", "title = \"Bad\"\ncorrect = \"sugestion\"", "Text.\n");
    let err = t.build().assert_error_at("fm/invalid-value", "content/bad.md:3:1");
    assert!(err.contains("did you mean \"suggest\"?"), "{err}");
}

#[test]
fn kept_terms_are_never_touched_whatever_their_case() {
    let t = site("keep = [\"Court Docket\", \"U.S.\"]\nus = \"US\"");
    t.page("us.md", "title = \"US\"", "The U.S. court docket met. The U.S. view.\n");
    t.build().assert_ok();
    let p = paragraph(&t, "spun/index.html");
    // The kept term stays; the rest is restored and house style applies.
    assert!(p.contains("The court docket named a special master in Kyiv"), "{p}");
    let us = paragraph(&t, "us/index.html");
    assert_eq!(us, "The U.S. court docket met. The U.S. view.");
    let check = t.run(&["check"]);
    let err = check.stderr();
    assert!(!err.contains("“court docket”"), "{err}");
    assert!(!err.contains("“U.S.”"), "{err}");
    assert!(err.contains("“particular grasp” → “special master”"), "{err}");
}

#[test]
fn serve_findings_panel_lists_held_restorations_as_suggestions() {
    let t = site("mode = \"suggest\"");
    let proc = Running::start(&t.root(), &["serve", "--port", "0"]);
    let lines = proc.wait_for(&["Serving at"]);
    let url = lines.last().and_then(|l| l.split_whitespace().find(|w| w.starts_with("http://"))).expect("a URL");
    let addr = url.trim_start_matches("http://").trim_end_matches('/').to_string();
    let (status, _, body) = http_get(&addr, "/__attache/corrections?page=spun/index.html");
    assert_eq!(status, 200);
    let v: serde_json::Value = serde_json::from_str(&body).expect("JSON");
    let findings = v["findings"].as_array().expect("findings");
    let docket = findings.iter().find(|f| f["before"] == "court docket").expect("the restoration is listed");
    assert_eq!(docket["applied"], false, "{docket}");
    assert!(docket["reason"].as_str().is_some_and(|r| r.contains("held for review")), "{docket}");
    let kyiv = findings.iter().find(|f| f["before"] == "Kiev").expect("house style is listed");
    assert_eq!(kyiv["applied"], true, "{kyiv}");
    let (_, _, page) = http_get(&addr, "/spun/");
    assert!(page.contains("court docket"), "the served page has the source wording");
    proc.interrupt();
}

#[test]
fn spin_off_means_no_spin_change_of_any_kind() {
    let t = site("spin = false");
    t.page("braces.md", "title = \"Braces\"", "It was {that a} case.\n");
    t.build().assert_ok();
    assert!(paragraph(&t, "spun/index.html").contains("The court docket named a particular grasp in Kyiv"));
    assert_eq!(paragraph(&t, "braces/index.html"), "It was {that a} case.");
}
