//! Tests of the interpreter on hand-assembled modules.

use crate::{Config, Imports, Instance, Module, TrapKind, Value};

/// The fused instructions do what their two parts do, in order
/// (including when a later part reads what an earlier one wrote), on the
/// inline path and the out-of-line (misaligned, out-of-bounds) one.
#[test]
fn fused_instructions() {
    const SRC: &str = r#"
.type (i32, i32) -> i32
.memory data_end 0x1010 heap 0 stack 0x1000
.data 0x1000 "0102030405060708"
.func ty0 regs 8 frame 0 align 0
mov2 r2, r1, r3, r2
i32.shladd r4, r5, r0, r3, 2
ld32_u.add r6, r7, r0, r5, 0
ld8_u.add r1, r7, r7, r3, 1
i32.add r6, r6, r1
i32.add r6, r6, r4
i32.add r6, r6, r7
ret r6
.end
.func ty0 regs 4 frame 0 align 0
ld32_u.add r2, r3, r0, r1, 0
i32.add r2, r2, r3
ret r2
.end
.func ty0 regs 4 frame 0 align 0
ld32_u.shl r2, r1, r1, 2, 0x1000
i32.add r2, r2, r1
ret r2
.end
.func ty0 regs 4 frame 0 align 0
i32.rotl.c r2, r0, r1, 8
i32.rotl.c r3, r0, r0, 4
i32.add r2, r2, r3
ret r2
.end
.func ty0 regs 4 frame 0 align 0
st8.c r2, r0, 0x1ab, 0x1000
ld32_u r3, r0, 0x1000
i32.add r3, r3, r2
ret r3
.end
.func ty0 regs 4 frame 0 align 0
ld32_u.mul r2, r0, r0, r1, 0x1000
i32.shr_u.xor r3, r1, r2, r1, 8
i32.add r3, r3, r1
ret r3
.end
.export "seq" f0
.export "load" f1
.export "shl" f2
.export "rotc" f3
.export "st8c" f4
.export "mulxor" f5
"#;
    let bytes = espb_format::AlignedBytes::from(
        espb_format::text::assemble(SRC)
            .expect("assemble")
            .to_bytes(),
    );
    let m = Module::parse(&bytes).expect("parse");
    let inst = Instance::new(&m, &Imports::new(), Config::default()).expect("instance");
    let call = |f: &str, a: i32, b: i32| inst.call(f, &[Value::I32(a), Value::I32(b)]);
    // r2 = 1, r3 = 1, r5 = 4, r4 = 0x1004, r7 = 0x1004 then 0x1005,
    // r6 = 0x08070605, r1 = mem8[0x1006] = 7.
    let want = 0x0807_0605u32 + 7 + 0x1004 + 0x1005;
    assert_eq!(
        call("seq", 0x1000, 1).unwrap(),
        Some(Value::I32(want as i32))
    );
    // Aligned, misaligned (byte-wise path), out of bounds.
    assert_eq!(
        call("load", 0x1000, 4).unwrap(),
        Some(Value::I32(0x0807_0605 + 0x1004))
    );
    assert_eq!(
        call("load", 0x1000, 1).unwrap(),
        Some(Value::I32(0x0504_0302 + 0x1001))
    );
    // ld32_u.shl: r1 = r1 << 2 (written), r2 = mem32[r1 + 0x1000].
    assert_eq!(
        call("shl", 0, 1).unwrap(),
        Some(Value::I32(0x0807_0605 + 4))
    );
    let t = call("shl", 0, -1024).unwrap_err();
    assert_eq!(
        t.kind,
        TrapKind::OutOfBounds {
            addr: 0x1000u32.wrapping_sub(4096),
            size: 4
        }
    );
    // i32.rotl.c: r0 = 8 (written), r2 = rotl(r1, 8); then r0 = 4 is
    // read back as the rotated operand: rotl(4, 4).
    assert_eq!(
        call("rotc", 0, 0x8000_0001u32 as i32).unwrap(),
        Some(Value::I32(0x180 + 0x40))
    );
    // ld32_u.mul: r0 = mem32[r0 + 0x1000] (written), r2 = r0 * r1;
    // i32.shr_u.xor: r1 = r2 >> 8 (written), r3 = r1 ^ r1 = 0.
    // Then misaligned (slow path) and out of bounds.
    let m = 0x0807_0605u32.wrapping_mul(3);
    assert_eq!(
        call("mulxor", 4, 3).unwrap(),
        Some(Value::I32((m >> 8) as i32))
    );
    let m = 0x0605_0403u32.wrapping_mul(3);
    assert_eq!(
        call("mulxor", 2, 3).unwrap(),
        Some(Value::I32((m >> 8) as i32))
    );
    let t = call("mulxor", -0x1000, 3).unwrap_err();
    assert_eq!(t.kind, TrapKind::OutOfBounds { addr: 0, size: 4 });
    let t = call("load", 0x0ffc, 0).unwrap_err();
    assert_eq!(
        t.kind,
        TrapKind::OutOfBounds {
            addr: 0x0ffc,
            size: 4
        }
    );
    // st8.c (last: it writes memory): r2 = 0x1ab (written),
    // mem8[r0 + 0x1000] = 0xab; out of bounds traps.
    assert_eq!(
        call("st8c", 0, 0).unwrap(),
        Some(Value::I32(0x0403_02ab + 0x1ab))
    );
    let t = call("st8c", -0x1000, 0).unwrap_err();
    assert_eq!(t.kind, TrapKind::OutOfBounds { addr: 0, size: 1 });
}

/// Every kind of dispatch (straight-line, branches, module, indirect and
/// host calls, returns, memory) in a loop run on a thread with a small
/// native stack: if a handler's dispatch were a real call instead of a
/// jump (tail dispatch, `cargo test --release`), the stack would grow
/// per instruction and overflow long before the end.
#[test]
fn soft_float_conversions_match_as() {
    use super::conv;
    let ints: Vec<u64> = [
        0u64,
        1,
        2,
        3,
        0x7f,
        0xff,
        0xffff_ffff,
        0x1_0000_0000,
        0x1234_5678_9abc_def0,
        (1 << 53) - 1,
        1 << 53,
        (1 << 53) + 1,
        (1 << 24) + 1,
        i64::MAX as u64,
        1 << 63,
        (1 << 63) + 1,
        (1 << 63) + (1 << 40) + 1,
        u64::MAX - 1,
        u64::MAX,
        0xffff_ffff_ffff_f800,
        0xffff_ff80_0000_0001,
        0x8000_0080_0000_0001,
    ]
    .into_iter()
    .chain((0..64).flat_map(|k| [1u64 << k, (1u64 << k) - 1, (1u64 << k) | 1, !(1u64 << k)]))
    .collect();
    for &x in &ints {
        let y = x as u32;
        assert_eq!(
            conv::f64_of_u32(y).to_bits(),
            (y as f64).to_bits(),
            "{y:#x}"
        );
        assert_eq!(
            conv::f32_of_u32(y).to_bits(),
            (y as f32).to_bits(),
            "{y:#x}"
        );
        assert_eq!(
            conv::f64_of_u64(x).to_bits(),
            (x as f64).to_bits(),
            "{x:#x}"
        );
        assert_eq!(
            conv::f32_of_u64(x).to_bits(),
            (x as f32).to_bits(),
            "{x:#x}"
        );
        assert_eq!(
            conv::f64_of_i64(x as i64).to_bits(),
            (x as i64 as f64).to_bits(),
            "{x:#x}"
        );
        assert_eq!(
            conv::f32_of_i64(x as i64).to_bits(),
            (x as i64 as f32).to_bits(),
            "{x:#x}"
        );
    }
    // Random bit patterns of every length, which exercise the sticky bit
    // and ties at both formats' rounding points.
    let mut r = 0x9e37_79b9_7f4a_7c15u64;
    for i in 0..1_000_000u32 {
        r ^= r << 13;
        r ^= r >> 7;
        r ^= r << 17;
        let x = r >> (i % 64);
        for v in [x, x & !0x3f_ffff_ffff, x | 1 << 40, x & !0x7ff] {
            assert_eq!(
                conv::f64_of_u64(v).to_bits(),
                (v as f64).to_bits(),
                "{v:#x}"
            );
            assert_eq!(
                conv::f32_of_u64(v).to_bits(),
                (v as f32).to_bits(),
                "{v:#x}"
            );
            let s = v as i64;
            assert_eq!(conv::f64_of_i64(s).to_bits(), (s as f64).to_bits(), "{s}");
            assert_eq!(conv::f32_of_i64(s).to_bits(), (s as f32).to_bits(), "{s}");
        }
        // Truncations from random bits: any exponent, then exponents
        // around 2^0 to 2^65 (the shifts and the range edges).
        let near = r & !(0x7ff << 52) | (1020 + (r >> 52) % 70) << 52;
        for f in [f64::from_bits(r), f64::from_bits(near)] {
            assert_eq!(conv::i64_of_f64(f), f as i64, "{f:e}");
            assert_eq!(conv::u64_of_f64(f), f as u64, "{f:e}");
            assert_eq!(conv::u32_of_f64(f), f as u32, "{f:e}");
            assert_eq!(conv::i32_of_f64(f), f as i32, "{f:e}");
            let g = f as f32;
            assert_eq!(conv::i32_of_f32(g), g as i32, "{g:e}");
        }
    }
    let floats: Vec<f64> = [
        0.0,
        -0.0,
        0.5,
        -0.5,
        0.999,
        -0.999,
        1.0,
        -1.0,
        1.5,
        4294967295.0,
        4294967295.5,
        4294967296.0,
        -4294967296.0,
        9.2e18,
        9223372036854775807.0,
        9223372036854775808.0,
        9223372036854777856.0,
        18_446_744_073_709_549_568.0,
        18446744073709551616.0,
        1e30,
        -1e30,
        f64::MAX,
        f64::MIN,
        f64::INFINITY,
        f64::NEG_INFINITY,
        f64::NAN,
        -f64::NAN,
        f64::MIN_POSITIVE,
        123456789.75,
    ]
    .into_iter()
    .chain((0..70).map(|k| 2f64.powi(k)))
    .chain((0..70).map(|k| 2f64.powi(k) - 1.0))
    .collect();
    for &x in &floats {
        assert_eq!(conv::u64_of_f64(x), x as u64, "{x}");
        assert_eq!(conv::i64_of_f64(x), x as i64, "{x}");
        assert_eq!(conv::i64_of_f64(-x), -x as i64, "{x}");
        assert_eq!(conv::i32_of_f64(x), x as i32, "{x}");
        assert_eq!(conv::i32_of_f64(-x), -x as i32, "{x}");
        assert_eq!(conv::u32_of_f64(x), x as u32, "{x}");
        let y = x as f32;
        assert_eq!(conv::u64_of_f32(y), y as u64, "{y}");
        assert_eq!(conv::u32_of_f32(y), y as u32, "{y}");
        assert_eq!(conv::i64_of_f32(y), y as i64, "{y}");
        assert_eq!(conv::i64_of_f32(-y), -y as i64, "{y}");
    }
}

#[test]
fn signed_division_through_unsigned_matches_the_signed_operations() {
    let vals = [
        0i64,
        1,
        -1,
        2,
        -2,
        3,
        -3,
        7,
        -7,
        10,
        -10,
        1 << 32,
        -(1 << 32),
        0x1234_5678_9abc_def0,
        -0x1234_5678_9abc_def0,
        i64::MAX,
        i64::MIN,
        i64::MAX - 1,
        i64::MIN + 1,
    ];
    for &a in &vals {
        for &b in &vals {
            assert_eq!(super::div_s64_unsigned(a, b), a.checked_div(b), "{a} / {b}");
            let rem = (b != 0).then(|| a.wrapping_rem(b));
            assert_eq!(super::rem_s64_unsigned(a, b), rem, "{a} % {b}");
        }
    }
}

#[test]
fn native_stack_does_not_grow_per_instruction() {
    const SRC: &str = r#"
.type (i32) -> i32
.type (i32, i32) -> i32
.type (f64) -> f64
.import "fabs" ty2
.memory data_end 0x1000 heap 0 stack 0x10000
.func ty0 regs 8 frame 16 align 3
const32 r1, 0
func.addr r2, f1
loop:
mov r4, r0
mov r5, r1
call.indirect ty1, r2, r4
mov r5, r4
mov r4, r0
call f1, r4
mov r1, r4
frame.addr r3, 0
st32 r3, r1, 0
ld32_u r1, r3, 0
const64 r4, 0
call.import imp0, r4
i32.addi r0, r0, -1
br.nei.i32 r0, 0, loop
ret r1
.end
.func ty1 regs 3 frame 0 align 0
i32.add r2, r0, r1
ret r2
.end
.export "spin" f0
"#;
    let run = || {
        let bytes = espb_format::AlignedBytes::from(
            espb_format::text::assemble(SRC)
                .expect("assemble")
                .to_bytes(),
        );
        let m = Module::parse(&bytes).expect("parse");
        let inst = Instance::new(&m, &Imports::new(), Config::default()).expect("instance");
        let n = 20_000u32;
        let r = inst.call("spin", &[Value::I32(n as i32)]).expect("run");
        // r1 += 2 * i for i = n..1
        let want = (1..=n).fold(0u32, |s, i| s.wrapping_add(2 * i));
        assert_eq!(r, Some(Value::I32(want as i32)));
    };
    std::thread::Builder::new()
        .stack_size(256 * 1024)
        .spawn(run)
        .expect("spawn")
        .join()
        .expect("ran without overflowing its stack");
}
