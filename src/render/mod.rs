//! Stage 3, "render": Markdown, highlighting, shortcodes, templates and feeds.
//! Nothing in here touches the output directory.

pub mod emoji;
pub mod feed_templates;
pub mod feeds;
pub mod highlight;
pub mod images;
pub mod markdown;
pub mod minify;
pub mod sass;
pub mod search;
pub mod shortcodes;
pub mod templates;
pub mod zola_fns;
pub mod zola_highlight;
pub mod zola_search;
