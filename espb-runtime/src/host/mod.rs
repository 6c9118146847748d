//! The host platform: ESP-IDF and FreeRTOS simulated on a PC, so a module
//! built for a device runs unchanged under `cargo espb run`.
//!
//! [`run_app`] instantiates a module with the platform's functions (the
//! exact names and signatures of the bundled SDK headers, by name and
//! through the default fast-symbol table), runs `app_main` as the "main"
//! task and returns when the run ends (see [`EndReason`] and
//! `docs/host-platform.md`).

mod api;
mod esp_timer;
mod events;
mod files;
mod flash;
mod from_isr;
mod gpio;
mod heap_caps;
mod kernel;
mod log;
mod native_threads;
mod nvs;
mod objects;
mod preempt;
mod queues;
mod ready;
mod supervisor;
mod symtab;
mod system;
mod task_wdt;
mod tasks;
mod timers;

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use espb_format::FUNC_REF_BASE;

use crate::config::Config;
use crate::entry::{build_argv, find_entry, EntryArgs};
use crate::imports::Imports;
use crate::instance::{Instance, InstantiateError};
use crate::module::Module;
use crate::output::Output;
use crate::trap::{Trap, TrapKind};

pub use gpio::NUM_PINS as GPIO_PINS;
pub use kernel::{EndReason, DEFAULT_TICK_HZ};
pub use objects::GpioInput;
pub use preempt::WORK_TICK_NS;
pub use symtab::esp_idf_table;
pub use system::err_name;
pub use task_wdt::DEFAULT_TIMEOUT_US as DEFAULT_WATCHDOG_US;

use kernel::{Kernel, Settings, TaskKind};

/// ESP-IDF's main task: priority 1, `CONFIG_ESP_MAIN_TASK_STACK_SIZE`.
const MAIN_PRIORITY: u32 = 1;
const MAIN_STACK: u32 = 3584;

/// How to run a module on the host.
#[derive(Clone)]
pub struct HostConfig {
    /// Advance a simulated clock instead of sleeping (`--virtual-time`).
    pub virtual_time: bool,
    /// The entry function: `None` runs `app_main`, or `main` if the module
    /// has no `app_main`.
    pub entry: Option<String>,
    /// Where `printf`, `ESP_LOGx` and friends write.
    pub output: Output,
    /// End the run after this much device time (virtual or real).
    pub run_for: Option<Duration>,
    /// `argv[1..]` for an entry `int main(int argc, char **argv)`.
    pub args: Vec<String>,
    /// Input-pin changes applied at given times.
    pub gpio_inputs: Vec<GpioInput>,
    /// File backing NVS (`nvs_flash_init` reads it, `nvs_commit` writes it).
    /// `None`: NVS lives for the run only.
    pub nvs_file: Option<std::path::PathBuf>,
    /// Seed of `esp_random`.
    pub seed: u64,
    /// Most tasks alive at once (each needs an execution context).
    pub max_tasks: u32,
    /// `CONFIG_FREERTOS_HZ`: must match what the module was built with
    /// (`pdMS_TO_TICKS` is computed at compile time). ESP-IDF's default is
    /// 100 (a 10 ms tick).
    pub tick_hz: u32,
    /// The task watchdog's timeout (`CONFIG_ESP_TASK_WDT_TIMEOUT_S`,
    /// default 5 s); `None`: no task watchdog (`CONFIG_ESP_TASK_WDT_INIT`
    /// off).
    pub watchdog: Option<Duration>,
    /// `CONFIG_ESP_TASK_WDT_PANIC`: a watchdog timeout aborts the run
    /// instead of only printing.
    pub watchdog_panic: bool,
    /// Native code may call into the module from its own threads (callbacks
    /// it keeps): a run whose tasks all wait forever keeps waiting for them
    /// (until `run_for` or `HostHandle::stop`) instead of ending as
    /// `Blocked`. Set by itself once a native thread calls the platform.
    pub wait_for_natives: bool,
    /// Imports the platform's functions are added to (builtins, FFI natives,
    /// the embedder's own functions). Platform functions win on a name clash.
    pub imports: Imports,
    /// Instance settings (fuel, heap, stack sizes); `output` and
    /// `max_contexts` are overridden from the fields above.
    pub runtime: Config,
}

impl Default for HostConfig {
    fn default() -> HostConfig {
        HostConfig {
            virtual_time: false,
            entry: None,
            output: Output::default(),
            run_for: None,
            args: Vec::new(),
            gpio_inputs: Vec::new(),
            nvs_file: None,
            seed: 0x2545_f491_4f6c_dd1d,
            max_tasks: 32,
            tick_hz: DEFAULT_TICK_HZ,
            watchdog: Some(Duration::from_micros(DEFAULT_WATCHDOG_US)),
            watchdog_panic: false,
            wait_for_natives: false,
            imports: Imports::new(),
            runtime: Config::default(),
        }
    }
}

/// How a run ended without a failure.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExitStatus {
    pub reason: EndReason,
    /// Device time at the end (µs).
    pub time_us: u64,
    /// Every change of a simulated pin's level: (µs, pin, level).
    pub gpio_trace: Vec<(u64, u32, bool)>,
}

impl ExitStatus {
    /// The process exit code `cargo espb run` should use.
    pub fn code(&self) -> i32 {
        match self.reason {
            EndReason::Exit(c) => c,
            _ => 0,
        }
    }
}

/// Why a run could not complete.
#[derive(Debug, Clone)]
pub enum RunError {
    Instantiate(InstantiateError),
    /// No `app_main`/`main` (or the named entry) with a usable signature.
    NoEntry(String),
    /// A task trapped or aborted.
    Trap {
        task: String,
        trap: Box<Trap>,
    },
}

impl fmt::Display for RunError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RunError::Instantiate(e) => write!(f, "{e}"),
            RunError::NoEntry(m) => f.write_str(m),
            RunError::Trap { task, trap } => write!(f, "task \"{task}\": {trap}"),
        }
    }
}

impl std::error::Error for RunError {}

impl From<InstantiateError> for RunError {
    fn from(e: InstantiateError) -> RunError {
        RunError::Instantiate(e)
    }
}

/// Drives a run from another thread (real-time GPIO input).
#[derive(Clone)]
pub struct HostHandle(Arc<Kernel>);

impl HostHandle {
    /// Drives input pin `pin` to `level` now; a matching edge fires its ISR
    /// handler at once.
    pub fn drive(&self, pin: u32, level: bool) {
        let k = &self.0;
        let mut g = k.lock();
        let at_us = k.now(&g);
        // Queued before scheduled inputs so it applies at the next dispatch.
        g.ext.inputs.push_front(GpioInput { at_us, pin, level });
        let svc = g.isr_svc;
        kernel::kick(&mut g, svc);
        // The interrupt preempts whatever runs, at its next safepoint.
        if g.running.is_some() {
            g.switch_pending = true;
        }
        k.notify_all();
    }

    /// Ends the run as if `run_for` had elapsed.
    pub fn stop(&self) {
        let mut g = self.0.lock();
        self.0.end(&mut g, EndReason::TimeLimit);
    }
}

/// A prepared run: take a [`HostHandle`] before [`HostRun::run`] to drive it.
pub struct HostRun {
    kernel: Arc<Kernel>,
    config: HostConfig,
}

impl HostRun {
    pub fn new(config: HostConfig) -> HostRun {
        let run_for = config
            .run_for
            .map(|d| d.as_micros().min(u64::MAX as u128) as u64);
        let us = |d: Duration| d.as_micros().min(u64::MAX as u128) as u64;
        let settings = Settings {
            virtual_time: config.virtual_time,
            run_for_us: run_for,
            max_tasks: config.max_tasks,
            tick_hz: config.tick_hz,
            wdt_timeout_us: config.watchdog.map(us),
            wdt_panic: config.watchdog_panic,
            wait_for_natives: config.wait_for_natives,
            output: config.output.clone(),
        };
        HostRun {
            kernel: Arc::new(Kernel::new(settings)),
            config,
        }
    }

    pub fn handle(&self) -> HostHandle {
        HostHandle(self.kernel.clone())
    }

    /// Runs the module to the end of the run.
    pub fn run(self, module: &Module<'_>) -> Result<ExitStatus, RunError> {
        let k = self.kernel;
        let cfg = self.config;
        let mut imports = cfg.imports.clone();
        register_all(&mut imports, &k);
        imports.register_table(symtab::esp_idf_table(&imports));
        let mut rt = cfg.runtime.clone();
        rt.output = cfg.output.clone();
        rt.max_contexts = cfg.max_tasks.saturating_add(3);
        let (entry, entry_args) =
            find_entry(module, cfg.entry.as_deref()).map_err(RunError::NoEntry)?;
        let inst = Instance::new(module, &imports, rt)?;
        {
            let mut g = k.lock();
            g.ext.rng = cfg.seed | 1;
            let mut inputs = cfg.gpio_inputs.clone();
            inputs.sort_by_key(|i| i.at_us);
            g.ext.inputs = inputs.into();
            g.ext.nvs_file = cfg.nvs_file.clone();
        }
        let argv = match entry_args {
            EntryArgs::None => 0,
            EntryArgs::Argc(_) => {
                let args: Vec<&str> = cfg.args.iter().map(String::as_str).collect();
                build_argv(&inst, &args).map_err(RunError::NoEntry)?
            }
        };
        let main_id = {
            let mut g = k.lock();
            let main = k.add_task(
                &mut g,
                "main".into(),
                TaskKind::Module,
                MAIN_PRIORITY,
                (entry, argv),
                MAIN_STACK,
            );
            g.timer_svc = k.add_task(
                &mut g,
                "Tmr Svc".into(),
                TaskKind::Service,
                timers::TIMER_TASK_PRIORITY,
                (0, 0),
                0,
            );
            g.esp_timer_svc = k.add_task(
                &mut g,
                "esp_timer".into(),
                TaskKind::Service,
                esp_timer::ESP_TIMER_TASK_PRIORITY,
                (0, 0),
                0,
            );
            g.isr_svc = k.add_task(
                &mut g,
                "gpio_isr".into(),
                TaskKind::Service,
                kernel::MAX_PRIORITIES,
                (0, 0),
                0,
            );
            main
        };
        let argc_form = match entry_args {
            EntryArgs::Argc(n) => n,
            EntryArgs::None => 0,
        };
        // C's `main` returning is `exit(status)`; `app_main` returning ends
        // only the main task.
        let main_exits = module.func_type(entry).is_some_and(|t| t.result.is_some());
        let interrupt = inst.interrupt_handle();
        let reason = std::thread::scope(|s| {
            let inst = &inst;
            let k = &*k;
            let reason = k.supervise(
                |id| {
                    let name = k.lock().tasks[id].name.clone();
                    let b = std::thread::Builder::new().name(name).stack_size(16 << 20);
                    let spawned = b.spawn_scoped(s, move || {
                        let main = id == main_id;
                        task_thread(
                            k,
                            inst,
                            id,
                            main,
                            if main { argc_form } else { 0 },
                            main && main_exits,
                        )
                    });
                    if let Err(e) = spawned {
                        let mut g = k.lock();
                        k.end(
                            &mut g,
                            EndReason::Trapped {
                                task: "scheduler".into(),
                                trap: Trap::host(format!("cannot start a task thread: {e}")),
                            },
                        );
                    }
                },
                || interrupt.interrupt(),
            );
            k.notify_all();
            reason
        });
        let g = k.lock();
        let time_us = k.now(&g);
        let gpio_trace = g.ext.gpio_trace.clone();
        drop(g);
        match reason {
            EndReason::Trapped { task, trap } => Err(RunError::Trap {
                task,
                trap: Box::new(trap),
            }),
            reason => Ok(ExitStatus {
                reason,
                time_us,
                gpio_trace,
            }),
        }
    }
}

/// Runs `module` on the host platform until the run ends.
pub fn run_app(module: &Module<'_>, config: HostConfig) -> Result<ExitStatus, RunError> {
    HostRun::new(config).run(module)
}

/// Every function table of the platform.
const TABLES: &[&[(&str, &str, api::Imp)]] = &[
    tasks::TABLE,
    queues::TABLE,
    events::TABLE,
    timers::TABLE,
    esp_timer::TABLE,
    log::TABLE,
    system::TABLE,
    gpio::TABLE,
    nvs::TABLE,
    from_isr::TABLE,
    heap_caps::TABLE,
    task_wdt::TABLE,
    flash::TABLE,
    files::TABLE,
];

/// Adds every host-platform function to `imports` (the kernel is per run)
/// and makes the kernel the interpreter's safepoint hook (preemption, and
/// executed work as virtual time).
fn register_all(imports: &mut Imports, k: &Arc<Kernel>) {
    for table in TABLES {
        api::register(imports, k, table);
    }
    let k = k.clone();
    imports.set_safepoint(move |at, ticks| k.safepoint(at, ticks));
}

/// Names of every function the host platform provides.
pub fn function_names() -> Vec<&'static str> {
    TABLES.iter().flat_map(|t| t.iter().map(|e| e.0)).collect()
}

/// The body of every task thread. `main`: the main task, whose entry may
/// take `argc`/`argv` (`argc_form` arguments) and whose return may be
/// `exit` (`exits`).
fn task_thread(
    k: &Kernel,
    inst: &Instance<'_>,
    id: usize,
    main: bool,
    argc_form: usize,
    exits: bool,
) {
    k.bind_thread(id);
    let (kind, (func, arg), name) = {
        let g = k.lock();
        let t = &g.tasks[id];
        (t.kind, t.entry, t.name.clone())
    };
    let call = |f: u32, args: &[u64]| inst.call_raw(f.wrapping_sub(FUNC_REF_BASE), args).map(drop);
    let result = if kind == TaskKind::Service {
        let (svc_timer, svc_esp, svc_isr) = {
            let g = k.lock();
            (g.timer_svc, g.esp_timer_svc, g.isr_svc)
        };
        if id == svc_timer {
            timers::service(k, id, &call)
        } else if id == svc_esp {
            esp_timer::service(k, id, &call)
        } else if id == svc_isr {
            gpio::service(k, id, &call)
        } else {
            Ok(())
        }
    } else {
        (|| {
            k.wait_first_turn(id)?;
            if argc_form > 0 {
                let n = count_args(inst, arg);
                // `envp`: the empty list the NULL ending `argv` makes.
                let envp = arg + 4 * n;
                let all = [n as u64, arg as u64, envp as u64];
                let r = inst.call_raw(func, &all[..argc_form])?;
                // Returning from `main` is `exit(status)`.
                return Err(Trap::new(TrapKind::Exit(r.unwrap_or(0) as u32 as i32)));
            }
            let takes_arg = inst
                .module()
                .func_type(func)
                .is_some_and(|t| !t.params.is_empty());
            let args = [arg as u64];
            let r = inst.call_raw(func, &args[..takes_arg as usize])?;
            if exits {
                return Err(Trap::new(TrapKind::Exit(r.unwrap_or(0) as u32 as i32)));
            }
            if main {
                // app_main returned: ESP-IDF's main task deletes itself.
                return Ok(());
            }
            // ESP-IDF's task wrapper: a FreeRTOS task must not return.
            let ts = k.log_timestamp(&k.lock());
            inst.write_output(
                format!("E ({ts}) FreeRTOS: FreeRTOS Task \"{name}\" should not return, Aborting now!\n").as_bytes(),
            );
            Err(Trap::new(TrapKind::Abort(format!(
                "FreeRTOS task \"{name}\" returned from its function"
            ))))
        })()
    };
    k.task_finished(id, result);
}

/// `argc` for the `argv` array at `argv` (NULL-terminated).
fn count_args(inst: &Instance<'_>, argv: u32) -> u32 {
    let mut n = 0;
    while inst.memory().load32(argv + 4 * n).is_ok_and(|p| p != 0) {
        n += 1;
    }
    n
}
