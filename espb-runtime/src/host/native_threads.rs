//! Native threads: a native library's own threads (no FreeRTOS task)
//! calling the platform from module callbacks, under ESP-IDF's interrupt
//! rules (`docs/host-platform.md`): what never waits works, what needs a
//! task fails naming the call and ends the run, and critical sections
//! exclude native threads and tasks as the spinlock does.

use std::sync::MutexGuard;

use crate::trap::Trap;

use super::kernel::{call_name, unwind, EndReason, Kernel, State, TaskId};

impl Kernel {
    /// Ends the run because a platform call made by a native thread (no
    /// task) failed: on the device that is a crash in an interrupt.
    pub fn foreign_failed(&self, trap: &Trap) {
        let mut g = self.lock();
        let name = thread_name();
        self.end(
            &mut g,
            EndReason::Trapped {
                task: format!("native thread \"{name}\""),
                trap: trap.clone(),
            },
        );
    }

    /// `vPortEnterCritical`: a task defers switches until it leaves; a
    /// native thread (an interrupt, for the platform) and the tasks exclude
    /// each other from their critical sections, as the spinlock does.
    pub fn enter_critical<'a>(
        &'a self,
        mut g: MutexGuard<'a, State>,
        me: Option<TaskId>,
    ) -> Result<MutexGuard<'a, State>, Trap> {
        let this = std::thread::current().id();
        loop {
            if g.end.is_some() {
                return Err(unwind());
            }
            let task_inside = g.tasks.iter().any(|t| t.critical > 0);
            match (me, g.foreign_critical) {
                (Some(me), None) => {
                    g.tasks[me].critical += 1;
                    return Ok(g);
                }
                (None, Some((t, n))) if t == this => {
                    g.foreign_critical = Some((t, n + 1));
                    return Ok(g);
                }
                (None, None) if !task_inside => {
                    g.foreign_critical = Some((this, 1));
                    return Ok(g);
                }
                _ => g = self.cv.wait(g).unwrap_or_else(|e| e.into_inner()),
            }
        }
    }

    /// `vPortExitCritical`.
    pub fn exit_critical<'a>(
        &'a self,
        mut g: MutexGuard<'a, State>,
        me: Option<TaskId>,
    ) -> Result<MutexGuard<'a, State>, Trap> {
        let this = std::thread::current().id();
        let left = match (me, g.foreign_critical) {
            (Some(me), _) if g.tasks[me].critical > 0 => {
                g.tasks[me].critical -= 1;
                g.tasks[me].critical == 0
            }
            (None, Some((t, n))) if t == this => {
                g.foreign_critical = (n > 1).then_some((t, n - 1));
                n == 1
            }
            _ => return Err(Trap::host("vPortExitCritical without vPortEnterCritical")),
        };
        if left {
            self.cv.notify_all();
        }
        Ok(g)
    }
}

/// The error of a call a native thread (no task) may not make, naming it.
pub(crate) fn outside_task(why: &str) -> Trap {
    let name = thread_name();
    Trap::host(format!(
        "{}: called from native thread \"{name}\", which is not a FreeRTOS task, and {why}; \
         outside a task only calls that never wait are allowed (the ...FromISR functions, \
         a timeout of 0), as in an ESP-IDF interrupt",
        call_name()
    ))
}

/// The calling thread's name: Rust's, else the OS's (a native library's
/// thread named with `pthread_setname_np`).
fn thread_name() -> String {
    if let Some(n) = std::thread::current().name() {
        return n.to_string();
    }
    std::fs::read_to_string("/proc/thread-self/comm")
        .map(|s| s.trim_end().to_string())
        .unwrap_or_else(|_| "unnamed".into())
}
