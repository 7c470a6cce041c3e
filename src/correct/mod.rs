//! Stage 2, "correct": the prose corrector.
//!
//! This is the seam the corrector plugs into: it receives every loaded page and
//! section and may change their Markdown bodies, reporting each change. Until
//! the corrector lands, it changes nothing and reports nothing.

use crate::config::Config;
use crate::content::Content;

/// What the correction stage did, for the build summary.
#[derive(Debug, Clone, Default)]
pub struct Summary {
    pub articles_corrected: usize,
    pub spun_articles: usize,
    pub changes_applied: usize,
    pub suggestions: usize,
}

/// Correct the prose of every page and section in place.
pub fn correct_content(_content: &mut Content, _config: &Config) -> Summary {
    Summary::default()
}
