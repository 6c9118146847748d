//! Every opcode's semantics, edge cases included, through `.espbs` modules.
//! Expected values are written out by hand (C/LLVM semantics), not
//! recomputed with the interpreter's own expressions.

#[path = "../common/mod.rs"]
mod common;

use espb_runtime::{Config, Imports, Instance, Module, TrapKind, Value};
use Value::{F32, F64, I32, I64};

mod arithmetic;
mod control;
mod fused;
mod memory;

/// Builds a module with one exported function per (name, signature, body).
struct Builder {
    types: Vec<String>,
    funcs: Vec<(String, usize, u32, String)>,
    memory: Option<&'static str>,
}

impl Builder {
    fn new() -> Builder {
        Builder {
            types: Vec::new(),
            funcs: Vec::new(),
            memory: None,
        }
    }
    fn ty(&mut self, sig: &str) -> usize {
        match self.types.iter().position(|t| t == sig) {
            Some(i) => i,
            None => {
                self.types.push(sig.to_string());
                self.types.len() - 1
            }
        }
    }
    fn func(&mut self, name: &str, sig: &str, regs: u32, body: &str) {
        let ty = self.ty(sig);
        self.funcs
            .push((name.to_string(), ty, regs, body.to_string()));
    }
    fn text(&self) -> String {
        let mut s = String::new();
        for t in &self.types {
            s += &format!(".type {t}\n");
        }
        if let Some(m) = self.memory {
            s += m;
            s += "\n";
        }
        for (i, (name, ty, regs, body)) in self.funcs.iter().enumerate() {
            s += &format!(".func ty{ty} regs {regs} frame 16 align 3\n{body}\n.end\n");
            s += &format!(".export \"{name}\" f{i}\n.name f{i} \"{name}\"\n");
        }
        s
    }
}

fn with_instance(b: &Builder, f: impl FnOnce(&Instance<'_>)) {
    let bytes = common::bytes(&b.text());
    let m = Module::parse(&bytes).unwrap_or_else(|e| panic!("{e}\n{}", b.text()));
    let inst = Instance::new(&m, &Imports::new(), Config::default()).unwrap();
    f(&inst);
}

fn same(a: Value, b: Value) -> bool {
    match (a, b) {
        (F32(x), F32(y)) => x.to_bits() == y.to_bits() || (x.is_nan() && y.is_nan()),
        (F64(x), F64(y)) => x.to_bits() == y.to_bits() || (x.is_nan() && y.is_nan()),
        _ => a == b,
    }
}

fn run_cases(b: &Builder, cases: &[(&str, Vec<Value>, Value)]) {
    with_instance(b, |inst| {
        for (name, args, want) in cases {
            let got = inst
                .call(name, args)
                .unwrap_or_else(|t| panic!("{name}{args:?}: trapped: {t}"));
            let got = got.unwrap_or_else(|| panic!("{name}: no result"));
            assert!(
                same(got, *want),
                "{name}({args:?}) = {got:?}, want {want:?}"
            );
        }
    });
}

const MIN32: i32 = i32::MIN;
const MAX32: i32 = i32::MAX;

fn mem_builder() -> Builder {
    let mut b = Builder::new();
    b.memory =
        Some(".memory data_end 0x1100 heap 0x1000 stack 0x1000\n.data 0x1000 \"f0ff8001feff7f80\"");
    for (op, _) in [
        ("ld8_s", 1),
        ("ld8_u", 1),
        ("ld16_s", 2),
        ("ld16_u", 2),
        ("ld32_s", 4),
        ("ld32_u", 4),
        ("ld64", 8),
    ] {
        b.func(op, "(ptr) -> i64", 2, &format!("{op} r0, r0, 1\nret r0"));
    }
    for op in ["st8", "st16", "st32", "st64"] {
        // store at addr+2, read back 8 bytes at addr
        b.func(
            op,
            "(ptr, i64) -> i64",
            2,
            &format!("{op} r0, r1, 2\nld64 r0, r0, 0\nret r0"),
        );
    }
    b
}
