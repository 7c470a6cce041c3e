//! Zola's overridable generated files: when the site or its theme has a
//! template named `robots.txt`, `sitemap.xml` or like a feed file
//! (`atom.xml`, `rss.xml`, or a custom name in `feed_filenames`), that file
//! is rendered through it, with the context Zola gives, instead of being
//! written by [`crate::render::feeds`].

use std::sync::Arc;

use serde_json::{Value, json};

use crate::config::Config;
use crate::content::Content;
use crate::diagnostics::{Diagnostic, SourceMap};
use crate::render::templates::Templates;
use crate::site::permalink;
use crate::taxonomies::Taxonomy;

/// What a feed belongs to, for the extra values its template sees.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Owner {
    /// The whole site, or one language's part of it.
    Site,
    /// Section `i` of `content.sections` (`section` in the context).
    Section(usize),
    /// Term `k` of taxonomy `t` (`taxonomy` and `term` in the context).
    Term(usize, usize),
}

/// Everything a template-rendered generated file needs: the loaded
/// templates and the values templates already see elsewhere, so a feed
/// template lists pages exactly as a section template would.
pub struct FeedTemplates<'a> {
    pub tpl: &'a Templates,
    pub sources: &'a SourceMap,
    /// The default language's `config` value.
    pub config_value: &'a Value,
    /// The `config` value of another language's part of the site.
    pub config_for: &'a dyn Fn(&str) -> Value,
    /// Page values without `content` (see `page_lite` in the site).
    pub lite: &'a [Arc<Value>],
    pub section_lite: &'a [Value],
}

impl FeedTemplates<'_> {
    /// Whether a template of this exact name overrides the built-in file.
    pub fn has(&self, name: &str) -> bool {
        self.tpl.has(name)
    }

    /// `robots.txt` through its template, as Zola: only `config` is given.
    pub fn robots(&self) -> Option<Result<String, Diagnostic>> {
        let mut ctx = tera::Context::new();
        ctx.insert("config", self.config_value);
        self.has("robots.txt").then(|| self.tpl.render("robots.txt", &ctx, self.sources))
    }

    /// `sitemap.xml` through its template: `entries` as Zola lists them,
    /// each `{permalink, updated, extra}` (`updated` is the page's
    /// `updated`, else its `date`, else null).
    pub fn sitemap(
        &self,
        config: &Config,
        content: &Content,
        taxonomies: &[Taxonomy],
    ) -> Option<Result<String, Diagnostic>> {
        if !self.has("sitemap.xml") {
            return None;
        }
        let mut entries = Vec::new();
        let entry = |path: &str, updated: Option<&str>, extra: Value| json!({"permalink": permalink(config, path), "updated": updated, "extra": extra});
        for (i, p) in content.pages.iter().enumerate().filter(|(_, p)| p.meta.render) {
            let updated = p.meta.updated.as_ref().or(p.meta.date.as_ref()).map(|d| d.text.as_str());
            let extra = self.lite.get(i).map_or(Value::Null, |l| l["extra"].clone());
            entries.push(entry(&p.url_path, updated, extra));
        }
        for (i, s) in content.sections.iter().enumerate().filter(|(_, s)| s.meta.render) {
            let extra = self.section_lite.get(i).map_or(Value::Null, |l| l["extra"].clone());
            entries.push(entry(&s.url_path, None, extra));
        }
        for t in taxonomies {
            entries.push(entry(&format!("/{}/", t.slug), None, Value::Null));
            for term in &t.terms {
                entries.push(entry(&format!("/{}/{}/", t.slug, term.slug), None, Value::Null));
            }
        }
        let mut ctx = tera::Context::new();
        ctx.insert("entries", &entries);
        ctx.insert("config", self.config_value);
        Some(self.tpl.render("sitemap.xml", &ctx, self.sources))
    }

    /// One feed file `name` through its template, with Zola's context:
    /// `config`, `lang`, `feed_url`, `last_updated`, `pages` (those with a
    /// date, newest first, at most `feed_limit`, each with its `content`, as
    /// feed templates print it), and `section` or `taxonomy`/`term` for a
    /// section's or a term's feed. `html`: each page's rendered body.
    #[allow(clippy::too_many_arguments)]
    pub fn feed(
        &self,
        config: &Config,
        content: &Content,
        html: &[(&str, Option<&str>)],
        taxonomies: &[Taxonomy],
        name: &str,
        feed_path: &str,
        lang: &str,
        owner: Owner,
        pages: &[usize],
    ) -> Result<String, Diagnostic> {
        let dated: Vec<usize> = pages.iter().copied().filter(|&i| content.pages[i].meta.date.is_some()).collect();
        let mut ctx = tera::Context::new();
        let last = dated
            .iter()
            .filter_map(|&i| content.pages[i].meta.updated.as_ref())
            .chain(dated.first().and_then(|&i| content.pages[i].meta.date.as_ref()))
            .max_by_key(|d| d.timestamp);
        if let Some(d) = last {
            ctx.insert("last_updated", &d.text);
        }
        let list: Vec<Value> = dated
            .iter()
            .take(config.feed_limit)
            .map(|&i| {
                crate::render::templates::note_use(&content.pages[i].content_rel);
                let mut v = self.lite.get(i).map_or(Value::Null, |l| (**l).clone());
                if let (Value::Object(map), Some((body, _))) = (&mut v, html.get(i)) {
                    map.insert("content".into(), Value::String((*body).to_string()));
                    // As on the page's own template (feed templates pass
                    // each page to the same macros).
                    let section = Some(content.pages[i].section);
                    map.insert("ancestors".into(), crate::site::ancestors_value(config, content, section));
                }
                v
            })
            .collect();
        ctx.insert("pages", &list);
        if lang == config.default_language {
            ctx.insert("config", self.config_value);
        } else {
            ctx.insert("config", &(self.config_for)(lang));
        }
        ctx.insert("lang", lang);
        ctx.insert("feed_url", &permalink(config, feed_path));
        match owner {
            Owner::Site => {}
            Owner::Section(i) => {
                ctx.insert("section", self.section_lite.get(i).unwrap_or(&Value::Null));
            }
            Owner::Term(t, k) => {
                if let Some(tax) = taxonomies.get(t) {
                    let path = format!("/{}/", tax.slug);
                    ctx.insert(
                        "taxonomy",
                        &json!({"name": tax.name, "slug": tax.slug, "lang": tax.lang.as_deref().unwrap_or(&config.default_language),
                                "permalink": permalink(config, &path), "path": path}),
                    );
                    if let Some(term) = tax.terms.get(k) {
                        let path = format!("/{}/{}/", tax.slug, term.slug);
                        ctx.insert(
                            "term",
                            &json!({"name": term.name, "slug": term.slug, "permalink": permalink(config, &path),
                                    "path": path, "page_count": term.pages.len()}),
                        );
                    }
                }
            }
        }
        self.tpl.render(name, &ctx, self.sources)
    }
}
