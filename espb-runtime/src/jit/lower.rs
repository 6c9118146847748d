//! What the backend compiles: each bytecode instruction as a short list of
//! primitive instructions (a fused instruction becomes the parts it is
//! documented to be, in order), and what each primitive reads and writes.
//!
//! Register slots are untyped 64-bit values, but every reader of an
//! i32/f32/ptr ignores the high half (`docs/format.md`). A register whose
//! every read is such a *narrow* read lives in one machine register; the
//! others (i64/f64 reads, 64-bit stores, calls passing an i64) need both
//! halves.

use alloc::vec::Vec;

use espb_format::{FuncType, Instr, Module, Opcode as O, ValType};

/// One primitive instruction of the body, located at the bytecode
/// instruction it came from.
#[derive(Debug, Clone)]
pub struct Step {
    /// Offset of the bytecode instruction (traps and calls report it).
    pub off: u32,
    /// The bytecode instruction's length (for the first part).
    pub len: u32,
    /// The first part of its bytecode instruction (branches land here).
    pub first: bool,
    pub ins: Instr,
}

/// How a register operand is read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Width {
    /// Only the low 32 bits matter.
    Narrow,
    /// All 64 bits.
    Wide,
    /// As wide as the destination register `dst` is (moves, selects).
    Like(u8),
}

/// A register operand of a primitive.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Use {
    Read(u8, Width),
    Write(u8),
    /// A call: every register from this one up may change.
    ClobberFrom(u8),
}

/// The parts of `ins`, in order (a non-fused instruction is its own part).
pub fn parts(ins: Instr) -> Vec<Instr> {
    use Instr::*;
    match ins {
        Mov2 {
            dst1,
            src1,
            dst2,
            src2,
        } => [
            Mov {
                dst: dst1,
                src: src1,
            },
            Mov {
                dst: dst2,
                src: src2,
            },
        ]
        .to_vec(),
        I32ShlAdd {
            dst,
            tmp,
            a,
            index,
            shift,
        } => [
            I32ShlI {
                dst: tmp,
                a: index,
                imm: shift as i32,
            },
            I32Add { dst, a, b: tmp },
        ]
        .to_vec(),
        Load8UAdd {
            dst,
            tmp,
            a,
            b,
            offset,
        } => [
            I32Add { dst: tmp, a, b },
            Load8U {
                dst,
                addr: tmp,
                offset,
            },
        ]
        .to_vec(),
        Load32UAdd {
            dst,
            tmp,
            a,
            b,
            offset,
        } => [
            I32Add { dst: tmp, a, b },
            Load32U {
                dst,
                addr: tmp,
                offset,
            },
        ]
        .to_vec(),
        Load32UShl {
            dst,
            tmp,
            index,
            shift,
            offset,
        } => [
            I32ShlI {
                dst: tmp,
                a: index,
                imm: shift as i32,
            },
            Load32U {
                dst,
                addr: tmp,
                offset,
            },
        ]
        .to_vec(),
        I32RotlC { dst, tmp, a, value } => {
            [Const32 { dst: tmp, value }, I32Rotl { dst, a, b: tmp }].to_vec()
        }
        Store8C {
            tmp,
            addr,
            value,
            offset,
        } => [
            Const32 { dst: tmp, value },
            Store8 {
                addr,
                src: tmp,
                offset,
            },
        ]
        .to_vec(),
        Load32UMul {
            dst,
            tmp,
            addr,
            b,
            offset,
        } => [
            Load32U {
                dst: tmp,
                addr,
                offset,
            },
            I32Mul { dst, a: tmp, b },
        ]
        .to_vec(),
        I32ShrUXor {
            dst,
            tmp,
            a,
            b,
            shift,
        } => [
            I32ShrUI {
                dst: tmp,
                a,
                imm: shift,
            },
            I32Xor { dst, a: b, b: tmp },
        ]
        .to_vec(),
        I32AddIBrNe {
            dst,
            a,
            imm,
            b,
            target,
        } => [I32AddI { dst, a, imm }, BrNe32 { a: dst, b, target }].to_vec(),
        I32AddIBrNeI {
            dst,
            a,
            imm,
            limit,
            target,
        } => [
            I32AddI { dst, a, imm },
            BrNeI32 {
                a: dst,
                imm: limit,
                target,
            },
        ]
        .to_vec(),
        I32AddIBrLtU {
            dst,
            a,
            imm,
            b,
            target,
        } => [I32AddI { dst, a, imm }, BrLtU32 { a: dst, b, target }].to_vec(),
        I32AddBrLtUI {
            dst,
            a,
            b,
            limit,
            target,
        } => [
            I32Add { dst, a, b },
            BrLtUI32 {
                a: dst,
                imm: limit,
                target,
            },
        ]
        .to_vec(),
        I64AddAdd { dst, tmp, a, b, c } => {
            [I64Add { dst: tmp, a, b }, I64Add { dst, a: tmp, b: c }].to_vec()
        }
        F64MulMul { dst, tmp, a, b, c } => {
            [F64Mul { dst: tmp, a, b }, F64Mul { dst, a: tmp, b: c }].to_vec()
        }
        F64MulAdd { dst, tmp, a, b, c } => {
            [F64Mul { dst: tmp, a, b }, F64Add { dst, a: c, b: tmp }].to_vec()
        }
        F64SubLd {
            dst,
            tmp,
            a,
            addr,
            offset,
        } => [
            Load64 {
                dst: tmp,
                addr,
                offset,
            },
            F64Sub { dst, a, b: tmp },
        ]
        .to_vec(),
        F64SubRmw {
            dst,
            tmp,
            addr,
            x,
            offset,
        } => [
            Load64 {
                dst: tmp,
                addr,
                offset,
            },
            F64Sub { dst, a: tmp, b: x },
            Store64 {
                addr,
                src: dst,
                offset,
            },
        ]
        .to_vec(),
        F64AddRmw {
            dst,
            tmp,
            addr,
            x,
            offset,
        } => [
            Load64 {
                dst: tmp,
                addr,
                offset,
            },
            F64Add { dst, a: x, b: tmp },
            Store64 {
                addr,
                src: dst,
                offset,
            },
        ]
        .to_vec(),
        Load8U2 {
            dst1,
            addr1,
            offset1,
            dst2,
            addr2,
            offset2,
        } => [
            Load8U {
                dst: dst1,
                addr: addr1,
                offset: offset1,
            },
            Load8U {
                dst: dst2,
                addr: addr2,
                offset: offset2,
            },
        ]
        .to_vec(),
        Store8x2 {
            addr1,
            src1,
            offset1,
            addr2,
            src2,
            offset2,
        } => [
            Store8 {
                addr: addr1,
                src: src1,
                offset: offset1,
            },
            Store8 {
                addr: addr2,
                src: src2,
                offset: offset2,
            },
        ]
        .to_vec(),
        I32ShlAndI {
            dst,
            tmp,
            a,
            shift,
            mask,
        } => [
            I32ShlI {
                dst: tmp,
                a,
                imm: shift as i32,
            },
            I32AndI {
                dst,
                a: tmp,
                imm: mask,
            },
        ]
        .to_vec(),
        SelectLtSI {
            dst,
            cond,
            x,
            imm,
            a,
            b,
        } => [
            I32LtSI {
                dst: cond,
                a: x,
                imm,
            },
            Select { dst, cond, a, b },
        ]
        .to_vec(),
        Store8CAdd {
            tmp,
            c,
            a,
            b,
            value,
            offset,
        } => [
            I32Add { dst: tmp, a, b },
            Const32 { dst: c, value },
            Store8 {
                addr: tmp,
                src: c,
                offset,
            },
        ]
        .to_vec(),
        I32AddRmw {
            dst,
            tmp,
            addr,
            x,
            offset,
        } => [
            Load32U {
                dst: tmp,
                addr,
                offset,
            },
            I32Add { dst, a: x, b: tmp },
            Store32 {
                addr,
                src: dst,
                offset,
            },
        ]
        .to_vec(),
        I32MacRmw {
            mul,
            tmp1,
            src,
            b,
            src_offset,
            dst,
            tmp2,
            addr,
            offset,
        } => [
            Load32U {
                dst: tmp1,
                addr: src,
                offset: src_offset,
            },
            I32Mul {
                dst: mul,
                a: tmp1,
                b,
            },
            Load32U {
                dst: tmp2,
                addr,
                offset,
            },
            I32Add {
                dst,
                a: mul,
                b: tmp2,
            },
            Store32 {
                addr,
                src: dst,
                offset,
            },
        ]
        .to_vec(),
        I32CrcStepT {
            dst,
            t,
            x,
            y,
            shift,
            bit,
            mask,
            poly,
        } => [
            I32ShlI {
                dst: t,
                a: x,
                imm: shift as i32,
            },
            I32AndI {
                dst: t,
                a: t,
                imm: mask,
            },
            // All ones if bit `bit` of `y` is set: the polynomial or 0.
            I32ShlI {
                dst,
                a: y,
                imm: (31u32.wrapping_sub(bit as u32) & 31) as i32,
            },
            I32ShrSI {
                dst,
                a: dst,
                imm: 31,
            },
            I32AndI {
                dst,
                a: dst,
                imm: poly,
            },
            I32Xor { dst, a: dst, b: t },
        ]
        .to_vec(),
        I32CrcStepR {
            dst,
            tmp,
            u,
            a,
            cond,
            shift,
            inv,
            poly,
        } => {
            let (x, y) = if inv != 0 { (tmp, u) } else { (u, tmp) };
            [
                I32ShrUI {
                    dst: tmp,
                    a,
                    imm: shift as i32,
                },
                I32XorI {
                    dst: u,
                    a: tmp,
                    imm: poly,
                },
                Select {
                    dst,
                    cond,
                    a: x,
                    b: y,
                },
            ]
            .to_vec()
        }
        I32CrcStep {
            dst,
            tmp,
            t,
            u,
            x,
            shift,
            bit,
            mask,
            poly,
        } => {
            let k = (31u32.wrapping_sub(bit as u32) & 31) as i32;
            let mut v = [
                I32ShlI {
                    dst: tmp,
                    a: x,
                    imm: shift as i32,
                },
                I32AndI {
                    dst: t,
                    a: tmp,
                    imm: mask,
                },
                I32XorI {
                    dst: u,
                    a: t,
                    imm: poly,
                },
            ]
            .to_vec();
            // The sign extension of bit `bit` (one instruction for the
            // usual widths), then `select.lt_si d, d, d, 0, u, t`.
            match bit {
                7 => v.push(I32Sext8 { dst, a: x }),
                15 => v.push(I32Sext16 { dst, a: x }),
                _ => v.extend([
                    I32ShlI { dst, a: x, imm: k },
                    I32ShrSI {
                        dst,
                        a: dst,
                        imm: k,
                    },
                ]),
            }
            v.extend([
                I32LtSI {
                    dst,
                    a: dst,
                    imm: 0,
                },
                Select {
                    dst,
                    cond: dst,
                    a: u,
                    b: t,
                },
            ]);
            v
        }
        other => [other].to_vec(),
    }
}

/// Decodes and splits a validated body. `None` if it does not decode (a
/// validated body always does).
pub fn steps(code: &[u8]) -> Option<Vec<Step>> {
    let mut out = Vec::new();
    let mut pc = 0usize;
    while pc < code.len() {
        let (ins, len) = Instr::decode(code, pc).ok()?;
        for (k, p) in parts(ins).into_iter().enumerate() {
            out.push(Step {
                off: pc as u32,
                len: len as u32,
                first: k == 0,
                ins: p,
            });
        }
        pc += len;
    }
    Some(out)
}

fn width_of(t: ValType) -> Width {
    match t {
        ValType::I64 | ValType::F64 => Width::Wide,
        _ => Width::Narrow,
    }
}

fn type_width(t: &str) -> Width {
    match t {
        "i64" | "f64" => Width::Wide,
        _ => Width::Narrow,
    }
}

/// The signature a call instruction passes its window with, if it is one.
pub fn call_sig<'m>(m: &'m Module<'_>, ins: &Instr) -> Option<(&'m FuncType, u8)> {
    let ty = match *ins {
        Instr::Call { func, base } => (m.functions.get(func as usize)?.ty, base),
        Instr::CallImport { import, base } => (m.imports.get(import as usize)?.ty, base),
        Instr::CallImportVar { ty, base, .. } => (ty, base),
        Instr::CallIndirect { ty, base, .. } => (ty, base),
        _ => return None,
    };
    Some((m.types.get(ty.0 as usize)?, ty.1))
}

/// Calls `f` with every register operand of primitive `ins` (reads before
/// writes). `result` is the running function's result type.
pub fn uses(m: &Module<'_>, ins: &Instr, result: Option<ValType>, f: &mut impl FnMut(Use)) {
    if let Some((sig, base)) = call_sig(m, ins) {
        if let Instr::CallIndirect { callee, .. } = *ins {
            f(Use::Read(callee, Width::Narrow));
        }
        let mut r = base as usize;
        for &p in &sig.params {
            f(Use::Read(r as u8, width_of(p)));
            r += 1;
        }
        if sig.variadic {
            f(Use::Read(r as u8, Width::Narrow));
        }
        f(Use::ClobberFrom(base));
        return;
    }
    let op = ins.opcode();
    match *ins {
        Instr::Mov { dst, src } => {
            f(Use::Read(src, Width::Like(dst)));
            f(Use::Write(dst));
            return;
        }
        Instr::Select { dst, cond, a, b } => {
            f(Use::Read(cond, Width::Narrow));
            f(Use::Read(a, Width::Like(dst)));
            f(Use::Read(b, Width::Like(dst)));
            f(Use::Write(dst));
            return;
        }
        Instr::Ret { src } => {
            f(Use::Read(src, result.map_or(Width::Wide, width_of)));
            return;
        }
        Instr::Store64 { addr, src, .. } => {
            f(Use::Read(addr, Width::Narrow));
            f(Use::Read(src, Width::Wide));
            return;
        }
        Instr::AtomicStore { addr, src, width } => {
            f(Use::Read(addr, Width::Narrow));
            let w = if width == 3 {
                Width::Wide
            } else {
                Width::Narrow
            };
            f(Use::Read(src, w));
            return;
        }
        Instr::AtomicRmw {
            dst,
            addr,
            src,
            kind,
        } => {
            f(Use::Read(addr, Width::Narrow));
            let w = if kind & 3 == 3 {
                Width::Wide
            } else {
                Width::Narrow
            };
            f(Use::Read(src, w));
            f(Use::Write(dst));
            return;
        }
        Instr::AtomicCmpxchg {
            dst,
            addr,
            expected,
            new,
            width,
        } => {
            f(Use::Read(addr, Width::Narrow));
            let w = if width == 3 {
                Width::Wide
            } else {
                Width::Narrow
            };
            f(Use::Read(expected, w));
            f(Use::Read(new, w));
            f(Use::Write(dst));
            return;
        }
        _ => {}
    }
    // The table's types column: register operands read the types before
    // `->` in order, destinations are written.
    let types = op.types();
    let inputs = types.split_once('-').map_or(types, |(i, _)| i);
    let mut ins_types = inputs.split_whitespace();
    let operands = ins.operands();
    let mut writes = Vec::new();
    for o in operands {
        match o {
            espb_format::Operand::Reg(r) => {
                f(Use::Read(r, type_width(ins_types.next().unwrap_or("i64"))))
            }
            espb_format::Operand::Dst(r) => writes.push(r),
            _ => {}
        }
    }
    for r in writes {
        f(Use::Write(r));
    }
}

/// Which registers are read with all 64 bits somewhere in the body.
pub fn wide_registers(m: &Module<'_>, steps: &[Step], result: Option<ValType>) -> [bool; 256] {
    let mut wide = [false; 256];
    let mut like: Vec<(u8, u8)> = Vec::new();
    for s in steps {
        uses(m, &s.ins, result, &mut |u| match u {
            Use::Read(r, Width::Wide) => wide[r as usize] = true,
            Use::Read(r, Width::Like(d)) => like.push((r, d)),
            _ => {}
        });
    }
    // A move into a wide register reads its source wide: to a fixpoint.
    loop {
        let mut changed = false;
        for &(src, dst) in &like {
            if wide[dst as usize] && !wide[src as usize] {
                wide[src as usize] = true;
                changed = true;
            }
        }
        if !changed {
            return wide;
        }
    }
}

/// Whether primitive `ins` is one the backend emits inline (the rest run
/// through the interpreter's handler of that one instruction).
pub fn is_inline(ins: &Instr) -> bool {
    use O::*;
    matches!(
        ins.opcode(),
        Nop | Br
            | BrIf
            | BrIfNot
            | BrTable
            | Ret
            | RetVoid
            | Select
            | Mov
            | Const32
            | Const64
            | FrameAddr
            | FuncAddr
            | ImportAddr
            | BrEq32
            | BrNe32
            | BrLtS32
            | BrLtU32
            | BrLeS32
            | BrLeU32
            | BrEq64
            | BrNe64
            | BrLtS64
            | BrLtU64
            | BrLeS64
            | BrLeU64
            | BrEqI32
            | BrNeI32
            | BrLtSI32
            | BrLtUI32
            | BrGtSI32
            | BrGtUI32
            | BrLeSI32
            | BrLeUI32
            | BrGeSI32
            | BrGeUI32
            | I32Add
            | I32Sub
            | I32Mul
            | I32DivS
            | I32DivU
            | I32RemS
            | I32RemU
            | I32And
            | I32Or
            | I32Xor
            | I32Shl
            | I32ShrS
            | I32ShrU
            | I32Rotl
            | I32Rotr
            | I32Eq
            | I32Ne
            | I32LtS
            | I32LtU
            | I32LeS
            | I32LeU
            | I32GtS
            | I32GtU
            | I32GeS
            | I32GeU
            | I32Eqz
            | I32Sext8
            | I32Sext16
            | I32AddI
            | I32MulI
            | I32AndI
            | I32OrI
            | I32XorI
            | I32ShlI
            | I32ShrSI
            | I32ShrUI
            | I32EqI
            | I32NeI
            | I32LtSI
            | I32LtUI
            | I32GtSI
            | I32GtUI
            | I32SubIFrom
            | I64Add
            | I64Sub
            | I64Mul
            | I64And
            | I64Or
            | I64Xor
            | I64Eq
            | I64Ne
            | I64LtS
            | I64LtU
            | I64LeS
            | I64LeU
            | I64GtS
            | I64GtU
            | I64GeS
            | I64GeU
            | I64Eqz
            | I64Sext32
            | I64Zext32
            | I64AddI
            | I64AndI
            | I64ShlI
            | I64ShrSI
            | I64ShrUI
            | Load8S
            | Load8U
            | Load16S
            | Load16U
            | Load32S
            | Load32U
            | Load64
            | Store8
            | Store16
            | Store32
            | Store64
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every fused opcode of the table is split into parts that are not
    /// fused themselves (a new fused row must be taught to `parts`).
    #[test]
    fn every_fused_instruction_splits_into_plain_parts() {
        let fused = |op: O| {
            let t = op.types();
            let outs = t
                .split("->")
                .nth(1)
                .map_or(0, |o| o.split_whitespace().count());
            outs > 1 || op.operands().contains(&espb_format::OperandKind::Tgt) && outs == 1
        };
        for &op in O::ALL {
            if !fused(op) {
                continue;
            }
            let ops: Vec<espb_format::Operand> = op
                .operands()
                .iter()
                .map(|k| match k {
                    espb_format::OperandKind::Dst => espb_format::Operand::Dst(1),
                    espb_format::OperandKind::Reg => espb_format::Operand::Reg(2),
                    espb_format::OperandKind::U8 => espb_format::Operand::U8(3),
                    espb_format::OperandKind::I32 => espb_format::Operand::I32(4),
                    espb_format::OperandKind::Tgt => espb_format::Operand::Tgt(0),
                    espb_format::OperandKind::I64 => espb_format::Operand::I64(5),
                    espb_format::OperandKind::U32 => espb_format::Operand::U32(6),
                    _ => espb_format::Operand::U32(0),
                })
                .collect();
            let Some(ins) = Instr::from_operands(op, ops) else {
                continue;
            };
            let p = parts(ins);
            assert!(p.len() >= 2, "{op:?} is not split");
            for q in p {
                assert!(
                    !fused(q.opcode()),
                    "{op:?} splits into fused {:?}",
                    q.opcode()
                );
            }
        }
    }
}
