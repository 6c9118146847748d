//! The supervisor: the thread that called `run_app` starts the task
//! threads, lets the CPU idle (moving virtual time to the next wake-up, or
//! sleeping until it in real time), and ends the run.

use std::sync::MutexGuard;
use std::time::{Duration, Instant};

use super::kernel::{earliest_deadline, EndReason, Kernel, State, TState, TaskId, TaskKind};

impl Kernel {
    /// The supervisor loop, run by the thread that called `run_app`: starts
    /// task threads, moves time when nobody is ready, ends the run. `spawn`
    /// starts the thread of a task; `interrupt` stops module code that is
    /// running when the run ends (real time, native threads).
    pub fn supervise(&self, mut spawn: impl FnMut(TaskId), interrupt: impl Fn()) -> EndReason {
        let _ = self.start.set(Instant::now());
        let mut g = self.lock();
        loop {
            if let Some(e) = &g.end {
                let e = e.clone();
                drop(g);
                interrupt();
                self.cv.notify_all();
                return e;
            }
            if let Some(id) = g.spawn.pop_front() {
                drop(g);
                spawn(id);
                g = self.lock();
                continue;
            }
            let now = self.now(&g);
            if let Some(limit) = self.run_for_us {
                if now >= limit {
                    self.end(&mut g, EndReason::TimeLimit);
                    continue;
                }
            }
            if g.running.is_some() {
                // Virtual time: only the running task moves the clock, and it
                // takes the interrupts itself (at its safepoints and calls),
                // so their effects — the watchdog's message among them — fall
                // at the same point of its output in every run.
                if !self.virtual_time {
                    self.clock_interrupts(&mut g, now);
                }
                g = self.watch_running(g, now);
                continue;
            }
            self.clock_interrupts(&mut g, now);
            if g.end.is_some() {
                continue;
            }
            if self.select(&mut g).is_some() {
                self.cv.notify_all();
                continue;
            }
            // Idle: the IDLE task runs (and feeds the watchdog) until the
            // next deadline.
            let next = earliest_deadline(&g).map(|n| self.run_for_us.map_or(n, |l| n.min(l)));
            match next {
                Some(t) if self.virtual_time => {
                    g.vnow = t.max(g.vnow);
                    let (idle, now) = (g.idle, g.vnow);
                    g.wdt.idle_ran(idle, now);
                }
                Some(t) => {
                    let wait = Duration::from_micros(t.saturating_sub(now));
                    g = self
                        .cv
                        .wait_timeout(g, wait)
                        .unwrap_or_else(|e| e.into_inner())
                        .0;
                }
                None => {
                    let alive: Vec<String> = g
                        .tasks
                        .iter()
                        .filter(|t| t.kind == TaskKind::Module && t.state != TState::Deleted)
                        .map(|t| t.name.clone())
                        .collect();
                    if alive.is_empty() {
                        self.end(&mut g, EndReason::Finished);
                    } else if let (true, Some(limit)) = (
                        self.virtual_time && (self.wait_for_natives || g.foreign_seen),
                        self.run_for_us,
                    ) {
                        // Virtual time cannot wait for native threads in
                        // device time: it runs to the limit.
                        g.vnow = limit.max(g.vnow);
                    } else if self.wait_for_natives || g.foreign_seen {
                        // Native threads may still call in: wait for them (or
                        // for `run_for`, `HostHandle::stop`).
                        let wait = self.run_for_us.map_or(100_000, |l| l.saturating_sub(now));
                        g = self
                            .cv
                            .wait_timeout(g, Duration::from_micros(wait.clamp(1, 100_000)))
                            .unwrap_or_else(|e| e.into_inner())
                            .0;
                    } else {
                        self.end(&mut g, EndReason::Blocked { tasks: alive });
                    }
                }
            }
        }
    }

    /// The supervisor while a task runs. Virtual time: the running task
    /// hands the token back itself. Real time: wake up at the next deadline,
    /// tick or watchdog expiry to take the interrupts due, which the running
    /// task honours at its next safepoint (or host call, if it is inside a
    /// native function).
    fn watch_running<'a>(&'a self, g: MutexGuard<'a, State>, now: u64) -> MutexGuard<'a, State> {
        if self.virtual_time {
            return self.cv.wait(g).unwrap_or_else(|e| e.into_inner());
        }
        let next_tick = (now / self.tick_us + 1) * self.tick_us;
        let next = [
            earliest_deadline(&g),
            self.run_for_us,
            Some(next_tick),
            g.wdt.deadline(),
        ]
        .into_iter()
        .flatten()
        .min()
        .unwrap_or(next_tick);
        let wait = Duration::from_micros(next.saturating_sub(now).max(100));
        self.cv
            .wait_timeout(g, wait)
            .unwrap_or_else(|e| e.into_inner())
            .0
    }
}
