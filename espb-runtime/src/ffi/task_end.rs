//! Module code ending its own task, and the firmware's call gate.
//!
//! `vTaskDelete(NULL)` — how a FreeRTOS task ends itself — cannot be called
//! in place from module code: on a chip it never returns, so the task's
//! execution context and the instance's entry count would stay taken
//! forever; on ESP-IDF's linux target it cancels the task's thread, whose
//! unwinding would run into the runtime's frames. So the call records the
//! request and traps; the module unwinds as from any trap; and the
//! outermost entry on that task (a callback trampoline, or the C API's
//! `espb_call`), holding nothing of the runtime any more, makes the call
//! ([`TaskEnd::run`]).
//!
//! The gate ([`set_call_gate`]) is a platform hook called before every
//! native call.

use alloc::vec::Vec;

use crate::sync::AtomicUsize;

use super::FfiState;

/// The native that deletes the calling task when given NULL.
pub(crate) const TASK_DELETE: &str = "vTaskDelete";

/// Called before every native call, when set.
static CALL_GATE: AtomicUsize = AtomicUsize::new(0);

/// Sets a function the runtime calls before every native call a module
/// makes (`None`: none). A firmware whose scheduler lets a task that was
/// switched out keep running until its next kernel call — ESP-IDF's linux
/// target, where tasks are threads — uses it to wait until the calling task
/// is the scheduled one again, as it always is on a chip: otherwise
/// FreeRTOS' own checks (`vTaskDelay` asserting the scheduler is not
/// suspended) can trip while another task holds the scheduler.
///
/// # Safety
/// `gate` must be callable from any task that runs module code, whenever it
/// makes a native call.
pub unsafe fn set_call_gate(gate: Option<unsafe extern "C" fn()>) {
    CALL_GATE.store(
        gate.map_or(0, |g| g as usize),
        core::sync::atomic::Ordering::Release,
    );
}

pub(crate) fn call_gate() {
    let g = CALL_GATE.load(core::sync::atomic::Ordering::Acquire);
    if g != 0 {
        // SAFETY: stored by `set_call_gate` from an `unsafe extern "C" fn()`
        // under its contract.
        unsafe { core::mem::transmute::<usize, unsafe extern "C" fn()>(g)() };
    }
}

/// A deletion of the calling task, due once nothing of the runtime is left
/// on its stack.
#[must_use]
pub struct TaskEnd {
    addr: usize,
}

impl TaskEnd {
    /// Deletes the calling task: on a chip this does not return; on
    /// ESP-IDF's linux target the task's thread is cancelled by unwinding
    /// through the caller's frames.
    ///
    /// # Safety
    /// The caller holds nothing of the runtime (locks, execution contexts,
    /// values to drop), and its frames up to the task's entry allow a forced
    /// unwind (`extern "C-unwind"`, nothing to drop).
    pub unsafe fn run(self) {
        call_gate();
        // With std (ESP-IDF's linux target: a cancelled thread unwinds) the
        // call may unwind; a chip without std never unwinds (and a no_std
        // runtime has no unwinder to call into).
        #[cfg(feature = "std")]
        type Delete = unsafe extern "C-unwind" fn(*mut core::ffi::c_void);
        #[cfg(not(feature = "std"))]
        type Delete = unsafe extern "C" fn(*mut core::ffi::c_void);
        // SAFETY: `addr` is the registered `vTaskDelete` (contract of
        // `Natives::add`): `void vTaskDelete(TaskHandle_t)`, called with NULL.
        let f = unsafe { core::mem::transmute::<usize, Delete>(self.addr) };
        unsafe { f(core::ptr::null_mut()) };
    }
}

impl FfiState {
    pub(crate) fn request_task_end(&self, addr: usize) {
        let task = crate::task::current();
        let mut v = self.task_end.lock();
        // One entry per task (replaced in place: no `retain`).
        match v.iter_mut().find(|(t, _)| *t == task) {
            Some(e) => e.1 = addr,
            None => v.push((task, addr)),
        }
    }

    /// Whether module code on the calling task asked to delete the task.
    pub(crate) fn task_end_requested(&self) -> bool {
        let task = crate::task::current();
        self.task_end.lock().iter().any(|(t, _)| *t == task)
    }

    /// The deletion of the calling task its module code asked for, when no
    /// native call made by module code is still in progress on it (the
    /// outermost entry makes it); `None` otherwise.
    pub fn take_task_end(&self) -> Option<TaskEnd> {
        let task = crate::task::current();
        if self.active.has(task) {
            return None;
        }
        let mut v = self.task_end.lock();
        let i = v.iter().position(|(t, _)| *t == task)?;
        Some(TaskEnd {
            addr: v.swap_remove(i).1,
        })
    }
}

/// Per-task pending deletions: (task, address of `vTaskDelete`).
pub(crate) type Pending = Vec<(usize, usize)>;
