//! One integration binary, one module per feature (as in mdBook and ripgrep).

mod build;
mod cache;
mod correct;
mod deploy;
mod docs_site;
mod errors;
mod firsthour;
mod fix;
mod fuzz_replay;
mod outdir;
mod owners;
mod property;
mod publish;
mod review;
mod sample;
mod search;
mod serve;
mod support;
mod techdocs;
mod theme;
mod watch;
mod zola;
mod zola_compat;
mod zola_content;
