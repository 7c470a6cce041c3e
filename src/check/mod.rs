//! Checks of the site as a whole that `attache check` reports beside the
//! build's own diagnostics.

pub mod translations;
