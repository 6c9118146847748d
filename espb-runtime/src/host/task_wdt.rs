//! `esp_task_wdt.h`: the task watchdog (TWDT) as ESP-IDF sets it up by
//! default (`CONFIG_ESP_TASK_WDT_INIT`, 5 s, the IDLE task subscribed,
//! no panic).
//!
//! The hardware timer restarts when every subscribed task has reset it
//! (IDLE resets it whenever it runs, i.e. whenever no other task is ready).
//! When it fires, the interrupt prints ESP-IDF's message naming the
//! subscribed tasks that did not reset it and the task that holds the CPU,
//! restarts the timer, and — with `trigger_panic` — aborts.

use crate::imports::Caller;
use crate::trap::{Trap, TrapKind};

use super::api::{a32, ret, Imp, ESP_ERR_INVALID_ARG, ESP_ERR_INVALID_STATE, ESP_OK, R};
use super::kernel::{EndReason, Kernel, State, TaskId};

pub(crate) const TABLE: &[(&str, &str, Imp)] = &[
    ("esp_task_wdt_init", "(ptr) -> i32", init),
    ("esp_task_wdt_reconfigure", "(ptr) -> i32", reconfigure),
    ("esp_task_wdt_deinit", "() -> i32", deinit),
    ("esp_task_wdt_add", "(ptr) -> i32", add),
    ("esp_task_wdt_delete", "(ptr) -> i32", delete),
    ("esp_task_wdt_reset", "() -> i32", reset),
    ("esp_task_wdt_status", "(ptr) -> i32", status),
];

/// `CONFIG_ESP_TASK_WDT_TIMEOUT_S`.
pub const DEFAULT_TIMEOUT_US: u64 = 5_000_000;

const ESP_ERR_NOT_FOUND: u32 = 0x105;

#[derive(Debug)]
pub(crate) struct Watchdog {
    /// The timeout (µs); `None`: the TWDT is not initialised.
    timeout: Option<u64>,
    /// `trigger_panic` as set by `esp_task_wdt_init`/`reconfigure`
    /// (`None`: the run's setting).
    panic: Option<bool>,
    /// Subscribed tasks, newest first (ESP-IDF's `SLIST_INSERT_HEAD`), and
    /// whether each reset the watchdog since the timer last restarted.
    entries: Vec<(TaskId, bool)>,
    /// When the hardware timer fires (µs).
    due: u64,
}

impl Watchdog {
    pub fn new(timeout: Option<u64>) -> Watchdog {
        Watchdog {
            timeout,
            panic: None,
            entries: Vec::new(),
            due: timeout.unwrap_or(0),
        }
    }

    /// When the timer fires next, if it runs.
    pub fn deadline(&self) -> Option<u64> {
        self.timeout.map(|_| self.due)
    }

    /// `add_entry`: subscribes `task`; the timer restarts if every other
    /// entry has reset.
    pub fn add(&mut self, task: TaskId, now: u64) -> u32 {
        if self.timeout.is_none() {
            return ESP_ERR_INVALID_STATE;
        }
        if self.entries.iter().any(|e| e.0 == task) {
            return ESP_ERR_INVALID_ARG;
        }
        let all_reset = self.entries.iter().all(|e| e.1);
        self.entries.insert(0, (task, false));
        if all_reset {
            self.restart(now);
        }
        ESP_OK
    }

    /// `esp_task_wdt_reset` by `task`.
    pub fn reset(&mut self, task: TaskId, now: u64) -> u32 {
        if self.timeout.is_none() {
            return ESP_ERR_INVALID_STATE;
        }
        let Some(i) = self.entries.iter().position(|e| e.0 == task) else {
            return ESP_ERR_NOT_FOUND;
        };
        let others_reset = self.entries.iter().enumerate().all(|(j, e)| j == i || e.1);
        self.entries[i].1 = true;
        if others_reset {
            self.restart(now);
        }
        ESP_OK
    }

    fn delete(&mut self, task: TaskId, now: u64) -> u32 {
        if self.timeout.is_none() {
            return ESP_ERR_INVALID_STATE;
        }
        let Some(i) = self.entries.iter().position(|e| e.0 == task) else {
            return ESP_ERR_NOT_FOUND;
        };
        self.entries.remove(i);
        if self.entries.iter().all(|e| e.1) {
            self.restart(now);
        }
        ESP_OK
    }

    /// The IDLE task ran: its idle hook resets the watchdog.
    pub fn idle_ran(&mut self, idle: TaskId, now: u64) {
        if self.timeout.is_some() && self.entries.iter().any(|e| e.0 == idle) {
            self.reset(idle, now);
        }
    }

    /// `reset_hw_timer`: feeds the timer and clears every entry's flag.
    fn restart(&mut self, now: u64) {
        if let Some(t) = self.timeout {
            self.due = now.saturating_add(t);
        }
        for e in &mut self.entries {
            e.1 = false;
        }
    }
}

impl Kernel {
    /// The TWDT interrupt, if the timer fired by `now` (in the order and
    /// with the text of ESP-IDF's `task_wdt_isr` on a single-core chip).
    pub(crate) fn watchdog(&self, g: &mut State, now: u64) {
        let Some(timeout) = g.wdt.timeout else {
            return;
        };
        if g.running.is_none() {
            let idle = g.idle;
            g.wdt.idle_ran(idle, now);
        }
        while now >= g.wdt.due {
            let at = g.wdt.due;
            // The interrupt feeds the hardware timer: it fires again one
            // timeout later unless everybody resets it.
            g.wdt.due = at.saturating_add(timeout.max(1));
            if g.wdt.entries.is_empty() {
                continue;
            }
            let ms = at / 1000;
            let line = |text: &str| format!("E ({ms}) task_wdt: {text}\n");
            let mut out = line(
                "Task watchdog got triggered. The following tasks/users did not reset the watchdog in time:",
            );
            for &(t, has_reset) in &g.wdt.entries {
                if !has_reset {
                    out += &line(&format!(" - {} (CPU 0)", g.tasks[t].name));
                }
            }
            out += &line("Tasks currently running:");
            let running = g.running.map_or("IDLE", |r| g.tasks[r].name.as_str());
            out += &line(&format!("CPU 0: {running}"));
            let panic = g.wdt.panic.unwrap_or(self.wdt_panic);
            if panic {
                out += &line("Aborting.");
            }
            self.output.write(out.as_bytes());
            if panic {
                let task = running.to_string();
                let trap = Trap::new(TrapKind::Abort(format!(
                    "the task watchdog got triggered while \"{task}\" held the CPU (trigger_panic)"
                )));
                self.end(g, EndReason::Trapped { task, trap });
                return;
            }
        }
    }
}

/// `esp_task_wdt_config_t`: timeout_ms at 0, idle_core_mask at 4,
/// trigger_panic at 8.
fn read_config(c: &Caller<'_>, p: u32) -> Result<Option<(u64, u32, bool)>, Trap> {
    if p == 0 {
        return Ok(None);
    }
    let mut b = [0u8; 9];
    c.read(p, &mut b)?;
    let w = |o: usize| u32::from_le_bytes([b[o], b[o + 1], b[o + 2], b[o + 3]]);
    Ok(Some((w(0) as u64 * 1000, w(4), b[8] != 0)))
}

fn configure(k: &Kernel, c: &mut Caller<'_>, a: &[u64], init: bool) -> R {
    let Some((timeout, mask, panic)) = read_config(c, a32(a, 0))? else {
        return ret(ESP_ERR_INVALID_ARG);
    };
    // One core: only bit 0 of the idle mask exists.
    if mask > 1 {
        return ret(ESP_ERR_INVALID_ARG);
    }
    let (mut g, _) = k.enter()?;
    if g.wdt.timeout.is_some() == init {
        // init: "TWDT already initialized"; reconfigure: never initialised.
        return ret(ESP_ERR_INVALID_STATE);
    }
    let now = k.now(&g);
    let idle = g.idle;
    g.wdt.timeout = Some(timeout);
    g.wdt.panic = Some(panic);
    g.wdt.restart(now);
    let subscribed = g.wdt.entries.iter().any(|e| e.0 == idle);
    if mask & 1 != 0 && !subscribed {
        g.wdt.add(idle, now);
    } else if mask & 1 == 0 && subscribed {
        g.wdt.delete(idle, now);
    }
    ret(ESP_OK)
}

fn init(k: &Kernel, c: &mut Caller<'_>, a: &[u64]) -> R {
    configure(k, c, a, true)
}

fn reconfigure(k: &Kernel, c: &mut Caller<'_>, a: &[u64]) -> R {
    configure(k, c, a, false)
}

fn deinit(k: &Kernel, _c: &mut Caller<'_>, _a: &[u64]) -> R {
    let (mut g, _) = k.enter()?;
    if g.wdt.timeout.is_none() {
        return ret(ESP_ERR_INVALID_STATE);
    }
    let idle = g.idle;
    if g.wdt.entries.iter().any(|e| e.0 != idle) {
        // "Tasks/users still subscribed".
        return ret(ESP_ERR_INVALID_STATE);
    }
    g.wdt = Watchdog::new(None);
    ret(ESP_OK)
}

/// The task a handle names (NULL: the caller).
fn task<'k>(
    k: &'k Kernel,
    c: &Caller<'_>,
    h: u32,
) -> Result<(std::sync::MutexGuard<'k, State>, TaskId), Trap> {
    let (g, me) = k.enter()?;
    let t = super::tasks::task_of(&g, c, h, me)?;
    Ok((g, t))
}

fn add(k: &Kernel, c: &mut Caller<'_>, a: &[u64]) -> R {
    let (mut g, t) = task(k, c, a32(a, 0))?;
    let now = k.now(&g);
    ret(g.wdt.add(t, now))
}

fn delete(k: &Kernel, c: &mut Caller<'_>, a: &[u64]) -> R {
    let (mut g, t) = task(k, c, a32(a, 0))?;
    let now = k.now(&g);
    ret(g.wdt.delete(t, now))
}

fn reset(k: &Kernel, _c: &mut Caller<'_>, _a: &[u64]) -> R {
    let (mut g, me) = k.enter()?;
    let now = k.now(&g);
    ret(g.wdt.reset(me, now))
}

fn status(k: &Kernel, c: &mut Caller<'_>, a: &[u64]) -> R {
    let (g, t) = task(k, c, a32(a, 0))?;
    if g.wdt.timeout.is_none() {
        return ret(ESP_ERR_INVALID_STATE);
    }
    ret(if g.wdt.entries.iter().any(|e| e.0 == t) {
        ESP_OK
    } else {
        ESP_ERR_NOT_FOUND
    })
}
