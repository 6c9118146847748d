//! The command line (clap derive). `docs/cli.md` documents it; keep the two
//! in step.

use std::path::PathBuf;

use clap::{ArgAction, Args, Parser, Subcommand};

use crate::chip::Chip;
use crate::config::OptLevel;
use crate::output::MessageFormat;

#[derive(Debug, Parser)]
#[command(
    name = "cargo-espb",
    bin_name = "cargo espb",
    version,
    about = "Build ESP-IDF C scripts into portable .espb modules, run them on the PC, flash them to an ESP32"
)]
pub struct Cli {
    /// Print the commands that are run (-vv: also what was skipped and why).
    #[arg(short, long, action = ArgAction::Count, global = true)]
    pub verbose: u8,
    /// Print nothing but errors (and the module's own output).
    #[arg(short, long, global = true, conflicts_with = "verbose")]
    pub quiet: bool,
    /// `json`: statistics and diagnostics as JSON lines on stdout.
    #[arg(long, global = true, value_enum, default_value_t = MessageFormat::Human)]
    pub message_format: MessageFormat,
    /// Run as if started in DIR.
    #[arg(short = 'C', long = "project", global = true, value_name = "DIR")]
    pub project_dir: Option<PathBuf>,
    #[command(subcommand)]
    pub command: Cmd,
}

#[derive(Debug, Subcommand)]
pub enum Cmd {
    /// Create a new ESP-IDF project with espb scripts.
    New(NewArgs),
    /// Compile the scripts into a .espb module (and with --firmware, the firmware).
    Build(BuildArgs),
    /// Build if needed, then run the module on this PC.
    Run(RunArgs),
    /// Show a module's sections, imports, exports, functions and code.
    Dump(DumpArgs),
    /// Check .hints files.
    CheckHints(CheckHintsArgs),
    /// Flash the firmware, or only the module, to a board.
    Flash(FlashArgs),
}

#[derive(Debug, Args)]
pub struct NewArgs {
    /// Directory (and project name) to create.
    pub name: PathBuf,
    /// Chip the firmware is for.
    #[arg(long, value_enum, default_value_t = Chip::Esp32c3)]
    pub chip: Chip,
}

/// Options shared by `build` and `run`.
#[derive(Debug, Args, Clone, Default)]
pub struct CompileArgs {
    /// Outside a project: C sources, .bc files or (for `run`) a .espb module.
    pub files: Vec<PathBuf>,
    /// Optimisation level: 0, 1, 2, 3, s, z (overrides `build.opt-level`).
    #[arg(short = 'O', value_name = "LEVEL")]
    pub opt: Option<OptLevel>,
    /// Where to write the module (default: build/espb/<name>.espb in a project,
    /// <first file>.espb outside one).
    #[arg(short = 'o', long, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Extra include directory.
    #[arg(short = 'I', value_name = "DIR")]
    pub include: Vec<PathBuf>,
    /// Extra preprocessor definition (NAME or NAME=VALUE).
    #[arg(short = 'D', value_name = "NAME[=VALUE]")]
    pub define: Vec<String>,
    /// Leave out line tables (traps then name only the bytecode offset).
    #[arg(long)]
    pub no_debug_lines: bool,
}

#[derive(Debug, Args)]
pub struct BuildArgs {
    #[command(flatten)]
    pub compile: CompileArgs,
    /// Then build the firmware with `idf.py build` (needs ESP-IDF).
    #[arg(long)]
    pub firmware: bool,
}

#[derive(Debug, Args)]
pub struct RunArgs {
    #[command(flatten)]
    pub compile: CompileArgs,
    /// Simulated clock: delays take no wall time, output is reproducible.
    #[arg(long)]
    pub virtual_time: bool,
    /// Function to call (default: the project's entry, else `app_main` or `main`).
    #[arg(long, value_name = "FN")]
    pub entry: Option<String>,
    /// End the run after this much device time (virtual or real).
    #[arg(long, value_name = "SECONDS", value_parser = seconds)]
    pub time_limit: Option<f64>,
    /// CONFIG_FREERTOS_HZ the module was built with (default: the project's
    /// sdkconfig, else 100).
    #[arg(long, value_name = "HZ", value_parser = clap::value_parser!(u32).range(1..=1000))]
    pub tick_hz: Option<u32>,
    /// Task watchdog timeout; 0 turns it off (default: the project's
    /// sdkconfig, else 5).
    #[arg(long, value_name = "SECONDS", value_parser = seconds)]
    pub wdt_timeout: Option<f64>,
    /// A task watchdog timeout aborts the run (CONFIG_ESP_TASK_WDT_PANIC).
    #[arg(long)]
    pub wdt_panic: bool,
    /// Arguments for a C `main(int argc, char **argv)`.
    #[arg(last = true)]
    pub args: Vec<String>,
}

#[derive(Debug, Args)]
pub struct DumpArgs {
    /// The module to show.
    pub file: PathBuf,
    /// Same as `--message-format json`.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct CheckHintsArgs {
    /// Hints files (default: the project's `ffi.hints`).
    pub files: Vec<PathBuf>,
}

#[derive(Debug, Args)]
pub struct FlashArgs {
    /// Serial port (default: $ESPPORT, else the tools' autodetection).
    #[arg(short, long)]
    pub port: Option<String>,
    /// Write only the module into the `espb` partition.
    #[arg(long)]
    pub module_only: bool,
    /// Print the commands instead of running them.
    #[arg(long)]
    pub dry_run: bool,
    /// Baud rate for esptool.
    #[arg(short, long)]
    pub baud: Option<u32>,
}

/// A duration in seconds: finite, not negative, at most a year.
fn seconds(s: &str) -> Result<f64, String> {
    let v: f64 = s
        .parse()
        .map_err(|_| format!("`{s}` is not a number of seconds"))?;
    if !v.is_finite() || !(0.0..=31_536_000.0).contains(&v) {
        return Err(format!("`{s}` is not between 0 and a year of seconds"));
    }
    Ok(v)
}
