//! Everything `cargo espb` tells the user goes through the [`Reporter`]:
//! quiet by default, commands with `-v`, progress bars on a terminal, and
//! JSON lines on stdout with `--message-format json`.

use std::collections::HashSet;
use std::process::Command;
use std::sync::Mutex;
use std::time::Duration;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use miette::Diagnostic;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum MessageFormat {
    #[default]
    Human,
    Json,
}

#[derive(Debug, Default)]
pub struct Reporter {
    pub verbose: u8,
    pub quiet: bool,
    pub format: MessageFormat,
    /// Notes already printed (each is printed once per run).
    noted: Mutex<HashSet<String>>,
}

impl Reporter {
    pub fn new(verbose: u8, quiet: bool, format: MessageFormat) -> Reporter {
        Reporter {
            verbose,
            quiet,
            format,
            noted: Mutex::new(HashSet::new()),
        }
    }

    pub fn json(&self) -> bool {
        self.format == MessageFormat::Json
    }

    /// With `-v`: the exact command about to run, shell-quoted.
    pub fn command(&self, cmd: &Command) {
        if self.verbose == 0 {
            return;
        }
        let mut parts = vec![cmd.get_program().to_string_lossy().into_owned()];
        parts.extend(cmd.get_args().map(|a| a.to_string_lossy().into_owned()));
        let line =
            shlex::try_join(parts.iter().map(|s| s.as_str())).unwrap_or_else(|_| parts.join(" "));
        self.info("Running", &format!("`{line}`"));
    }

    /// A cargo-style status line (`   Compiling x`), shown only with `-v`.
    pub fn verbose_status(&self, verb: &str, msg: &str) {
        if self.verbose > 0 {
            self.info(verb, msg);
        }
    }

    /// With `-vv`: a step that was skipped, and why.
    pub fn skipped(&self, what: &str, why: &str) {
        if self.verbose > 1 {
            self.info("Fresh", &format!("{what} ({why})"));
        }
    }

    /// A status line shown unless `--quiet` (or JSON, which has its own).
    pub fn status(&self, verb: &str, msg: &str) {
        if !self.quiet && !self.json() {
            self.info(verb, msg);
        }
    }

    fn info(&self, verb: &str, msg: &str) {
        if self.json() {
            self.emit(&serde_json::json!({"reason": "status", "status": verb, "message": msg}));
        } else {
            eprintln!("{verb:>12} {msg}");
        }
    }

    /// A notice printed at most once per run (e.g. "using the bundled SDK").
    pub fn note_once(&self, msg: &str) {
        let first = self
            .noted
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(msg.to_string());
        if first {
            if self.json() {
                self.emit(&serde_json::json!({"reason": "note", "message": msg}));
            } else if !self.quiet {
                eprintln!("{:>12} {msg}", "Note");
            }
        }
    }

    /// A warning diagnostic (rendered like errors, but the build goes on).
    pub fn warning(&self, d: &dyn Diagnostic) {
        if self.json() {
            self.emit(&diagnostic_json(d));
        } else if !self.quiet {
            let mut s = String::new();
            let _ = miette::GraphicalReportHandler::new().render_report(&mut s, d);
            eprint!("{s}");
        }
    }

    /// One JSON line on stdout.
    pub fn emit(&self, v: &serde_json::Value) {
        println!("{v}");
    }

    /// A progress bar for a step with `len` parts; hidden unless stderr is a
    /// terminal and the output is for humans without `-v`.
    pub fn progress(&self, len: u64, msg: &str) -> ProgressBar {
        // With -v the command lines are the progress; a bar would tear them.
        if self.json() || self.quiet || self.verbose > 0 {
            return ProgressBar::hidden();
        }
        let pb = ProgressBar::with_draw_target(Some(len), ProgressDrawTarget::stderr());
        pb.set_style(
            ProgressStyle::with_template(
                "{prefix:>12.cyan.bold} [{bar:30}] {pos}/{len} {wide_msg}",
            )
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> "),
        );
        pb.set_prefix(msg.to_string());
        pb.enable_steady_tick(Duration::from_millis(120));
        pb
    }

    /// A spinner for a step of unknown length.
    pub fn spinner(&self, msg: &str) -> ProgressBar {
        if self.json() || self.quiet || self.verbose > 0 {
            return ProgressBar::hidden();
        }
        let pb = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr());
        pb.set_style(
            ProgressStyle::with_template("{spinner} {msg}")
                .unwrap_or_else(|_| ProgressStyle::default_spinner()),
        );
        pb.set_message(msg.to_string());
        pb.enable_steady_tick(Duration::from_millis(120));
        pb
    }
}

/// A diagnostic as a JSON object (miette's own JSON rendering, with a reason).
pub fn diagnostic_json(d: &dyn Diagnostic) -> serde_json::Value {
    let mut s = String::new();
    let _ = miette::JSONReportHandler::new().render_report(&mut s, d);
    let mut v: serde_json::Value =
        serde_json::from_str(&s).unwrap_or_else(|_| serde_json::json!({"message": d.to_string()}));
    if let Some(o) = v.as_object_mut() {
        o.insert("reason".into(), "diagnostic".into());
    }
    v
}
