//! Pointer fields inside a struct argument (`in N.OFF` / `out N.OFF` hints):
//! the native gets a struct whose pointer fields point at native copies of the
//! module's bytes, and out-fields are copied back after the call.
#![cfg(feature = "ffi")]

mod ffi_util;

use espb_runtime::ffi::{self, Natives};
use espb_runtime::{Config, Imports, Instance, Module, Output};
use ffi_util::{script_with, testlib};

const HINTS: &str = "tl_greet: in 0 size 12, in 0.0 size strlen, out 0.8 size 64\n";

fn translate(opt: &str, hints: &str) -> Result<espb_runtime::format::Module<'static>, String> {
    let opts = espb_codegen::Options {
        hints: vec![("fields.hints".into(), hints.into())],
        ..Default::default()
    };
    script_with("ffi_struct_fields", opt, &opts).map_err(|d| d.to_string())
}

fn run(m: &espb_runtime::format::Module<'_>) -> (Result<i32, String>, String) {
    let bytes = m.to_bytes();
    let module = Module::parse(&bytes).unwrap();
    let mut natives = Natives::new();
    // SAFETY: the test library defines tl_greet with the script's prototype.
    unsafe { natives.add("tl_greet", testlib().symbol("tl_greet").unwrap(), None) };
    let mut imports = Imports::new();
    ffi::link(&module, &natives, &mut imports).unwrap();
    let (out, buf) = Output::buffer();
    let inst = Instance::new(
        &module,
        &imports,
        Config {
            output: out,
            ..Config::default()
        },
    )
    .unwrap();
    let r = inst.call_i32("main", &[]).map_err(|t| t.to_string());
    (r, buf.to_string_lossy())
}

#[test]
fn string_and_buffer_fields_are_marshalled() {
    for opt in ["-O0", "-O2", "-Os"] {
        let m = translate(opt, HINTS).unwrap();
        let fields: Vec<_> = m.pointers.iter().filter_map(|p| p.field).collect();
        assert_eq!(fields, vec![0, 8], "{opt}");
        let (r, out) = run(&m);
        assert_eq!(r, Ok(0), "{opt}: {out}");
        assert_eq!(out, "25 [hi espb, hi espb, hi espb]\n", "{opt}");
    }
}

#[test]
fn a_struct_hint_alone_describes_no_fields() {
    // Only the struct: the translator cannot know which of its words are
    // pointers, so it emits no field metadata (docs/ffi.md: a struct's plain
    // pointer fields need `in/out N.OFF` hints).
    let m = translate("-O2", "tl_greet: in 0 size 12\n").unwrap();
    assert!(m.pointers.iter().all(|p| p.field.is_none()));
    assert!(m.pointers.iter().any(|p| p.param == 0));
}

#[test]
fn a_field_outside_the_struct_is_not_emitted() {
    let m = translate(
        "-O2",
        "tl_greet: in 0 size 8, in 0.0 size strlen, out 0.8 size 64\n",
    )
    .unwrap();
    // 0.8 needs bytes 8..12 of an 8-byte struct: not emitted.
    let fields: Vec<_> = m.pointers.iter().filter_map(|p| p.field).collect();
    assert_eq!(fields, vec![0]);
}
