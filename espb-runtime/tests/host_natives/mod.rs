//! Shared by the host-platform tests with native code: the `workers` native
//! library (threads of its own that call module callbacks) linked into a
//! host run. A test using it declares `mod ffi_util;` beside it.
#![allow(dead_code)]

use std::sync::{Arc, Mutex, MutexGuard, OnceLock};

use espb_runtime::ffi::{self, FfiState, Library, Natives};
use espb_runtime::host::{run_app, ExitStatus, HostConfig, RunError};
use espb_runtime::{Imports, Module, Output};

/// The workers library keeps one registered callback and one worker per
/// process: tests that use it hold this lock.
pub fn serial() -> MutexGuard<'static, ()> {
    static LOCK: Mutex<()> = Mutex::new(());
    let g = LOCK.lock().unwrap_or_else(|e| e.into_inner());
    // A test that failed may have left its worker or pump running.
    native::<extern "C" fn() -> i32>("wk_join")();
    native::<extern "C" fn() -> i64>("wk_pump_stop")();
    g
}

/// `tests/ffi_c/workers.c`, built once per test process.
pub fn workers() -> Library {
    static LIB: OnceLock<Library> = OnceLock::new();
    *LIB.get_or_init(|| super::ffi_util::build_lib("workers"))
}

/// A function of the workers library, called from the test.
pub fn native<T>(name: &str) -> T {
    let p = workers()
        .symbol(name)
        .unwrap_or_else(|| panic!("no {name}"));
    assert_eq!(std::mem::size_of::<T>(), std::mem::size_of::<usize>());
    // SAFETY: callers name a function of workers.c and give its C type.
    unsafe { std::mem::transmute_copy::<usize, T>(&p) }
}

/// Runs `bytes` on the host platform with every `wk_*` import linked to the
/// workers library.
pub fn run_linked(
    bytes: &[u8],
    cfg: HostConfig,
) -> (String, Result<ExitStatus, RunError>, Arc<FfiState>) {
    let module = Module::parse(bytes).expect("valid module");
    let lib = workers();
    let mut natives = Natives::new();
    for imp in &module.inner().imports {
        if imp.name.starts_with("wk_") {
            let addr = lib
                .symbol(&imp.name)
                .unwrap_or_else(|| panic!("no {}", imp.name));
            // SAFETY: the scripts declare the wk_* functions with the
            // prototypes workers.c defines them with.
            unsafe { natives.add(&imp.name, addr, None) };
        }
    }
    let mut imports = Imports::new();
    let state = ffi::link(&module, &natives, &mut imports).expect("links");
    let (out, buf) = Output::buffer();
    let r = run_app(
        &module,
        HostConfig {
            output: out,
            imports,
            ..cfg
        },
    );
    (buf.to_string_lossy(), r, state)
}
