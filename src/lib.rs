//! Attaché: a static site generator for foreign-policy explainer sites.
//!
//! Data flows one way:
//!
//! ```text
//!  content/*.md ──load──▶ Content ──correct──▶ Content ──render──▶ files ──write──▶ public/
//!   (content)            (pages,    (correct)  (prose     (render,   in memory  (output,
//!                         sections)             restored)  site)                 atomic swap)
//! ```
//!
//! Problems in user content never abort a stage: they become
//! [`diagnostics::Diagnostic`]s, collected and reported together.

pub mod cache;
pub mod check;
pub mod cli;
pub mod cmd;
pub mod config;
pub mod content;
pub mod correct;
pub mod deploy;
pub mod diagnostics;
pub mod fs;
#[doc(hidden)]
pub mod fuzzing;
pub mod hash;
pub mod incremental;
pub mod inside;
pub mod outdir;
pub mod output;
pub mod render;
pub mod serve;
pub mod site;
pub mod slug;
pub mod taxonomies;
pub mod watch;
