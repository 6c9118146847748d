//! Emitters of the compiled instructions: arithmetic, comparisons, branches,
//! 64-bit operations on register pairs, and the dispatch over `Instr`.

use super::*;

impl Emitter<'_, '_> {
    /// Emits step `i`.
    pub(super) fn step(&mut self, i: usize) {
        use Instr::*;
        let ins = self.steps[i].ins.clone();
        self.narrow_now = narrow_result(&ins);
        if let Call { func, base } = ins {
            self.stats.helper += 1;
            self.call(i, func, base);
            return;
        }
        if !lower::is_inline(&ins) && crate::interp::pure_fn(ins.opcode()).is_some() {
            self.stats.helper += 1;
            self.pure(&ins);
            return;
        }
        if !lower::is_inline(&ins) {
            self.stats.helper += 1;
            self.helper_step(i);
            if ins.is_terminator() {
                // `unreachable`/`trap` always trap.
                let te = self.trap_exit;
                self.jump(te);
            }
            return;
        }
        self.stats.inline += 1;
        match ins {
            Nop {} => {}
            Br { target } => {
                let l = self.edge(i, target);
                self.jump(l);
            }
            BrIf { cond, target } => {
                let c = self.lo(cond, T0);
                let l = self.edge(i, target);
                self.branch(Cond::Ne, c, ZERO, l);
            }
            BrIfNot { cond, target } => {
                let c = self.lo(cond, T0);
                let l = self.edge(i, target);
                self.branch(Cond::Eq, c, ZERO, l);
            }
            BrEq32 { a, b, target } => self.br2(i, Cond::Eq, a, b, false, target),
            BrNe32 { a, b, target } => self.br2(i, Cond::Ne, a, b, false, target),
            BrLtS32 { a, b, target } => self.br2(i, Cond::Lt, a, b, false, target),
            BrLtU32 { a, b, target } => self.br2(i, Cond::Ltu, a, b, false, target),
            BrLeS32 { a, b, target } => self.br2(i, Cond::Ge, b, a, false, target),
            BrLeU32 { a, b, target } => self.br2(i, Cond::Geu, b, a, false, target),
            BrEqI32 { a, imm, target } => self.bri(i, Cond::Eq, a, imm, false, target),
            BrNeI32 { a, imm, target } => self.bri(i, Cond::Ne, a, imm, false, target),
            BrLtSI32 { a, imm, target } => self.bri(i, Cond::Lt, a, imm, false, target),
            BrLtUI32 { a, imm, target } => self.bri(i, Cond::Ltu, a, imm, false, target),
            BrGtSI32 { a, imm, target } => self.bri(i, Cond::Lt, a, imm, true, target),
            BrGtUI32 { a, imm, target } => self.bri(i, Cond::Ltu, a, imm, true, target),
            BrLeSI32 { a, imm, target } => self.bri(i, Cond::Ge, a, imm, true, target),
            BrLeUI32 { a, imm, target } => self.bri(i, Cond::Geu, a, imm, true, target),
            BrGeSI32 { a, imm, target } => self.bri(i, Cond::Ge, a, imm, false, target),
            BrGeUI32 { a, imm, target } => self.bri(i, Cond::Geu, a, imm, false, target),
            BrEq64 { a, b, target } => {
                // t0 = (a == b)
                self.eq64(a, b);
                let l = self.edge(i, target);
                self.branch(Cond::Ne, T0, ZERO, l);
            }
            BrNe64 { a, b, target } => {
                self.eq64(a, b);
                let l = self.edge(i, target);
                self.branch(Cond::Eq, T0, ZERO, l);
            }
            BrLtS64 { a, b, target } => self.br64(i, a, b, true, false, target),
            BrLtU64 { a, b, target } => self.br64(i, a, b, false, false, target),
            BrLeS64 { a, b, target } => self.br64(i, b, a, true, true, target),
            BrLeU64 { a, b, target } => self.br64(i, b, a, false, true, target),
            BrTable {
                index,
                default,
                targets,
            } => {
                let x = self.lo(index, T0);
                self.li(T1, targets.len() as i32);
                let d = self.edge(i, default);
                self.branch(Cond::Geu, x, T1, d);
                self.put(rv::slli(T1, x, 2));
                self.put(rv::auipc(T2, 0));
                self.put(rv::add(T2, T2, T1));
                self.put(rv::jalr(ZERO, T2, 12));
                for t in targets {
                    let l = self.edge(i, t);
                    self.jump(l);
                }
            }
            Ret { src } => {
                let lo = self.lo(src, T0);
                self.put(rv::sw(lo, S0, 0));
                if matches!(self.result, Some(ValType::I64 | ValType::F64)) {
                    let hi = self.hi(src, T1);
                    self.put(rv::sw(hi, S0, 4));
                }
                self.put(rv::addi(A0, ZERO, 0));
                self.ret();
            }
            RetVoid {} => {
                self.put(rv::addi(A0, ZERO, 0));
                self.ret();
            }
            Mov { dst, src } => {
                let lo = self.lo(src, T0);
                let wide = self.wide[dst as usize];
                let hi = if wide { Some(self.hi(src, T1)) } else { None };
                self.set_lo(dst, lo);
                if let Some(h) = hi {
                    self.set_hi(dst, h);
                }
            }
            Select { dst, cond, a, b } => {
                let wide = self.wide[dst as usize];
                let c = self.lo(cond, T0);
                let alo = self.lo(a, T1);
                self.mv(T3, alo);
                if wide {
                    let ahi = self.hi(a, T2);
                    self.mv(RA, ahi);
                }
                let skip = self.label();
                self.branch_local(Cond::Ne, c, ZERO, skip.0);
                let blo = self.lo(b, T1);
                self.mv(T3, blo);
                if wide {
                    let bhi = self.hi(b, T2);
                    self.mv(RA, bhi);
                }
                self.bind(skip.0);
                self.set_lo(dst, T3);
                if wide {
                    self.set_hi(dst, RA);
                }
            }
            Const32 { dst, value } => {
                let d = self.dst(dst, T0);
                self.li(d, value);
                self.set_lo(dst, d);
                self.set_hi_sign(dst, d);
            }
            Const64 { dst, value } => {
                let d = self.dst(dst, T0);
                self.li(d, value as i32);
                self.set_lo(dst, d);
                if self.wide[dst as usize] {
                    let h = match self.loc[dst as usize] {
                        Loc::Two(_, h) => h,
                        _ => T1,
                    };
                    self.li(h, (value >> 32) as i32);
                    self.set_hi(dst, h);
                }
            }
            FrameAddr { dst, offset } => {
                self.put(rv::lw(T0, S3, env::FP));
                let d = self.dst(dst, T0);
                self.addi(d, T0, offset as i32);
                self.set_lo(dst, d);
                self.set_hi_zero(dst);
            }
            FuncAddr { dst, func } => self.const_u32(dst, FUNC_REF_BASE.wrapping_add(func)),
            ImportAddr { dst, import } => self.const_u32(dst, IMPORT_REF_BASE.wrapping_add(import)),
            I32Add { dst, a, b } => self.op2(dst, a, b, rv::add),
            I32Sub { dst, a, b } => self.op2(dst, a, b, rv::sub),
            I32Mul { dst, a, b } => self.op2(dst, a, b, rv::mul),
            I32And { dst, a, b } => self.op2(dst, a, b, rv::and),
            I32Or { dst, a, b } => self.op2(dst, a, b, rv::or),
            I32Xor { dst, a, b } => self.op2(dst, a, b, rv::xor),
            I32Shl { dst, a, b } => self.op2(dst, a, b, rv::sll),
            I32ShrS { dst, a, b } => self.op2(dst, a, b, rv::sra),
            I32ShrU { dst, a, b } => self.op2(dst, a, b, rv::srl),
            I32LtS { dst, a, b } => self.op2(dst, a, b, rv::slt),
            I32LtU { dst, a, b } => self.op2(dst, a, b, rv::sltu),
            I32GtS { dst, a, b } => self.op2(dst, b, a, rv::slt),
            I32GtU { dst, a, b } => self.op2(dst, b, a, rv::sltu),
            I32LeS { dst, a, b } => self.op2n(dst, b, a, rv::slt),
            I32LeU { dst, a, b } => self.op2n(dst, b, a, rv::sltu),
            I32GeS { dst, a, b } => self.op2n(dst, a, b, rv::slt),
            I32GeU { dst, a, b } => self.op2n(dst, a, b, rv::sltu),
            I32Eq { dst, a, b } => {
                let x = self.lo(a, T0);
                let y = self.lo(b, T1);
                self.put(rv::xor(T0, x, y));
                self.put(rv::sltiu(T0, T0, 1));
                self.set_lo(dst, T0);
                self.set_hi_zero(dst);
            }
            I32Ne { dst, a, b } => {
                let x = self.lo(a, T0);
                let y = self.lo(b, T1);
                self.put(rv::xor(T0, x, y));
                self.put(rv::sltu(T0, ZERO, T0));
                self.set_lo(dst, T0);
                self.set_hi_zero(dst);
            }
            I32Rotl { dst, a, b } => self.rot(dst, a, b, true),
            I32Rotr { dst, a, b } => self.rot(dst, a, b, false),
            I32Eqz { dst, a } => {
                let x = self.lo(a, T0);
                let d = self.dst(dst, T0);
                self.put(rv::sltiu(d, x, 1));
                self.set_lo(dst, d);
                self.set_hi_zero(dst);
            }
            I32Sext8 { dst, a } => self.sext(dst, a, 24),
            I32Sext16 { dst, a } => self.sext(dst, a, 16),
            I32AddI { dst, a, imm } => {
                let x = self.lo(a, T0);
                let d = self.dst(dst, T0);
                if rv::fits(imm, 12) {
                    self.put(rv::addi(d, x, imm));
                } else {
                    self.li(T1, imm);
                    self.put(rv::add(d, x, T1));
                }
                self.set_lo(dst, d);
                self.set_hi_zero(dst);
            }
            I32MulI { dst, a, imm } => self.opi(dst, a, imm, None, rv::mul),
            I32AndI { dst, a, imm } => self.opi(dst, a, imm, Some(rv::andi), rv::and),
            I32OrI { dst, a, imm } => self.opi(dst, a, imm, Some(rv::ori), rv::or),
            I32XorI { dst, a, imm } => self.opi(dst, a, imm, Some(rv::xori), rv::xor),
            I32LtSI { dst, a, imm } => self.opi(dst, a, imm, Some(rv::slti), rv::slt),
            I32LtUI { dst, a, imm } => self.opi(dst, a, imm, Some(rv::sltiu), rv::sltu),
            I32ShlI { dst, a, imm } => self.shifti(dst, a, imm, rv::slli),
            I32ShrSI { dst, a, imm } => self.shifti(dst, a, imm, rv::srai),
            I32ShrUI { dst, a, imm } => self.shifti(dst, a, imm, rv::srli),
            I32GtSI { dst, a, imm } => {
                let x = self.lo(a, T0);
                self.li(T1, imm);
                let d = self.dst(dst, T0);
                self.put(rv::slt(d, T1, x));
                self.set_lo(dst, d);
                self.set_hi_zero(dst);
            }
            I32GtUI { dst, a, imm } => {
                let x = self.lo(a, T0);
                self.li(T1, imm);
                let d = self.dst(dst, T0);
                self.put(rv::sltu(d, T1, x));
                self.set_lo(dst, d);
                self.set_hi_zero(dst);
            }
            I32EqI { dst, a, imm } | I32NeI { dst, a, imm } => {
                let eq = matches!(ins, I32EqI { .. });
                let x = self.lo(a, T0);
                self.li(T1, imm);
                self.put(rv::xor(T0, x, T1));
                if eq {
                    self.put(rv::sltiu(T0, T0, 1));
                } else {
                    self.put(rv::sltu(T0, ZERO, T0));
                }
                self.set_lo(dst, T0);
                self.set_hi_zero(dst);
            }
            I32SubIFrom { dst, a, imm } => {
                let x = self.lo(a, T0);
                self.li(T1, imm);
                let d = self.dst(dst, T0);
                self.put(rv::sub(d, T1, x));
                self.set_lo(dst, d);
                self.set_hi_zero(dst);
            }
            I32DivS { dst, a, b }
            | I32DivU { dst, a, b }
            | I32RemS { dst, a, b }
            | I32RemU { dst, a, b } => self.divide(i, dst, a, b),
            I64Add { dst, a, b } => self.add64(dst, a, b, false),
            I64Sub { dst, a, b } => self.add64(dst, a, b, true),
            I64And { dst, a, b } => self.bit64(dst, a, b, rv::and),
            I64Or { dst, a, b } => self.bit64(dst, a, b, rv::or),
            I64Xor { dst, a, b } => self.bit64(dst, a, b, rv::xor),
            I64AddI { dst, a, imm } => {
                let alo = self.lo(a, T0);
                let ahi = self.hi(a, T1);
                self.li(T2, imm);
                self.put(rv::add(T3, alo, T2));
                self.put(rv::sltu(T2, T3, alo));
                self.put(rv::add(RA, ahi, T2));
                if imm < 0 {
                    self.put(rv::addi(RA, RA, -1));
                }
                self.set_lo(dst, T3);
                self.set_hi(dst, RA);
            }
            I64AndI { dst, a, imm } => {
                let alo = self.lo(a, T0);
                let ahi = self.hi(a, T1);
                self.li(T2, imm as i32);
                self.put(rv::and(T3, alo, T2));
                self.li(T2, (imm >> 32) as i32);
                self.put(rv::and(RA, ahi, T2));
                self.set_lo(dst, T3);
                self.set_hi(dst, RA);
            }
            I64Mul { dst, a, b } => {
                let alo = self.lo(a, T0);
                let blo = self.lo(b, T1);
                self.put(rv::mulhu(T2, alo, blo));
                self.put(rv::mul(RA, alo, blo));
                let bhi = self.hi(b, T3);
                self.put(rv::mul(T3, alo, bhi));
                self.put(rv::add(T2, T2, T3));
                let ahi = self.hi(a, T3);
                self.put(rv::mul(T3, ahi, blo));
                self.put(rv::add(T2, T2, T3));
                self.set_lo(dst, RA);
                self.set_hi(dst, T2);
            }
            I64Eq { dst, a, b } | I64Ne { dst, a, b } => {
                self.eq64(a, b);
                if matches!(ins, I64Ne { .. }) {
                    self.put(rv::xori(T0, T0, 1));
                }
                self.set_lo(dst, T0);
                self.set_hi_zero(dst);
            }
            I64LtS { dst, a, b } => self.cmp64(dst, a, b, true, false),
            I64LtU { dst, a, b } => self.cmp64(dst, a, b, false, false),
            I64GtS { dst, a, b } => self.cmp64(dst, b, a, true, false),
            I64GtU { dst, a, b } => self.cmp64(dst, b, a, false, false),
            I64LeS { dst, a, b } => self.cmp64(dst, b, a, true, true),
            I64LeU { dst, a, b } => self.cmp64(dst, b, a, false, true),
            I64GeS { dst, a, b } => self.cmp64(dst, a, b, true, true),
            I64GeU { dst, a, b } => self.cmp64(dst, a, b, false, true),
            I64Eqz { dst, a } => {
                let lo = self.lo(a, T0);
                let hi = self.hi(a, T1);
                self.put(rv::or(T0, lo, hi));
                self.put(rv::sltiu(T0, T0, 1));
                self.set_lo(dst, T0);
                self.set_hi_zero(dst);
            }
            I64Sext32 { dst, a } => {
                let lo = self.lo(a, T0);
                self.mv(T0, lo);
                self.set_lo(dst, T0);
                self.set_hi_sign(dst, T0);
            }
            I64Zext32 { dst, a } => {
                let lo = self.lo(a, T0);
                self.set_lo(dst, lo);
                self.set_hi_zero(dst);
            }
            I64ShlI { dst, a, imm } => self.shift64(dst, a, imm as u32 & 63, 0),
            I64ShrUI { dst, a, imm } => self.shift64(dst, a, imm as u32 & 63, 1),
            I64ShrSI { dst, a, imm } => self.shift64(dst, a, imm as u32 & 63, 2),
            Load8S { dst, addr, offset } => self.load(i, dst, addr, offset, 1, true),
            Load8U { dst, addr, offset } => self.load(i, dst, addr, offset, 1, false),
            Load16S { dst, addr, offset } => self.load(i, dst, addr, offset, 2, true),
            Load16U { dst, addr, offset } => self.load(i, dst, addr, offset, 2, false),
            Load32S { dst, addr, offset } => self.load(i, dst, addr, offset, 4, true),
            Load32U { dst, addr, offset } => self.load(i, dst, addr, offset, 4, false),
            Load64 { dst, addr, offset } => self.load(i, dst, addr, offset, 8, false),
            Store8 { addr, src, offset } => self.store(i, addr, src, offset, 1),
            Store16 { addr, src, offset } => self.store(i, addr, src, offset, 2),
            Store32 { addr, src, offset } => self.store(i, addr, src, offset, 4),
            Store64 { addr, src, offset } => self.store(i, addr, src, offset, 8),
            _ => unreachable!("is_inline and step agree"),
        }
    }

    /// Returns (status in `a0`): a frameless function's one-instruction
    /// epilogue in place, else a jump to the epilogue.
    pub(super) fn ret(&mut self) {
        if self.frameless {
            self.epilogue_code();
        } else {
            let ep = self.epilogue;
            self.jump(ep);
        }
    }

    /// A branch inside one instruction's code (a few words forward).
    pub(super) fn branch_local(&mut self, c: Cond, rs1: Reg, rs2: Reg, label: usize) {
        self.fixups.push((self.code.len(), label, Fix::Branch));
        self.put(rv::branch(c, rs1, rs2, 0));
    }

    pub(super) fn const_u32(&mut self, dst: u8, v: u32) {
        let d = self.dst(dst, T0);
        self.li(d, v as i32);
        self.set_lo(dst, d);
        self.set_hi_zero(dst);
    }

    pub(super) fn br2(&mut self, i: usize, c: Cond, a: u8, b: u8, _w: bool, t: u32) {
        let x = self.lo(a, T0);
        let y = self.lo(b, T1);
        let l = self.edge(i, t);
        self.branch(c, x, y, l);
    }

    /// Branch on `a <c> imm` (or `imm <c> a` when `swap`).
    pub(super) fn bri(&mut self, i: usize, c: Cond, a: u8, imm: i32, swap: bool, t: u32) {
        let x = self.lo(a, T0);
        let y = if imm == 0 {
            ZERO
        } else {
            self.li(T1, imm);
            T1
        };
        let l = self.edge(i, t);
        if swap {
            self.branch(c, y, x, l);
        } else {
            self.branch(c, x, y, l);
        }
    }

    /// `t0 = (a == b)` for 64-bit registers.
    pub(super) fn eq64(&mut self, a: u8, b: u8) {
        let alo = self.lo(a, T0);
        let blo = self.lo(b, T1);
        self.put(rv::xor(T2, alo, blo));
        let ahi = self.hi(a, T0);
        let bhi = self.hi(b, T1);
        self.put(rv::xor(T0, ahi, bhi));
        self.put(rv::or(T0, T0, T2));
        self.put(rv::sltiu(T0, T0, 1));
    }

    /// `t0 = a < b` (signed or not) for 64-bit registers, negated when `not`.
    pub(super) fn lt64(&mut self, a: u8, b: u8, signed: bool, not: bool) {
        let ahi = self.hi(a, T0);
        let bhi = self.hi(b, T1);
        self.mv(T2, ahi);
        self.mv(T3, bhi);
        let alo = self.lo(a, T0);
        let blo = self.lo(b, T1);
        // t0 = hi differ ? (ahi < bhi) : (alo <u blo)
        self.put(rv::sltu(RA, alo, blo));
        let done = self.label();
        self.branch_local(Cond::Eq, T2, T3, done.0);
        if signed {
            self.put(rv::slt(RA, T2, T3));
        } else {
            self.put(rv::sltu(RA, T2, T3));
        }
        self.bind(done.0);
        if not {
            self.put(rv::xori(T0, RA, 1));
        } else {
            self.mv(T0, RA);
        }
    }

    pub(super) fn br64(&mut self, i: usize, a: u8, b: u8, signed: bool, not: bool, t: u32) {
        self.lt64(a, b, signed, not);
        let l = self.edge(i, t);
        self.branch(Cond::Ne, T0, ZERO, l);
    }

    pub(super) fn cmp64(&mut self, dst: u8, a: u8, b: u8, signed: bool, not: bool) {
        self.lt64(a, b, signed, not);
        self.set_lo(dst, T0);
        self.set_hi_zero(dst);
    }

    pub(super) fn op2(&mut self, dst: u8, a: u8, b: u8, f: fn(Reg, Reg, Reg) -> u32) {
        let x = self.lo(a, T0);
        let y = self.lo(b, T1);
        let d = self.dst(dst, T0);
        self.put(f(d, x, y));
        self.set_lo(dst, d);
        self.set_hi_zero(dst);
    }

    /// `dst = !f(a, b)` for 0/1 results.
    pub(super) fn op2n(&mut self, dst: u8, a: u8, b: u8, f: fn(Reg, Reg, Reg) -> u32) {
        let x = self.lo(a, T0);
        let y = self.lo(b, T1);
        self.put(f(T0, x, y));
        self.put(rv::xori(T0, T0, 1));
        self.set_lo(dst, T0);
        self.set_hi_zero(dst);
    }

    pub(super) fn opi(
        &mut self,
        dst: u8,
        a: u8,
        imm: i32,
        fi: Option<fn(Reg, Reg, i32) -> u32>,
        fr: fn(Reg, Reg, Reg) -> u32,
    ) {
        let x = self.lo(a, T0);
        match fi {
            Some(fi) if rv::fits(imm, 12) => {
                let d = self.dst(dst, T0);
                self.put(fi(d, x, imm));
                self.set_lo(dst, d);
            }
            _ => {
                self.li(T1, imm);
                let d = self.dst(dst, T0);
                self.put(fr(d, x, T1));
                self.set_lo(dst, d);
            }
        }
        self.set_hi_zero(dst);
    }

    pub(super) fn shifti(&mut self, dst: u8, a: u8, imm: i32, f: fn(Reg, Reg, u32) -> u32) {
        let x = self.lo(a, T0);
        let d = self.dst(dst, T0);
        self.put(f(d, x, imm as u32 & 31));
        self.set_lo(dst, d);
        self.set_hi_zero(dst);
    }

    pub(super) fn sext(&mut self, dst: u8, a: u8, k: u32) {
        let x = self.lo(a, T0);
        self.put(rv::slli(T0, x, k));
        let d = self.dst(dst, T0);
        self.put(rv::srai(d, T0, k));
        self.set_lo(dst, d);
        self.set_hi_zero(dst);
    }

    pub(super) fn rot(&mut self, dst: u8, a: u8, b: u8, left: bool) {
        let x = self.lo(a, T0);
        let y = self.lo(b, T1);
        let (f, g) = if left {
            (
                rv::sll as fn(Reg, Reg, Reg) -> u32,
                rv::srl as fn(Reg, Reg, Reg) -> u32,
            )
        } else {
            (
                rv::srl as fn(Reg, Reg, Reg) -> u32,
                rv::sll as fn(Reg, Reg, Reg) -> u32,
            )
        };
        self.put(f(T2, x, y));
        self.put(rv::sub(T3, ZERO, y));
        self.put(g(T3, x, T3));
        self.put(rv::or(T0, T2, T3));
        self.set_lo(dst, T0);
        self.set_hi_zero(dst);
    }

    pub(super) fn divide(&mut self, i: usize, dst: u8, a: u8, b: u8) {
        let ins = self.steps[i].ins.clone();
        let x = self.lo(a, T0);
        let y = self.lo(b, T1);
        let slow = self.new_label();
        let back = self.new_label();
        self.stubs.push((slow, Stub::Slow { step: i, back }));
        self.branch(Cond::Eq, y, ZERO, slow);
        let f: fn(Reg, Reg, Reg) -> u32 = match ins {
            Instr::I32DivS { .. } => {
                // INT_MIN / -1 traps (through the slow path).
                let ok = self.label();
                self.put(rv::addi(T2, ZERO, -1));
                self.branch_local(Cond::Ne, y, T2, ok.0);
                self.put(rv::lui(T2, 0x80000));
                self.branch(Cond::Eq, x, T2, slow);
                self.bind(ok.0);
                rv::div
            }
            Instr::I32DivU { .. } => rv::divu,
            Instr::I32RemS { .. } => rv::rem,
            _ => rv::remu,
        };
        let d = self.dst(dst, T0);
        self.put(f(d, x, y));
        self.set_lo(dst, d);
        self.set_hi_zero(dst);
        self.bind(back);
    }

    pub(super) fn add64(&mut self, dst: u8, a: u8, b: u8, sub: bool) {
        let alo = self.lo(a, T0);
        let blo = self.lo(b, T1);
        let ahi = self.hi(a, T2);
        let bhi = self.hi(b, T3);
        if let (false, Loc::Two(dlo, dhi)) = (sub, self.loc[dst as usize]) {
            // In place when the destination is one operand (loop-carried
            // sums): the carry is `sum < other operand`.
            let other = if dlo == alo && dlo != blo {
                Some(blo)
            } else if dlo == blo && dlo != alo {
                Some(alo)
            } else {
                None
            };
            if let Some(y) = other {
                self.put(rv::add(dlo, dlo, y));
                self.put(rv::sltu(T0, dlo, y));
                self.put(rv::add(dhi, ahi, bhi));
                self.put(rv::add(dhi, dhi, T0));
                return;
            }
        }
        let (dlo, dhi) = match self.loc[dst as usize] {
            Loc::Two(l, h) if ![alo, blo, ahi, bhi].contains(&l) && ![ahi, bhi].contains(&h) => {
                (l, h)
            }
            _ => (RA, T2),
        };
        if dhi == T2 && (ahi == T2 || bhi == T2) {
            // ahi/bhi sit in t2: compute the high half first.
            if sub {
                self.put(rv::sub(T2, ahi, bhi));
                self.put(rv::sltu(T3, alo, blo));
                self.put(rv::sub(T2, T2, T3));
                self.put(rv::sub(RA, alo, blo));
            } else {
                self.put(rv::add(T2, ahi, bhi));
                self.put(rv::add(RA, alo, blo));
                self.put(rv::sltu(T3, RA, alo));
                self.put(rv::add(T2, T2, T3));
            }
        } else if sub {
            // dlo is none of the sources; alo may be t0.
            self.put(rv::sub(dlo, alo, blo));
            self.put(rv::sltu(T0, alo, blo));
            self.put(rv::sub(dhi, ahi, bhi));
            self.put(rv::sub(dhi, dhi, T0));
        } else {
            self.put(rv::add(dlo, alo, blo));
            // alo may be dlo's register only when dlo is scratch (ra).
            self.put(rv::sltu(T0, dlo, alo));
            self.put(rv::add(dhi, ahi, bhi));
            self.put(rv::add(dhi, dhi, T0));
        }
        self.set_lo(dst, dlo);
        self.set_hi(dst, dhi);
    }

    pub(super) fn bit64(&mut self, dst: u8, a: u8, b: u8, f: fn(Reg, Reg, Reg) -> u32) {
        let alo = self.lo(a, T0);
        let blo = self.lo(b, T1);
        self.put(f(RA, alo, blo));
        let ahi = self.hi(a, T0);
        let bhi = self.hi(b, T1);
        self.put(f(T2, ahi, bhi));
        self.set_lo(dst, RA);
        self.set_hi(dst, T2);
    }

    /// 64-bit shift by a constant: `kind` 0 shl, 1 shr_u, 2 shr_s.
    pub(super) fn shift64(&mut self, dst: u8, a: u8, s: u32, kind: u8) {
        let lo = self.lo(a, T0);
        let hi = self.hi(a, T1);
        self.mv(T0, lo);
        self.mv(T1, hi);
        let (rlo, rhi) = (RA, T2);
        if s == 0 {
            self.mv(rlo, T0);
            self.mv(rhi, T1);
        } else if s < 32 {
            match kind {
                0 => {
                    self.put(rv::slli(rhi, T1, s));
                    self.put(rv::srli(T3, T0, 32 - s));
                    self.put(rv::or(rhi, rhi, T3));
                    self.put(rv::slli(rlo, T0, s));
                }
                _ => {
                    self.put(rv::srli(rlo, T0, s));
                    self.put(rv::slli(T3, T1, 32 - s));
                    self.put(rv::or(rlo, rlo, T3));
                    let f = if kind == 1 { rv::srli } else { rv::srai };
                    self.put(f(rhi, T1, s));
                }
            }
        } else {
            match kind {
                0 => {
                    self.put(rv::slli(rhi, T0, s - 32));
                    self.mv(rlo, ZERO);
                }
                1 => {
                    self.put(rv::srli(rlo, T1, s - 32));
                    self.mv(rhi, ZERO);
                }
                _ => {
                    self.put(rv::srai(rlo, T1, s - 32));
                    self.put(rv::srai(rhi, T1, 31));
                }
            }
        }
        self.set_lo(dst, rlo);
        self.set_hi(dst, rhi);
    }
}
