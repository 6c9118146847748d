//! Preemption of running module code, and executed work as device time.
//!
//! The interpreter reports to the safepoint hook every 1024 calls and
//! backward branches (`Imports::set_safepoint`); host calls take what ran
//! since (`Caller::take_ticks`). At each of those points the running task
//! takes the interrupts that came due since it last looked — what FreeRTOS'
//! tick interrupt, the esp_timer alarm and the task watchdog's interrupt do
//! on the device — and switches if one of them asks for it:
//! - a wake-up readied a task that outranks it (preemption);
//! - a tick passed and another task of its priority is ready (time slicing:
//!   `configUSE_TIME_SLICING`, the slice ends at the tick, not a full tick
//!   after the task got the CPU).
//!
//! In virtual time every tick of executed work costs `WORK_TICK_NS` of
//! device time, so a busy loop takes simulated time deterministically.

use std::sync::MutexGuard;
use std::time::Duration;

use crate::imports::Safepoint;
use crate::trap::Trap;

use super::kernel::{earliest_deadline, unwind, wake_expired, EndReason, Kernel, State, TaskId};

/// Device time one call or backward branch of module code costs in virtual
/// time (ns): 1 µs, about what an interpreted loop iteration or call takes
/// on a 160 MHz ESP32-C3.
pub const WORK_TICK_NS: u64 = 1000;

impl Kernel {
    /// The interpreter's safepoint hook (see `Imports::set_safepoint`).
    pub fn safepoint(&self, at: Safepoint, ticks: u64) -> Result<(), Trap> {
        let Some(me) = self.current() else {
            // A native thread inside the module: its work is outside the
            // simulated CPU; it only has to stop when the run ends.
            return match self.lock().end {
                Some(_) => Err(unwind()),
                None => Ok(()),
            };
        };
        let mut g = self.lock();
        self.add_work(&mut g, ticks);
        if at == Safepoint::Leave {
            return Ok(());
        }
        if g.end.is_some() || g.tasks[me].killed {
            return Err(unwind());
        }
        if g.running != Some(me) {
            return Ok(());
        }
        drop(self.interrupt_point(g, me)?);
        Ok(())
    }

    /// Bookkeeping at every platform call: the shadow stack in use and the
    /// work executed since the last report.
    pub fn on_call(&self, stack_used: Option<u32>, ticks: u64) {
        let Some(me) = self.current() else {
            return;
        };
        let mut g = self.lock();
        if let Some(used) = stack_used {
            let t = &mut g.tasks[me];
            t.stack_peak = t.stack_peak.max(used);
        }
        self.add_work(&mut g, ticks);
    }

    /// Virtual time: executed work moves the clock.
    fn add_work(&self, g: &mut State, ticks: u64) {
        if !self.virtual_time || ticks == 0 {
            return;
        }
        let ns = g.work_ns.saturating_add(ticks.saturating_mul(WORK_TICK_NS));
        g.vnow = g.vnow.saturating_add(ns / 1000);
        g.work_ns = ns % 1000;
    }

    /// Takes the interrupts that came due, then switches the running task
    /// `me` out if one of them asked for it.
    pub fn interrupt_point<'a>(
        &'a self,
        mut g: MutexGuard<'a, State>,
        me: TaskId,
    ) -> Result<MutexGuard<'a, State>, Trap> {
        let now = self.now(&g);
        self.clock_interrupts(&mut g, now);
        if g.end.is_some() {
            return Err(unwind());
        }
        self.switch_if_pending(g, me)
    }

    /// What the device's interrupts do by `now`: wake-ups whose time came
    /// (delays, timeouts, timers, esp_timer alarms), the tick's time slice,
    /// the task watchdog. Switches they ask for are left pending.
    pub fn clock_interrupts(&self, g: &mut State, now: u64) {
        if self.run_for_us.is_some_and(|l| now >= l) {
            // `run_for` (`--time-limit`) also stops a task that never yields.
            self.end(g, EndReason::TimeLimit);
            return;
        }
        let woken = wake_expired(g, now);
        let running = g.running.map(|r| g.tasks[r].prio);
        if let (Some(w), Some(r)) = (woken, running) {
            if w > r {
                g.switch_pending = true;
            }
        }
        let tick = now / self.tick_us;
        if tick > g.slice_tick {
            g.slice_tick = tick;
            if let Some(r) = g.running {
                if g.ready[g.tasks[r].prio as usize].len() > 1 {
                    g.switch_pending = true;
                }
            }
        }
        self.watchdog(g, now);
    }

    /// `esp_rom_delay_us` and other busy waits: the task keeps the CPU until
    /// `us` have passed, but is preemptible meanwhile, as the ROM's spin
    /// loop is; time spent preempted counts towards the wait.
    pub fn busy_wait<'a>(
        &'a self,
        mut g: MutexGuard<'a, State>,
        me: TaskId,
        us: u64,
    ) -> Result<MutexGuard<'a, State>, Trap> {
        let end = self.now(&g).saturating_add(us);
        loop {
            let now = self.now(&g);
            if now >= end {
                return Ok(g);
            }
            // Up to the next moment an interrupt may come due.
            let next_tick = (now / self.tick_us + 1) * self.tick_us;
            let step_to = [Some(end), Some(next_tick), earliest_deadline(&g)]
                .into_iter()
                .flatten()
                .filter(|&t| t > now)
                .min()
                .unwrap_or(end);
            if self.virtual_time {
                g.vnow = step_to;
            } else {
                drop(g);
                std::thread::sleep(Duration::from_micros(step_to - now));
                g = self.lock();
                if g.end.is_some() || g.tasks[me].killed {
                    return Err(unwind());
                }
            }
            g = self.interrupt_point(g, me)?;
        }
    }
}
