//! Unloading under load: eight tasks in native calls that call them back, a
//! native thread pumping callbacks, a periodic FreeRTOS timer and esp_timer —
//! and the run is stopped and the instance dropped meanwhile. No crash, no
//! callback reaches module code after the unload, and the memory comes back
//! (but the few hundred bytes per callback native code may still call).
#![cfg(feature = "host")]

mod ffi_util;
mod host_natives;
mod host_util;

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicIsize, Ordering::Relaxed};
use std::time::{Duration, Instant};

use espb_runtime::ffi::{self, Natives};
use espb_runtime::host::{EndReason, HostConfig, HostRun};
use espb_runtime::{Imports, Module, Output};
use host_natives::{native, workers};
use host_util::module_bytes;

/// Counts the bytes live in the Rust heap (this test binary runs one test).
struct Counting;

static LIVE: AtomicIsize = AtomicIsize::new(0);

// SAFETY: every call forwards to the system allocator with the same
// arguments; the counter is only bookkeeping.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, l: Layout) -> *mut u8 {
        LIVE.fetch_add(l.size() as isize, Relaxed);
        // SAFETY: the caller's contract for `alloc`.
        unsafe { System.alloc(l) }
    }
    unsafe fn alloc_zeroed(&self, l: Layout) -> *mut u8 {
        LIVE.fetch_add(l.size() as isize, Relaxed);
        // SAFETY: the caller's contract for `alloc_zeroed`.
        unsafe { System.alloc_zeroed(l) }
    }
    unsafe fn dealloc(&self, p: *mut u8, l: Layout) {
        LIVE.fetch_sub(l.size() as isize, Relaxed);
        // SAFETY: the caller's contract for `dealloc`.
        unsafe { System.dealloc(p, l) }
    }
    unsafe fn realloc(&self, p: *mut u8, l: Layout, new: usize) -> *mut u8 {
        LIVE.fetch_add(new as isize - l.size() as isize, Relaxed);
        // SAFETY: the caller's contract for `realloc`.
        unsafe { System.realloc(p, l, new) }
    }
}

#[global_allocator]
static ALLOC: Counting = Counting;

/// One load, run under load, unload; returns the bytes live during the run
/// and still live after it, compared with before.
fn cycle(bytes: &[u8]) -> (isize, isize) {
    let notes: extern "C" fn() -> i64 = native("wk_notes");
    let pump_stop: extern "C" fn() -> i64 = native("wk_pump_stop");
    let before = LIVE.load(Relaxed);
    let during;
    {
        let module = Module::parse(bytes).unwrap();
        let lib = workers();
        let mut natives = Natives::new();
        for name in ["wk_register", "wk_pump_start", "wk_apply", "wk_note"] {
            // SAFETY: unload_load.c declares these as workers.c defines them.
            unsafe { natives.add(name, lib.symbol(name).unwrap(), None) };
        }
        let mut imports = Imports::new();
        let state = ffi::link(&module, &natives, &mut imports).unwrap();
        let (out, buf) = Output::buffer();
        let run = HostRun::new(HostConfig {
            output: out,
            imports,
            wait_for_natives: true,
            run_for: Some(Duration::from_secs(30)),
            ..HostConfig::default()
        });
        let h = run.handle();
        let start_notes = notes();
        let stopper = std::thread::spawn(move || {
            // Unload once all of it is busy: thousands of callbacks in.
            let t = Instant::now();
            while notes() - start_notes < 3000 && t.elapsed() < Duration::from_secs(20) {
                std::thread::sleep(Duration::from_millis(5));
            }
            let during = LIVE.load(Relaxed);
            h.stop();
            during
        });
        let st = run
            .run(&module)
            .unwrap_or_else(|e| panic!("{e}\n{}", buf.to_string_lossy()));
        during = stopper.join().unwrap() - before;
        assert_eq!(st.reason, EndReason::TimeLimit);
        assert_eq!(buf.to_string_lossy(), "loaded\n");
        assert!(notes() - start_notes >= 3000, "the load ran");
        // The instance is gone; the pump keeps calling its callback.
        let after_unload = notes();
        let pumped_before = {
            std::thread::sleep(Duration::from_millis(50));
            notes()
        };
        assert_eq!(
            pumped_before, after_unload,
            "a callback reached module code after the unload"
        );
        let pumped = pump_stop();
        assert!(pumped > 0);
        assert_eq!(
            notes(),
            after_unload,
            "a callback reached module code after the unload"
        );
        // Traps raised by the unload (the tasks' native calls interrupted)
        // are the runtime's own unwinding, not errors of the module.
        let _ = state.take_callback_traps();
        // What native code may still call: `twice` and `on_event`.
        assert_eq!(state.closure_count(), 2);
    }
    (during, LIVE.load(Relaxed) - before)
}

#[test]
fn unload_under_load_returns_everything_but_the_callbacks() {
    let _serial = host_natives::serial();
    let bytes = module_bytes("unload_load", "-O2");
    // The first cycle also builds the library and std's lazy statics.
    let first = cycle(&bytes);
    let later: Vec<(isize, isize)> = (0..3).map(|_| cycle(&bytes)).collect();
    eprintln!("live bytes (during the run, after the unload): first {first:?}, later {later:?}");
    for &(during, left) in &later {
        // The instance held its linear memory (heap, a stack per task),
        // contexts, task threads' state...
        assert!(during > 256 * 1024, "{later:?}");
        // ...and gave it all back but the two closures native code may still
        // call (their data and the FFI state they point at): the same few
        // KiB every cycle.
        assert!(left < 8 * 1024, "{later:?}");
        assert_eq!(left, later[0].1, "{later:?}");
    }
}
