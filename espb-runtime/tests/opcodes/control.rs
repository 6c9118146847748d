//! Branches, calls and the fused loop-counter branches.

use super::*;

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
