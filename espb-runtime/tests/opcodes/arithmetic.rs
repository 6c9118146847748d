//! Integer and floating-point arithmetic, comparisons and conversions.

use super::*;

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
