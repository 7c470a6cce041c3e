//! One integration binary, one module per feature (as in mdBook and ripgrep).

mod build;
mod correct;
mod errors;
mod sample;
mod support;
