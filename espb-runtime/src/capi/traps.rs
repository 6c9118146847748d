//! The firmware's trap handler (`espb_set_trap_handler`): told at once when
//! module code that a native called on its own (a timer, a native task)
//! traps, since no call of the firmware's can return that trap. The
//! template's ESP-IDF helpers log it with `ESP_LOGE`.

use std::ffi::{c_char, CString};
use std::sync::atomic::{AtomicUsize, Ordering};

use crate::Trap;

/// `void (*)(const char *message)`.
pub type EspbTrapFn = Option<unsafe extern "C" fn(*const c_char)>;

static HANDLER: AtomicUsize = AtomicUsize::new(0);

fn report(t: &Trap) {
    let h = HANDLER.load(Ordering::Acquire);
    if h == 0 {
        return;
    }
    let text = CString::new(t.to_string().replace('\0', " ")).unwrap_or_default();
    // SAFETY: stored by `espb_set_trap_handler` from a C function taking a
    // C string, callable from any task.
    let f = unsafe { std::mem::transmute::<usize, unsafe extern "C" fn(*const c_char)>(h) };
    // SAFETY: `text` is a valid C string for the duration of the call.
    unsafe { f(text.as_ptr()) }
}

/// # Safety
/// `handler` is NULL or callable from any task that runs module callbacks,
/// with a C string valid for the duration of the call.
#[no_mangle]
pub unsafe extern "C" fn espb_set_trap_handler(handler: EspbTrapFn) {
    HANDLER.store(handler.map_or(0, |h| h as usize), Ordering::Release);
    #[cfg(any(feature = "ffi", target_arch = "riscv32"))]
    crate::ffi::set_callback_trap_hook(handler.map(|_| report as fn(&Trap)));
}
