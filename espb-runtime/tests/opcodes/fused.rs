//! Fused and extended instructions: float kernels, in-place updates,
//! multiply-accumulate, byte pairs and branch-free forms.

use super::*;

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
