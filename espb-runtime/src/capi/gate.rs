//! The firmware's call gate (`espb_set_call_gate`): a function the runtime
//! calls before module code acts on the world outside it — a native call,
//! output — so that a scheduler which lets a switched-out task run on until
//! its next kernel call (ESP-IDF's linux target: tasks are threads) can hold
//! it there until it is the scheduled task again, as it always is on a chip.
//! The template's ESP-IDF helpers install one on the linux target.

use std::sync::atomic::{AtomicUsize, Ordering};

/// `void (*)(void)`.
pub type EspbGateFn = Option<unsafe extern "C" fn()>;

static GATE: AtomicUsize = AtomicUsize::new(0);

/// Waits at the gate, if the firmware set one.
pub(super) fn pass() {
    let g = GATE.load(Ordering::Acquire);
    if g != 0 {
        // SAFETY: stored by `espb_set_call_gate` from a C function pointer
        // whose contract is to be callable from any task at any time.
        unsafe { std::mem::transmute::<usize, unsafe extern "C" fn()>(g)() };
    }
}

/// # Safety
/// `gate` is NULL or callable from any task that runs module code, at any
/// time it makes a native call or writes output.
#[no_mangle]
pub unsafe extern "C" fn espb_set_call_gate(gate: EspbGateFn) {
    GATE.store(gate.map_or(0, |g| g as usize), Ordering::Release);
    #[cfg(feature = "ffi")]
    // SAFETY: the same contract as this function's.
    unsafe {
        crate::ffi::set_call_gate(gate)
    };
}
