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
    /// Where to write the module (default: espb-build/<name>.espb in a project,
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
    /// Extra compiler flags, split like a shell does (`--cflags "-std=gnu89 -fwrapv"`);
    /// repeatable, added after `build.cflags`.
    #[arg(long, value_name = "FLAGS", allow_hyphen_values = true)]
    pub cflags: Vec<String>,
    /// Extra `.hints` file (repeatable; in a project, after `ffi.hints`).
    #[arg(long, value_name = "FILE")]
    pub hints: Vec<PathBuf>,
    /// Shadow stack per task, in bytes (`64K`, `1M`; overrides `memory.stack-size`).
    #[arg(long, value_name = "BYTES", value_parser = parse_size)]
    pub stack_size: Option<u32>,
    /// Module heap, in bytes (`64K`, `16M`; overrides `memory.heap-size`).
    #[arg(long, value_name = "BYTES", value_parser = parse_size)]
    pub heap_size: Option<u32>,
}

/// A byte count: digits with an optional `K`/`M`/`G` (binary) suffix.
pub fn parse_size(s: &str) -> Result<u32, String> {
    let t = s.trim();
    let (digits, mult) = match t.char_indices().last() {
        Some((i, c)) if c.eq_ignore_ascii_case(&'k') => (&t[..i], 1u64 << 10),
        Some((i, c)) if c.eq_ignore_ascii_case(&'m') => (&t[..i], 1 << 20),
        Some((i, c)) if c.eq_ignore_ascii_case(&'g') => (&t[..i], 1 << 30),
        _ => (t, 1),
    };
    let n: u64 = digits
        .parse()
        .map_err(|_| format!("`{s}` is not a size (bytes, or a number with K, M or G)"))?;
    n.checked_mul(mult)
        .and_then(|v| u32::try_from(v).ok())
        .ok_or_else(|| format!("`{s}` is too large (at most 4G - 1 bytes)"))
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
    /// Run on the RISC-V runtime as the chip carries it, under qemu-riscv32
    /// (esp32c3, esp32c2, esp32c6, esp32h2, esp32c5, esp32c61, esp32p4):
    /// plain C and libc, no FreeRTOS.
    #[arg(long, value_name = "CHIP")]
    pub qemu: Option<String>,
    /// What the JIT compiles to machine code under `--qemu`: functions
    /// marked `JIT_HOT`, all of them, or none (the PC run interprets).
    #[arg(long, value_name = "MODE", default_value = "hot", value_parser = parse_jit)]
    pub jit: espb_runtime::JitMode,
    /// Under `--qemu`: tier-up (`Config::jit_tier_up`), the polls after
    /// which a hot interpreted function is compiled while it runs; 0 turns
    /// it off (default: the runtime's).
    #[arg(long, value_name = "POLLS")]
    pub jit_tier_up: Option<u32>,
    /// Stop the run after this many seconds (device time with
    /// `--virtual-time`, and wall time in any case); exit status 124.
    #[arg(long, value_name = "SECONDS", value_parser = parse_seconds)]
    pub time_limit: Option<std::time::Duration>,
    /// CONFIG_FREERTOS_HZ the module was built with (default: the project's
    /// sdkconfig, else 100).
    #[arg(long, value_name = "HZ", value_parser = clap::value_parser!(u32).range(1..=1000))]
    pub tick_hz: Option<u32>,
    /// Task watchdog timeout; 0 turns it off (default: the project's
    /// sdkconfig, else 5).
    #[arg(long, value_name = "SECONDS", value_parser = parse_timeout)]
    pub wdt_timeout: Option<std::time::Duration>,
    /// A task watchdog timeout aborts the run (CONFIG_ESP_TASK_WDT_PANIC).
    #[arg(long)]
    pub wdt_panic: bool,
    /// The user's own native functions: a C file (compiled for this PC into
    /// a shared library) or a `.so`; repeatable, after `[run] natives`.
    #[arg(long = "natives", value_name = "FILE")]
    pub natives: Vec<PathBuf>,
    /// Arguments for a C `main(int argc, char **argv)`.
    #[arg(last = true)]
    pub args: Vec<String>,
}

/// `off`, `hot` or `all`.
pub fn parse_jit(s: &str) -> Result<espb_runtime::JitMode, String> {
    espb_runtime::JitMode::from_name(s)
        .ok_or_else(|| format!("`{s}` is no JIT mode: use off, hot or all"))
}

/// A positive number of seconds (fractions allowed).
/// The watchdog's timeout in seconds; 0 turns it off.
pub fn parse_timeout(s: &str) -> Result<std::time::Duration, String> {
    let v: f64 = s
        .trim()
        .parse()
        .map_err(|_| format!("`{s}` is not a number of seconds"))?;
    if !(v >= 0.0 && v.is_finite()) {
        return Err(format!(
            "`{s}`: the watchdog timeout must be 0 (off) or a positive number of seconds"
        ));
    }
    std::time::Duration::try_from_secs_f64(v).map_err(|e| format!("`{s}`: {e}"))
}

pub fn parse_seconds(s: &str) -> Result<std::time::Duration, String> {
    let v: f64 = s
        .trim()
        .parse()
        .map_err(|_| format!("`{s}` is not a number of seconds"))?;
    if !(v > 0.0 && v.is_finite()) {
        return Err(format!(
            "`{s}`: the time limit must be a positive number of seconds"
        ));
    }
    std::time::Duration::try_from_secs_f64(v).map_err(|e| format!("`{s}`: {e}"))
}

#[derive(Debug, Args)]
pub struct DumpArgs {
    /// The module to show.
    pub file: PathBuf,
    /// Same as `--message-format json`.
    #[arg(long)]
    pub json: bool,
    /// Show what the RISC-V JIT does with each function in this mode
    /// (compiled, with its machine-code size, or interpreted and why).
    #[arg(long, value_name = "MODE", default_value = "hot", value_parser = parse_jit)]
    pub jit: espb_runtime::JitMode,
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
