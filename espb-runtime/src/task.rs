//! Which task is running: the FFI keeps per-task state for the native calls
//! in progress (a callback's trap is delivered to the native call made on the
//! same task).
//!
//! With `std` a task is an OS thread. Without `std` the firmware says, once,
//! how to name the running task ([`set_current_task_hook`]; the ESP-IDF C API
//! passes `xTaskGetCurrentTaskHandle`). An embedding that runs modules on one
//! task only (the qemu runner) needs no hook: every call is task 0.

#[cfg(feature = "std")]
pub(crate) fn current() -> usize {
    std::thread_local! {
        static ID: u8 = const { 0 };
    }
    // The address of a thread-local is unique among live threads.
    ID.with(|b| b as *const u8 as usize)
}

#[cfg(not(feature = "std"))]
static HOOK: crate::sync::AtomicUsize = crate::sync::AtomicUsize::new(0);

/// Tells the runtime how to identify the running task (any value unique
/// among live tasks, e.g. the FreeRTOS task handle).
#[cfg(not(feature = "std"))]
pub fn set_current_task_hook(f: fn() -> usize) {
    HOOK.store(f as usize, core::sync::atomic::Ordering::Release);
}

#[cfg(not(feature = "std"))]
pub(crate) fn current() -> usize {
    let h = HOOK.load(core::sync::atomic::Ordering::Acquire);
    if h == 0 {
        return 0;
    }
    // SAFETY: a non-zero value was stored from a `fn() -> usize` by
    // `set_current_task_hook`; function pointers round-trip through usize.
    let f: fn() -> usize = unsafe { core::mem::transmute::<usize, fn() -> usize>(h) };
    f()
}
