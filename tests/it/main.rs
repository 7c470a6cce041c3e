//! One integration binary, one module per feature (as in mdBook and ripgrep).

mod browser;
mod build;
mod correct;
mod deploy;
mod errors;
mod property;
mod sample;
mod serve;
mod support;
mod techdocs;
mod theme;
mod watch;
