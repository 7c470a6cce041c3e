//! One owner for every output file.
//!
//! Every file the build writes is claimed here first, together with who asks
//! for it: an article (and the front-matter key that decides its URL), an
//! entry of `aliases`, a feed, a file of a page bundle, a static file… A path
//! claimed twice is an error naming both sources, so no output can silently
//! replace another, and a path that one claim needs as a file and another as
//! a directory (`atom.xml` and `atom.xml/index.html`) is caught here, not by
//! the operating system at write time.
//!
//! The one exception is layering (documented in the README): the site's
//! `static/` replaces the theme's `static/` file by file, as `templates/`
//! does for templates; and whatever the build generates or copies from
//! `content/` takes the place of a static file, with a warning naming both.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::ops::Range;
use std::path::{Path, PathBuf};

use super::{Alias, Job, Layout, out_path, pager_redirects};
use crate::config::Config;
use crate::content::Content;
use crate::content::front_matter::{Split, key_span};
use crate::diagnostics::{Diagnostic, SourceMap, line_col};
use crate::render::feeds::Feed;
use crate::taxonomies::Taxonomy;

/// Where an output comes from; a higher layer replaces a lower one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Layer {
    /// A file of the theme's `static/`.
    ThemeStatic,
    /// A file of the site's `static/`.
    SiteStatic,
    /// Everything else: rendered pages, feeds, redirects, `content/` files.
    Site,
}

/// Who asks for an output file.
#[derive(Debug, Clone)]
pub struct Owner {
    pub layer: Layer,
    /// A phrase that reads well followed by the location: "the page",
    /// "the alias `/old/` in", "the search index".
    pub what: String,
    /// The source file (relative to the site root) that asks for it.
    pub file: Option<PathBuf>,
    /// The key (or value) in `file` that decides the path.
    pub span: Option<Range<usize>>,
    /// How much this claim is the one to fix when two collide: an alias or
    /// an explicit `slug` outranks a URL that follows from a file's path,
    /// which outranks what the build adds on its own. Ties blame the later.
    pub rank: u8,
    pub help: Option<&'static str>,
}

impl Owner {
    /// An output with no source file to point at (the search index, the sitemap).
    pub fn builtin(what: impl Into<String>) -> Self {
        Owner { layer: Layer::Site, what: what.into(), file: None, span: None, rank: 0, help: None }
    }

    /// An output asked for by `file` (at `span` when given).
    pub fn source(what: impl Into<String>, file: impl Into<PathBuf>, span: Option<Range<usize>>, rank: u8) -> Self {
        Owner { layer: Layer::Site, what: what.into(), file: Some(file.into()), span, rank, help: None }
    }

    pub fn with_help(mut self, help: &'static str) -> Self {
        self.help = Some(help);
        self
    }

    pub fn in_layer(mut self, layer: Layer) -> Self {
        self.layer = layer;
        self
    }

    /// "the page content/europe/minsk.md", for warnings: a warning outlives
    /// edits that the dev server's fast path makes, which may move lines.
    fn describe_file(&self) -> String {
        match &self.file {
            Some(file) => format!("{} {}", self.what, file.display()),
            None => self.what.clone(),
        }
    }

    /// "the page content/europe/minsk.md:3:1", for messages.
    fn describe(&self, sources: &SourceMap) -> String {
        let Some(file) = &self.file else { return self.what.clone() };
        let mut at = file.display().to_string();
        if let (Some(span), Some(text)) = (&self.span, sources.get(file)) {
            let (line, col) = line_col(text, span.start);
            at = format!("{at}:{line}:{col}");
        }
        format!("{} {at}", self.what)
    }
}

/// Two claims that cannot both be honoured.
#[derive(Debug)]
struct Clash {
    /// The path and owner of the claim to blame (the diagnostic points at it).
    blamed: (String, Owner),
    other: (String, Owner),
}

/// A lower layer's file not published because a higher layer writes there.
#[derive(Debug)]
struct Shadow {
    lower: (String, Owner),
    higher: (String, Owner),
}

/// The registry: output path (relative, `/`-separated) → its one owner.
#[derive(Debug, Default)]
pub struct Claims {
    files: BTreeMap<String, Owner>,
    clashes: Vec<Clash>,
    shadows: Vec<Shadow>,
    /// Paths with an empty, `.` or `..` segment, which no claim may have.
    malformed: Vec<(String, Owner)>,
}

impl Claims {
    /// Claim `path` for `owner`. Returns whether `owner` now owns it: a claim
    /// that collides with one of its own layer (an error) or of a higher
    /// layer (a warning) does not; one that collides only with lower layers
    /// takes their place.
    pub fn claim(&mut self, path: String, owner: Owner) -> bool {
        if path.split('/').any(|s| s.is_empty() || s == "." || s == "..") {
            self.malformed.push((path, owner));
            return false;
        }
        let rivals = self.rivals(&path);
        let stronger: Vec<&String> =
            rivals.iter().filter(|p| self.files.get(*p).is_some_and(|o| o.layer >= owner.layer)).collect();
        if !stronger.is_empty() {
            for p in stronger {
                let Some(old) = self.files.get(p) else { continue };
                if old.layer == owner.layer {
                    let (new, old) = ((path.clone(), owner.clone()), (p.clone(), old.clone()));
                    let clash = if old.1.rank > new.1.rank {
                        Clash { blamed: old, other: new }
                    } else {
                        Clash { blamed: new, other: old }
                    };
                    self.clashes.push(clash);
                } else if !silent_override(&path, &owner, p, old) {
                    self.shadows
                        .push(Shadow { lower: (path.clone(), owner.clone()), higher: (p.clone(), old.clone()) });
                }
            }
            return false;
        }
        for p in rivals {
            if let Some(old) = self.files.remove(&p)
                && !silent_override(&p, &old, &path, &owner)
            {
                self.shadows.push(Shadow { lower: (p, old), higher: (path.clone(), owner.clone()) });
            }
        }
        self.files.insert(path, owner);
        true
    }

    /// Claimed paths that `path` cannot coexist with: itself, a file where
    /// `path` needs a directory, and files below `path` if it is claimed as
    /// a file.
    fn rivals(&self, path: &str) -> Vec<String> {
        let mut out = Vec::new();
        if self.files.contains_key(path) {
            out.push(path.to_string());
        }
        for (i, _) in path.match_indices('/') {
            if self.files.contains_key(&path[..i]) {
                out.push(path[..i].to_string());
            }
        }
        let below = format!("{path}/");
        out.extend(
            self.files.range(below.clone()..).take_while(|(k, _)| k.starts_with(&below)).map(|(k, _)| k.clone()),
        );
        out
    }

    /// The owner of `path`, if it is claimed.
    pub fn owner(&self, path: &str) -> Option<&Owner> {
        self.files.get(path)
    }

    /// Every claimed path.
    pub fn paths(&self) -> impl Iterator<Item = &String> {
        self.files.keys()
    }

    /// An error for each clash and malformed path, a warning for each
    /// static file that another output takes the place of.
    pub fn diagnostics(&self, sources: &SourceMap) -> Vec<Diagnostic> {
        let mut out = Vec::new();
        for Clash { blamed: (bp, b), other: (op, o) } in &self.clashes {
            let message = if bp == op {
                format!("`{bp}` is written twice: by {} and by {}", b.describe(sources), o.describe(sources))
            } else {
                let (file, dir) = if op.starts_with(&format!("{bp}/")) { (bp, op) } else { (op, bp) };
                format!(
                    "{} writes `{bp}` and {} writes `{op}`: `{file}` cannot be a file and also the directory of `{dir}`",
                    b.describe(sources),
                    o.describe(sources)
                )
            };
            let help = b.help.or(o.help).unwrap_or("give one of them another URL");
            out.push(at(Diagnostic::error("output/conflict", PathBuf::new(), message).with_help(help), b, o));
        }
        for (path, owner) in &self.malformed {
            let message = format!("{} would write `{path}`, which has an empty URL segment", owner.describe(sources));
            out.push(at(Diagnostic::error("output/conflict", PathBuf::new(), message), owner, owner));
        }
        for Shadow { lower: (lp, l), higher: (hp, h) } in &self.shadows {
            let message = format!(
                "{} is not published: {} writes `{hp}`{}",
                l.describe_file(),
                h.describe_file(),
                if lp == hp { String::new() } else { format!(" (in place of `{lp}`)") }
            );
            let help = "pages and files the build writes take the place of static files; rename or delete one";
            let d = Diagnostic::warning("output/shadowed", PathBuf::new(), message).with_help(help);
            out.push(at(d, l, h));
        }
        out
    }
}

/// A file of the site's `static/` replacing the theme's file of the same
/// path is how a site customises its theme: documented, not warned about.
fn silent_override(lower_path: &str, lower: &Owner, higher_path: &str, higher: &Owner) -> bool {
    lower_path == higher_path && lower.layer == Layer::ThemeStatic && higher.layer == Layer::SiteStatic
}

/// Point `d` at `first`'s source, or `second`'s when `first` has none.
fn at(mut d: Diagnostic, first: &Owner, second: &Owner) -> Diagnostic {
    let owner = if first.file.is_some() { first } else { second };
    d.path = owner.file.clone().unwrap_or_else(|| PathBuf::from("config.toml"));
    d.span = owner.span.clone();
    d
}

/// What [`claim_site`] needs to know about the site.
pub(super) struct Site<'a> {
    pub root: &'a Path,
    pub config: &'a Config,
    pub config_text: &'a str,
    pub content: &'a Content,
    pub taxonomies: &'a [Taxonomy],
    pub layout: &'a Layout<'a>,
    pub feeds: &'a [Feed],
    pub aliases: &'a [Alias],
    pub statics: &'a [(String, PathBuf, Layer)],
    /// Whether `highlight.css` is written.
    pub highlight: bool,
}

const SLUG_HELP: &str = "set a different `slug` on one of them";

/// Claim every output of the site except fingerprinted assets (named by
/// bytes not known yet; see [`claim_fingerprints`]). Claims are made from
/// what the build adds on its own to what an editor asked for, so that of
/// two equally ranked claims the later, more specific one is blamed.
pub(super) fn claim_site(site: &Site) -> Claims {
    let mut claims = Claims::default();
    let config = site.config;
    if config.site_search {
        for lang in crate::content::lang::declared(config) {
            claims.claim(crate::render::search::meta_path(lang), Owner::builtin("the search index"));
        }
    }
    for f in site.feeds {
        for path in f.outputs(config, |n| site.layout.tpl.has(n)) {
            claims.claim(path, Owner::builtin(f.what()));
        }
    }
    if config.generate_sitemap {
        claims.claim("sitemap.xml".into(), Owner::builtin("the sitemap (`generate_sitemap` in config.toml)"));
    }
    if config.generate_robots_txt {
        claims.claim("robots.txt".into(), Owner::builtin("robots.txt (`generate_robots_txt` in config.toml)"));
    }
    if site.highlight {
        claims.claim("highlight.css".into(), Owner::builtin("the syntax-highlighting stylesheet"));
    }
    let mut jobs = site.layout.jobs();
    jobs.sort_by_key(|job| match job {
        Job::NotFound | Job::NotFoundIn(_) | Job::Search | Job::SearchIn(_) => 0,
        Job::TaxonomyList(..) | Job::Term(..) => 1,
        Job::Section(..) => 2,
        Job::Page(..) => 3,
    });
    for job in jobs {
        if let Some(path) = site.layout.output_of(job) {
            claims.claim(path, owner_of(site, job));
        }
    }
    for (name, _) in crate::render::zola_highlight::files(site.config) {
        claims.claim(name, Owner::builtin("a highlighting stylesheet Zola's settings ask for"));
    }
    for name in crate::render::zola_search::outputs(site.config) {
        claims.claim(name, Owner::builtin("Zola's search index (`build_search_index` in config.toml)"));
    }
    for (path, _, section) in pager_redirects(site.layout) {
        let owner = match section.and_then(|i| site.content.sections.get(i)) {
            Some(s) => {
                let span = front_key(&s.file.text, s.body_start, "paginate_by");
                Owner::source("the redirect from page 1 of the section", s.file.rel.clone(), Some(span), 2)
            }
            None => Owner::builtin("the redirect from page 1 of a taxonomy term"),
        };
        claims.claim(path, owner);
    }
    for a in site.aliases.iter().filter(|a| !a.moved) {
        let what = format!("the alias `{}` in", a.path);
        let owner = Owner::source(what, a.file.clone(), Some(a.span.clone()), 6)
            .with_help("remove the alias, or make it a path nothing else writes");
        claims.claim(out_path(&a.path), owner);
    }
    let bundles: HashSet<PathBuf> = site
        .content
        .pages
        .iter()
        .filter(|p| !p.assets.is_empty())
        .filter_map(|p| Some(site.root.join("content").join(&p.content_rel).parent()?.to_path_buf()))
        .collect();
    for a in &site.content.assets {
        let in_bundle = a.source.parent().is_some_and(|d| bundles.contains(d));
        let what = if in_bundle { "the page-bundle file" } else { "the file" };
        let owner = Owner::source(what, crate::content::rel_to(site.root, &a.source), None, 5)
            .with_help("rename the file, or move it out of the way");
        claims.claim(a.output.clone(), owner);
    }
    for (key, path, layer) in site.statics {
        let what = match layer {
            Layer::ThemeStatic => "the theme's static file",
            _ => "the static file",
        };
        let owner = Owner::source(what, crate::content::rel_to(site.root, path), None, 0).in_layer(*layer);
        claims.claim(key.clone(), owner);
    }
    // Old URLs kept as redirects yield to everything else, even static files:
    // claimed last, and only where nothing is.
    for a in site.aliases.iter().filter(|a| a.moved) {
        let path = out_path(&a.path);
        if claims.rivals(&path).is_empty() {
            claims.claim(path, Owner::source(MOVED, a.file.clone(), None, 0));
        }
    }
    claims
}

/// The owner phrase of an old URL that a changed slug rule keeps as a
/// redirect (`Page::moved_from`).
pub(super) const MOVED: &str = "the old URL (before a slug rule changed it) of";

/// Whether the redirect from `a`'s old URL is written: it is only where no
/// other output wanted that path.
pub(super) fn keeps_moved(claims: &Claims, a: &Alias) -> bool {
    claims.owner(&out_path(&a.path)).is_some_and(|o| o.what == MOVED && o.file.as_deref() == Some(a.file.as_path()))
}

/// Claim the fingerprinted name of each stylesheet and script
/// (`style.css` → `style.<hash>.css`).
pub(super) fn claim_fingerprints(
    claims: &mut Claims,
    root: &Path,
    statics: &BTreeMap<String, PathBuf>,
    assets: &HashMap<String, (String, Vec<u8>)>,
) {
    let mut names: Vec<(&String, &String)> = assets.iter().map(|(plain, (name, _))| (plain, name)).collect();
    names.sort();
    for (plain, name) in names {
        let owner = match statics.get(plain) {
            Some(path) => Owner::source("the fingerprinted copy of", crate::content::rel_to(root, path), None, 0),
            None => Owner::builtin(format!("the fingerprinted copy of `{plain}`")),
        };
        claims.claim(name.clone(), owner);
    }
}

/// Who asks for a template output, pointing at the key that decides its URL.
fn owner_of(site: &Site, job: Job) -> Owner {
    let (content, tpl) = (site.content, site.layout.tpl);
    let template = |name: &str| tpl.files.get(name).cloned().unwrap_or_else(|| PathBuf::from(name));
    match job {
        Job::Page(i) => {
            let p = &content.pages[i];
            match p.meta.slug {
                Some(_) => {
                    let span = front_key(&p.file.text, p.body_start, "slug");
                    Owner::source("the page", p.file.rel.clone(), Some(span), 4).with_help(SLUG_HELP)
                }
                None => {
                    Owner::source("the page", p.file.rel.clone(), Some(fence(&p.file.text)), 3).with_help(SLUG_HELP)
                }
            }
        }
        Job::Section(i, k) => {
            let s = &content.sections[i];
            if s.file.text.is_empty() {
                return Owner::builtin("the home page (the site has no content/_index.md)");
            }
            if k == 0 {
                Owner::source("the section", s.file.rel.clone(), Some(fence(&s.file.text)), 2)
            } else {
                let span = front_key(&s.file.text, s.body_start, "paginate_by");
                Owner::source(format!("page {} of the section", k + 1), s.file.rel.clone(), Some(span), 2)
            }
        }
        Job::TaxonomyList(t) => {
            let name = &site.taxonomies[t].name;
            let span = taxonomy_span(site.config_text, name);
            Owner::source(format!("the list of `{name}` terms, declared in"), "config.toml", span, 1)
        }
        Job::Term(t, k, c) => {
            let tax = &site.taxonomies[t];
            let term = &tax.terms[k];
            let pager = if c > 0 { format!("page {} of ", c + 1) } else { String::new() };
            let what = format!("{pager}the `{}` term page of `{}`, named in", tax.name, term.name);
            match term.pages.first().and_then(|&j| content.pages.get(j)) {
                Some(p) => {
                    let front = &p.file.text[..p.body_start.min(p.file.text.len())];
                    let at = front.find(&term.name).unwrap_or(0);
                    Owner::source(what, p.file.rel.clone(), Some(at..at + term.name.len()), 1)
                }
                None => Owner::builtin(what),
            }
        }
        Job::NotFound | Job::NotFoundIn(_) => {
            Owner::source("the 404 page, rendered from", template("404.html"), None, 0)
        }
        Job::Search | Job::SearchIn(_) => {
            Owner::source("the search page, rendered from", template("search.html"), None, 0)
        }
    }
}

/// The opening `+++` or `---` of a file's front matter.
fn fence(text: &str) -> Range<usize> {
    let s = if text.starts_with('\u{feff}') { 3 } else { 0 };
    s..s + 3
}

/// Where front-matter `key` is written (the opening fence if it is not).
fn front_key(text: &str, body_start: usize, key: &str) -> Range<usize> {
    let end = body_start.min(text.len());
    let start = fence(text).end.min(end);
    let split = Split { front: start..end, body_start, yaml: false };
    let span = key_span(text, &split, key);
    if span.start == start.saturating_sub(4) { fence(text) } else { span }
}

/// The `[taxonomies.name]` header (or the first mention of the name) in config.toml.
fn taxonomy_span(config_text: &str, name: &str) -> Option<Range<usize>> {
    let at = config_text
        .find(&format!("[taxonomies.{name}]"))
        .map(|i| i + 1)
        .or_else(|| config_text.find(&format!("taxonomies.{name}")))
        .or_else(|| config_text.find(name))?;
    Some(at..at + "taxonomies.".len() + name.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn page(file: &str) -> Owner {
        Owner::source("the page", file, None, 3)
    }

    #[test]
    fn a_second_claim_is_refused_and_reported() {
        let mut c = Claims::default();
        assert!(c.claim("a/index.html".into(), page("content/a.md")));
        assert!(!c.claim("a/index.html".into(), page("content/b.md")));
        let d = c.diagnostics(&SourceMap::default());
        assert_eq!(d.len(), 1);
        assert_eq!(d[0].path, PathBuf::from("content/b.md"));
        assert!(d[0].message.contains("content/a.md"), "{}", d[0].message);
    }

    #[test]
    fn a_file_cannot_be_a_directory() {
        let mut c = Claims::default();
        assert!(c.claim("atom.xml".into(), Owner::builtin("the feed")));
        assert!(!c.claim("atom.xml/index.html".into(), page("content/x.md")));
        assert!(c.claim("b/c/index.html".into(), page("content/c.md")));
        assert!(!c.claim("b/c".into(), page("content/d.md")));
        assert_eq!(c.diagnostics(&SourceMap::default()).len(), 2);
    }

    #[test]
    fn layers_replace_lower_ones() {
        let mut c = Claims::default();
        let theme =
            Owner::source("the theme's static file", "themes/t/static/a.css", None, 1).in_layer(Layer::ThemeStatic);
        let site = Owner::source("the static file", "static/a.css", None, 1).in_layer(Layer::SiteStatic);
        assert!(c.claim("a.css".into(), theme.clone()));
        assert!(c.claim("a.css".into(), site.clone()));
        assert!(!c.claim("a.css".into(), theme));
        assert!(c.diagnostics(&SourceMap::default()).is_empty(), "site over theme is silent");
        assert!(c.claim("a.css".into(), page("content/a.md")));
        assert!(!c.claim("a.css".into(), site));
        let d = c.diagnostics(&SourceMap::default());
        assert_eq!(d.len(), 2);
        assert!(d.iter().all(Diagnostic::is_warning));
        assert_eq!(c.owner("a.css").and_then(|o| o.file.clone()), Some(PathBuf::from("content/a.md")));
    }

    #[test]
    fn empty_segments_are_refused() {
        let mut c = Claims::default();
        assert!(!c.claim("europe//osce/index.html".into(), page("content/europe/x/osce.md")));
        assert!(c.diagnostics(&SourceMap::default())[0].is_error());
    }
}
