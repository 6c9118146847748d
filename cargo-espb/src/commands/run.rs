//! `cargo espb run`: build if needed, then execute the module on this PC.
//! The module's exit status (the entry's `int` result, or `exit(n)`)
//! becomes the process's; a trap is a diagnostic naming the C line.

use std::path::Path;

use miette::{miette, Result};

use super::build::{self, not_in_project};
use super::Context;
use crate::cli::RunArgs;

pub fn run(cx: &Context, args: &RunArgs) -> Result<u8> {
    let (module_path, entry, src_root) = if args.compile.files.is_empty() {
        let p = cx.project()?.ok_or_else(|| not_in_project(cx))?;
        let built = build::build_project(cx, &p, &args.compile)?;
        let entry = args.entry.clone().or(Some(p.config.project.entry.clone()));
        (built.module, entry, p.root.clone())
    } else if args.compile.files.len() == 1
        && args.compile.files[0]
            .extension()
            .is_some_and(|e| e == "espb")
    {
        (
            cx.cwd.join(&args.compile.files[0]),
            args.entry.clone(),
            cx.cwd.clone(),
        )
    } else {
        let built = build::build_files(cx, &args.compile)?;
        (built.module, args.entry.clone(), cx.cwd.clone())
    };
    if args.virtual_time {
        return Err(miette!(
            help = "run without --virtual-time for now",
            "this build of the runtime has no host platform with a simulated clock yet"
        ));
    }
    execute(cx, &module_path, entry.as_deref(), &args.args, &src_root)
}

fn execute(
    _cx: &Context,
    path: &Path,
    _entry: Option<&str>,
    _argv: &[String],
    _src_root: &Path,
) -> Result<u8> {
    // The runtime's embedding API (espb_runtime::Instance) is not published
    // yet; `run` is wired to it as soon as it is.
    Err(miette!(
        help = "the module is built; run it once espb-runtime is available in this build",
        "cannot run {}: this build of cargo-espb has no runtime",
        path.display()
    ))
}
