//! The module's standard output in firmware: C's `stdout` by default, so a
//! module's `printf` and the firmware's own `printf`/`ESP_LOGx` go through
//! one stream and appear in the order they were made (Rust's stdout and C's
//! stdio buffer separately), or a function the firmware sets.

use std::ffi::{c_char, c_int, c_void};
use std::sync::{Arc, Mutex};

use crate::Output;

/// `espb_output_fn`.
pub type EspbOutputFn = Option<unsafe extern "C" fn(*mut c_void, *const c_char, usize)>;

extern "C" {
    fn printf(format: *const c_char, ...) -> c_int;
    fn putchar(c: c_int) -> c_int;
    fn fflush(stream: *mut c_void) -> c_int;
}

/// Writes `bytes` to C's stdout. `printf("%.*s")` stops at a NUL byte, so
/// NULs are written one by one between the runs around them. Flushed at a
/// newline, as a console is: stdout may be a pipe (ESP-IDF's linux target
/// under a test harness), which C buffers fully.
fn c_stdout(bytes: &[u8]) {
    super::gate::pass();
    for (k, run) in bytes.split(|&b| b == 0).enumerate() {
        if k > 0 {
            // SAFETY: putchar has no preconditions.
            unsafe { putchar(0) };
        }
        for chunk in run.chunks(c_int::MAX as usize) {
            // SAFETY: "%.*s" reads exactly `chunk.len()` bytes from a live
            // slice (no NUL inside, so the precision bounds the read).
            unsafe { printf(c"%.*s".as_ptr(), chunk.len() as c_int, chunk.as_ptr()) };
        }
    }
    if bytes.contains(&b'\n') {
        // SAFETY: fflush(NULL) flushes every output stream; no preconditions.
        unsafe { fflush(std::ptr::null_mut()) };
    }
}

/// The firmware's output function and its user pointer.
#[derive(Clone, Copy)]
struct Sink(
    unsafe extern "C" fn(*mut c_void, *const c_char, usize),
    *mut c_void,
);
// SAFETY: espb_set_output documents that the function is called from any
// task with its user pointer; the pointer is only handed back to it.
unsafe impl Send for Sink {}
// SAFETY: as above.
unsafe impl Sync for Sink {}

static SINK: Mutex<Option<Sink>> = Mutex::new(None);

/// The output for an instance loaded now.
pub(super) fn current() -> Output {
    let sink = *SINK.lock().unwrap_or_else(|e| e.into_inner());
    match sink {
        None => Output::Callback(Arc::new(c_stdout)),
        Some(s) => Output::Callback(Arc::new(move |bytes: &[u8]| {
            let s = s;
            super::gate::pass();
            // SAFETY: the firmware's function, called as espb_set_output
            // documents, with a live buffer of `bytes.len()` bytes.
            unsafe { (s.0)(s.1, bytes.as_ptr() as *const c_char, bytes.len()) }
        })),
    }
}

/// # Safety
/// `f` is NULL (back to C's stdout) or callable from any task with `user`.
#[no_mangle]
pub unsafe extern "C" fn espb_set_output(f: EspbOutputFn, user: *mut c_void) {
    *SINK.lock().unwrap_or_else(|e| e.into_inner()) = f.map(|f| Sink(f, user));
}
