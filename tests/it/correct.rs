//! The corrector through the command line: `correct`, `fix`, `check`, `build`.

use std::io::Write;
use std::process::{Command, Stdio};

use crate::support::{SiteTest, texts};

const SPUN: &str = "+++\ntitle = \"The historical past of the talks\"\n+++\nThe court docket named a particular grasp, slightly than a panel.\n\nThe `court docket` in code stays, and so does [the link](https://example.org/court-docket).\n";

fn attache(args: &[&str], stdin: Option<&str>) -> (i32, String, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_attache"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    if let Some(input) = stdin {
        child.stdin.take().unwrap().write_all(input.as_bytes()).unwrap();
    } else {
        drop(child.stdin.take());
    }
    let out = child.wait_with_output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn correct_restores_fingerprints_and_leaves_code_and_urls() {
    let (code, out, err) = attache(&["correct", "-"], Some(SPUN));
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("title = \"The history of the talks\""), "{out}");
    assert!(out.contains("The court named a special master, rather than a panel."), "{out}");
    assert!(out.contains("The `court docket` in code"), "{out}");
    assert!(out.contains("https://example.org/court-docket"), "{out}");
}

#[test]
fn restored_names_keep_their_capitals_and_possessives() {
    let spun = "In the Chilly Warfare, the Overseas Minister spoke essentially the most. \
The Safety Council\u{2019}s vote came after the Home of Representatives acted. \
That was each side's view.\n";
    let (code, out, err) = attache(&["correct", "-"], Some(spun));
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("the Foreign Minister spoke"), "{out}");
    assert!(out.contains("The Security Council\u{2019}s vote"), "{out}");
    assert!(out.contains("the House of Representatives acted"), "{out}");
    assert!(out.contains("That was both sides' view."), "{out}");
}

#[test]
fn correct_json_lists_every_change() {
    let (code, out, _) = attache(&["correct", "--format", "json", "-"], Some(SPUN));
    assert_eq!(code, 0);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["spun"], true);
    let changes = v["changes"].as_array().unwrap();
    let grasp = changes.iter().find(|c| c["before"] == "particular grasp").expect("particular grasp reported");
    assert_eq!(grasp["after"], "special master");
    assert_eq!(grasp["line"], 4);
    assert_eq!(grasp["status"], "applied");
    assert!(grasp["rule"].as_str().unwrap().starts_with("spin/"));
    let [s, e] = [grasp["byte_range"][0].as_u64().unwrap() as usize, grasp["byte_range"][1].as_u64().unwrap() as usize];
    assert_eq!(&SPUN[s..e], "particular grasp");
}

#[test]
fn compounds_stay_compounds_and_insertions_are_named() {
    let spun = "The arms-management treaty was signed. It is essentially the most modest step.\n";
    let (code, out, err) = attache(&["correct", "-"], Some(spun));
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("The arms-control treaty was signed."), "{out}");
    assert!(out.contains("It is the most modest step."), "{out}");
    let (code, out, _) = attache(&["correct", "--format", "json", "-"], Some(spun));
    assert_eq!(code, 0);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let changes = v["changes"].as_array().unwrap();
    let inserted = changes.iter().find(|c| c["before"] == "essentially the most").expect("insertion reported");
    assert!(inserted["reason"].as_str().unwrap_or("").contains("the spinner inserted words"), "{inserted}");
}

#[test]
fn correct_diff_is_a_unified_diff() {
    let (_, out, _) = attache(&["correct", "--diff", "-"], Some(SPUN));
    assert!(out.starts_with("--- a/-\n+++ b/-\n@@ "), "{out}");
    assert!(out.contains("\n-The court docket named"), "{out}");
    assert!(out.contains("\n+The court named"), "{out}");
}

#[test]
fn clean_text_comes_back_unchanged() {
    let clean = "+++\ntitle = \"Talks\"\n+++\nThe court named a special master rather than a panel. Officials mentioned the case at home.\n";
    let (_, out, _) = attache(&["correct", "-"], Some(clean));
    assert_eq!(out, clean);
}

#[test]
fn invalid_utf8_is_refused_with_position() {
    let t = SiteTest::new();
    t.bytes("bad.md", b"ok\nbad \xff here\n");
    let run = t.run(&["correct", "bad.md"]);
    assert_eq!(run.code(), 2);
    assert!(run.stderr().contains("bad.md:2:5"), "{}", run.stderr());
}

#[test]
fn fix_writes_back_preserving_crlf_and_bom() {
    let t = SiteTest::new();
    let text = "\u{feff}+++\r\ntitle = \"T\"\r\n+++\r\nThe court docket met.\r\nThe particular grasp spoke.\r\n";
    t.file("content/a.md", text);
    let dry = t.run(&["fix", "--dry-run"]);
    dry.assert_ok();
    assert!(dry.stdout().contains("+The court met."), "{}", dry.stdout());
    assert_eq!(std::fs::read_to_string(t.root().join("content/a.md")).unwrap(), text, "dry run wrote");
    t.run(&["fix"]).assert_ok();
    let after = std::fs::read_to_string(t.root().join("content/a.md")).unwrap();
    assert_eq!(after, "\u{feff}+++\r\ntitle = \"T\"\r\n+++\r\nThe court met.\r\nThe special master spoke.\r\n");
}

#[test]
fn opt_outs_front_matter_and_markers() {
    let t = SiteTest::new();
    let off = "+++\ntitle = \"T\"\ncorrect = false\n+++\nThe court docket met.\n";
    t.file("content/off.md", off);
    let keep =
        "+++\ntitle = \"T\"\nkeep = [\"court docket\"]\n+++\nThe court docket met. The particular grasp spoke.\n";
    t.file("content/keep.md", keep);
    let marked = "+++\ntitle = \"T\"\n+++\n<!-- attache:ignore -->\nThe court docket met.\n<!-- attache:end -->\n\nThe particular grasp spoke.\n";
    t.file("content/marked.md", marked);
    t.run(&["fix"]).assert_ok();
    let read = |p: &str| std::fs::read_to_string(t.root().join(p)).unwrap();
    assert_eq!(read("content/off.md"), off);
    assert!(read("content/keep.md").contains("The court docket met. The special master spoke."));
    let m = read("content/marked.md");
    assert!(m.contains("The court docket met.") && m.contains("The special master spoke."), "{m}");
}

#[test]
fn build_publishes_corrected_text_and_summarises() {
    let t = SiteTest::new();
    t.file("content/spun.md", SPUN);
    let run = t.build();
    run.assert_ok();
    assert!(run.stdout().contains("1 article looked machine-spun"), "{}", run.stdout());
    let doc = t.html("spun/index.html");
    assert_eq!(texts(&doc, "h1.title"), ["The history of the talks"]);
    let body = texts(&doc, "article p").join(" ");
    assert!(body.contains("The court named a special master"), "{body}");
}

#[test]
fn diagnostics_still_point_at_the_source_after_correction() {
    let t = SiteTest::new();
    t.file(
        "content/spun.md",
        "+++\ntitle = \"T\"\n+++\nThe court docket and the particular grasp met [here](@/nowhere.md).\n",
    );
    let run = t.build();
    assert_eq!(run.code(), 1);
    assert!(run.stderr().contains("--> content/spun.md:4:47"), "{}", run.stderr());
}

#[test]
fn check_reports_corrections_and_deny_spin_fails() {
    let t = SiteTest::new();
    t.file("content/spun.md", SPUN);
    let run = t.run(&["check"]);
    run.assert_ok();
    assert!(run.stderr().contains("note[spin/"), "{}", run.stderr());
    assert!(run.stderr().contains("--> content/spun.md:4:"), "{}", run.stderr());
    assert_eq!(t.run(&["check", "--deny", "spin"]).code(), 1);
    // A baseline accepts today's findings.
    t.run(&["check", "--write-baseline", "baseline.json"]).assert_ok();
    t.run(&["check", "--deny", "spin", "--baseline", "baseline.json"]).assert_ok();
    let sarif = t.run(&["check", "--format", "sarif"]);
    let v: serde_json::Value = serde_json::from_str(&sarif.stdout()).unwrap();
    assert_eq!(v["version"], "2.1.0");
    assert!(!v["runs"][0]["results"].as_array().unwrap().is_empty());
}

#[test]
fn malformed_site_lexicon_names_file_and_line() {
    let t = SiteTest::new();
    t.file("config.toml", &format!("{}\n[correct]\nlexicon_file = \"lexicon.tsv\"\n", crate::support::CONFIG));
    t.file("lexicon.tsv", "# ours\nbrand new deal\tnew deal\tstrong\nonly-two-columns\tx\n");
    let run = t.build();
    assert_eq!(run.code(), 1);
    assert!(run.stderr().contains("lexicon.tsv"), "{}", run.stderr());
    assert!(run.stderr().contains("lexicon.tsv:3"), "{}", run.stderr());
}

fn json_report(path: &std::path::Path) -> serde_json::Value {
    let out =
        Command::new(env!("CARGO_BIN_EXE_attache")).args(["correct", "--format", "json"]).arg(path).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout).unwrap()
}

fn fixture_files(dir: &str) -> Vec<std::path::PathBuf> {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(dir);
    let mut v: Vec<_> = walkdir::WalkDir::new(root)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.path().extension().is_some_and(|x| x == "md"))
        .map(|e| e.into_path())
        .collect();
    v.sort();
    v
}

/// Clean, human-written articles (our sample site, our clean fixtures and the
/// trap articles) are never judged spun and get no word changes beyond house style.
#[test]
fn clean_articles_are_left_alone() {
    let mut files = fixture_files("content");
    files.extend(fixture_files("tests/fixtures/correct/clean"));
    files.extend(fixture_files("tests/fixtures/correct/clean-only"));
    assert!(files.len() >= 30);
    for f in files {
        let r = json_report(&f);
        assert_eq!(r["spun"], false, "{} judged spun", f.display());
        let changed: Vec<String> = r["changes"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|c| c["status"] == "applied" && c["rule"] != "typography" && c["rule"] != "house-style")
            .map(|c| format!("{} → {} ({})", c["before"], c["after"], c["rule"]))
            .collect();
        assert!(changed.is_empty(), "{}: {changed:?}", f.display());
    }
}

fn word_diff(a: &str, b: &str) -> usize {
    let ta: Vec<&str> = a.split_whitespace().collect();
    let tb: Vec<&str> = b.split_whitespace().collect();
    similar::capture_diff_slices(similar::Algorithm::Myers, &ta, &tb)
        .iter()
        .map(|op| match *op {
            similar::DiffOp::Equal { .. } => 0,
            similar::DiffOp::Delete { old_len, .. } => old_len,
            similar::DiffOp::Insert { new_len, .. } => new_len,
            similar::DiffOp::Replace { old_len, new_len, .. } => old_len.max(new_len),
        })
        .sum()
}

/// Our hand-spun articles are recognised, and the corrected text is much
/// closer to what we wrote than the spun text was.
#[test]
fn hand_spun_articles_are_detected_and_largely_restored() {
    for spun_path in fixture_files("tests/fixtures/correct/spun") {
        let name = spun_path.file_name().unwrap();
        let clean =
            std::fs::read_to_string(spun_path.parent().unwrap().parent().unwrap().join("clean").join(name)).unwrap();
        let spun = std::fs::read_to_string(&spun_path).unwrap();
        let r = json_report(&spun_path);
        assert_eq!(r["spun"], true, "{} not detected", spun_path.display());
        let out = Command::new(env!("CARGO_BIN_EXE_attache"))
            .args(["correct", "--lang", "en"])
            .arg(&spun_path)
            .output()
            .unwrap();
        let corrected = String::from_utf8(out.stdout).unwrap().replace(['’', '‘'], "'").replace(['“', '”'], "\"");
        let (before, after) = (word_diff(&clean, &spun), word_diff(&clean, &corrected));
        assert!(after * 10 < before * 7, "{}: {before} differing words before, {after} after", spun_path.display());
    }
}

/// Each `[correct]` switch in `config.toml` turns its rule off and only it.
#[test]
fn config_switches_turn_single_rules_off() {
    let article = "+++\ntitle = \"T\"\n+++\nThe court docket named a particular grasp in Kiev. \"It is late,\" the US envoy said. The Chilly Warfare formed overseas coverage.\n\nShe said: \u{201c}the particular grasp will decide.\u{201d}\n";
    let fixed = |correct: &str| {
        let t = SiteTest::new();
        t.file("config.toml", &format!("{}\n[correct]\n{correct}\n", crate::support::CONFIG));
        t.file("content/a.md", article);
        t.run(&["fix"]).assert_ok();
        std::fs::read_to_string(t.root().join("content/a.md")).unwrap()
    };
    let all = fixed("");
    assert!(all.contains("The court named a special master in Kyiv."), "{all}");
    assert!(all.contains("\u{201c}It is late,\u{201d}"), "{all}");
    // A spun document's quotations were rewritten by the spinner: restored by default.
    assert!(all.contains("\u{201c}the special master will decide.\u{201d}"), "{all}");

    let no_typography = fixed("typography = false");
    assert!(no_typography.contains("\"It is late,\"") && no_typography.contains("in Kyiv"), "{no_typography}");
    let no_house = fixed("house_style = false");
    assert!(no_house.contains("in Kiev.") && no_house.contains("special master in"), "{no_house}");
    let no_spin = fixed("spin = false");
    assert!(no_spin.contains("The court docket named a particular grasp in Kyiv."), "{no_spin}");
    let verbatim = fixed("quotations = \"verbatim\"");
    assert!(verbatim.contains("\u{201c}the particular grasp will decide.\u{201d}"), "{verbatim}");
    assert!(verbatim.contains("The court named a special master"), "{verbatim}");
    let dotted = fixed("us = \"U.S.\"");
    assert!(dotted.contains("the U.S. envoy"), "{dotted}");
    assert_eq!(fixed("enabled = false"), article);
}

/// Rebuilds in one process (what `serve` does) reuse correction reports, but
/// never stale ones: an edited article, or an edited site lexicon, is checked again.
#[test]
fn rebuilds_in_one_process_see_edited_articles_and_lexicons() {
    use attache::site::{BuildOptions, OutFile, build};
    let t = SiteTest::new();
    t.file("config.toml", &format!("{}\n[correct]\nlexicon_file = \"lexicon.tsv\"\n", crate::support::CONFIG));
    t.file("lexicon.tsv", "blue moon treaty\tbasic treaty\tfingerprint\n");
    t.file("content/a.md", "+++\ntitle = \"T\"\n+++\nThe blue moon treaty held.\n");
    let opts = BuildOptions { root: t.root(), ..BuildOptions::default() };
    let page = |opts: &BuildOptions| {
        let built = build(opts).unwrap();
        match built.files.get("a/index.html") {
            Some(OutFile::Bytes(b)) => String::from_utf8_lossy(b).into_owned(),
            other => panic!("a/index.html: {other:?}"),
        }
    };
    assert!(page(&opts).contains("The basic treaty held."));
    assert!(page(&opts).contains("The basic treaty held."), "a cached report changed the output");
    t.file("content/a.md", "+++\ntitle = \"T\"\n+++\nThe blue moon treaty failed.\n");
    assert!(page(&opts).contains("The basic treaty failed."));
    t.file("lexicon.tsv", "blue moon treaty\tgrand treaty\tfingerprint\n");
    assert!(page(&opts).contains("The grand treaty failed."), "a stale report after a lexicon edit");
}
