//! Hostile arguments to native calls: each gets a precise trap before the
//! native runs.
#![cfg(feature = "ffi")]

mod ffi_util;

use espb_runtime::ffi::{self, Natives};
use espb_runtime::format::text::assemble;
use espb_runtime::{Config, Imports, Instance, Module, TrapKind, Value};
use ffi_util::testlib;

const SRC: &str = r#"
.type (ptr, i32) -> i32
.type (i32) -> i32
.type (ptr) -> i32
.import "tl_count_char" ty0
.import "tl_widget_id" ty2
.import "tl_fill" ty0
.memory data_end 0x1010 heap 0x1000 stack 0x1000
.data 0x1000 "61626361"
.func ty1 regs 3 frame 0 align 0
    mov r1, r0
    const32 r2, 97
    call.import imp0, r1
    ret r1
.end
.func ty1 regs 2 frame 0 align 0
    mov r1, r0
    call.import imp1, r1
    ret r1
.end
.func ty1 regs 3 frame 0 align 0
    const32 r1, 0x1000
    mov r2, r0
    call.import imp2, r1
    ret r1
.end
.export "count" f0
.export "widget" f1
.export "fill" f2
.pointer imp0 p0 in strlen
.pointer imp2 p0 out p1*1
"#;

fn instance_call(name: &str, arg: i32) -> Result<i32, espb_runtime::Trap> {
    let bytes = assemble(SRC).unwrap().to_bytes();
    let module = Module::parse(&bytes).unwrap();
    let lib = testlib();
    let mut n = Natives::new();
    // SAFETY: the test library defines these with the prototypes above.
    unsafe {
        for s in ["tl_count_char", "tl_widget_id", "tl_fill"] {
            n.add(s, lib.symbol(s).unwrap(), None);
        }
    }
    let mut imports = Imports::new();
    ffi::link(&module, &n, &mut imports).unwrap();
    let inst = Instance::new(&module, &imports, Config::default()).unwrap();
    inst.call_i32(name, &[Value::I32(arg)])
}

#[test]
fn a_string_inside_memory_is_passed() {
    // "abca" has no NUL inside the data segment but the zeroed bss after it.
    assert_eq!(instance_call("count", 0x1000), Ok(2));
}

#[test]
fn pointers_outside_linear_memory_trap() {
    let t = instance_call("count", 0x3fff_fff0).unwrap_err();
    assert!(matches!(t.kind, TrapKind::OutOfBounds { .. }), "{t}");
    let t = instance_call("count", 0x10).unwrap_err();
    assert!(
        matches!(t.kind, TrapKind::OutOfBounds { .. }),
        "null guard: {t}"
    );
}

#[test]
fn an_out_buffer_larger_than_memory_traps_before_the_call() {
    let t = instance_call("fill", 0x7fff_0000).unwrap_err();
    assert!(matches!(t.kind, TrapKind::OutOfBounds { .. }), "{t}");
    assert_eq!(instance_call("fill", 4), Ok(4));
}

#[test]
fn forged_handles_and_function_refs_trap() {
    let t = instance_call("widget", 0x8000_0005u32 as i32).unwrap_err();
    assert!(
        matches!(&t.kind, TrapKind::Host(m) if m == "tl_widget_id: argument 0 is 0x80000005, not a live native handle"),
        "{t}"
    );
    let t = instance_call("widget", 0xF000_0000u32 as i32).unwrap_err();
    assert!(
        matches!(&t.kind, TrapKind::Host(m) if m.contains("is a module function but has no callback metadata")),
        "{t}"
    );
    let t = instance_call("widget", 0x1000).unwrap_err();
    assert!(
        matches!(&t.kind, TrapKind::Host(m) if m.contains("has no size metadata")),
        "{t}"
    );
}
