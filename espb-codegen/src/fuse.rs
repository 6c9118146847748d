//! Peephole fusion: adjacent instruction pairs (and one kind of triple) that
//! the benchmarks execute most often (`benches/profile/opcode-pairs.sh`)
//! become one fused instruction, which the interpreter dispatches once. A
//! fused instruction does exactly what its parts do, in order (it writes
//! every result), so no liveness is needed; parts are only fused when no
//! branch lands between them.
//!
//! | pair | fused |
//! |---|---|
//! | `mov d1, s1; mov d2, s2` | `mov2 d1, s1, d2, s2` |
//! | `i32.shli t, i, k; i32.add d, a, t` (a ≠ t) | `i32.shladd d, t, a, i, k` |
//! | `i32.add t, a, b; ld8_u d, t, off` | `ld8_u.add d, t, a, b, off` |
//! | `i32.add t, a, b; ld32_u d, t, off` | `ld32_u.add d, t, a, b, off` |
//! | `i32.shli t, i, k; ld32_u d, t, off` | `ld32_u.shl d, t, i, k, off` |
//! | `const32 t, v; i32.rotl d, a, t` | `i32.rotl.c d, t, a, v` |
//! | `const32 t, v; st8 p, t, off` (p ≠ t) | `st8.c t, p, v, off` |
//! | `ld32_u t, p, off; i32.mul d, t, b` (or `b, t`) | `ld32_u.mul d, t, p, b, off` |
//! | `i32.shr_ui t, a, k; i32.xor d, t, b` (or `b, t`) | `i32.shr_u.xor d, t, a, b, k` |
//! | `i64.add t, a, b; i64.add d, t, c` (or `c, t`) | `i64.add.add d, t, a, b, c` |
//! | `f64.mul t, a, b; f64.mul d, t, c` (or `c, t`) | `f64.mul.mul d, t, a, b, c` |
//! | `f64.mul t, a, b; f64.add d, c, t` (or `t, c`) | `f64.mul.add d, t, a, b, c` |
//! | `ld64 t, p, off; f64.sub d, a, t` | `f64.sub.ld d, t, a, p, off` |
//! | `ld64 t, p, off; f64.sub d, t, x; st64 p, d, off` (p ≠ t, d) | `f64.sub.rmw d, t, p, x, off` |
//! | `ld64 t, p, off; f64.add d, x, t` (or `t, x`)`; st64 p, d, off` (p ≠ t, d) | `f64.add.rmw d, t, p, x, off` |
//! | `ld8_u d1, p1, o1; ld8_u d2, p2, o2` | `ld8_u.2 d1, p1, o1, d2, p2, o2` |
//! | `st8 p1, s1, o1; st8 p2, s2, o2` | `st8.2 p1, s1, o1, p2, s2, o2` |
//! | `i32.shli t, a, k; i32.andi d, t, m` | `i32.shl.andi d, t, a, k, m` |
//! | `i32.lt_si c, x, k; select d, c, a, b` | `select.lt_si d, c, x, k, a, b` |
//! | `i32.add t, a, b; const32 c, v; st8 t, c, off` (t ≠ c) | `st8.c.add t, c, a, b, v, off` |
//! | `ld32_u t, p, off; i32.add d, x, t` (or `t, x`)`; st32 p, d, off` (p ≠ t, d) | `i32.add.rmw d, t, p, x, off` |
//! | `ld32_u.mul m, u, p, b, po; i32.add.rmw d, t, q, m, qo` (second pass) | `i32.mac.rmw m, u, p, b, po, d, t, q, qo` |
//! | `i32.addi d, a, k; br.ne.i32 d, b, L` (or `b, d`) | `i32.addi.br_ne d, a, k, b, L` |
//! | `i32.addi d, a, k; br.nei.i32 d, n, L` | `i32.addi.br_nei d, a, k, n, L` |
//! | `i32.addi d, a, k; br.lt_u.i32 d, b, L` | `i32.addi.br_lt_u d, a, k, b, L` |
//! | `i32.add d, a, b; br.lt_ui.i32 d, n, L` | `i32.add.br_lt_ui d, a, b, n, L` |
//! | `i32.shl.andi t, tmp, x, s, m; i32.xori u, t, p; i32.sext8 d, x` (or `sext16`)`; select.lt_si d, d, d, 0, u, t` (second pass) | `i32.crc_step d, tmp, t, u, x, s, 7` (or 15)`, m, p` |
//! | the `i32.crc_step` quad with `u` (and `tmp` unless it is `t` or `d`) dead after it, the sign extension reading any `y` (not `u`, nor `tmp` unless it is `t`), `d` not `t` (second pass) | `i32.crc_step_t d, t, x, y, s, 7` (or 15)`, m, p` |
//! | `i32.shr_ui t, a, k; i32.xori u, t, p; select d, c, u, t` (or `c, t, u`) | `i32.crc_step_r d, t, u, a, c, k, 0` (or 1)`, p` |
//! | `i32.shli d, c, 31; i32.shr_si d, d, 31` right after an i32 compare wrote `c` (0 or 1) | `i32.rsubi d, c, 0` (`-c`): the shifted value is overwritten at once |
//! | `ld16_u d, p, off; i32.sext16 d, d` (or `ld8_u`, `i32.sext8`) | `ld16_s d, p, off` (or `ld8_s`): the zero-extended value is overwritten at once |

use espb_format::{Instr, Opcode, Operand};

/// Of two operands one of which is `known` (the first part's result), the
/// other one (`known` itself when both are).
fn other(a: u8, b: u8, known: u8) -> u8 {
    if a == known {
        b
    } else {
        a
    }
}

/// The fused form of `first; second`, if there is one.
fn fuse_pair(first: &Instr, second: &Instr) -> Option<Instr> {
    Some(match (first.clone(), second.clone()) {
        (
            Instr::Mov {
                dst: dst1,
                src: src1,
            },
            Instr::Mov {
                dst: dst2,
                src: src2,
            },
        ) => Instr::Mov2 {
            dst1,
            src1,
            dst2,
            src2,
        },
        (
            Instr::I32ShlI {
                dst: tmp,
                a: index,
                imm,
            },
            Instr::I32Add { dst, a, b },
        ) if (0..32).contains(&imm) && (a == tmp) != (b == tmp) => Instr::I32ShlAdd {
            dst,
            tmp,
            a: other(a, b, tmp),
            index,
            shift: imm as u8,
        },
        (Instr::I32Add { dst: tmp, a, b }, Instr::Load8U { dst, addr, offset }) if addr == tmp => {
            Instr::Load8UAdd {
                dst,
                tmp,
                a,
                b,
                offset,
            }
        }
        (Instr::I32Add { dst: tmp, a, b }, Instr::Load32U { dst, addr, offset }) if addr == tmp => {
            Instr::Load32UAdd {
                dst,
                tmp,
                a,
                b,
                offset,
            }
        }
        (
            Instr::I32ShlI {
                dst: tmp,
                a: index,
                imm,
            },
            Instr::Load32U { dst, addr, offset },
        ) if addr == tmp && (0..32).contains(&imm) => Instr::Load32UShl {
            dst,
            tmp,
            index,
            shift: imm as u8,
            offset,
        },
        // A narrow load sign-extended in place: the sign-extending load
        // (its i64 result has the low word the i32 extension has; the
        // zero-extended value is overwritten before anything reads it).
        (
            Instr::Load16U {
                dst: t,
                addr,
                offset,
            },
            Instr::I32Sext16 { dst, a },
        ) if a == t && dst == t => Instr::Load16S { dst, addr, offset },
        (
            Instr::Load8U {
                dst: t,
                addr,
                offset,
            },
            Instr::I32Sext8 { dst, a },
        ) if a == t && dst == t => Instr::Load8S { dst, addr, offset },
        (Instr::Const32 { dst: tmp, value }, Instr::I32Rotl { dst, a, b }) if b == tmp => {
            Instr::I32RotlC { dst, tmp, a, value }
        }
        (Instr::Const32 { dst: tmp, value }, Instr::Store8 { addr, src, offset })
            if src == tmp && addr != tmp =>
        {
            Instr::Store8C {
                tmp,
                addr,
                value,
                offset,
            }
        }
        (
            Instr::Load32U {
                dst: tmp,
                addr,
                offset,
            },
            Instr::I32Mul { dst, a, b },
        ) if a == tmp || b == tmp => {
            // `b` is read after `tmp` is written, as in the pair.
            Instr::Load32UMul {
                dst,
                tmp,
                addr,
                b: other(a, b, tmp),
                offset,
            }
        }
        (Instr::I32ShrUI { dst: tmp, a, imm }, Instr::I32Xor { dst, a: x, b: y })
            if x == tmp || y == tmp =>
        {
            Instr::I32ShrUXor {
                dst,
                tmp,
                a,
                b: other(x, y, tmp),
                shift: imm,
            }
        }
        (Instr::I64Add { dst: tmp, a, b }, Instr::I64Add { dst, a: x, b: y })
            if x == tmp || y == tmp =>
        {
            // Integer addition commutes: `t + c` and `c + t` are the same.
            Instr::I64AddAdd {
                dst,
                tmp,
                a,
                b,
                c: other(x, y, tmp),
            }
        }
        // LLVM itself commutes `fmul`/`fadd` operands, so either order fuses.
        (Instr::F64Mul { dst: tmp, a, b }, Instr::F64Mul { dst, a: x, b: y })
            if x == tmp || y == tmp =>
        {
            Instr::F64MulMul {
                dst,
                tmp,
                a,
                b,
                c: other(x, y, tmp),
            }
        }
        (Instr::F64Mul { dst: tmp, a, b }, Instr::F64Add { dst, a: x, b: y })
            if x == tmp || y == tmp =>
        {
            Instr::F64MulAdd {
                dst,
                tmp,
                a,
                b,
                c: other(x, y, tmp),
            }
        }
        (
            Instr::Load64 {
                dst: tmp,
                addr,
                offset,
            },
            Instr::F64Sub { dst, a, b },
        ) if b == tmp => Instr::F64SubLd {
            dst,
            tmp,
            a,
            addr,
            offset,
        },
        (
            Instr::Load8U {
                dst: dst1,
                addr: addr1,
                offset: offset1,
            },
            Instr::Load8U {
                dst: dst2,
                addr: addr2,
                offset: offset2,
            },
        ) => Instr::Load8U2 {
            dst1,
            addr1,
            offset1,
            dst2,
            addr2,
            offset2,
        },
        (
            Instr::Store8 {
                addr: addr1,
                src: src1,
                offset: offset1,
            },
            Instr::Store8 {
                addr: addr2,
                src: src2,
                offset: offset2,
            },
        ) => Instr::Store8x2 {
            addr1,
            src1,
            offset1,
            addr2,
            src2,
            offset2,
        },
        (
            Instr::I32ShlI { dst: tmp, a, imm },
            Instr::I32AndI {
                dst,
                a: x,
                imm: mask,
            },
        ) if x == tmp && (0..32).contains(&imm) => Instr::I32ShlAndI {
            dst,
            tmp,
            a,
            shift: imm as u8,
            mask,
        },
        (Instr::I32LtSI { dst: c, a: x, imm }, Instr::Select { dst, cond, a, b }) if cond == c => {
            Instr::SelectLtSI {
                dst,
                cond,
                x,
                imm,
                a,
                b,
            }
        }
        (
            Instr::Load32UMul {
                dst: mul,
                tmp: tmp1,
                addr: src,
                b,
                offset: src_offset,
            },
            Instr::I32AddRmw {
                dst,
                tmp: tmp2,
                addr,
                x,
                offset,
            },
        ) if x == mul => Instr::I32MacRmw {
            mul,
            tmp1,
            src,
            b,
            src_offset,
            dst,
            tmp2,
            addr,
            offset,
        },
        // Loop counters. `ne` is symmetric, so `br.ne b, d` fuses too.
        (Instr::I32AddI { dst, a, imm }, Instr::BrNe32 { a: x, b: y, target })
            if x == dst || y == dst =>
        {
            Instr::I32AddIBrNe {
                dst,
                a,
                imm,
                b: other(x, y, dst),
                target,
            }
        }
        (
            Instr::I32AddI { dst, a, imm },
            Instr::BrNeI32 {
                a: x,
                imm: limit,
                target,
            },
        ) if x == dst => Instr::I32AddIBrNeI {
            dst,
            a,
            imm,
            limit,
            target,
        },
        (Instr::I32AddI { dst, a, imm }, Instr::BrLtU32 { a: x, b, target }) if x == dst => {
            Instr::I32AddIBrLtU {
                dst,
                a,
                imm,
                b,
                target,
            }
        }
        (
            Instr::I32Add { dst, a, b },
            Instr::BrLtUI32 {
                a: x,
                imm: limit,
                target,
            },
        ) if x == dst => Instr::I32AddBrLtUI {
            dst,
            a,
            b,
            limit,
            target,
        },
        _ => return None,
    })
}

/// The fused form of `first; second; third`, if there is one: a word or a
/// double in memory updated in place (`*p += x`, `*p -= x`), or a constant
/// byte stored at a sum.
fn fuse_triple(first: &Instr, second: &Instr, third: &Instr) -> Option<Instr> {
    if let (
        &Instr::I32ShrUI { dst: tmp, a, imm },
        &Instr::I32XorI {
            dst: u,
            a: t2,
            imm: poly,
        },
        &Instr::Select {
            dst,
            cond,
            a: x,
            b: y,
        },
    ) = (first, second, third)
    {
        // A step of an LSB-first CRC: the select picks `u` or `tmp`.
        let inv = match (x, y) {
            _ if x == u && y == tmp => 0,
            _ if x == tmp && y == u => 1,
            _ => return None,
        };
        return (t2 == tmp && (0..32).contains(&imm)).then_some(Instr::I32CrcStepR {
            dst,
            tmp,
            u,
            a,
            cond,
            shift: imm as u8,
            inv,
            poly,
        });
    }
    if let (
        &Instr::Load32U {
            dst: tmp,
            addr,
            offset,
        },
        &Instr::I32Add { dst, a, b },
        &Instr::Store32 {
            addr: addr2,
            src,
            offset: offset2,
        },
    ) = (first, second, third)
    {
        // Integer addition commutes: the loaded value may be either operand.
        let exact = addr2 == addr && offset2 == offset && src == dst;
        let apart = addr != tmp && addr != dst;
        return (exact && apart && (a == tmp || b == tmp)).then_some(Instr::I32AddRmw {
            dst,
            tmp,
            addr,
            x: other(a, b, tmp),
            offset,
        });
    }
    if let (
        &Instr::I32Add { dst: tmp, a, b },
        &Instr::Const32 { dst: c, value },
        &Instr::Store8 { addr, src, offset },
    ) = (first, second, third)
    {
        return (addr == tmp && src == c && c != tmp).then_some(Instr::Store8CAdd {
            tmp,
            c,
            a,
            b,
            value,
            offset,
        });
    }
    let (
        &Instr::Load64 {
            dst: tmp,
            addr,
            offset,
        },
        &Instr::Store64 {
            addr: addr2,
            src,
            offset: offset2,
        },
    ) = (first, third)
    else {
        return None;
    };
    if addr2 != addr || offset2 != offset || addr == tmp {
        return None;
    }
    let fused = match *second {
        Instr::F64Sub { dst, a, b: x } if a == tmp => Instr::F64SubRmw {
            dst,
            tmp,
            addr,
            x,
            offset,
        },
        Instr::F64Add { dst, a, b } if a == tmp || b == tmp => Instr::F64AddRmw {
            dst,
            tmp,
            addr,
            x: other(a, b, tmp),
            offset,
        },
        _ => return None,
    };
    let dst = match fused {
        Instr::F64SubRmw { dst, .. } | Instr::F64AddRmw { dst, .. } => dst,
        _ => return None,
    };
    (dst == src && dst != addr).then_some(fused)
}

/// The fused form of four instructions, if there is one: a step of a
/// bit-wise MSB-first CRC (`crc & top ? (crc << 1) ^ poly : crc << 1`), after
/// the first pass made `i32.shl.andi` and `select.lt_si` of its parts. The
/// sign extension and the select write only `d` (its condition and value are
/// `d` itself), so the fused form writes what the parts write.
fn fuse_quad(first: &Instr, second: &Instr, third: &Instr, fourth: &Instr) -> Option<Instr> {
    let (
        &Instr::I32ShlAndI {
            dst: t,
            tmp,
            a: x,
            shift,
            mask,
        },
        &Instr::I32XorI {
            dst: u,
            a: t2,
            imm: poly,
        },
        &Instr::SelectLtSI {
            dst,
            cond,
            x: s2,
            imm: 0,
            a,
            b,
        },
    ) = (first, second, fourth)
    else {
        return None;
    };
    let (s, x2, bit) = match *third {
        Instr::I32Sext8 { dst, a } => (dst, a, 7),
        Instr::I32Sext16 { dst, a } => (dst, a, 15),
        _ => return None,
    };
    let shape = t2 == t && x2 == x && s == dst && cond == dst && s2 == dst && a == u && b == t;
    shape.then_some(Instr::I32CrcStep {
        dst,
        tmp,
        t,
        u,
        x,
        shift,
        bit,
        mask,
        poly,
    })
}

/// The `i32.crc_step` quad as `i32.crc_step_t`, which writes only `t` and
/// `d`, with the registers that must be dead after it for that to be the
/// same (`dead_after`): `u`, and `tmp` unless the step's own results
/// overwrite it. The sign extension may read another register than the
/// shifted one (the step after `crc ^= byte`), but not one it would read
/// with a value only the dropped writes give it.
fn crc_step_t(
    first: &Instr,
    second: &Instr,
    third: &Instr,
    fourth: &Instr,
) -> Option<(Instr, [Option<u8>; 2])> {
    let (
        &Instr::I32ShlAndI {
            dst: t,
            tmp,
            a: x,
            shift,
            mask,
        },
        &Instr::I32XorI {
            dst: u,
            a: t2,
            imm: poly,
        },
        &Instr::SelectLtSI {
            dst,
            cond,
            x: s2,
            imm: 0,
            a,
            b,
        },
    ) = (first, second, fourth)
    else {
        return None;
    };
    let (s, y, bit) = match *third {
        Instr::I32Sext8 { dst, a } => (dst, a, 7),
        Instr::I32Sext16 { dst, a } => (dst, a, 15),
        _ => return None,
    };
    let shape = t2 == t && s == dst && cond == dst && s2 == dst && a == u && b == t;
    let apart = dst != t && dst != u && t != u && y != u && (tmp == t || y != tmp);
    if !(shape && apart) {
        return None;
    }
    let tmp_dead = (tmp != t && tmp != dst).then_some(tmp);
    Some((
        Instr::I32CrcStepT {
            dst,
            t,
            x,
            y,
            shift,
            bit,
            mask,
            poly,
        },
        [Some(u), tmp_dead],
    ))
}

/// Whether `ins` writes 0 or 1 to register `r` (an i32 comparison).
fn writes_bool(ins: &Instr, r: u8) -> bool {
    use Instr::*;
    match *ins {
        I32Eq { dst, .. }
        | I32Ne { dst, .. }
        | I32LtS { dst, .. }
        | I32LtU { dst, .. }
        | I32LeS { dst, .. }
        | I32LeU { dst, .. }
        | I32GtS { dst, .. }
        | I32GtU { dst, .. }
        | I32GeS { dst, .. }
        | I32GeU { dst, .. }
        | I32Eqz { dst, .. }
        | I32EqI { dst, .. }
        | I32NeI { dst, .. }
        | I32LtSI { dst, .. }
        | I32LtUI { dst, .. }
        | I32GtSI { dst, .. }
        | I32GtUI { dst, .. } => dst == r,
        _ => false,
    }
}

/// `i32.shli d, c, 31; i32.shr_si d, d, 31` (`c` is 0 or 1, written by the
/// instruction before): `-c`, one instruction.
fn negate_bool(prev: Option<&Instr>, first: &Instr, second: &Instr) -> Option<Instr> {
    match (first, second) {
        (
            &Instr::I32ShlI {
                dst: t,
                a: c,
                imm: 31,
            },
            &Instr::I32ShrSI {
                dst,
                a: t2,
                imm: 31,
            },
        ) if t == dst && t2 == t && prev.is_some_and(|p| writes_bool(p, c)) => {
            Some(Instr::I32SubIFrom { dst, a: c, imm: 0 })
        }
        _ => None,
    }
}

/// Whether register `r` is dead at instruction `from` of `code`: written
/// before it is read, in straight-line code of the same block. Anything
/// else (a read, a block start, a branch, a call, the end) counts as live.
fn dead_after<L>(code: &[(Instr, L)], is_start: &[bool], from: usize, r: u8) -> bool {
    for (i, (ins, _)) in code.iter().enumerate().skip(from) {
        if is_start.get(i).copied().unwrap_or(true) {
            return false;
        }
        let mut writes = false;
        for o in ins.operands() {
            match o {
                Operand::Reg(x) if x == r => return false,
                Operand::Dst(x) if x == r => writes = true,
                Operand::Base(_) | Operand::Tgt(_) | Operand::Tbl(_) => return false,
                _ => {}
            }
        }
        if writes {
            return true;
        }
        if matches!(
            ins.opcode(),
            Opcode::Ret | Opcode::RetVoid | Opcode::Unreachable | Opcode::Trap
        ) {
            return false;
        }
    }
    false
}

/// Fuses adjacent pairs in `out` (the emitter's instructions in layout
/// order, each with its source location). `starts[b]` is the index in `out`
/// where block `b` begins (`usize::MAX`: not laid out; `out.len()`: at the
/// end); the second half of a fused pair never begins a block, and `starts`
/// is renumbered to the new indices. A fused instruction keeps the first
/// part's location. Branch targets are opaque here (the emitter's block
/// ids): a fused branch keeps its second part's target.
pub(crate) fn fuse<L: Copy>(out: &mut Vec<(Instr, L)>, starts: &mut [usize]) {
    // The second pass fuses fused instructions (`ld32_u.mul` + `i32.add.rmw`).
    fuse_once(out, starts);
    fuse_once(out, starts);
}

fn fuse_once<L: Copy>(out: &mut Vec<(Instr, L)>, starts: &mut [usize]) {
    let n = out.len();
    let mut is_start = vec![false; n + 1];
    for &s in starts.iter() {
        if s <= n {
            is_start[s] = true;
        }
    }
    let old = std::mem::take(out);
    let mut new_index = vec![0usize; n + 1];
    let mut k = 0;
    while k < n {
        let (a, loc) = &old[k];
        let next = |j: usize| old.get(k + j).filter(|_| !is_start[k + j]).map(|(i, _)| i);
        // A pair does not take the first part of a triple that starts at
        // the next instruction (a triple saves two dispatches).
        // The triple starting at `x` (instruction `j - 1`), if any.
        let triple_from = |x: &Instr, j: usize| match (next(j), next(j + 1)) {
            (Some(y), Some(z)) => fuse_triple(x, y, z),
            _ => None,
        };
        let quad = match (next(1), next(2), next(3)) {
            (Some(b), Some(c), Some(d)) => crc_step_t(a, b, c, d)
                .filter(|(_, dead)| {
                    dead.iter()
                        .flatten()
                        .all(|&r| dead_after(&old, &is_start, k + 4, r))
                })
                .map(|(i, _)| i)
                .or_else(|| fuse_quad(a, b, c, d)),
            _ => None,
        };
        // The instruction before `a` runs right before it unless `a`
        // begins a block.
        let prev = (k > 0 && !is_start[k]).then(|| &old[k - 1].0);
        let (fused, parts) = match (quad, triple_from(a, 1), next(1)) {
            (Some(q), _, _) => (Some(q), 4),
            (None, Some(t), _) => (Some(t), 3),
            (None, None, Some(b)) if triple_from(b, 2).is_none() => {
                (negate_bool(prev, a, b).or_else(|| fuse_pair(a, b)), 2)
            }
            _ => (None, 1),
        };
        let parts = if fused.is_some() { parts } else { 1 };
        for j in 0..parts {
            new_index[k + j] = out.len();
        }
        out.push((fused.unwrap_or_else(|| a.clone()), *loc));
        k += parts;
    }
    new_index[n] = out.len();
    for s in starts.iter_mut() {
        if *s <= n {
            *s = new_index[*s];
        }
    }
}

#[cfg(test)]
mod tests;

#[cfg(test)]
mod const_tests;
