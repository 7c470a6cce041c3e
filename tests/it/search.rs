//! The chunked search index (`search-index/LANG/`, src/render/search.rs) on
//! a generated 2,000-article site: a word deep in one article's body is
//! found, and what a query fetches stays within 300 KB.

use std::collections::BTreeMap;

use crate::support::SiteTest;

/// A small deterministic generator (the same sequence on every run).
struct Rng(u64);

impl Rng {
    fn below(&mut self, n: usize) -> usize {
        self.0 = self.0.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        ((self.0 >> 33) % n as u64) as usize
    }
}

/// A made-up word per number: a vocabulary of thousands of distinct words,
/// as a real site has, so the dictionary spans many chunks.
fn word(i: usize) -> String {
    const SYL: [&str; 16] =
        ["ka", "lo", "mi", "ne", "ru", "sa", "te", "vo", "bri", "dan", "fel", "gor", "hul", "jen", "pra", "tos"];
    let (a, b, c) = (i % 16, (i / 16) % 16, (i / 256) % 16);
    format!("{}{}{}", SYL[a], SYL[b], SYL[c])
}

/// Where the deep word goes, and the word.
pub const DEEP_ARTICLE: usize = 1234;
pub const DEEP_WORD: &str = "zanzibarite";

/// `n` articles in four sections, ~700 words each from a 4,096-word
/// vocabulary (plus common English words), correction off; article
/// [`DEEP_ARTICLE`] ends, after 3,000 words, with [`DEEP_WORD`].
pub fn generated_site(n: usize) -> SiteTest {
    let t = SiteTest::new();
    t.file(
        "config.toml",
        "base_url = \"https://example.org\"\ntitle = \"Generated\"\ntheme = \"plain\"\ndefault_language = \"en\"\nsite_search = true\n[correct]\nenabled = false\n",
    );
    let sections = ["Europe", "Asia", "Africa", "Americas"];
    for s in sections {
        t.page(&format!("{}/_index.md", s.to_lowercase()), &format!("title = \"{s}\""), "");
    }
    let common = ["the", "and", "of", "policy", "treaty", "sanctions", "trade", "council"];
    let mut rng = Rng(7);
    for i in 0..n {
        let words = if i == DEEP_ARTICLE { 3000 } else { 400 + rng.below(600) };
        let mut body = String::new();
        for k in 0..words {
            let w = if rng.below(3) == 0 { common[rng.below(common.len())].to_string() } else { word(rng.below(4096)) };
            body.push_str(&w);
            body.push(if k % 12 == 11 { '.' } else { ' ' });
            if k % 120 == 119 {
                body.push_str("\n\n");
            }
        }
        if i == DEEP_ARTICLE {
            body.push_str(&format!("\n\nThe last paragraph names {DEEP_WORD} once.\n"));
        }
        let section = sections[i % 4].to_lowercase();
        t.page(
            &format!("{section}/a{i}.md"),
            &format!("title = \"Article {i} on {}\"\ndate = 2025-{:02}-{:02}", word(i), i % 12 + 1, i % 28 + 1),
            &body,
        );
    }
    t
}

/// The index files of a build: path under `search-index/en/` → bytes.
fn index_files(t: &SiteTest) -> BTreeMap<String, Vec<u8>> {
    let root = t.public("search-index/en");
    crate::support::snapshot(&root)
}

#[test]
fn a_word_deep_in_one_of_two_thousand_articles_is_found_within_the_byte_budget() {
    let t = generated_site(2000);
    t.build().assert_ok();
    assert!(!t.public("search_index.json").exists(), "the old single index is gone");
    let files = index_files(&t);
    let meta: serde_json::Value = serde_json::from_slice(&files["meta.json"]).expect("meta.json");
    assert_eq!(meta["pages"], 2000);
    let chunks = meta["terms"].as_array().expect("term chunks");
    assert!(chunks.len() > 20, "the dictionary is split: {} chunks", chunks.len());

    // As search.js does: the chunk is the last whose first term is <= the word.
    let k = chunks.iter().rposition(|c| c[0].as_str().unwrap_or("") <= DEEP_WORD).expect("a chunk");
    let chunk = &files[&format!("t/{k}.json")];
    let terms: serde_json::Value = serde_json::from_slice(chunk).expect("chunk JSON");
    let postings = terms[DEEP_WORD].as_array().expect("the deep word is indexed");
    assert_eq!(postings.len(), 2, "one page: {postings:?}");
    let doc = postings[0].as_u64().expect("page number") as usize;
    let per = meta["per"].as_u64().expect("per") as usize;
    let records: serde_json::Value =
        serde_json::from_slice(&files[&format!("d/{}.json", doc / per)]).expect("page records");
    let record = &records[doc % per];
    let section = ["Europe", "Asia", "Africa", "Americas"][DEEP_ARTICLE % 4];
    assert_eq!(record[0], format!("/{}/a{DEEP_ARTICLE}/", section.to_lowercase()));
    assert_eq!(record[2], section, "section");
    let date = format!("2025-{:02}-{:02}", DEEP_ARTICLE % 12 + 1, DEEP_ARTICLE % 28 + 1);
    assert_eq!(record[3], date.as_str(), "date");

    // Bytes a query loads: meta.json, one chunk per word (three words
    // here, the largest chunks), and at most 20 page-record chunks.
    let mut sizes: Vec<usize> = chunks.iter().map(|c| c[1].as_u64().unwrap_or(0) as usize).collect();
    sizes.sort_unstable_by(|a, b| b.cmp(a));
    let docmax = meta["docmax"].as_u64().expect("docmax") as usize;
    let worst = files["meta.json"].len() + sizes.iter().take(3).sum::<usize>() + 20 * docmax;
    assert!(worst <= 300 * 1024, "a three-word query may load {worst} bytes");
    assert_eq!(meta["budget"], 300 * 1024);
    // The one-word query for the deep word: meta, its chunk, one record chunk.
    let one = files["meta.json"].len() + chunk.len() + files[&format!("d/{}.json", doc / per)].len();
    eprintln!(
        "2,000 articles: {} index files, {} bytes in all; `{DEEP_WORD}` loads {one} bytes, a 3-word query at most {worst}",
        files.len(),
        files.values().map(Vec::len).sum::<usize>()
    );
}

#[test]
fn the_search_page_points_at_the_index_under_a_sub_path() {
    let t = SiteTest::new();
    std::fs::remove_dir_all(t.root().join("themes")).expect("no fixture theme");
    crate::support::copy_dir(
        &std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("themes/default"),
        &t.root().join("themes/default"),
    );
    t.file("config.toml", "base_url = \"https://example.org/docs/\"\ntitle = \"T\"\ntheme = \"default\"\ndefault_language = \"fr\"\nsite_search = true\n[correct]\nenabled = false\n");
    t.page("notes/_index.md", "title = \"Notes\"", "");
    t.page(
        "notes/cafe.md",
        "title = \"Café crème\"\ndate = 2024-05-06",
        "Un café noir, près de l'Élysée. Ёлка и йод. 東京都の地図。\n",
    );
    t.build().assert_ok();
    let search = t.read("search/index.html");
    assert!(search.contains("data-index=\"/docs/search-index/fr/meta.json\""), "{search}");
    let files = crate::support::snapshot(&t.public("search-index/fr"));
    let all: String = files
        .iter()
        .filter(|(k, _)| k.starts_with("t/"))
        .map(|(_, v)| String::from_utf8_lossy(v).into_owned())
        .collect();
    for term in ["\"cafe\"", "\"creme\"", "\"elysee\"", "\"елка\"", "\"йод\"", "\"東京\"", "\"京都\""] {
        assert!(all.contains(term), "{term} missing from {all}");
    }
    let records = String::from_utf8_lossy(&files["d/0.json"]).into_owned();
    assert!(records.contains("\"/docs/notes/cafe/\"") && records.contains("\"Notes\""), "{records}");
}
