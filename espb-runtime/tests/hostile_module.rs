//! A hostile module against the runtime's boundaries: natives given
//! pointers at the end of linear memory and lengths that run past it
//! (`memcpy`, `snprintf`, a native's buffer, `nvs_get_blob`), out-parameters
//! outside its memory, a freed heap block, a handle of another instance or
//! run, a callback that is not a function. Each is a trap at the C line (or
//! an error), and nothing outside the module's memory is written: bytes next
//! to the edge are checked unchanged after each refused call.
#![cfg(feature = "host")]

mod ffi_util;
mod host_natives;
mod host_util;

use espb_runtime::ffi::{self, Natives};
use espb_runtime::host::{HostConfig, RunError};
use espb_runtime::{Config, HostFunc, Imports, Instance, Module, Trap, TrapKind, Value};
use host_util::*;

const SCRIPT: &str = "hostile";

/// What the natives do with their pointers (the firmware's side of the
/// contract; see the report on module-supplied metadata in docs/ffi.md).
const HINTS: &str = "\
wk_fill: out 0 size arg 1
wk_strlen: in 0 size strlen
wk_obj_new: out 1 size 4 handle
";

fn bytes(opt: &str) -> Vec<u8> {
    module_bytes_with_lines(SCRIPT, opt, HINTS)
}

/// The trap must name the marked C line — or, when it happened inside an
/// SDK header's inline wrapper (`xTaskCreate` is `static inline` in
/// `freertos/task.h`), the wrapper's line in the function of that mark: the
/// line tables keep the innermost location of inlined code only.
fn at_line(t: &Trap, mark: &str) {
    let line = marked_line(SCRIPT, mark);
    let src = t
        .source
        .as_ref()
        .unwrap_or_else(|| panic!("{mark}: no C line: {t}"));
    let in_wrapper = src.0.starts_with("sdk/include/") && t.func_name.as_deref() == Some(mark);
    assert!(
        (src.0.ends_with("hostile.c") && src.1 == line) || in_wrapper,
        "{mark}: not at hostile.c:{line}: {t}"
    );
}

fn oob(r: Result<i32, Trap>, mark: &str) {
    let t = r.expect_err(mark);
    assert!(
        matches!(t.kind, TrapKind::OutOfBounds { .. }),
        "{mark}: {t}"
    );
    at_line(&t, mark);
}

/// An instance of the script with the workers natives and the builtins;
/// the host platform's functions (unused here) trap if called.
fn instance<'m>(module: &'m Module<'m>) -> Instance<'m> {
    let lib = host_natives::workers();
    let mut natives = Natives::new();
    for imp in &module.inner().imports {
        if imp.name.starts_with("wk_") {
            // SAFETY: hostile.c declares the wk_* functions as workers.c
            // defines them.
            unsafe { natives.add(&imp.name, lib.symbol(&imp.name).unwrap(), None) };
        }
    }
    let mut imports = Imports::new();
    ffi::link(module, &natives, &mut imports).unwrap();
    imports.set_resolver(|name, _| {
        let name = name.to_string();
        Some(HostFunc::new(move |_, _| {
            Err(Trap::host(format!("{name} is not provided here")))
        }))
    });
    Instance::new(module, &imports, Config::default()).unwrap()
}

#[test]
fn natives_and_builtins_at_the_edge_of_linear_memory() {
    for opt in OPTS {
        let bytes = bytes(opt);
        let module = Module::parse(&bytes).unwrap();
        let inst = instance(&module);
        let mem = inst.memory();
        let end = mem.len();
        let call =
            |f: &str, a: u32, n: i32| inst.call_i32(f, &[Value::I32(a as i32), Value::I32(n)]);
        let call1 = |f: &str, a: u32| inst.call_i32(f, &[Value::I32(a as i32)]);
        let tail = |n: u32| {
            let mut b = vec![0u8; n as usize];
            mem.read(end - n, &mut b).unwrap();
            b
        };
        mem.write(end - 16, b"EDGE-EDGE-EDGE-!").unwrap();

        // A native's buffer: exactly up to the end is fine, one byte more
        // traps before the native runs (nothing written).
        assert_eq!(call("fill_at", end - 4, 4), Ok(4), "{opt}");
        assert_eq!(tail(4), b"xxxx");
        mem.write(end - 4, b"EDG!").unwrap();
        let before = tail(16);
        oob(call("fill_at", end - 3, 4), "fill_at");
        oob(call("fill_at", 0x3fff_fff0, 0x20), "fill_at");
        oob(call("fill_at", 0x10, 4), "fill_at");
        // A value in the function-reference range is no buffer.
        let t = call("fill_at", 0xffff_fff0, 0x20).unwrap_err();
        assert!(matches!(t.kind, TrapKind::Host(_)), "{t}");
        at_line(&t, "fill_at");
        oob(call("fill_at", end - 16, -1), "fill_at");
        assert_eq!(tail(16), before, "{opt}");
        // A string without its NUL before the end.
        mem.write(end - 3, b"aaa").unwrap();
        oob(call1("strlen_at", end - 3), "strlen_at");
        mem.write(end - 3, b"a\0a").unwrap();
        assert_eq!(call1("strlen_at", end - 3), Ok(1));
        mem.write(end - 16, b"EDGE-EDGE-EDGE-!").unwrap();

        // The builtins: memcpy, memset and snprintf past the end trap and
        // write nothing; within it they work.
        oob(call("memcpy_to", end - 8, 16), "memcpy_to");
        oob(call("memset_at", end - 8, 9), "memset_at");
        oob(call("snprintf_at", end - 8, 100), "snprintf_at");
        assert_eq!(tail(16), b"EDGE-EDGE-EDGE-!", "{opt}");
        assert_eq!(call("snprintf_at", end - 16, 100), Ok(14));
        assert_eq!(tail(16), b"hello world-42\0!");
        // A size larger than what is left, but output that fits: C writes
        // only what it prints.
        assert_eq!(call("snprintf_at", end - 15, 1000), Ok(14));

        // An out-parameter for a native handle at the edge or outside.
        mem.write(end - 16, b"EDGE-EDGE-EDGE-!").unwrap();
        oob(call1("obj_out_at", end - 2), "obj_out_at");
        oob(call1("obj_out_at", 0x3fff_fff0), "obj_out_at");
        assert_eq!(tail(16), b"EDGE-EDGE-EDGE-!", "{opt}");

        // A native handle of another instance is no handle here.
        let h = call1("obj_new", 5).unwrap() as u32;
        assert_eq!(call1("obj_id", h), Ok(5));
        let other = instance(&module);
        let t = other
            .call_i32("obj_id", &[Value::I32(h as i32)])
            .expect_err("a handle of another instance");
        assert!(
            matches!(&t.kind, TrapKind::Host(m) if m.contains("not a live native handle")),
            "{opt}: {t}"
        );
        at_line(&t, "obj_id");
    }
}

/// Runs case `args[0]` of the script's `main` on the host platform. At
/// `-O0`: optimised builds inline the SDK's `static inline` wrappers and the
/// line tables keep only the header's line (see the report).
fn host_case(args: &[&str]) -> (String, Result<espb_runtime::host::ExitStatus, RunError>) {
    let _serial = host_natives::serial();
    let cfg = HostConfig {
        entry: Some("main".into()),
        args: args.iter().map(|s| s.to_string()).collect(),
        ..virt()
    };
    let (out, r, _) = host_natives::run_linked(&bytes("-O0"), cfg);
    (out, r)
}

fn host_trap(args: &[&str], mark: &str) -> (String, Trap) {
    let (out, r) = host_case(args);
    match r {
        Err(RunError::Trap { task, trap }) => {
            assert_eq!(task, "main", "{mark}");
            at_line(&trap, mark);
            (out, *trap)
        }
        other => panic!("{mark}: {other:?}\n{out}"),
    }
}

fn host_message(args: &[&str], mark: &str, want: &str) {
    let (out, t) = host_trap(args, mark);
    assert_eq!(out, "", "{mark}");
    assert!(
        matches!(&t.kind, TrapKind::Host(m) if m.contains(want)),
        "{mark}: {t}"
    );
}

#[test]
fn host_platform_out_parameters_and_buffers_outside_memory() {
    for case in [
        "nvs_blob_past_end",
        "nvs_len_outside",
        "task_handle_outside",
        "timer_handle_in_null_guard",
        "queue_item_outside",
    ] {
        let (out, t) = host_trap(&[case], case);
        assert_eq!(out, "", "{case}");
        assert!(
            matches!(t.kind, TrapKind::OutOfBounds { .. }),
            "{case}: {t}"
        );
    }
}

#[test]
fn a_freed_block_stays_inside_and_a_second_free_traps() {
    let (out, t) = host_trap(&["freed_block"], "freed_block");
    assert_eq!(out, "heap intact: 1\n");
    assert!(matches!(t.kind, TrapKind::HeapCorruption { .. }), "{t}");
}

#[test]
fn handles_of_another_run_or_kind_trap() {
    let (out, r) = host_case(&["make_queue"]);
    r.unwrap();
    let h = out.trim().to_string();
    host_message(
        &["foreign_queue_handle", &h],
        "foreign_queue_handle",
        "is not a valid queue or semaphore handle",
    );
    host_message(
        &["task_handle_as_queue"],
        "task_handle_as_queue",
        "is a task, not a queue",
    );
}

#[test]
fn callbacks_that_are_not_functions_trap() {
    host_message(
        &["data_as_task_function"],
        "data_as_task_function",
        "is not a function of the module",
    );
    host_message(
        &["wrong_signature_task"],
        "wrong_signature_task",
        "has the wrong signature",
    );
    for case in ["data_as_native_callback", "number_as_native_callback"] {
        let (out, t) = host_trap(&[case], case);
        assert_eq!(out, "", "{case}");
        assert!(
            matches!(
                t.kind,
                TrapKind::Host(_) | TrapKind::IndirectCallNonFunction { .. }
            ),
            "{case}: {t}"
        );
    }
}
