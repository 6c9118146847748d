//! What every engine (native, espb, the wasm peers) provides to the harness.

use std::time::Duration;

use crate::programs::Program;

/// The result of one run of a benchmark program.
#[derive(Debug, Clone)]
pub struct RunOutcome {
    /// Wall time of the entry call alone (`main` / `_start`): loading,
    /// translation and instantiation are done before the clock starts.
    pub elapsed: Duration,
    /// Everything the program printed.
    pub output: String,
    /// `main`'s return value (or the WASI `proc_exit` code).
    pub exit_code: i32,
}

/// A program made ready to run by one engine (loaded, validated, compiled
/// to the engine's internal form). Each `run` starts from a fresh instance.
pub trait Prepared {
    fn run(&mut self) -> Result<RunOutcome, String>;
}

/// One way of running the programs.
pub trait Engine {
    /// Short name used in the table, the CSV and the JSON.
    fn name(&self) -> &'static str;
    /// One line describing version and configuration.
    fn describe(&self) -> String;
    /// Loads `program`; an `Err` is shown in the table instead of a time.
    fn prepare(&self, program: &Program) -> Result<Box<dyn Prepared>, String>;
}

/// Shortens an engine's error message to one table-friendly line.
pub fn one_line(msg: &str) -> String {
    let line = msg
        .lines()
        .find(|l| !l.trim().is_empty())
        .unwrap_or("")
        .trim();
    let mut s: String = line.chars().take(160).collect();
    if line.chars().count() > 160 {
        s.push('…');
    }
    s
}
