//! Driving ESP-IDF's own tools (`idf.py`) when an installation is present.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::SystemTime;

use miette::{miette, Result};

use crate::output::Reporter;

/// An ESP-IDF installation: `IDF_PATH` set and `idf.py` on `PATH` (what
/// `. $IDF_PATH/export.sh` sets up).
#[derive(Debug, Clone)]
pub struct Idf {
    pub idf_py: PathBuf,
}

pub fn detect() -> Option<Idf> {
    std::env::var_os("IDF_PATH")?;
    let idf_py = which::which("idf.py").ok()?;
    Some(Idf { idf_py })
}

pub const NO_IDF_HELP: &str =
    "install ESP-IDF (https://docs.espressif.com/projects/esp-idf/en/stable/get-started/) \
     and run `. $IDF_PATH/export.sh` in this shell, so that IDF_PATH is set and idf.py is on PATH";

impl Idf {
    /// Runs `idf.py <args>` in the project, streaming its output.
    pub fn run(&self, root: &Path, args: &[String], rep: &Reporter) -> Result<()> {
        let mut cmd = Command::new(&self.idf_py);
        cmd.arg("-C").arg(root).args(args);
        rep.command(&cmd);
        let status = cmd
            .status()
            .map_err(|e| miette!("cannot run {}: {e}", self.idf_py.display()))?;
        if !status.success() {
            return Err(miette!(
                help = "see idf.py's output above",
                "`idf.py {}` failed ({status})",
                args.join(" ")
            ));
        }
        Ok(())
    }

    /// Makes sure `build/compile_commands.json` reflects the project's
    /// current CMake configuration, running `idf.py reconfigure` only when it
    /// is missing or older than a file CMake reads: configuring takes seconds,
    /// and a build with nothing to do must not.
    pub fn ensure_configured(&self, root: &Path, rep: &Reporter) -> Result<PathBuf> {
        let build = root.join("build");
        let db = build.join("compile_commands.json");
        if needs_reconfigure(root, &db) {
            let pb = rep.spinner("Configuring the ESP-IDF project (idf.py reconfigure)");
            let r = self.run(root, &["reconfigure".to_string()], rep);
            pb.finish_and_clear();
            r?;
        }
        if !db.is_file() {
            return Err(miette!(
                help = "check that the project's CMakeLists.txt includes ESP-IDF's project.cmake",
                "`idf.py reconfigure` did not write {}",
                db.display()
            ));
        }
        Ok(build)
    }
}

fn mtime(p: &Path) -> Option<SystemTime> {
    std::fs::metadata(p).and_then(|m| m.modified()).ok()
}

fn needs_reconfigure(root: &Path, db: &Path) -> bool {
    let Some(built) = mtime(db) else { return true };
    let inputs = [
        "CMakeLists.txt",
        "main/CMakeLists.txt",
        "sdkconfig",
        "sdkconfig.defaults",
        "partitions.csv",
    ];
    inputs
        .iter()
        .filter_map(|f| mtime(&root.join(f)))
        .any(|t| t > built)
}
