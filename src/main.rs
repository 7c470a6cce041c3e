use std::process::ExitCode;

use clap::Parser;

use attache::cli::{Cli, Command};
use attache::cmd;

/// mimalloc instead of glibc's malloc: a build allocates and frees many small
/// strings and JSON values from two threads, where glibc spent a fifth of the
/// CPU (docs/content/performance.md). Built with `no_thp`: mimalloc would
/// otherwise ask for transparent huge pages, and the kernel then zeroes 2 MiB
/// at each first touch: a fifth of a 1,000-article build's samples were
/// `clear_page`, and it held 45 MiB more than it used.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match &cli.command {
        Command::Build(a) => cmd::build::run(a),
        Command::Serve(a) => attache::serve::run(a),
        Command::Check(a) => cmd::check::run(a),
        Command::Init(a) => cmd::init::run(a),
        Command::New(a) => cmd::new::run(a),
        Command::Correct(a) => cmd::correct::run(a),
        Command::Fix(a) => cmd::fix::run(a),
        Command::Deploy(a) => cmd::deploy::run(a),
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::from(cmd::EXIT_ERROR)
        }
    }
}
