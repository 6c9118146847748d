//! Every opcode's semantics, edge cases included, through `.espbs` modules.
//! Expected values are written out by hand (C/LLVM semantics), not
//! recomputed with the interpreter's own expressions.

mod common;

use espb_runtime::{Config, Imports, Instance, Module, TrapKind, Value};

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

use Value::{F32, F64, I32, I64};

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

#[test]
fn i32_binary() {
    let ops = [
        "i32.add",
        "i32.sub",
        "i32.mul",
        "i32.div_s",
        "i32.div_u",
        "i32.rem_s",
        "i32.rem_u",
        "i32.and",
        "i32.or",
        "i32.xor",
        "i32.shl",
        "i32.shr_s",
        "i32.shr_u",
        "i32.rotl",
        "i32.rotr",
        "i32.eq",
        "i32.ne",
        "i32.lt_s",
        "i32.lt_u",
        "i32.le_s",
        "i32.le_u",
        "i32.gt_s",
        "i32.gt_u",
        "i32.ge_s",
        "i32.ge_u",
    ];
    let mut b = Builder::new();
    for op in ops {
        b.func(
            op,
            "(i32, i32) -> i32",
            2,
            &format!("{op} r0, r0, r1\nret r0"),
        );
    }
    let c = |n: &'static str, a: i32, x: i32, want: i32| (n, vec![I32(a), I32(x)], I32(want));
    let u = |v: u32| v as i32;
    run_cases(
        &b,
        &[
            c("i32.add", MAX32, 1, MIN32),
            c("i32.add", -1, 1, 0),
            c("i32.sub", MIN32, 1, MAX32),
            c("i32.mul", 0x10000, 0x10000, 0),
            c("i32.mul", -3, 7, -21),
            c("i32.div_s", 7, -2, -3),
            c("i32.div_s", -7, 2, -3),
            c("i32.div_u", -1, 2, MAX32),
            c("i32.rem_s", -7, 2, -1),
            c("i32.rem_s", 7, -2, 1),
            c("i32.rem_s", MIN32, -1, 0),
            c("i32.rem_u", -1, 10, 5),
            c("i32.and", 0x0ff0, 0x00ff, 0x00f0),
            c("i32.or", 0x0ff0, 0x00ff, 0x0fff),
            c("i32.xor", 0x0ff0, 0x00ff, 0x0f0f),
            c("i32.shl", 1, 31, MIN32),
            c("i32.shl", 1, 32, 1),
            c("i32.shl", 1, 33, 2),
            c("i32.shl", 3, -1, MIN32),
            c("i32.shr_s", MIN32, 31, -1),
            c("i32.shr_s", MIN32, 32, MIN32),
            c("i32.shr_s", -8, 1, -4),
            c("i32.shr_u", MIN32, 31, 1),
            c("i32.shr_u", MIN32, 32, MIN32),
            c("i32.shr_u", -1, 36, 0x0fff_ffff),
            c("i32.rotl", u(0x8000_0001), 1, 3),
            c("i32.rotl", 0x1234_5678, 36, 0x2345_6781),
            c("i32.rotr", 1, 1, MIN32),
            c("i32.rotr", 0x1234_5678, 36, u(0x8123_4567)),
            c("i32.eq", 5, 5, 1),
            c("i32.eq", 5, 6, 0),
            c("i32.ne", 5, 6, 1),
            c("i32.lt_s", -1, 1, 1),
            c("i32.lt_u", -1, 1, 0),
            c("i32.le_s", 1, 1, 1),
            c("i32.le_u", -1, 1, 0),
            c("i32.gt_s", -1, 1, 0),
            c("i32.gt_u", -1, 1, 1),
            c("i32.ge_s", MIN32, MAX32, 0),
            c("i32.ge_u", MIN32, MAX32, 1),
        ],
    );
}

#[test]
fn i32_unary_and_immediate() {
    let mut b = Builder::new();
    for op in [
        "i32.clz",
        "i32.ctz",
        "i32.popcnt",
        "i32.bswap",
        "i32.eqz",
        "i32.sext8",
        "i32.sext16",
    ] {
        b.func(op, "(i32) -> i32", 1, &format!("{op} r0, r0\nret r0"));
    }
    let imms: &[(&str, i32)] = &[
        ("i32.addi", 1),
        ("i32.muli", -3),
        ("i32.andi", 0xff),
        ("i32.ori", 0x100),
        ("i32.xori", -1),
        ("i32.shli", 33),
        ("i32.shr_si", 1),
        ("i32.shr_ui", 28),
        ("i32.eqi", 7),
        ("i32.nei", 7),
        ("i32.lt_si", 0),
        ("i32.lt_ui", 0),
        ("i32.gt_si", -2),
        ("i32.gt_ui", 10),
        ("i32.rsubi", 10),
    ];
    for (op, imm) in imms {
        b.func(
            op,
            "(i32) -> i32",
            1,
            &format!("{op} r0, r0, {imm}\nret r0"),
        );
    }
    let c = |n: &'static str, a: i32, want: i32| (n, vec![I32(a)], I32(want));
    run_cases(
        &b,
        &[
            c("i32.clz", 0, 32),
            c("i32.clz", 1, 31),
            c("i32.clz", -1, 0),
            c("i32.ctz", 0, 32),
            c("i32.ctz", MIN32, 31),
            c("i32.popcnt", -1, 32),
            c("i32.popcnt", 0x1010, 2),
            c("i32.bswap", 0x1234_5678, 0x7856_3412),
            c("i32.eqz", 0, 1),
            c("i32.eqz", 5, 0),
            c("i32.sext8", 0x80, -128),
            c("i32.sext8", 0x17f, 127),
            c("i32.sext16", 0x8000, -32768),
            c("i32.sext16", 0x1_7fff, 32767),
            c("i32.addi", MAX32, MIN32),
            c("i32.muli", 7, -21),
            c("i32.andi", 0x1234, 0x34),
            c("i32.ori", 1, 0x101),
            c("i32.xori", 0, -1),
            c("i32.shli", 3, 6),
            c("i32.shr_si", -8, -4),
            c("i32.shr_ui", -8, 0xf),
            c("i32.eqi", 7, 1),
            c("i32.nei", 7, 0),
            c("i32.lt_si", -1, 1),
            c("i32.lt_ui", -1, 0),
            c("i32.gt_si", -1, 1),
            c("i32.gt_ui", -1, 1),
            c("i32.rsubi", 3, 7),
        ],
    );
}

#[test]
fn i64_ops() {
    let mut b = Builder::new();
    for op in [
        "i64.add",
        "i64.sub",
        "i64.mul",
        "i64.div_s",
        "i64.div_u",
        "i64.rem_s",
        "i64.rem_u",
        "i64.and",
        "i64.or",
        "i64.xor",
        "i64.shl",
        "i64.shr_s",
        "i64.shr_u",
        "i64.rotl",
        "i64.rotr",
        "i64.mulh_s",
        "i64.mulh_u",
    ] {
        b.func(
            op,
            "(i64, i64) -> i64",
            2,
            &format!("{op} r0, r0, r1\nret r0"),
        );
    }
    for op in [
        "i64.eq", "i64.ne", "i64.lt_s", "i64.lt_u", "i64.le_s", "i64.le_u", "i64.gt_s", "i64.gt_u",
        "i64.ge_s", "i64.ge_u",
    ] {
        b.func(
            op,
            "(i64, i64) -> i32",
            2,
            &format!("{op} r0, r0, r1\nret r0"),
        );
    }
    for op in [
        "i64.clz",
        "i64.ctz",
        "i64.popcnt",
        "i64.bswap",
        "i64.sext8",
        "i64.sext16",
    ] {
        b.func(op, "(i64) -> i64", 1, &format!("{op} r0, r0\nret r0"));
    }
    b.func("i64.eqz", "(i64) -> i32", 1, "i64.eqz r0, r0\nret r0");
    b.func("i64.sext32", "(i32) -> i64", 1, "i64.sext32 r0, r0\nret r0");
    b.func("i64.zext32", "(i32) -> i64", 1, "i64.zext32 r0, r0\nret r0");
    b.func("i64.addi", "(i64) -> i64", 1, "i64.addi r0, r0, -6\nret r0");
    b.func(
        "i64.andi",
        "(i64) -> i64",
        1,
        "i64.andi r0, r0, 0x0000ffff00000000\nret r0",
    );
    b.func("i64.shli", "(i64) -> i64", 1, "i64.shli r0, r0, 65\nret r0");
    b.func(
        "i64.shr_si",
        "(i64) -> i64",
        1,
        "i64.shr_si r0, r0, 4\nret r0",
    );
    b.func(
        "i64.shr_ui",
        "(i64) -> i64",
        1,
        "i64.shr_ui r0, r0, 60\nret r0",
    );
    let c = |n: &'static str, a: i64, x: i64, want: i64| (n, vec![I64(a), I64(x)], I64(want));
    let k = |n: &'static str, a: i64, x: i64, want: i32| (n, vec![I64(a), I64(x)], I32(want));
    let u1 = |n: &'static str, a: i64, want: i64| (n, vec![I64(a)], I64(want));
    const MIN: i64 = i64::MIN;
    const MAX: i64 = i64::MAX;
    run_cases(
        &b,
        &[
            c("i64.add", MAX, 1, MIN),
            c("i64.sub", MIN, 1, MAX),
            c("i64.mul", 1 << 32, 1 << 32, 0),
            c("i64.div_s", -7, 2, -3),
            c("i64.div_u", -1, 2, MAX),
            c("i64.rem_s", MIN, -1, 0),
            c("i64.rem_s", -7, 2, -1),
            c("i64.rem_u", -1, 10, 5),
            c("i64.and", 0xff00, 0x0ff0, 0x0f00),
            c("i64.or", 0xff00, 0x0ff0, 0xfff0),
            c("i64.xor", 0xff00, 0x0ff0, 0xf0f0),
            c("i64.shl", 1, 63, MIN),
            c("i64.shl", 1, 64, 1),
            c("i64.shl", 1, 65, 2),
            c("i64.shr_s", MIN, 65, MIN >> 1),
            c("i64.shr_s", MIN, 63, -1),
            c("i64.shr_u", MIN, 63, 1),
            c("i64.shr_u", -1, 68, 0x0fff_ffff_ffff_ffff),
            c("i64.rotl", MIN | 1, 1, 3),
            c("i64.rotl", 0x0123_4567_89ab_cdef, 68, 0x1234_5678_9abc_def0),
            c("i64.rotr", 1, 1, MIN),
            c(
                "i64.rotr",
                0x0123_4567_89ab_cdef,
                4,
                0xf012_3456_789a_bcde_u64 as i64,
            ),
            c("i64.mulh_s", -1, -1, 0),
            c("i64.mulh_s", MIN, 2, -1),
            c("i64.mulh_u", -1, -1, -2),
            c("i64.mulh_u", 1 << 32, 1 << 32, 1),
            k("i64.eq", 1 << 40, 1 << 40, 1),
            k("i64.ne", 1 << 40, 1, 1),
            k("i64.lt_s", -1, 1, 1),
            k("i64.lt_u", -1, 1, 0),
            k("i64.le_s", 5, 5, 1),
            k("i64.le_u", -1, 0, 0),
            k("i64.gt_s", -1, 1, 0),
            k("i64.gt_u", -1, 1, 1),
            k("i64.ge_s", MIN, MAX, 0),
            k("i64.ge_u", MIN, MAX, 1),
            u1("i64.clz", 0, 64),
            u1("i64.clz", 1, 63),
            u1("i64.ctz", 0, 64),
            u1("i64.ctz", MIN, 63),
            u1("i64.popcnt", -1, 64),
            u1("i64.bswap", 0x0102_0304_0506_0708, 0x0807_0605_0403_0201),
            u1("i64.sext8", 0x1ff, -1),
            u1("i64.sext16", 0x8000, -32768),
            ("i64.eqz", vec![I64(1 << 40)], I32(0)),
            ("i64.eqz", vec![I64(0)], I32(1)),
            ("i64.sext32", vec![I32(-2)], I64(-2)),
            ("i64.zext32", vec![I32(-2)], I64(0xffff_fffe)),
            u1("i64.addi", 5, -1),
            u1("i64.andi", -1, 0x0000_ffff_0000_0000),
            u1("i64.shli", 3, 6),
            u1("i64.shr_si", -256, -16),
            u1("i64.shr_ui", -1, 0xf),
        ],
    );
}

#[test]
fn float_arithmetic() {
    let mut b = Builder::new();
    for t in ["f32", "f64"] {
        for op in ["add", "sub", "mul", "div", "min", "max", "copysign"] {
            b.func(
                &format!("{t}.{op}"),
                &format!("({t}, {t}) -> {t}"),
                2,
                &format!("{t}.{op} r0, r0, r1\nret r0"),
            );
        }
        for op in [
            "abs", "neg", "sqrt", "floor", "ceil", "trunc", "nearest", "round",
        ] {
            b.func(
                &format!("{t}.{op}"),
                &format!("({t}) -> {t}"),
                1,
                &format!("{t}.{op} r0, r0\nret r0"),
            );
        }
        b.func(
            &format!("{t}.fma"),
            &format!("({t}, {t}, {t}) -> {t}"),
            3,
            &format!("{t}.fma r0, r0, r1, r2\nret r0"),
        );
    }
    let nan = f64::NAN;
    let f2 = |n: &'static str, a: f32, x: f32, w: f32| (n, vec![F32(a), F32(x)], F32(w));
    let d2 = |n: &'static str, a: f64, x: f64, w: f64| (n, vec![F64(a), F64(x)], F64(w));
    let f1 = |n: &'static str, a: f32, w: f32| (n, vec![F32(a)], F32(w));
    let d1 = |n: &'static str, a: f64, w: f64| (n, vec![F64(a)], F64(w));
    run_cases(
        &b,
        &[
            f2("f32.add", 0.1, 0.2, 0.1f32 + 0.2f32),
            d2("f64.add", 0.1, 0.2, 0.30000000000000004),
            f2("f32.sub", 1.0, 3.0, -2.0),
            d2("f64.mul", 1e200, 1e200, f64::INFINITY),
            d2("f64.div", 1.0, 0.0, f64::INFINITY),
            d2("f64.div", 0.0, 0.0, nan),
            f2("f32.div", -1.0, 0.0, f32::NEG_INFINITY),
            // LLVM minnum/maxnum: a NaN operand yields the other operand.
            f2("f32.min", f32::NAN, 1.0, 1.0),
            f2("f32.min", 1.0, f32::NAN, 1.0),
            f2("f32.max", f32::NAN, -1.0, -1.0),
            d2("f64.min", nan, 2.0, 2.0),
            d2("f64.max", 2.0, nan, 2.0),
            d2("f64.min", -3.0, 2.0, -3.0),
            d2("f64.max", -3.0, 2.0, 2.0),
            d2("f64.min", nan, nan, nan),
            f2("f32.copysign", 3.0, -0.0, -3.0),
            d2("f64.copysign", -3.0, 1.0, 3.0),
            f1("f32.abs", -0.0, 0.0),
            d1("f64.abs", f64::NEG_INFINITY, f64::INFINITY),
            f1("f32.neg", 0.0, -0.0),
            d1("f64.neg", -2.5, 2.5),
            d1("f64.sqrt", 2.0, std::f64::consts::SQRT_2),
            d1("f64.sqrt", -1.0, nan),
            f1("f32.sqrt", 16.0, 4.0),
            d1("f64.floor", -1.5, -2.0),
            f1("f32.floor", 1.5, 1.0),
            d1("f64.ceil", -1.5, -1.0),
            f1("f32.ceil", 1.2, 2.0),
            d1("f64.trunc", -1.7, -1.0),
            f1("f32.trunc", 1.7, 1.0),
            // nearest: round half to even; round: half away from zero.
            d1("f64.nearest", 2.5, 2.0),
            d1("f64.nearest", 3.5, 4.0),
            d1("f64.nearest", -0.5, -0.0),
            f1("f32.nearest", 0.5, 0.0),
            f1("f32.nearest", -1.5, -2.0),
            d1("f64.round", 2.5, 3.0),
            d1("f64.round", -2.5, -3.0),
            f1("f32.round", 0.5, 1.0),
            f1("f32.round", -0.4, -0.0),
            // fused: 0.1*10 rounds to 1.0 unfused, giving 0.
            (
                "f64.fma",
                vec![F64(0.1), F64(10.0), F64(-1.0)],
                F64(5.551115123125783e-17),
            ),
            (
                "f32.fma",
                vec![F32(0.1), F32(10.0), F32(-1.0)],
                F32(1.4901161e-8),
            ),
        ],
    );
}

#[test]
fn float_compares() {
    let mut b = Builder::new();
    let ops = [
        "eq", "ne", "lt", "le", "gt", "ge", "uno", "ord", "ueq", "one", "ult", "ule", "ugt", "uge",
    ];
    for t in ["f32", "f64"] {
        for op in ops {
            b.func(
                &format!("{t}.{op}"),
                &format!("({t}, {t}) -> i32"),
                2,
                &format!("{t}.{op} r0, r0, r1\nret r0"),
            );
        }
    }
    // Expected for (1, 2), (2, 2), (NaN, 2), per op in `ops` order.
    let table: [(&str, [i32; 3]); 14] = [
        ("eq", [0, 1, 0]),
        ("ne", [1, 0, 1]),
        ("lt", [1, 0, 0]),
        ("le", [1, 1, 0]),
        ("gt", [0, 0, 0]),
        ("ge", [0, 1, 0]),
        ("uno", [0, 0, 1]),
        ("ord", [1, 1, 0]),
        ("ueq", [0, 1, 1]),
        ("one", [1, 0, 0]),
        ("ult", [1, 0, 1]),
        ("ule", [1, 1, 1]),
        ("ugt", [0, 0, 1]),
        ("uge", [0, 1, 1]),
    ];
    let mut cases = Vec::new();
    for (op, want) in table {
        let n32: &'static str = Box::leak(format!("f32.{op}").into_boxed_str());
        let n64: &'static str = Box::leak(format!("f64.{op}").into_boxed_str());
        for (i, a) in [1.0, 2.0, f64::NAN].into_iter().enumerate() {
            cases.push((n32, vec![F32(a as f32), F32(2.0)], I32(want[i])));
            cases.push((n64, vec![F64(a), F64(2.0)], I32(want[i])));
        }
    }
    run_cases(&b, &cases);
}

#[test]
fn conversions() {
    let mut b = Builder::new();
    let convs = [
        ("i32.trunc_f32_s", "f32", "i32"),
        ("i32.trunc_f32_u", "f32", "i32"),
        ("i32.trunc_f64_s", "f64", "i32"),
        ("i32.trunc_f64_u", "f64", "i32"),
        ("i64.trunc_f32_s", "f32", "i64"),
        ("i64.trunc_f32_u", "f32", "i64"),
        ("i64.trunc_f64_s", "f64", "i64"),
        ("i64.trunc_f64_u", "f64", "i64"),
        ("f32.from_i32_s", "i32", "f32"),
        ("f32.from_i32_u", "i32", "f32"),
        ("f32.from_i64_s", "i64", "f32"),
        ("f32.from_i64_u", "i64", "f32"),
        ("f64.from_i32_s", "i32", "f64"),
        ("f64.from_i32_u", "i32", "f64"),
        ("f64.from_i64_s", "i64", "f64"),
        ("f64.from_i64_u", "i64", "f64"),
        ("f64.promote_f32", "f32", "f64"),
        ("f32.demote_f64", "f64", "f32"),
    ];
    for (op, from, to) in convs {
        b.func(
            op,
            &format!("({from}) -> {to}"),
            1,
            &format!("{op} r0, r0\nret r0"),
        );
    }
    let c = |n: &'static str, a: Value, w: Value| (n, vec![a], w);
    run_cases(
        &b,
        &[
            c("i32.trunc_f32_s", F32(3e9), I32(MAX32)),
            c("i32.trunc_f32_s", F32(-3e9), I32(MIN32)),
            c("i32.trunc_f32_s", F32(f32::NAN), I32(0)),
            c("i32.trunc_f32_s", F32(-1.9), I32(-1)),
            c("i32.trunc_f32_u", F32(-1.0), I32(0)),
            c("i32.trunc_f32_u", F32(5e9), I32(-1)),
            c("i32.trunc_f32_u", F32(3e9), I32(3_000_000_000u32 as i32)),
            c("i32.trunc_f64_s", F64(f64::INFINITY), I32(MAX32)),
            c("i32.trunc_f64_s", F64(-2147483648.9), I32(MIN32)),
            c("i32.trunc_f64_u", F64(f64::NAN), I32(0)),
            c("i32.trunc_f64_u", F64(4294967295.5), I32(-1)),
            c("i64.trunc_f32_s", F32(-1e30), I64(i64::MIN)),
            c("i64.trunc_f32_u", F32(1e30), I64(-1)),
            c("i64.trunc_f64_s", F64(1e19), I64(i64::MAX)),
            c("i64.trunc_f64_s", F64(-12345.9), I64(-12345)),
            c("i64.trunc_f64_u", F64(-0.5), I64(0)),
            c("i64.trunc_f64_u", F64(1e20), I64(-1)),
            c("i64.trunc_f64_u", F64(f64::NAN), I64(0)),
            c("f32.from_i32_s", I32(16_777_217), F32(16_777_216.0)),
            c("f32.from_i32_s", I32(-5), F32(-5.0)),
            c("f32.from_i32_u", I32(-1), F32(4_294_967_296.0)),
            c("f32.from_i64_s", I64(-1), F32(-1.0)),
            c("f32.from_i64_u", I64(-1), F32(18_446_744_073_709_551_616.0)),
            c("f64.from_i32_s", I32(MIN32), F64(-2147483648.0)),
            c("f64.from_i32_u", I32(MIN32), F64(2147483648.0)),
            c("f64.from_i64_s", I64(i64::MIN), F64(-9.223372036854776e18)),
            c("f64.from_i64_u", I64(-1), F64(1.8446744073709552e19)),
            c("f64.promote_f32", F32(0.1), F64(0.10000000149011612)),
            c("f32.demote_f64", F64(1e300), F32(f32::INFINITY)),
            c("f32.demote_f64", F64(0.1), F32(0.1)),
        ],
    );
}

#[test]
fn control_and_branches() {
    let mut b = Builder::new();
    // Each returns 1 when the branch is taken, 0 otherwise.
    let taken = |op: &str, operands: &str| {
        format!("{op} {operands}, yes\nconst32 r0, 0\nret r0\nyes:\nconst32 r0, 1\nret r0")
    };
    for op in [
        "br.eq.i32",
        "br.ne.i32",
        "br.lt_s.i32",
        "br.lt_u.i32",
        "br.le_s.i32",
        "br.le_u.i32",
    ] {
        b.func(op, "(i32, i32) -> i32", 2, &taken(op, "r0, r1"));
    }
    for op in [
        "br.eq.i64",
        "br.ne.i64",
        "br.lt_s.i64",
        "br.lt_u.i64",
        "br.le_s.i64",
        "br.le_u.i64",
    ] {
        b.func(op, "(i64, i64) -> i32", 2, &taken(op, "r0, r1"));
    }
    for op in [
        "br.eqi.i32",
        "br.nei.i32",
        "br.lt_si.i32",
        "br.lt_ui.i32",
        "br.gt_si.i32",
        "br.gt_ui.i32",
        "br.le_si.i32",
        "br.le_ui.i32",
        "br.ge_si.i32",
        "br.ge_ui.i32",
    ] {
        b.func(op, "(i32) -> i32", 1, &taken(op, "r0, -1"));
    }
    b.func("br_if", "(i32) -> i32", 1, &taken("br_if", "r0"));
    b.func("br_ifnot", "(i32) -> i32", 1, &taken("br_ifnot", "r0"));
    b.func(
        "br_table",
        "(i32) -> i32",
        2,
        "br_table r0, dflt, a, b, c\na:\nconst32 r0, 10\nret r0\nb:\nconst32 r0, 11\nret r0\nc:\nconst32 r0, 12\nret r0\ndflt:\nconst32 r0, 99\nret r0",
    );
    b.func(
        "select",
        "(i32, i64, i64) -> i64",
        3,
        "select r0, r0, r1, r2\nret r0",
    );
    b.func("nop_mov", "(i32) -> i32", 2, "nop\nmov r1, r0\nret r1");
    b.func(
        "consts",
        "() -> i64",
        2,
        // An i32's high bits are unspecified (docs/abi.md): widened first.
        "const32 r0, -1\ni64.sext32 r0, r0\nconst64 r1, 0x123456789\ni64.add r0, r0, r1\nret r0",
    );
    // sum 1..n with a backward branch
    b.func("sum", "(i32) -> i32", 2, "const32 r1, 0\nloop:\nbr.eqi.i32 r0, 0, done\ni32.add r1, r1, r0\ni32.addi r0, r0, -1\nbr loop\ndone:\nret r1");
    let i2 = |n: &'static str, a: i32, x: i32, w: i32| (n, vec![I32(a), I32(x)], I32(w));
    let l2 = |n: &'static str, a: i64, x: i64, w: i32| (n, vec![I64(a), I64(x)], I32(w));
    let i1 = |n: &'static str, a: i32, w: i32| (n, vec![I32(a)], I32(w));
    run_cases(
        &b,
        &[
            i2("br.eq.i32", 3, 3, 1),
            i2("br.eq.i32", 3, 4, 0),
            i2("br.ne.i32", 3, 4, 1),
            i2("br.lt_s.i32", -1, 0, 1),
            i2("br.lt_u.i32", -1, 0, 0),
            i2("br.le_s.i32", 0, 0, 1),
            i2("br.le_u.i32", -1, 0, 0),
            l2("br.eq.i64", 1 << 40, 1 << 40, 1),
            l2("br.eq.i64", 1 << 40, 0, 0),
            l2("br.ne.i64", 1 << 40, 0, 1),
            l2("br.lt_s.i64", -1, 0, 1),
            l2("br.lt_u.i64", -1, 0, 0),
            l2("br.le_s.i64", i64::MIN, i64::MIN, 1),
            l2("br.le_u.i64", -1, 1, 0),
            i1("br.eqi.i32", -1, 1),
            i1("br.nei.i32", -1, 0),
            i1("br.lt_si.i32", -2, 1),
            i1("br.lt_ui.i32", -2, 1),
            i1("br.gt_si.i32", 0, 1),
            i1("br.gt_ui.i32", 0, 0),
            i1("br.le_si.i32", -1, 1),
            i1("br.le_ui.i32", 5, 1),
            i1("br.ge_si.i32", -2, 0),
            i1("br.ge_ui.i32", -1, 1),
            i1("br_if", 2, 1),
            i1("br_if", 0, 0),
            i1("br_ifnot", 0, 1),
            i1("br_table", 0, 10),
            i1("br_table", 2, 12),
            i1("br_table", 3, 99),
            i1("br_table", -1, 99),
            ("select", vec![I32(1), I64(5), I64(6)], I64(5)),
            ("select", vec![I32(0), I64(5), I64(6)], I64(6)),
            i1("nop_mov", 42, 42),
            ("consts", vec![], I64(0x123456788)),
            i1("sum", 100, 5050),
        ],
    );
}

#[test]
fn fused_loop_counter_branches() {
    let mut b = Builder::new();
    // Iterations of `i += step` until `i == n` / `i >= n` (unsigned).
    b.func(
        "count_ne",
        "(i32, i32) -> i32",
        3,
        "const32 r2, 0\nloop:\ni32.addi.br_ne r2, r2, 1, r0, loop\nret r2",
    );
    b.func(
        "count_nei",
        "(i32) -> i32",
        2,
        "const32 r1, 0\nloop:\ni32.addi.br_nei r0, r0, 3, 30, loop\nret r0",
    );
    b.func(
        "count_lt_u",
        "(i32, i32) -> i32",
        3,
        "const32 r2, 0\nloop:\ni32.addi r2, r2, 1\ni32.addi.br_lt_u r0, r0, 1, r1, loop\nret r2",
    );
    b.func(
        "stride_lt_ui",
        "(i32) -> i32",
        3,
        "const32 r1, 0\nconst32 r2, 0\nloop:\ni32.addi r2, r2, 1\ni32.add.br_lt_ui r1, r1, r0, 100, loop\nret r2",
    );
    // i64.add.add d, t, a, b, c: t = a + b; d = t + c, with `c` read after
    // `t` is written (in `add_add_self` `c` is `t`'s register: 2 * (a + b)).
    b.func(
        "add_add",
        "(i64, i64, i64) -> i64",
        3,
        "i64.add.add r2, r0, r0, r1, r2\ni64.add r0, r0, r2\nret r0",
    );
    b.func(
        "add_add_self",
        "(i64, i64) -> i64",
        3,
        "i64.add.add r2, r0, r0, r1, r0\nret r2",
    );
    // The comparison reads the register after the add wrote it: with the
    // right-hand side in the destination register the branch compares the
    // new value with itself (never "not equal", always "not below").
    let taken = |instr: &str| format!("{instr}, yes\nret r1\nyes:\nconst32 r1, -7\nret r1");
    b.func(
        "self_ne",
        "(i32) -> i32",
        2,
        &taken("i32.addi.br_ne r1, r0, 1, r1"),
    );
    b.func(
        "self_lt_u",
        "(i32) -> i32",
        2,
        &taken("i32.addi.br_lt_u r1, r0, 1, r1"),
    );
    // Wrap-around: the add is 32-bit, the comparisons unsigned 32-bit.
    b.func(
        "wrap_lt_u",
        "(i32, i32) -> i32",
        2,
        &taken("i32.addi.br_lt_u r1, r0, 1, r1"),
    );
    b.func(
        "wrap_nei",
        "(i32) -> i32",
        2,
        &taken("i32.addi.br_nei r1, r0, 1, 0"),
    );
    b.func(
        "wrap_lt_ui",
        "(i32, i32) -> i32",
        2,
        &taken("i32.add.br_lt_ui r1, r0, r1, 5"),
    );
    let i1 = |n: &'static str, a: i32, w: i32| (n, vec![I32(a)], I32(w));
    let i2 = |n: &'static str, a: i32, x: i32, w: i32| (n, vec![I32(a), I32(x)], I32(w));
    run_cases(
        &b,
        &[
            // t = 2^63 - 1 + 2 wraps; d = t + 5; returns t + d.
            (
                "add_add",
                vec![I64(i64::MAX), I64(2), I64(5)],
                I64((i64::MIN + 1).wrapping_add(i64::MIN + 6)),
            ),
            ("add_add_self", vec![I64(3), I64(4)], I64(14)),
            i2("count_ne", 7, 0, 7),
            i2("count_ne", 1, 0, 1),
            i1("count_nei", 0, 30),
            i1("count_nei", 27, 30),
            i2("count_lt_u", 0, 10, 10),
            // Not below already: the body runs once.
            i2("count_lt_u", 50, 10, 1),
            i2("count_lt_u", -3, 10, 1),
            i1("stride_lt_ui", 7, 15),
            i1("stride_lt_ui", 100, 1),
            i1("stride_lt_ui", 1, 100),
            i1("self_ne", 5, 6),
            i1("self_lt_u", 5, 6),
            // -1 + 1 wraps to 0 (the destination also holds the bound here).
            i2("wrap_lt_u", -1, 9, 0),
            i1("wrap_nei", -1, 0),
            i1("wrap_nei", 0, -7),
            // 0xffff_fffe + 3 wraps to 1, below 5.
            i2("wrap_lt_ui", -2, 3, -7),
            i2("wrap_lt_ui", 2, 3, 5),
        ],
    );
}

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

#[test]
fn loads_and_stores() {
    let b = mem_builder();
    // memory at 0x1000: f0 ff 80 01 fe ff 7f 80; loads read at addr + 1.
    let l = |n: &'static str, a: i32, w: i64| (n, vec![I32(a)], I64(w));
    run_cases(
        &b,
        &[
            l("ld8_s", 0x1000, -1),
            l("ld8_u", 0x1000, 0xff),
            l("ld16_s", 0x1000, 0xffff_ffff_ffff_80ff_u64 as i64),
            l("ld16_u", 0x1001, 0x0180),
            l("ld32_s", 0x1003, 0xffff_ffff_807f_fffe_u64 as i64),
            l("ld32_u", 0x1003, 0x807f_fffe),
            l("ld64", 0x0fff, 0x807f_fffe_0180_fff0_u64 as i64),
            // Misaligned (the checked path), sign-extended or not.
            l("ld16_u", 0x1000, 0x80ff),
            l("ld32_s", 0x1000, 0xffff_ffff_fe01_80ff_u64 as i64),
            l("ld32_u", 0x1000, 0xfe01_80ff),
            l("ld64", 0x1000, 0x0080_7fff_fe01_80ff),
            ("st16", vec![I32(0x1071), I64(0x1234)], I64(0x1234_0000)),
            (
                "st64",
                vec![I32(0x1081), I64(0x1122_3344_5566_7788)],
                I64(0x3344_5566_7788_0000),
            ),
            ("st8", vec![I32(0x1040), I64(0x1234)], I64(0x34_0000)),
            ("st16", vec![I32(0x1040), I64(0x1234)], I64(0x1234_0000)),
            (
                "st32",
                vec![I32(0x1061), I64(-1)],
                I64(0x0000_ffff_ffff_0000),
            ),
            (
                "st64",
                vec![I32(0x1050), I64(0x1122_3344_5566_7788)],
                I64(0x3344_5566_7788_0000),
            ),
        ],
    );
}

#[test]
fn out_of_bounds_accesses_trap() {
    let b = mem_builder();
    with_instance(&b, |inst| {
        let end = inst.memory().len() as i32;
        for (name, args, addr, size) in [
            ("ld8_u", vec![I32(0)], 1u32, 1u32),
            ("ld32_u", vec![I32(0x0ffe)], 0x0fff, 4),
            ("ld64", vec![I32(end - 8)], (end - 7) as u32, 8),
            ("ld8_u", vec![I32(-1)], 0, 1),
            ("st64", vec![I32(end - 9), I64(0)], (end - 7) as u32, 8),
            ("st8", vec![I32(-2), I64(0)], 0, 1),
        ] {
            let t = inst.call(name, &args).unwrap_err();
            assert_eq!(
                t.kind,
                TrapKind::OutOfBounds { addr, size },
                "{name}{args:?}"
            );
            assert_eq!(t.func_name.as_deref(), Some(name));
        }
        // The last valid byte is fine.
        assert_eq!(inst.call("ld8_u", &[I32(end - 2)]).unwrap(), Some(I64(0)));
    });
}

#[test]
fn fused_float_kernels() {
    let mut b = Builder::new();
    b.memory = Some(".memory data_end 0x1100 heap 0 stack 0x1000");
    // Each stores `v` at `p`, runs the fused instruction on it with `x`, and
    // returns the double in memory afterwards plus 1000 * the result register
    // (so both the register and the memory are checked).
    let rmw = |op: &str| {
        format!(
            "st64 r0, r1, 0\n{op} r3, r4, r0, r2, 0\nld64 r4, r0, 0\nconst64 r5, 0x408f400000000000\nf64.mul r3, r3, r5\nf64.add r4, r4, r3\nret r4"
        )
    };
    b.func("sub_rmw", "(ptr, f64, f64) -> f64", 6, &rmw("f64.sub.rmw"));
    b.func("add_rmw", "(ptr, f64, f64) -> f64", 6, &rmw("f64.add.rmw"));
    // f64.sub.ld d, t, a, p, 0: a - *p.
    b.func(
        "sub_ld",
        "(ptr, f64, f64) -> f64",
        4,
        "st64 r0, r1, 0\nf64.sub.ld r3, r1, r2, r0, 0\nret r3",
    );
    // The operand is read after the loaded value is written: with `a` in
    // `t`'s register the result is *p - *p.
    b.func(
        "sub_ld_self",
        "(ptr, f64) -> f64",
        3,
        "st64 r0, r1, 0\nf64.sub.ld r2, r1, r1, r0, 0\nret r2",
    );
    // `x` is `t`'s register: *p + *p, stored back.
    b.func(
        "add_rmw_self",
        "(ptr, f64) -> f64",
        5,
        "st64 r0, r1, 0\nf64.add.rmw r3, r4, r0, r4, 0\nld64 r4, r0, 0\nf64.add r3, r3, r4\nret r3",
    );
    b.func(
        "mul_mul",
        "(f64, f64, f64) -> f64",
        4,
        "f64.mul.mul r3, r0, r0, r1, r2\nret r3",
    );
    b.func(
        "mul_add",
        "(f64, f64, f64) -> f64",
        4,
        "f64.mul.add r3, r0, r0, r1, r2\nret r3",
    );
    // `c` is `t`'s register: (a * b) * (a * b) and (a * b) + (a * b).
    b.func(
        "mul_mul_self",
        "(f64, f64) -> f64",
        3,
        "f64.mul.mul r2, r0, r0, r1, r0\nret r2",
    );
    b.func(
        "mul_add_self",
        "(f64, f64) -> f64",
        3,
        "f64.mul.add r2, r0, r0, r1, r0\nret r2",
    );
    let m =
        |n: &'static str, p: i32, v: f64, x: f64, w: f64| (n, vec![I32(p), F64(v), F64(x)], F64(w));
    let f3 =
        |n: &'static str, a: f64, x: f64, c: f64, w: f64| (n, vec![F64(a), F64(x), F64(c)], F64(w));
    run_cases(
        &b,
        &[
            // 10 - 2.5 = 7.5 in memory and in the register.
            m("sub_rmw", 0x1008, 10.0, 2.5, 7.5 + 7500.0),
            m("add_rmw", 0x1008, 10.0, 2.5, 12.5 + 12500.0),
            // Misaligned: the checked path, same results.
            m("sub_rmw", 0x1013, 10.0, 2.5, 7.5 + 7500.0),
            m("add_rmw", 0x1013, -0.0, 0.0, 0.0),
            m("sub_ld", 0x1020, 0.5, 4.0, 3.5),
            m("sub_ld", 0x1021, 0.5, 4.0, 3.5),
            ("sub_ld_self", vec![I32(0x1020), F64(9.0)], F64(0.0)),
            // The same through the checked (misaligned) path.
            ("sub_ld_self", vec![I32(0x1021), F64(9.0)], F64(0.0)),
            ("add_rmw_self", vec![I32(0x1020), F64(1.5)], F64(6.0)),
            ("add_rmw_self", vec![I32(0x1023), F64(1.5)], F64(6.0)),
            f3("mul_mul", 3.0, 0.5, 4.0, 6.0),
            // Rounded twice, as the two instructions do: (1e308 * 10) * 0.1 = inf.
            f3("mul_mul", 1e308, 10.0, 0.1, f64::INFINITY),
            f3("mul_add", 3.0, 0.5, 4.0, 5.5),
            // 0.1 * 10 rounds to exactly 1.0 before the add: -1 + 1 = 0 (an FMA gives 5.55e-17).
            f3("mul_add", 0.1, 10.0, -1.0, 0.0),
            ("mul_mul_self", vec![F64(2.0), F64(3.0)], F64(36.0)),
            ("mul_add_self", vec![F64(2.0), F64(3.0)], F64(12.0)),
        ],
    );
    // Out of bounds: the fused instruction itself traps, at its own offset.
    let mut b = Builder::new();
    b.memory = Some(".memory data_end 0x1100 heap 0 stack 0x1000");
    for op in ["f64.sub.rmw", "f64.add.rmw"] {
        b.func(
            op,
            "(ptr, f64) -> f64",
            4,
            &format!("nop\n{op} r2, r3, r0, r1, 4\nret r2"),
        );
    }
    b.func(
        "f64.sub.ld",
        "(ptr, f64) -> f64",
        4,
        "nop\nf64.sub.ld r2, r3, r1, r0, 4\nret r2",
    );
    with_instance(&b, |inst| {
        let end = inst.memory().len() as i32;
        for name in ["f64.sub.rmw", "f64.add.rmw", "f64.sub.ld"] {
            for (p, addr) in [(end - 8, end as u32 - 4), (-4, 0)] {
                let t = inst.call(name, &[I32(p), F64(1.0)]).unwrap_err();
                assert_eq!(
                    t.kind,
                    TrapKind::OutOfBounds { addr, size: 8 },
                    "{name}({p})"
                );
                assert_eq!(
                    t.offset, 4,
                    "{name}: the trap is the fused instruction's (after a nop)"
                );
            }
        }
    });
}

#[test]
fn extended_opcode_in_place_word_add() {
    // i32.add.rmw d, t, p, x, off (escape byte 0x2f, second byte 0x00):
    // t = *(p + off); d = x + t; *(p + off) = d. Returns the word in memory
    // after, + 1000 * d, + 1_000_000 * t, for small values.
    let mut b = Builder::new();
    b.memory = Some(".memory data_end 0x1100 heap 0 stack 0x1000");
    b.func(
        "add_rmw",
        "(ptr, i32, i32) -> i32",
        5,
        "st32 r0, r1, 4\ni32.add.rmw r3, r4, r0, r2, 4\nld32_u r1, r0, 4\ni32.muli r3, r3, 1000\ni32.muli r4, r4, 1000000\ni32.add r1, r1, r3\ni32.add r1, r1, r4\nret r1",
    );
    // `x` is `t`'s register: read after the load wrote it (2 * *p).
    b.func(
        "add_rmw_self",
        "(ptr, i32) -> i32",
        3,
        "st32 r0, r1, 0\ni32.add.rmw r2, r1, r0, r1, 0\nld32_u r0, r0, 0\nret r0",
    );
    // Wraps at 32 bits.
    b.func(
        "add_rmw_wrap",
        "(ptr) -> i32",
        4,
        "const32 r1, -1\nst32 r0, r1, 0\nconst32 r1, 2\ni32.add.rmw r2, r3, r0, r1, 0\nld32_u r0, r0, 0\nret r0",
    );
    let c = |p: i32, v: i32, x: i32, w: i32| ("add_rmw", vec![I32(p), I32(v), I32(x)], I32(w));
    run_cases(
        &b,
        &[
            c(0x1010, 5, 7, 12 + 12_000 + 5_000_000),
            // Misaligned: the checked path, same results.
            c(0x1021, 5, 7, 12 + 12_000 + 5_000_000),
            ("add_rmw_self", vec![I32(0x1040), I32(21)], I32(42)),
            ("add_rmw_wrap", vec![I32(0x1040)], I32(1)),
        ],
    );
    // Out of bounds: the extended instruction traps at its own offset.
    let mut b = Builder::new();
    b.memory = Some(".memory data_end 0x1100 heap 0 stack 0x1000");
    b.func(
        "rmw",
        "(ptr, i32) -> i32",
        4,
        "nop\ni32.add.rmw r2, r3, r0, r1, 4\nret r2",
    );
    with_instance(&b, |inst| {
        let end = inst.memory().len() as i32;
        for (p, addr) in [(end - 6, end as u32 - 2), (-4, 0)] {
            let t = inst.call("rmw", &[I32(p), I32(1)]).unwrap_err();
            assert_eq!(t.kind, TrapKind::OutOfBounds { addr, size: 4 }, "rmw({p})");
            assert_eq!(t.offset, 4, "after a nop");
        }
    });
}

#[test]
fn extended_multiply_accumulate_into_memory() {
    // i32.mac.rmw m, u, p, b, po, d, t, q, qo: u = *(p + po); m = u * b;
    // t = *(q + qo); d = m + t; *(q + qo) = d.
    let mut b = Builder::new();
    b.memory = Some(".memory data_end 0x1100 heap 0 stack 0x1000");
    // Stores v at p and w at q, runs the mac, returns *q + 1000 * m.
    b.func(
        "mac",
        "(ptr, ptr, i32, i32, i32) -> i32",
        9,
        "st32 r0, r3, 0\nst32 r1, r4, 8\ni32.mac.rmw r5, r6, r0, r2, 0, r7, r8, r1, 8\nld32_u r1, r1, 8\ni32.muli r5, r5, 1000\ni32.add r1, r1, r5\nret r1",
    );
    // The accumulation's address register is the product's register: it is
    // read after the product is written (as in the unfused pair), so the
    // word at (product + 8) is updated.
    b.func(
        "mac_chained",
        "(ptr) -> i32",
        4,
        "const32 r1, 0x1008\nst32 r0, r1, 0\nconst32 r2, 1\ni32.mac.rmw r3, r1, r0, r2, 0, r2, r1, r3, 8\nld32_u r0, r3, 8\nret r0",
    );
    let c = |p: i32, q: i32, x: i32, v: i32, w: i32, want: i32| {
        (
            "mac",
            vec![I32(p), I32(q), I32(x), I32(v), I32(w)],
            I32(want),
        )
    };
    run_cases(
        &b,
        &[
            c(0x1020, 0x1040, 3, 5, 7, 22 + 15_000),
            // Misaligned source, then misaligned destination: checked paths.
            c(0x1021, 0x1040, 3, 5, 7, 22 + 15_000),
            c(0x1020, 0x1043, 3, 5, 7, 22 + 15_000),
            // 32-bit wrap of the product and of the sum.
            c(0x1020, 0x1040, 0x10000, 0x10001, -1, 0xffff + 65_536_000),
            // *(0x1008 + 8) was 0: it becomes the product 0x1008 * 1.
            ("mac_chained", vec![I32(0x1020)], I32(0x1008)),
        ],
    );
    // A trap in either access is the instruction's own.
    let mut b = Builder::new();
    b.memory = Some(".memory data_end 0x1100 heap 0 stack 0x1000");
    b.func(
        "mac",
        "(ptr, ptr) -> i32",
        7,
        "const32 r6, 2\nconst32 r5, 7\ni32.mac.rmw r5, r4, r0, r6, 0, r3, r2, r1, 0\nret r5",
    );
    with_instance(&b, |inst| {
        let end = inst.memory().len() as i32;
        for (p, q) in [(0x1020, end - 2), (end - 2, 0x1020), (-4, 0x1020)] {
            let t = inst.call("mac", &[I32(p), I32(q)]).unwrap_err();
            let bad = if q == 0x1020 { p } else { q };
            let addr = bad as u32;
            assert_eq!(
                t.kind,
                TrapKind::OutOfBounds { addr, size: 4 },
                "mac({p}, {q})"
            );
            assert_eq!(t.offset, 16, "the mac's offset (after two const32)");
        }
        assert_eq!(
            inst.call_i32("mac", &[I32(0x1020), I32(0x1040)]).unwrap(),
            0
        );
    });
}

#[test]
fn fused_byte_and_branch_free_forms() {
    let mut b = Builder::new();
    b.memory =
        Some(".memory data_end 0x1100 heap 0 stack 0x1000\n.data 0x1000 \"0102030405060708\"");
    // Swap the bytes at p and q; return them packed after the swap.
    b.func(
        "swap",
        "(ptr, ptr) -> i32",
        4,
        "ld8_u.2 r2, r0, 0, r3, r1, 0\nst8.2 r0, r3, 0, r1, r2, 0\nld8_u r2, r0, 0\nld8_u r3, r1, 0\ni32.shli r3, r3, 8\ni32.or r2, r2, r3\nret r2",
    );
    // The second address register is the first load's destination: it is
    // read after that load wrote it (byte 0x02 at 0x1001, then *(2 + 0x1002);
    // the swaps below leave 0x1001..0x1006 alone).
    b.func(
        "chained",
        "(ptr) -> i32",
        2,
        "ld8_u.2 r0, r0, 0, r1, r0, 0x1002\nret r1",
    );
    // Stores in order: both to the same byte, the second wins.
    b.func(
        "same_byte",
        "(ptr) -> i32",
        3,
        "const32 r1, 7\nconst32 r2, 9\nst8.2 r0, r1, 0, r0, r2, 0\nld8_u r0, r0, 0\nret r0",
    );
    b.func(
        "shl_andi",
        "(i32) -> i32",
        2,
        "i32.shl.andi r1, r0, r0, 1, 255\nret r1",
    );
    // Returns `d * 1000 + t` to check both results.
    b.func(
        "shl_andi_tmp",
        "(i32) -> i32",
        3,
        "i32.shl.andi r1, r2, r0, 31, -1\ni32.shr_ui r2, r2, 31\ni32.muli r1, r1, 0\ni32.add r1, r1, r2\nret r1",
    );
    b.func(
        "select_lt",
        "(i32, i64, i64) -> i64",
        4,
        "select.lt_si r3, r0, r0, -5, r1, r2\nret r3",
    );
    // `a` is the condition's register: the new condition (0 or 1, an i32)
    // is chosen.
    b.func(
        "select_lt_self",
        "(i32, i32) -> i32",
        3,
        "select.lt_si r2, r0, r0, 0, r0, r1\nret r2",
    );
    // i32.crc_step d, tmp, t, u, x, shift, bit, mask, poly: tmp = x << shift;
    // t = tmp & mask; u = t ^ poly; d = bit `bit` of x (read again) ? u : t.
    b.func(
        "crc8",
        "(i32) -> i32",
        3,
        "i32.crc_step r0, r1, r1, r2, r0, 1, 7, 255, 7\nret r0",
    );
    b.func(
        "crc16",
        "(i32) -> i32",
        3,
        "i32.crc_step r0, r1, r1, r2, r0, 1, 15, 0xffff, 0x1021\nret r0",
    );
    // `x` is `t`: the bit is taken from `t`, written before it is read.
    b.func(
        "crc_x_is_t",
        "(i32) -> i32",
        4,
        "i32.crc_step r3, r1, r0, r2, r0, 1, 31, -1, 0x100\nret r3",
    );
    // `u` is `dst`: a set bit selects `u`, read after the condition (1) was
    // written to `dst`.
    b.func(
        "crc_u_is_dst",
        "(i32) -> i32",
        3,
        "i32.crc_step r2, r1, r1, r2, r0, 0, 0, -1, 5\nret r2",
    );
    // i32.crc_step_t d, t, x, y, shift, bit, mask, poly: t = (x << shift) &
    // mask; d = t ^ (bit `bit` of y (read after t) ? poly : 0).
    b.func(
        "crc_t",
        "(i32, i32) -> i32",
        3,
        "i32.crc_step_t r0, r2, r0, r1, 1, 7, 255, 7\nret r0",
    );
    // Returns `d * 1000 + t` to check both results.
    b.func(
        "crc_t_both",
        "(i32) -> i32",
        3,
        "i32.crc_step_t r1, r2, r0, r0, 1, 15, 0xffff, 0x1021\ni32.muli r1, r1, 1000\ni32.add r1, r1, r2\nret r1",
    );
    // `y` is `t`: the sign comes from the new `t` (bit 7 of x << 1).
    b.func(
        "crc_t_y_is_t",
        "(i32) -> i32",
        3,
        "i32.crc_step_t r1, r2, r0, r2, 1, 7, 255, 7\nret r1",
    );
    // `d` is `t`, as the parts do it: the mask xor itself, 0.
    b.func(
        "crc_t_d_is_t",
        "(i32) -> i32",
        2,
        "i32.crc_step_t r1, r1, r0, r0, 1, 7, 255, 7\nret r1",
    );
    // i32.crc_step_r d, tmp, u, a, cond, shift, inv, poly: tmp = a >> shift;
    // u = tmp ^ poly; d = (cond != 0) != inv ? u : tmp (read after both).
    b.func(
        "crc_r",
        "(i32, i32) -> i32",
        3,
        "i32.crc_step_r r0, r0, r2, r0, r1, 1, 0, 0xa001\nret r0",
    );
    b.func(
        "crc_r_inv",
        "(i32, i32) -> i32",
        4,
        "i32.crc_step_r r3, r0, r2, r0, r1, 1, 1, 0xa001\nret r3",
    );
    // The condition is `tmp`'s register: the shifted value decides.
    b.func(
        "crc_r_cond_is_tmp",
        "(i32) -> i32",
        4,
        "i32.crc_step_r r3, r1, r2, r0, r1, 4, 0, 5\nret r3",
    );
    // `u` is `dst`.
    b.func(
        "crc_r_u_is_dst",
        "(i32) -> i32",
        3,
        "i32.crc_step_r r2, r1, r2, r0, r0, 0, 0, 5\nret r2",
    );
    // st8.c.add t, c, a, b, v, off: t = a + b; c = v; byte [t + off] = v.
    // Returns the stored byte + 1000 * (t == a + b) + 10000 * c.
    b.func(
        "st8_c_add",
        "(ptr, i32) -> i32",
        5,
        "st8.c.add r2, r3, r0, r1, 0x1ff, 1\nld8_u r4, r2, 1\ni32.add r0, r0, r1\ni32.eq r0, r0, r2\ni32.muli r0, r0, 1000\ni32.add r4, r4, r0\ni32.muli r3, r3, 10000\ni32.add r4, r4, r3\nret r4",
    );
    let i1 = |n: &'static str, a: i32, w: i32| (n, vec![I32(a)], I32(w));
    let sel = |a: i32, w: i64| ("select_lt", vec![I32(a), I64(11), I64(22)], I64(w));
    run_cases(
        &b,
        &[
            ("swap", vec![I32(0x1000), I32(0x1007)], I32(0x0108)),
            ("swap", vec![I32(0x1003), I32(0x1003)], I32(0x0404)),
            i1("chained", 0x1001, 5),
            i1("same_byte", 0x1010, 9),
            ("crc_t", vec![I32(0x81), I32(0x80)], I32(0x02 ^ 7)),
            ("crc_t", vec![I32(0x81), I32(0x7f)], I32(0x02)),
            ("crc_t", vec![I32(0x40), I32(-1)], I32(0x80 ^ 7)),
            i1("crc_t_both", 0x8001, (0x0002 ^ 0x1021) * 1000 + 2),
            i1("crc_t_both", 0x4001, 0x8002 * 1000 + 0x8002),
            i1("crc_t_y_is_t", 0x40, 0x80 ^ 7),
            i1("crc_t_y_is_t", 0x80, 0),
            i1("crc_t_d_is_t", 0x80, 0),
            i1("crc_t_d_is_t", 0x40, 0),
            ("crc_r", vec![I32(0x1235), I32(1)], I32(0xa91b)),
            ("crc_r", vec![I32(0x1235), I32(0)], I32(0x091a)),
            ("crc_r", vec![I32(-2), I32(7)], I32(0x7fff_ffff ^ 0xa001)),
            ("crc_r_inv", vec![I32(0x1235), I32(1)], I32(0x091a)),
            ("crc_r_inv", vec![I32(0x1235), I32(0)], I32(0xa91b)),
            i1("crc_r_cond_is_tmp", 0x10, 4),
            i1("crc_r_cond_is_tmp", 0x0f, 0),
            i1("crc_r_u_is_dst", 9, 12),
            i1("crc_r_u_is_dst", 0, 0),
            i1("shl_andi", 0x81, 0x02),
            i1("shl_andi", 0x7f, 0xfe),
            i1("shl_andi_tmp", 1, 1),
            i1("shl_andi_tmp", 2, 0),
            sel(-6, 11),
            sel(-5, 22),
            sel(i32::MIN, 11),
            sel(i32::MAX, 22),
            ("select_lt_self", vec![I32(-1), I32(5)], I32(1)),
            ("select_lt_self", vec![I32(1), I32(5)], I32(5)),
            i1("crc8", 0x81, 0x05),
            i1("crc8", 0x7f, 0xfe),
            i1("crc8", 0x80, 0x07),
            i1("crc16", 0x8001, 0x1023),
            i1("crc16", 0x0001, 0x0002),
            i1("crc_x_is_t", 0x4000_0000, 0x8000_0100u32 as i32),
            i1("crc_x_is_t", 0x2000_0000, 0x4000_0000),
            i1("crc_u_is_dst", 3, 1),
            i1("crc_u_is_dst", 2, 2),
            (
                "st8_c_add",
                vec![I32(0x1020), I32(0x10)],
                I32(0xff + 1000 + 0x1ff * 10000),
            ),
        ],
    );
    // A trap in the second access leaves the first one's effect.
    with_instance(&b, |inst| {
        let end = inst.memory().len() as i32;
        let t = inst.call("swap", &[I32(0x1000), I32(end)]).unwrap_err();
        assert_eq!(
            t.kind,
            TrapKind::OutOfBounds {
                addr: end as u32,
                size: 1
            }
        );
        assert_eq!(t.offset, 0, "the ld8_u.2 traps");
        // Wraps around to below the null guard: the checked path traps.
        let t = inst.call("st8_c_add", &[I32(-8), I32(4)]).unwrap_err();
        assert_eq!(
            t.kind,
            TrapKind::OutOfBounds {
                addr: (-3i32) as u32,
                size: 1
            }
        );
        let t = inst.call("st8_c_add", &[I32(end - 1), I32(0)]).unwrap_err();
        assert_eq!(
            t.kind,
            TrapKind::OutOfBounds {
                addr: end as u32,
                size: 1
            }
        );
    });
}

#[test]
fn bulk_memory() {
    let mut b = Builder::new();
    b.memory =
        Some(".memory data_end 0x1100 heap 0 stack 0x1000\n.data 0x1000 \"0102030405060708\"");
    b.func(
        "copy",
        "(ptr, ptr, i32) -> i64",
        3,
        "mem.copy r0, r1, r2\nconst32 r1, 0x1000\nld64 r0, r1, 0\nret r0",
    );
    b.func(
        "move",
        "(ptr, ptr, i32) -> i64",
        3,
        "mem.move r0, r1, r2\nconst32 r1, 0x1000\nld64 r0, r1, 0\nret r0",
    );
    b.func(
        "fill",
        "(ptr, i32, i32) -> i64",
        3,
        "mem.fill r0, r1, r2\nconst32 r1, 0x1000\nld64 r0, r1, 0\nret r0",
    );
    with_instance(&b, |inst| {
        // overlapping forward move: 01 02 03 04 05 06 07 08 -> 01 01 02 03 04 05 07 08
        let v = inst
            .call("move", &[I32(0x1001), I32(0x1000), I32(5)])
            .unwrap();
        assert_eq!(v, Some(I64(0x0807_0504_0302_0101)));
        // overlapping backward move
        let v = inst
            .call("copy", &[I32(0x1000), I32(0x1001), I32(3)])
            .unwrap();
        assert_eq!(v, Some(I64(0x0807_0504_0302_0101 & !0xff_ffff | 0x03_0201)));
        let v = inst
            .call("fill", &[I32(0x1002), I32(0x1ab), I32(3)])
            .unwrap();
        assert_eq!(v, Some(I64(0x0807_05ab_abab_0201)));
        // zero length never traps, even at a bad address
        assert!(inst.call("fill", &[I32(0), I32(0), I32(0)]).is_ok());
        let end = inst.memory().len() as i32;
        let t = inst
            .call("fill", &[I32(end - 4), I32(0), I32(5)])
            .unwrap_err();
        assert_eq!(
            t.kind,
            TrapKind::OutOfBounds {
                addr: (end - 4) as u32,
                size: 5
            }
        );
        let t = inst
            .call("copy", &[I32(0x1000), I32(0x800), I32(4)])
            .unwrap_err();
        assert_eq!(
            t.kind,
            TrapKind::OutOfBounds {
                addr: 0x800,
                size: 4
            }
        );
    });
}

#[test]
fn atomics() {
    let mut b = Builder::new();
    b.memory = Some(".memory data_end 0x1100 heap 0 stack 0x1000");
    // rmw on a 32-bit cell initialised to `init`; returns old | new << 32.
    for (name, kind) in [
        ("xchg", 2),
        ("add", 2 | 1 << 2),
        ("sub", 2 | 2 << 2),
        ("and", 2 | 3 << 2),
        ("or", 2 | 4 << 2),
        ("xor", 2 | 5 << 2),
        ("nand", 2 | 6 << 2),
        ("max_s", 2 | 7 << 2),
        ("min_s", 2 | 8 << 2),
        ("max_u", 2 | 9 << 2),
        ("min_u", 2 | 10 << 2),
        ("add8", 1 << 2),
        ("add64", 3 | 1 << 2),
    ] {
        let body = format!(
            "const32 r2, 0x1010\natomic.store r2, r0, 3\natomic.rmw r3, r2, r1, {kind}\natomic.load r4, r2, 3\ni64.shli r4, r4, 32\ni64.zext32 r3, r3\ni64.or r0, r3, r4\nret r0"
        );
        b.func(name, "(i64, i64) -> i64", 5, &body);
    }
    b.func(
        "cas",
        "(i32, i32) -> i64",
        5,
        "const32 r2, 0x1010\nconst32 r3, 5\natomic.store r2, r3, 2\natomic.cmpxchg r3, r2, r0, r1, 2\natomic.load r4, r2, 2\ni64.shli r4, r4, 32\ni64.zext32 r3, r3\ni64.or r0, r3, r4\nfence\nret r0",
    );
    b.func(
        "load_at",
        "(ptr) -> i64",
        1,
        "atomic.load r0, r0, 2\nret r0",
    );
    b.func(
        "load16_at",
        "(ptr) -> i64",
        1,
        "atomic.load r0, r0, 1\nret r0",
    );
    let pack = |old: u32, new: u32| I64(((new as u64) << 32 | old as u64) as i64);
    let r = |n: &'static str, init: i64, v: i64, old: u32, new: u32| {
        (n, vec![I64(init), I64(v)], pack(old, new))
    };
    run_cases(
        &b,
        &[
            r("xchg", 5, 9, 5, 9),
            r("add", 0xffff_ffff, 2, 0xffff_ffff, 1),
            r("sub", 0, 1, 0, 0xffff_ffff),
            r("and", 0b1100, 0b1010, 0b1100, 0b1000),
            r("or", 0b1100, 0b1010, 0b1100, 0b1110),
            r("xor", 0b1100, 0b1010, 0b1100, 0b0110),
            r("nand", 0b1100, 0b1010, 0b1100, !0b1000),
            r("max_s", -1, 1, 0xffff_ffff, 1),
            r("min_s", -1, 1, 0xffff_ffff, 0xffff_ffff),
            r("max_u", -1, 1, 0xffff_ffff, 0xffff_ffff),
            r("min_u", -1, 1, 0xffff_ffff, 1),
            // 8-bit add wraps inside its byte; the old value is zero-extended
            r("add8", 0xff, 1, 0xff, 0),
            ("cas", vec![I32(5), I32(7)], pack(5, 7)),
            ("cas", vec![I32(4), I32(7)], pack(5, 5)),
        ],
    );
    with_instance(&b, |inst| {
        // 64-bit rmw: old 2^32+1, add 2^32 -> new 2^33+1; low halves packed.
        let v = inst
            .call("add64", &[I64((1 << 32) | 1), I64(1 << 32)])
            .unwrap();
        assert_eq!(v, Some(I64(((1u64 << 32) | 1) as i64)));
        let t = inst.call("load_at", &[I32(0x1012)]).unwrap_err();
        assert_eq!(
            t.kind,
            TrapKind::MisalignedAtomic {
                addr: 0x1012,
                size: 4
            }
        );
        assert!(t.to_string().contains("misaligned atomic"), "{t}");
        assert_eq!(
            inst.call("load16_at", &[I32(0x1012)]).unwrap(),
            Some(I64(0))
        );
        let t = inst.call("load_at", &[I32(0x800)]).unwrap_err();
        assert_eq!(
            t.kind,
            TrapKind::OutOfBounds {
                addr: 0x800,
                size: 4
            }
        );
    });
}

#[test]
fn frames_alloca_and_stack_save_restore() {
    let mut b = Builder::new();
    b.memory = Some(".memory data_end 0x1100 heap 0 stack 0x1000");
    // frame.addr within the aligned frame; write and read back
    b.func(
        "frame",
        "(i64) -> i64",
        2,
        "frame.addr r1, 8\nst64 r1, r0, 0\nld64 r0, r1, 0\nret r0",
    );
    // alloca n bytes aligned 64, twice: second pointer is below the first
    b.func(
        "alloca",
        "(i32) -> i32",
        4,
        "alloca r1, r0, 64\nalloca r2, r0, 64\ni32.andi r3, r2, 63\nbr.nei.i32 r3, 0, bad\ni32.sub r0, r1, r2\nret r0\nbad:\nconst32 r0, -1\nret r0",
    );
    // save, alloca, restore: the next alloca reuses the same address
    b.func(
        "save_restore",
        "(i32) -> i32",
        4,
        "stack.save r1\nalloca r2, r0, 8\nstack.restore r1\nalloca r3, r0, 8\ni32.sub r0, r2, r3\nret r0",
    );
    b.func(
        "bad_restore",
        "(i32) -> i32",
        2,
        "stack.restore r0\nconst32 r0, 0\nret r0",
    );
    b.func("huge_alloca", "(i32) -> i32", 2, "alloca r0, r0, 8\nret r0");
    run_cases(
        &b,
        &[
            (
                "frame",
                vec![I64(0x0102_0304_0506_0708)],
                I64(0x0102_0304_0506_0708),
            ),
            ("alloca", vec![I32(100)], I32(128)),
            ("save_restore", vec![I32(24)], I32(0)),
        ],
    );
    with_instance(&b, |inst| {
        let t = inst.call("bad_restore", &[I32(0x1000)]).unwrap_err();
        assert_eq!(t.kind, TrapKind::BadStackRestore { addr: 0x1000 });
        let t = inst.call("huge_alloca", &[I32(0x10_0000)]).unwrap_err();
        assert!(matches!(t.kind, TrapKind::StackOverflow(_)), "{t}");
        assert_eq!(
            t.to_string().lines().next().unwrap(),
            "stack overflow: shadow stack exhausted in `huge_alloca` (f4) at offset 0x0"
        );
        // the stack is fully released after a trap
        assert_eq!(inst.call("save_restore", &[I32(24)]).unwrap(), Some(I32(0)));
    });
}
