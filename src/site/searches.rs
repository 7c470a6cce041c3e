//! One search index per language (`search-index/en/`, `search-index/uk/`):
//! a reader searching the Ukrainian site gets Ukrainian pages, ranked among
//! themselves, and the script's English plural handling stays with English.
//! Every declared language gets an index, empty or not, so that its search
//! page always has one to load. The tokeniser ([`crate::render::search::terms`])
//! is the same for all: it folds case and Latin accents, keeps Cyrillic as
//! written and splits CJK runs into pairs, and stems nothing.

use std::borrow::Cow;

use rayon::prelude::*;

use super::{Doc, search_entry};
use crate::config::Config;
use crate::content::{Content, lang};
use crate::render::search::{DocTerms, Entry, Index, doc_terms};

/// The indexes, and where each page sits in its language's.
pub(crate) struct Searches {
    indexes: Vec<Index>,
    /// Page → (index, position in it).
    slot: Vec<(usize, usize)>,
}

impl Searches {
    /// Every page in its language's index (terms scored in parallel, or
    /// taken from the build cache).
    pub(crate) fn build(config: &Config, content: &Content, docs: &[Doc], base_path: &str) -> Searches {
        let langs = lang::declared(config);
        let which = |i: usize| {
            let l = content.pages[i].lang.as_deref().unwrap_or(&config.default_language);
            langs.iter().position(|x| *x == l).unwrap_or(0)
        };
        let mut members: Vec<Vec<usize>> = vec![Vec::new(); langs.len()];
        let mut slot = Vec::with_capacity(content.pages.len());
        for i in 0..content.pages.len() {
            let k = which(i);
            slot.push((k, members[k].len()));
            members[k].push(i);
        }
        let indexes = langs
            .iter()
            .zip(&members)
            .map(|(l, pages)| {
                let entries: Vec<Entry> =
                    pages.iter().map(|&i| search_entry(content, i, &docs[i], base_path)).collect();
                // A page from the build cache brings its terms; others are scored here.
                let terms: Vec<Cow<DocTerms>> = entries
                    .par_iter()
                    .zip(pages)
                    .map(|(e, &i)| match &docs[i].derived {
                        Some(d) => Cow::Borrowed(&d.terms),
                        None => Cow::Owned(doc_terms(e)),
                    })
                    .collect();
                Index::build(&entries, &terms, l)
            })
            .collect();
        Searches { indexes, slot }
    }

    /// Replace page `i` by its edited `entry`.
    pub(crate) fn update(&mut self, i: usize, entry: &Entry, terms: &DocTerms) {
        if let Some(&(k, pos)) = self.slot.get(i)
            && let Some(ix) = self.indexes.get_mut(k)
        {
            ix.update(pos, entry, terms);
        }
    }

    /// Every file the indexes write, without serialising them.
    pub(crate) fn paths(&self) -> Vec<String> {
        self.indexes.iter().flat_map(Index::paths).collect()
    }

    /// Every file of every index: output path → bytes.
    pub(crate) fn files(&self) -> Vec<(String, Vec<u8>)> {
        self.indexes.iter().flat_map(Index::files).collect()
    }
}
