//! `cargo espb`: the command-line face of espb. See `docs/cli.md`.

// Errors carry their source text for miette spans; they are built once, on
// the way out of a CLI, so their size costs nothing that matters.
#![allow(clippy::result_large_err)]

mod cache;
mod chip;
mod clang_diag;
mod cli;
mod commands;
mod compile;
mod config;
mod embed;
mod idf;
mod idf_flags;
mod native_table;
mod natives;
mod output;
mod partitions;
mod project;
mod qemu;
mod sdk;
mod sdkconfig;
mod summary;
mod toolchain;
mod translate;

use std::ffi::OsString;
use std::process::ExitCode;

use clap::Parser;

use crate::output::{MessageFormat, Reporter};

/// Exit status for a failure of `cargo espb` itself (a module run by `run`
/// exits with its own status).
const EXIT_FAILURE: u8 = 1;

/// cargo runs `cargo-espb espb <args>`; run directly, there is no `espb`.
fn args() -> Vec<OsString> {
    let mut args: Vec<OsString> = std::env::args_os().collect();
    if args.get(1).is_some_and(|a| a == "espb") {
        args.remove(1);
    }
    args
}

fn main() -> ExitCode {
    let cli = cli::Cli::parse_from(args());
    let format = match &cli.command {
        cli::Cmd::Dump(d) if d.json => MessageFormat::Json,
        _ => cli.message_format,
    };
    let rep = Reporter::new(cli.verbose, cli.quiet, format);
    match commands::dispatch(&cli, &rep) {
        Ok(code) => ExitCode::from(code),
        Err(report) => {
            if rep.json() {
                rep.emit(&output::diagnostic_json(report.as_ref()));
            } else {
                eprintln!("{report:?}");
            }
            ExitCode::from(EXIT_FAILURE)
        }
    }
}
