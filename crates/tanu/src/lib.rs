//! The `tanu` binary's library: configuration, the command line, start-up wiring and
//! the demo data. `main.rs` only calls [`cli::run`].

pub mod cli;
pub mod config;
pub mod demo;
pub mod startup;
