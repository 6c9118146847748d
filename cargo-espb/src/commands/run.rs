//! `cargo espb run`: build if needed, then execute the module on this PC.
//! The module's exit status (the entry's `int` result, or `exit(n)`)
//! becomes the process's; a trap is a diagnostic naming the C line.

use std::path::{Path, PathBuf};
use std::time::Duration;

use espb_runtime::host::{self, EndReason, HostConfig, RunError};
use espb_runtime::{Module, Output, Trap};
use miette::{miette, Diagnostic, NamedSource, Result, SourceSpan};

use super::build::{self, not_in_project};
use super::Context;
use crate::cli::RunArgs;

/// Exit status when the module traps (like a Rust panic's).
pub const EXIT_TRAP: u8 = 101;

pub fn run(cx: &Context, args: &RunArgs) -> Result<u8> {
    let (module_path, entry, src_root, sdkconfig) = if args.compile.files.is_empty() {
        let p = cx.project()?.ok_or_else(|| not_in_project(cx))?;
        let built = build::build_project(cx, &p, &args.compile)?;
        // `app_main` is also the host platform's default, which falls back
        // to `main`; only another configured entry is passed on.
        let configured = Some(p.config.project.entry.clone()).filter(|e| e != "app_main");
        (
            built.module,
            args.entry.clone().or(configured),
            p.root.clone(),
            Sdkconfig::read(&p.root),
        )
    } else if args.compile.files.len() == 1
        && args.compile.files[0]
            .extension()
            .is_some_and(|e| e == "espb")
    {
        (
            cx.cwd.join(&args.compile.files[0]),
            args.entry.clone(),
            cx.cwd.clone(),
            Sdkconfig::default(),
        )
    } else {
        let built = build::build_files(cx, &args.compile)?;
        (
            built.module,
            args.entry.clone(),
            cx.cwd.clone(),
            Sdkconfig::default(),
        )
    };
    execute(cx, &module_path, entry, args, &src_root, &sdkconfig)
}

/// The ESP-IDF settings of a project's `sdkconfig` (else its
/// `sdkconfig.defaults`) that the host platform follows: tick rate and task
/// watchdog.
#[derive(Default)]
struct Sdkconfig {
    values: std::collections::BTreeMap<String, String>,
}

impl Sdkconfig {
    fn read(root: &Path) -> Sdkconfig {
        let mut values = std::collections::BTreeMap::new();
        for name in ["sdkconfig", "sdkconfig.defaults"] {
            let Ok(text) = std::fs::read_to_string(root.join(name)) else {
                continue;
            };
            for line in text.lines() {
                let line = line.trim();
                if let Some(key) = line
                    .strip_prefix("# ")
                    .and_then(|l| l.strip_suffix(" is not set"))
                {
                    values.insert(key.to_string(), "n".to_string());
                } else if let Some((k, v)) = line.split_once('=') {
                    if !line.starts_with('#') {
                        values.insert(k.trim().to_string(), v.trim().trim_matches('"').to_string());
                    }
                }
            }
            break;
        }
        Sdkconfig { values }
    }

    fn get(&self, key: &str) -> Option<&str> {
        self.values.get(key).map(String::as_str)
    }

    fn on(&self, key: &str) -> Option<bool> {
        self.get(key).map(|v| v == "y")
    }

    /// Applies `CONFIG_FREERTOS_HZ` and the `CONFIG_ESP_TASK_WDT_*` keys.
    fn apply(&self, cfg: &mut HostConfig) {
        if let Some(hz) = self.get("CONFIG_FREERTOS_HZ").and_then(|v| v.parse().ok()) {
            cfg.tick_hz = hz;
        }
        if let Some(s) = self
            .get("CONFIG_ESP_TASK_WDT_TIMEOUT_S")
            .and_then(|v| v.parse::<u64>().ok())
        {
            cfg.watchdog = Some(Duration::from_secs(s));
        }
        if self.on("CONFIG_ESP_TASK_WDT_EN") == Some(false)
            || self.on("CONFIG_ESP_TASK_WDT_INIT") == Some(false)
        {
            cfg.watchdog = None;
        }
        if let Some(p) = self.on("CONFIG_ESP_TASK_WDT_PANIC") {
            cfg.watchdog_panic = p;
        }
    }
}

fn execute(
    cx: &Context,
    path: &Path,
    entry: Option<String>,
    args: &RunArgs,
    src_root: &Path,
    sdkconfig: &Sdkconfig,
) -> Result<u8> {
    let bytes = std::fs::read(path).map_err(|e| miette!("reading {}: {e}", path.display()))?;
    let module = Module::parse(&bytes).map_err(|e| {
        miette!(
            help = "rebuild it with `cargo espb build`",
            "{} is not a valid module: {e}",
            path.display()
        )
    })?;
    let mut config = HostConfig {
        virtual_time: args.virtual_time,
        entry,
        args: args.args.clone(),
        output: Output::Stdout,
        run_for: args.time_limit.map(Duration::from_secs_f64),
        ..HostConfig::default()
    };
    sdkconfig.apply(&mut config);
    if let Some(hz) = args.tick_hz {
        config.tick_hz = hz;
    }
    if let Some(s) = args.wdt_timeout {
        config.watchdog = (s > 0.0).then(|| Duration::from_secs_f64(s));
    }
    config.watchdog_panic |= args.wdt_panic;
    cx.rep.verbose_status(
        "Running",
        &format!("{} on the host platform", path.display()),
    );
    let trapped = |task: &str, trap: &Trap| {
        let d = TrapDiagnostic::new(task, trap, src_root);
        if cx.rep.json() {
            cx.rep.emit(&crate::output::diagnostic_json(&d));
        } else {
            eprintln!("{:?}", miette::Report::new(d));
        }
        EXIT_TRAP
    };
    match host::run_app(&module, config) {
        Ok(status) => match &status.reason {
            EndReason::Trapped { task, trap } => Ok(trapped(task, trap)),
            EndReason::Blocked { tasks } => {
                cx.rep.note_once(&format!("the run ended: every task is blocked forever ({})", tasks.join(", ")));
                Ok(0)
            }
            EndReason::Restart => {
                cx.rep.note_once("the module called esp_restart(); the run ends here");
                Ok(0)
            }
            EndReason::TimeLimit => {
                cx.rep.note_once(&format!(
                    "the run ended: the time limit ({} s of device time) was reached",
                    args.time_limit.unwrap_or_default()
                ));
                Ok(0)
            }
            _ => Ok(status.code() as u8),
        },
        Err(RunError::Trap { task, trap }) => Ok(trapped(&task, &trap)),
        Err(RunError::Instantiate(e)) => Err(miette!(
            help = "the host platform simulates the ESP-IDF/FreeRTOS API scripts use; a function outside it cannot run on the PC",
            "cannot instantiate {}: {e}",
            path.display()
        )),
        Err(RunError::NoEntry(m)) => Err(miette!(help = "pass `--entry <function>` naming an exported function", "{m}")),
    }
}

/// A trap, pointing at the C line when the module has line tables.
#[derive(Debug, thiserror::Error)]
#[error("the module trapped: {message}")]
pub struct TrapDiagnostic {
    message: String,
    src: Option<NamedSource<String>>,
    span: Option<SourceSpan>,
}

impl TrapDiagnostic {
    pub fn new(task: &str, trap: &Trap, src_root: &Path) -> TrapDiagnostic {
        // The trap's own text already carries the backtrace.
        let (src, span) = match &trap.source {
            Some((file, line)) => {
                let p = PathBuf::from(&**file);
                let full = if p.is_absolute() { p } else { src_root.join(p) };
                match std::fs::read_to_string(&full) {
                    Ok(text) => {
                        let span = crate::translate::line_span(&text, *line);
                        (
                            Some(NamedSource::new(&**file, text).with_language("c")),
                            span,
                        )
                    }
                    Err(_) => (None, None),
                }
            }
            None => (None, None),
        };
        TrapDiagnostic {
            message: format!("task \"{task}\": {trap}"),
            src,
            span,
        }
    }
}

impl Diagnostic for TrapDiagnostic {
    fn code<'a>(&'a self) -> Option<Box<dyn std::fmt::Display + 'a>> {
        Some(Box::new("espb::trap"))
    }
    fn help<'a>(&'a self) -> Option<Box<dyn std::fmt::Display + 'a>> {
        if self.src.is_some() {
            None
        } else {
            Some(Box::new(
                "build with line tables (`build.debug-lines = true`) to see the C line",
            ))
        }
    }
    fn source_code(&self) -> Option<&dyn miette::SourceCode> {
        self.src.as_ref().map(|s| s as &dyn miette::SourceCode)
    }
    fn labels(&self) -> Option<Box<dyn Iterator<Item = miette::LabeledSpan> + '_>> {
        let span = self.span?;
        Some(Box::new(std::iter::once(
            miette::LabeledSpan::new_with_span(Some("trapped here".into()), span),
        )))
    }
}
