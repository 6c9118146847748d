//! One file per subcommand; `dispatch` picks it.

pub mod build;
pub mod check_hints;
pub mod dump;
pub mod flash;
pub mod new;
pub mod run;

use std::path::PathBuf;

use miette::{IntoDiagnostic, Result};

use crate::cli::{Cli, Cmd};
use crate::output::Reporter;
use crate::project::Project;

/// What every command gets: how to report, and where it runs.
pub struct Context<'a> {
    pub rep: &'a Reporter,
    pub cwd: PathBuf,
}

impl Context<'_> {
    pub fn project(&self) -> Result<Option<Project>> {
        Project::discover(&self.cwd)
    }
}

/// Runs the command; the result is the process exit status.
pub fn dispatch(cli: &Cli, rep: &Reporter) -> Result<u8> {
    let cwd = match &cli.project_dir {
        Some(d) => d.clone(),
        None => std::env::current_dir().into_diagnostic()?,
    };
    let cx = Context { rep, cwd };
    match &cli.command {
        Cmd::New(a) => new::run(&cx, a).map(|_| 0),
        Cmd::Build(a) => build::run(&cx, a).map(|_| 0),
        Cmd::Run(a) => run::run(&cx, a),
        Cmd::Dump(a) => dump::run(&cx, a).map(|_| 0),
        Cmd::CheckHints(a) => check_hints::run(&cx, a),
        Cmd::Flash(a) => flash::run(&cx, a).map(|_| 0),
    }
}
