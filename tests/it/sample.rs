//! The repository root is the sample site: it must build cleanly, and every
//! link in the output must lead somewhere.

use std::collections::BTreeSet;
use std::path::Path;

use scraper::{Html, Selector};

#[test]
fn sample_site_builds_without_warnings_and_every_internal_link_resolves() {
    let out = crate::support::build_sample(&["--deny", "warnings"]);
    let public = out.path();
    let files = crate::support::snapshot(public);
    let pages = files.keys().filter(|k| k.ends_with("index.html")).count();
    assert!(pages >= 20, "only {pages} pages");
    let sel = Selector::parse("a[href], link[href], img[src], script[src]").unwrap();
    let mut broken = BTreeSet::new();
    for (rel, bytes) in &files {
        if !rel.ends_with(".html") {
            continue;
        }
        let doc = Html::parse_document(&String::from_utf8_lossy(bytes));
        let dir = Path::new(rel).parent().unwrap_or(Path::new(""));
        for el in doc.select(&sel) {
            let url = el.value().attr("href").or_else(|| el.value().attr("src")).unwrap_or("");
            if url.starts_with("http") || url.starts_with("mailto:") || url.starts_with('#') || url.is_empty() {
                continue;
            }
            let path = url.split(['#', '?']).next().unwrap_or("");
            let target = match path.strip_prefix('/') {
                Some(abs) => public.join(abs),
                None => public.join(dir).join(path),
            };
            let ok = if path.ends_with('/') || target.is_dir() {
                target.join("index.html").is_file()
            } else {
                target.is_file()
            };
            if !ok {
                broken.insert(format!("{rel}: {url}"));
            }
        }
    }
    assert!(
        broken.is_empty(),
        "broken links in the sample site:\n{}",
        broken.into_iter().collect::<Vec<_>>().join("\n")
    );
}
