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
use crate::natives;
use crate::qemu;
use crate::sdkconfig::Sdkconfig;

/// Exit status when the module traps (like a Rust panic's).
pub const EXIT_TRAP: u8 = 101;
/// Exit status when `--time-limit` ended the run (as `timeout(1)`'s).
pub const EXIT_TIME_LIMIT: u8 = 124;

/// Where the module came from: a project keeps the runtime limits a device
/// has; files outside one run with a PC program's.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Origin {
    Project,
    Files,
}

pub fn run(cx: &Context, args: &RunArgs) -> Result<u8> {
    // An unknown chip is reported before anything is built.
    let chip = args.qemu.as_deref().map(qemu::QemuChip::find).transpose()?;
    let mut natives = natives::sources(&cx.cwd, &args.natives, None);
    let (module_path, entry, src_root, origin) = if args.compile.files.is_empty() {
        let p = cx.project()?.ok_or_else(|| not_in_project(cx))?;
        let built = build::build_project(cx, &p, &args.compile)?;
        // `app_main` is also the host platform's default, which falls back
        // to `main`; only another configured entry is passed on.
        let configured = Some(p.config.project.entry.clone()).filter(|e| e != "app_main");
        natives = natives::sources(
            &cx.cwd,
            &args.natives,
            Some((&p.root, &p.config.run.natives)),
        );
        (
            built.module,
            args.entry.clone().or(configured),
            p.root.clone(),
            Origin::Project,
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
            Origin::Files,
        )
    } else {
        let built = build::build_files(cx, &args.compile, build::FilesFor::Pc)?;
        (
            built.module,
            args.entry.clone(),
            cx.cwd.clone(),
            Origin::Files,
        )
    };
    execute(
        cx,
        &module_path,
        entry,
        args,
        chip,
        &src_root,
        origin,
        &natives,
    )
}

#[allow(clippy::too_many_arguments)]
fn execute(
    cx: &Context,
    path: &Path,
    entry: Option<String>,
    args: &RunArgs,
    chip: Option<qemu::QemuChip>,
    src_root: &Path,
    origin: Origin,
    natives: &[PathBuf],
) -> Result<u8> {
    if let Some(chip) = chip {
        if !natives.is_empty() {
            return Err(miette!(
                help = "the qemu runner links natives from ESPB_QEMU_NATIVES (C files with `ESPB_NATIVE(f)` lines)",
                "--natives and `[run] natives` apply to host runs, not `--qemu`"
            ));
        }
        return execute_qemu(cx, path, entry, args, chip, src_root, origin);
    }
    let bytes: espb_format::AlignedBytes = std::fs::read(path)
        .map_err(|e| miette!("reading {}: {e}", path.display()))?
        .into();
    let module = Module::parse(&bytes).map_err(|e| {
        miette!(
            help = "rebuild it with `cargo espb build`",
            "{} is not a valid module: {e}",
            path.display()
        )
    })?;
    let mut runtime = espb_runtime::Config::default();
    if origin == Origin::Files {
        // A PC program recurses as deep as its 8 MiB native stack allows.
        runtime.max_call_depth = 1 << 20;
        runtime.max_registers = 1 << 24;
    }
    runtime.error_output = Some(Output::Stderr);
    // Sizes given for a module that is run as is (a `.espb`) apply at load.
    runtime.heap_size = args.compile.heap_size;
    runtime.context_stack_size = args.compile.stack_size;
    let mut config = HostConfig {
        virtual_time: args.virtual_time,
        entry,
        args: args.args.clone(),
        output: Output::Stdout,
        // In virtual time the limit is device time; the wall-clock watch
        // below also stops a task that spins without ever letting time pass.
        run_for: args.time_limit.filter(|_| args.virtual_time),
        runtime,
        ..HostConfig::default()
    };
    // What the firmware's sdkconfig would set, then the flags.
    if origin == Origin::Project {
        apply_sdkconfig(&Sdkconfig::load(src_root), &mut config);
    }
    if let Some(hz) = args.tick_hz {
        config.tick_hz = hz;
    }
    if let Some(s) = args.wdt_timeout {
        config.watchdog = (!s.is_zero()).then_some(s);
    }
    config.watchdog_panic |= args.wdt_panic;
    if !natives.is_empty() {
        let n = natives::load(cx.rep, natives)?;
        espb_runtime::ffi::link(&module, &n, &mut config.imports).map_err(|e| {
            miette!(
                help = "the script's declaration of a native must match the C function the library defines",
                "linking --natives: {e}"
            )
        })?;
    }
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
    let run = host::HostRun::new(config);
    let watch = args
        .time_limit
        .map(|limit| wall_clock_limit(run.handle(), limit));
    let result = run.run(&module);
    if let Some(w) = watch {
        w.cancel();
    }
    match result {
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
                let secs = args.time_limit.unwrap_or_default().as_secs_f64();
                cx.rep.note_once(&format!("the run reached its time limit ({secs} s) and was stopped"));
                Ok(EXIT_TIME_LIMIT)
            }
            _ => Ok(status.code() as u8),
        },
        Err(RunError::Trap { task, trap }) => Ok(trapped(&task, &trap)),
        Err(RunError::Instantiate(e)) => Err(miette!(
            help = "the host platform simulates the ESP-IDF/FreeRTOS API scripts use; give your own native functions with `--natives FILE.c` (or `[run] natives` in espb.toml)",
            "cannot instantiate {}: {e}",
            path.display()
        )),
        Err(RunError::NoEntry(m)) => Err(miette!(help = "pass `--entry <function>` naming an exported function", "{m}")),
    }
}

/// `CONFIG_FREERTOS_HZ` and the task watchdog's `CONFIG_ESP_TASK_WDT_*`.
fn apply_sdkconfig(sdk: &Sdkconfig, cfg: &mut HostConfig) {
    if let Some(hz) = sdk.number("CONFIG_FREERTOS_HZ") {
        cfg.tick_hz = hz.clamp(1, 1000) as u32;
    }
    if let Some(s) = sdk.number("CONFIG_ESP_TASK_WDT_TIMEOUT_S") {
        cfg.watchdog = Some(Duration::from_secs(s));
    }
    if sdk.flag("CONFIG_ESP_TASK_WDT_EN") == Some(false)
        || sdk.flag("CONFIG_ESP_TASK_WDT_INIT") == Some(false)
    {
        cfg.watchdog = None;
    }
    if let Some(p) = sdk.flag("CONFIG_ESP_TASK_WDT_PANIC") {
        cfg.watchdog_panic = p;
    }
}

/// Runs the module on the chip's RISC-V runtime under qemu.
fn execute_qemu(
    cx: &Context,
    path: &Path,
    entry: Option<String>,
    args: &RunArgs,
    chip: qemu::QemuChip,
    src_root: &Path,
    origin: Origin,
) -> Result<u8> {
    if entry.is_some() {
        return Err(miette!(
            help = "the qemu runner calls `app_main`, else `main`",
            "`--entry` is not supported with `--qemu`"
        ));
    }
    // More natives for the runner: C files with `ESPB_NATIVE(f)` lines.
    let natives: Vec<PathBuf> = std::env::var_os("ESPB_QEMU_NATIVES")
        .map(|v| std::env::split_paths(&v).map(|p| cx.cwd.join(p)).collect())
        .unwrap_or_default();
    let runner = qemu::build_runner(cx.rep, chip, &natives)?;
    cx.rep.verbose_status(
        "Running",
        &format!("{} on {} under qemu", path.display(), chip.name),
    );
    // The limits the host run would use.
    let mut limits = Vec::new();
    if origin == Origin::Files {
        limits.push("--deep".to_string());
    }
    if let Some(h) = args.compile.heap_size {
        limits.extend(["--heap-size".into(), h.to_string()]);
    }
    if let Some(s) = args.compile.stack_size {
        limits.extend(["--stack-size".into(), s.to_string()]);
    }
    // What the JIT compiles.
    limits.extend(["--jit".into(), args.jit.name().into()]);
    if let Some(t) = args.jit_tier_up {
        limits.extend(["--jit-tier-up".into(), t.to_string()]);
    }
    match qemu::run(cx.rep, &runner, chip, &limits, path, &args.args)? {
        qemu::QemuEnd::Exit(code) => Ok(code),
        qemu::QemuEnd::Trap { task, source, message } => {
            let d = TrapDiagnostic::from_parts(&task, &message, source, src_root);
            if cx.rep.json() {
                cx.rep.emit(&crate::output::diagnostic_json(&d));
            } else {
                eprintln!("{:?}", miette::Report::new(d));
            }
            Ok(EXIT_TRAP)
        }
        qemu::QemuEnd::LoadError(m) => Err(miette!(
            help = "the qemu runner has the runtime's builtins and picolibc's printf, snprintf, strtod, strtol, qsort and libm as natives; FreeRTOS and ESP-IDF functions need the host platform (run without --qemu) or the chip",
            "cannot run {} on {}: {m}",
            path.display(),
            chip.name
        )),
    }
}

/// A thread that ends the run when `limit` of wall time has passed, unless
/// cancelled first.
struct WallClockLimit {
    done: std::sync::Arc<(std::sync::Mutex<bool>, std::sync::Condvar)>,
    thread: std::thread::JoinHandle<()>,
}

fn wall_clock_limit(handle: host::HostHandle, limit: std::time::Duration) -> WallClockLimit {
    let done = std::sync::Arc::new((std::sync::Mutex::new(false), std::sync::Condvar::new()));
    let d = done.clone();
    let thread = std::thread::spawn(move || {
        let (lock, cv) = &*d;
        let g = lock.lock().unwrap_or_else(|e| e.into_inner());
        let (g, _) = cv
            .wait_timeout_while(g, limit, |finished| !*finished)
            .unwrap_or_else(|e| e.into_inner());
        if !*g {
            handle.stop();
        }
    });
    WallClockLimit { done, thread }
}

impl WallClockLimit {
    fn cancel(self) {
        let (lock, cv) = &*self.done;
        *lock.lock().unwrap_or_else(|e| e.into_inner()) = true;
        cv.notify_all();
        let _ = self.thread.join();
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
        let source = trap.source.as_ref().map(|(f, l)| (f.to_string(), *l));
        TrapDiagnostic::from_parts(task, &trap.to_string(), source, src_root)
    }

    /// A trap reported as text (by the qemu runner).
    pub fn from_parts(
        task: &str,
        message: &str,
        source: Option<(String, u32)>,
        src_root: &Path,
    ) -> TrapDiagnostic {
        // The trap's own text already carries the backtrace.
        let (src, span) = match &source {
            Some((file, line)) => {
                let p = PathBuf::from(file);
                let full = if p.is_absolute() { p } else { src_root.join(p) };
                match std::fs::read_to_string(&full) {
                    Ok(text) => {
                        let span = crate::translate::line_span(&text, *line);
                        (Some(NamedSource::new(file, text).with_language("c")), span)
                    }
                    Err(_) => (None, None),
                }
            }
            None => (None, None),
        };
        TrapDiagnostic {
            message: format!("task \"{task}\": {message}"),
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
