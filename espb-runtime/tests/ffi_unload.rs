//! A callback closure outliving its instance: native code calling it after
//! the instance is dropped gets a harmless return, never freed state.
#![cfg(feature = "ffi")]

mod ffi_util;

use espb_runtime::ffi::{self, Natives};
use espb_runtime::format::{ArgPlace, ValType};
use espb_runtime::{Config, Imports, Instance, Module};
use ffi_util::{cb, script, testlib, ty};

#[test]
fn callback_after_unload_does_not_run_into_freed_state() {
    let mut fm = script("ffi_unload", "-O2");
    let event = ty(&mut fm, &[ValType::Ptr, ValType::I32], None);
    cb(
        &mut fm,
        "tl_register",
        ArgPlace::Param(0),
        event,
        Some(ArgPlace::Param(1)),
    );
    let bytes = fm.to_bytes();
    let module = Module::parse(&bytes).unwrap();
    let lib = testlib();
    let mut n = Natives::new();
    // SAFETY: the test library's tl_register has the declared prototype.
    unsafe { n.add("tl_register", lib.symbol("tl_register").unwrap(), None) };
    let mut imports = Imports::new();
    let state = ffi::link(&module, &n, &mut imports).unwrap();
    let fire_here = lib.symbol("tl_fire_here").unwrap();
    // SAFETY: tl_fire_here is `int tl_fire_here(int)`.
    let fire: extern "C" fn(i32) -> i32 = unsafe { std::mem::transmute(fire_here) };

    let inst = Instance::new(&module, &imports, Config::default()).unwrap();
    assert_eq!(inst.call_i32("setup", &[]), Ok(0));
    assert_eq!(fire(5), 0);
    // From a thread the module has never seen.
    std::thread::spawn(move || assert_eq!(fire(7), 0))
        .join()
        .unwrap();
    assert_eq!(inst.call_i32("get_total", &[]), Ok(12));
    drop(inst);

    // The native still holds the closure: calling it must not touch the
    // freed instance (valgrind/ASan would flag it; here a use-after-free of
    // the linear memory would add 9 somewhere in freed memory or crash).
    assert_eq!(fire(9), 0);
    std::thread::spawn(move || assert_eq!(fire(11), 0))
        .join()
        .unwrap();
    assert!(
        state.take_callback_traps().is_empty(),
        "an unloaded instance is not a trap"
    );
    assert_eq!(state.closure_count(), 1);
}
