//! Generated files that are not templates: Atom (and RSS, when
//! `feed_filenames` asks for `rss.xml`) feeds, `sitemap.xml`, `robots.txt`.
//!
//! Feeds are built from data already rendered; they never re-render a page.

use std::collections::{BTreeMap, HashMap};
use std::fmt::Write as _;

use crate::config::Config;
use crate::content::{Content, SortBy, sort_pages};
use crate::diagnostics::Diagnostic;
use crate::render::feed_templates::{FeedTemplates, Owner};
use crate::site::{OutFile, permalink};
use crate::taxonomies::Taxonomy;

fn xml_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            c if (c as u32) < 0x20 && c != '\n' && c != '\t' && c != '\r' => {}
            c => out.push(c),
        }
    }
    out
}

/// The language of the feed whose home is `home_path`: the language whose
/// part of the site (`/uk/…`) it is in, else the default.
fn feed_lang<'c>(config: &'c Config, home_path: &str) -> &'c str {
    crate::content::lang::declared(config)
        .into_iter()
        .skip(1)
        .find(|l| home_path.strip_prefix('/').and_then(|h| h.strip_prefix(l)).is_some_and(|r| r.starts_with('/')))
        .unwrap_or(&config.default_language)
}

/// An Atom feed of `pages` (indices, already newest first).
fn atom(
    config: &Config,
    content: &Content,
    html: &[(&str, Option<&str>)],
    title: &str,
    feed_path: &str,
    home_path: &str,
    pages: &[usize],
) -> String {
    let feed_url = permalink(config, feed_path);
    let updated = pages
        .iter()
        .filter_map(|&i| content.pages[i].meta.updated.as_ref().or(content.pages[i].meta.date.as_ref()))
        .max()
        .map_or_else(|| "1970-01-01T00:00:00+00:00".to_string(), |d| d.rfc3339());
    let mut out = String::new();
    let _ = writeln!(out, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>");
    let _ = writeln!(
        out,
        "<feed xmlns=\"http://www.w3.org/2005/Atom\" xml:lang=\"{}\">",
        xml_escape(feed_lang(config, home_path))
    );
    let _ = writeln!(out, "  <title>{}</title>", xml_escape(title));
    if let Some(d) = &config.description {
        let _ = writeln!(out, "  <subtitle>{}</subtitle>", xml_escape(d));
    }
    let _ = writeln!(out, "  <link href=\"{}\" rel=\"self\" type=\"application/atom+xml\"/>", xml_escape(&feed_url));
    let _ = writeln!(out, "  <link href=\"{}\"/>", xml_escape(&permalink(config, home_path)));
    let _ = writeln!(out, "  <generator uri=\"https://example.org/attache\">Attaché</generator>");
    let _ = writeln!(out, "  <updated>{updated}</updated>");
    let _ = writeln!(out, "  <id>{}</id>", xml_escape(&feed_url));
    for &i in pages.iter().take(config.feed_limit) {
        let p = &content.pages[i];
        let url = permalink(config, &p.url_path);
        let published = p.meta.date.as_ref().map_or_else(|| updated.clone(), |d| d.rfc3339());
        let upd = p.meta.updated.as_ref().map_or_else(|| published.clone(), |d| d.rfc3339());
        let lang = p.lang.as_deref().unwrap_or(&config.default_language);
        let _ = writeln!(out, "  <entry xml:lang=\"{}\">", xml_escape(lang));
        let _ = writeln!(out, "    <title>{}</title>", xml_escape(&p.meta.title));
        let _ = writeln!(out, "    <published>{published}</published>");
        let _ = writeln!(out, "    <updated>{upd}</updated>");
        for a in &p.meta.authors {
            let _ = writeln!(out, "    <author><name>{}</name></author>", xml_escape(a));
        }
        if p.meta.authors.is_empty() {
            let _ = writeln!(out, "    <author><name>{}</name></author>", xml_escape(&config.title));
        }
        let _ = writeln!(out, "    <link rel=\"alternate\" type=\"text/html\" href=\"{}\"/>", xml_escape(&url));
        let _ = writeln!(out, "    <id>{}</id>", xml_escape(&url));
        if let Some(d) = &p.meta.description {
            let _ = writeln!(out, "    <summary>{}</summary>", xml_escape(d));
        }
        let body = html.get(i).map_or("", |h| h.0);
        let _ = writeln!(
            out,
            "    <content type=\"html\" xml:base=\"{}\">{}</content>",
            xml_escape(&url),
            xml_escape(body)
        );
        let _ = writeln!(out, "  </entry>");
    }
    out.push_str("</feed>\n");
    out
}

/// An RSS 2.0 feed of `pages` (indices, already newest first), for sites
/// whose `feed_filenames` lists `rss.xml` (Zola's name).
fn rss(
    config: &Config,
    content: &Content,
    html: &[(&str, Option<&str>)],
    title: &str,
    feed_path: &str,
    home_path: &str,
    pages: &[usize],
) -> String {
    let rfc2822 = |d: &crate::content::front_matter::Date| {
        chrono::DateTime::from_timestamp(d.timestamp, 0).map_or_else(String::new, |t| t.to_rfc2822())
    };
    let mut out = String::new();
    let _ = writeln!(out, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>");
    let _ = writeln!(out, "<rss xmlns:atom=\"http://www.w3.org/2005/Atom\" version=\"2.0\">");
    let _ = writeln!(out, "  <channel>");
    let _ = writeln!(out, "    <title>{}</title>", xml_escape(title));
    let _ = writeln!(out, "    <link>{}</link>", xml_escape(&permalink(config, home_path)));
    let _ = writeln!(out, "    <description>{}</description>", xml_escape(config.description.as_deref().unwrap_or("")));
    let _ = writeln!(out, "    <generator>Attaché</generator>");
    let _ = writeln!(out, "    <language>{}</language>", xml_escape(feed_lang(config, home_path)));
    let _ = writeln!(
        out,
        "    <atom:link href=\"{}\" rel=\"self\" type=\"application/rss+xml\"/>",
        xml_escape(&permalink(config, feed_path))
    );
    if let Some(d) = pages.iter().filter_map(|&i| content.pages[i].meta.date.as_ref()).max() {
        let _ = writeln!(out, "    <lastBuildDate>{}</lastBuildDate>", rfc2822(d));
    }
    for &i in pages.iter().take(config.feed_limit) {
        let p = &content.pages[i];
        let url = permalink(config, &p.url_path);
        let _ = writeln!(out, "    <item>");
        let _ = writeln!(out, "      <title>{}</title>", xml_escape(&p.meta.title));
        if let Some(d) = &p.meta.date {
            let _ = writeln!(out, "      <pubDate>{}</pubDate>", rfc2822(d));
        }
        let _ = writeln!(out, "      <link>{}</link>", xml_escape(&url));
        let _ = writeln!(out, "      <guid>{}</guid>", xml_escape(&url));
        let body = p.meta.description.as_deref().or_else(|| html.get(i).map(|h| h.0)).unwrap_or("");
        let _ = writeln!(out, "      <description>{}</description>", xml_escape(body));
        let _ = writeln!(out, "    </item>");
    }
    out.push_str("  </channel>\n</rss>\n");
    out
}

/// One Atom feed: where it is written, its title, the page it belongs to,
/// and its pages, newest first.
pub struct Feed {
    path: String,
    /// What it is, for messages ("the Atom feed of section content/x/_index.md").
    what: String,
    title: String,
    home: String,
    /// The language of its pages.
    lang: String,
    /// What it lists the pages of, for a feed template's context.
    owner: Owner,
    pages: Vec<usize>,
}

impl Feed {
    /// The Atom output file, relative to the output root.
    pub fn output(&self) -> &str {
        self.path.trim_start_matches('/')
    }

    /// The RSS output file beside it (Zola's `rss.xml`).
    fn rss_output(&self) -> String {
        format!("{}rss.xml", self.output().trim_end_matches("atom.xml"))
    }

    /// The file named `name` beside it (a custom name in `feed_filenames`).
    fn output_named(&self, name: &str) -> String {
        format!("{}{name}", self.output().trim_end_matches("atom.xml"))
    }

    /// Every file this feed is written to: `atom.xml` and/or `rss.xml`, as
    /// `feed_filenames` asks, and any other name there that has a template
    /// (`has`), as Zola renders each feed file through its template.
    pub fn outputs(&self, config: &Config, has: impl Fn(&str) -> bool) -> Vec<String> {
        let mut out = Vec::new();
        for name in &config.feed_filenames {
            match name.as_str() {
                "atom.xml" => out.push(self.output().to_string()),
                "rss.xml" => out.push(self.rss_output()),
                n if has(n) => out.push(self.output_named(n)),
                _ => {}
            }
        }
        out.dedup();
        out
    }

    pub fn what(&self) -> &str {
        &self.what
    }
}

/// Every feed the site has: the site's, each section's, each term's (where enabled).
pub fn plan(config: &Config, content: &Content, taxonomies: &[Taxonomy]) -> Vec<Feed> {
    let mut feeds = Vec::new();
    if config.generate_feed {
        let mut all: Vec<usize> = (0..content.pages.len()).filter(|&i| content.pages[i].lang.is_none()).collect();
        sort_pages(&mut all, &content.pages, SortBy::Date);
        feeds.push(Feed {
            path: "/atom.xml".into(),
            what: "the site's Atom feed (`generate_feed` in config.toml)".into(),
            title: config.title.clone(),
            home: "/".into(),
            lang: config.default_language.clone(),
            owner: Owner::Site,
            pages: all,
        });
    }
    // Each other language's own feed, as `[languages.LANG]` asks.
    for lang in config.languages.keys().filter(|l| **l != config.default_language) {
        if !crate::content::lang::generates_feed(config, lang) {
            continue;
        }
        let mut all: Vec<usize> =
            (0..content.pages.len()).filter(|&i| content.pages[i].lang.as_deref() == Some(lang)).collect();
        sort_pages(&mut all, &content.pages, SortBy::Date);
        feeds.push(Feed {
            path: format!("/{lang}/atom.xml"),
            what: format!("the Atom feed of language `{lang}` ([languages.{lang}] generate_feeds)"),
            title: config.title.clone(),
            home: format!("/{lang}/"),
            lang: lang.clone(),
            owner: Owner::Site,
            pages: all,
        });
    }
    {
        // Zola: a section's own feed when its front matter asks
        // (`generate_feeds`); Attaché's `section_feeds` for every section.
        let wants = |s: &&crate::content::Section| s.meta.generate_feeds.unwrap_or(config.section_feeds);
        for (i, s) in
            content.sections.iter().enumerate().filter(|(_, s)| s.url_path != "/" && !s.pages.is_empty() && wants(s))
        {
            let mut list = s.pages.clone();
            sort_pages(&mut list, &content.pages, SortBy::Date);
            feeds.push(Feed {
                path: format!("{}atom.xml", s.url_path),
                what: format!("the Atom feed of section {}", s.file.rel.display()),
                title: format!("{} — {}", s.meta.title, config.title),
                home: s.url_path.clone(),
                lang: s.lang.clone().unwrap_or_else(|| config.default_language.clone()),
                owner: Owner::Section(i),
                pages: list,
            });
        }
    }
    for (ti, t) in taxonomies.iter().enumerate() {
        if !config.taxonomies.get(&t.name).is_some_and(|c| c.feed) {
            continue;
        }
        for (k, term) in t.terms.iter().enumerate() {
            let home = format!("/{}/{}/", t.slug, term.slug);
            feeds.push(Feed {
                path: format!("{home}atom.xml"),
                what: format!("the Atom feed of `{}` in `{}`", term.name, t.name),
                title: format!("{} — {}", term.name, config.title),
                home,
                lang: t.lang.clone().unwrap_or_else(|| config.default_language.clone()),
                owner: Owner::Term(ti, k),
                pages: term.pages.clone(),
            });
        }
    }
    feeds
}

/// Write the feeds of `plan` into `files`; with `only` (pages edited since
/// the plan was made, which left every list's order as it was), just those
/// feeds one of them appears in: no other feed's bytes can have changed.
/// A feed file with a template of its name (in `over`) is rendered through
/// it; the errors of such templates are returned.
#[allow(clippy::too_many_arguments)]
pub fn write_feeds(
    config: &Config,
    content: &Content,
    html: &[(&str, Option<&str>)],
    taxonomies: &[Taxonomy],
    plan: &[Feed],
    only: Option<&[usize]>,
    over: Option<&FeedTemplates>,
    files: &mut BTreeMap<String, OutFile>,
) -> Vec<Diagnostic> {
    let mut diags = Vec::new();
    let has = |n: &str| over.is_some_and(|o| o.has(n));
    for f in plan {
        if only.is_some_and(|o| !f.pages.iter().take(config.feed_limit).any(|i| o.contains(i))) {
            continue;
        }
        for name in &config.feed_filenames {
            let out = match name.as_str() {
                "atom.xml" => f.output().to_string(),
                "rss.xml" => f.rss_output(),
                n if has(n) => f.output_named(n),
                _ => continue,
            };
            let feed_path = format!("/{out}");
            let bytes = match over.filter(|o| o.has(name)) {
                Some(o) => {
                    match o.feed(config, content, html, taxonomies, name, &feed_path, &f.lang, f.owner, &f.pages) {
                        Ok(text) => text,
                        Err(d) => {
                            diags.push(d);
                            continue;
                        }
                    }
                }
                None if name == "atom.xml" => atom(config, content, html, &f.title, &f.path, &f.home, &f.pages),
                None => rss(config, content, html, &f.title, &feed_path, &f.home, &f.pages),
            };
            files.insert(out, OutFile::Bytes(bytes.into_bytes()));
        }
    }
    // One broken template breaks every feed using it: report it once.
    diags.dedup_by(|a, b| a.path == b.path && a.message == b.message);
    diags
}

/// `sitemap.xml`: every section, page, taxonomy and term, each URL with
/// translations carrying its alternates (and `x-default`, the default
/// language's version), as search engines read multilingual sitemaps.
fn sitemap(
    config: &Config,
    content: &Content,
    taxonomies: &[Taxonomy],
    alternates: &HashMap<String, Vec<(String, String)>>,
) -> String {
    let xhtml = if alternates.is_empty() { "" } else { " xmlns:xhtml=\"http://www.w3.org/1999/xhtml\"" };
    let mut out = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\"{xhtml}>\n"
    );
    let mut entry = |url_path: &str, lastmod: Option<String>| {
        let _ = write!(out, "  <url><loc>{}</loc>", xml_escape(&permalink(config, url_path)));
        if let Some(l) = lastmod {
            let _ = write!(out, "<lastmod>{l}</lastmod>");
        }
        for (lang, href) in alternates.get(url_path).into_iter().flatten() {
            let _ = write!(
                out,
                "\n    <xhtml:link rel=\"alternate\" hreflang=\"{}\" href=\"{}\"/>",
                xml_escape(lang),
                xml_escape(href)
            );
        }
        if let Some(set) = alternates.get(url_path) {
            if let Some((_, href)) = set.iter().find(|(l, _)| *l == config.default_language) {
                let _ = write!(
                    out,
                    "\n    <xhtml:link rel=\"alternate\" hreflang=\"x-default\" href=\"{}\"/>",
                    xml_escape(href)
                );
            }
            out.push_str("\n  ");
        }
        out.push_str("</url>\n");
    };
    // Zola's `render = false`: no page of its own, so none in the sitemap.
    for s in content.sections.iter().filter(|s| s.meta.render) {
        entry(&s.url_path, None);
    }
    for p in content.pages.iter().filter(|p| p.meta.render) {
        let d = p.meta.updated.as_ref().or(p.meta.date.as_ref()).map(|d| d.text.chars().take(10).collect());
        entry(&p.url_path, d);
    }
    for t in taxonomies {
        entry(&format!("/{}/", t.slug), None);
        for term in &t.terms {
            entry(&format!("/{}/{}/", t.slug, term.slug), None);
        }
    }
    out.push_str("</urlset>\n");
    out
}

/// Write every feed of `plan`, the sitemap and robots.txt into `files`.
/// `alternates`: for a URL path with translations, every version's
/// (language, permalink), listed in the sitemap as `xhtml:link hreflang`.
/// Each file with a template of its name in `over` is rendered through it
/// (as Zola lets a theme override them); their errors are returned.
#[allow(clippy::too_many_arguments)]
pub fn write_all(
    config: &Config,
    content: &Content,
    html: &[(&str, Option<&str>)],
    taxonomies: &[Taxonomy],
    plan: &[Feed],
    alternates: &HashMap<String, Vec<(String, String)>>,
    over: &FeedTemplates,
    files: &mut BTreeMap<String, OutFile>,
) -> Vec<Diagnostic> {
    let mut diags = write_feeds(config, content, html, taxonomies, plan, None, Some(over), files);
    let mut put = |name: &str, made: Option<Result<String, Diagnostic>>, builtin: &dyn Fn() -> String| {
        match made {
            Some(Ok(text)) => files.insert(name.into(), OutFile::Bytes(text.into_bytes())),
            Some(Err(d)) => {
                diags.push(d);
                None
            }
            None => files.insert(name.into(), OutFile::Bytes(builtin().into_bytes())),
        };
    };
    if config.generate_sitemap {
        put("sitemap.xml", over.sitemap(config, content, taxonomies), &|| {
            sitemap(config, content, taxonomies, alternates)
        });
    }
    if config.generate_robots_txt {
        put("robots.txt", over.robots(), &|| {
            format!("User-agent: *\nAllow: /\nSitemap: {}\n", permalink(config, "/sitemap.xml"))
        });
    }
    diags
}
