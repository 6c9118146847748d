//! A trap in a callback that native code runs on its own (no native call of
//! the module in progress on that thread) reaches the embedder's hook at
//! once, on that thread, and is kept for `take_callback_traps`.
#![cfg(feature = "ffi")]

mod ffi_util;

use std::sync::Mutex;

use espb_runtime::ffi::{self, Natives};
use espb_runtime::format::{ArgPlace, ValType};
use espb_runtime::{Config, Imports, Instance, Module, Trap, TrapKind};
use ffi_util::{cb, script, testlib, ty};

static SEEN: Mutex<Vec<(String, std::thread::ThreadId)>> = Mutex::new(Vec::new());

fn hook(t: &Trap) {
    SEEN.lock()
        .unwrap()
        .push((t.to_string(), std::thread::current().id()));
}

#[test]
fn a_lone_callback_trap_reaches_the_hook_on_its_thread() {
    let mut fm = script("ffi_lone_trap", "-O2");
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
    // SAFETY: tl_fire_here is `int tl_fire_here(int)`.
    let fire: extern "C" fn(i32) -> i32 =
        unsafe { std::mem::transmute(lib.symbol("tl_fire_here").unwrap()) };
    let inst = Instance::new(&module, &imports, Config::default()).unwrap();
    ffi::set_callback_trap_hook(Some(hook));
    assert_eq!(inst.call_i32("setup", &[]), Ok(0));
    let native = std::thread::spawn(move || {
        fire(3);
        std::thread::current().id()
    })
    .join()
    .unwrap();
    ffi::set_callback_trap_hook(None);
    let seen = SEEN.lock().unwrap().clone();
    assert_eq!(seen.len(), 1, "{seen:?}");
    assert!(
        seen[0].0.contains("integer division by zero in `on_event`"),
        "{}",
        seen[0].0
    );
    assert_eq!(seen[0].1, native, "reported on the thread that trapped");
    let kept = state.take_callback_traps();
    assert_eq!(kept.len(), 1);
    assert_eq!(kept[0].kind, TrapKind::DivByZero);
}
