//! Stack slots, addresses and `getelementptr`, loads and stores of every
//! width, atomics.

use super::*;

impl FnLower<'_> {
    pub(super) fn alloca(&mut self, i: Val, bb: Bb) -> R<()> {
        let t = i.allocated_type();
        if !t.is_sized() {
            return Err("alloca of an unsized type".into());
        }
        let elem = self.ctx.m.alloc_size(t);
        let align = i.alignment().max(1);
        if align > 4096 {
            return Err(format!("alloca alignment {} is not supported", align));
        }
        let count = i.operand(0);
        let is_entry = self.fval.blocks().first() == Some(&bb);
        if let (true, Some(n)) = (
            is_entry,
            count
                .const_int_words()
                .filter(|_| count.kind() == LLVMValueKind::LLVMConstantIntValueKind),
        ) {
            let size = elem.saturating_mul(n);
            if size > 1 << 24 {
                return Err(format!("local variable of {} bytes is too large", size));
            }
            let off = self.f.frame_slot(size as u32, align);
            self.frame_vals.insert(i, off);
            return Ok(());
        }
        let n = self.get1(count)?;
        let size = if elem == 1 {
            n
        } else {
            self.imm(O::I32MulI, n, elem as u32 as i32)
        };
        let d = self.vreg();
        self.op(
            O::Alloca,
            vec![VOp::Dst(d), VOp::Reg(size), VOp::U32(align)],
        );
        self.vals.insert(i, vec![d]);
        Ok(())
    }

    /// `(base, offset)` of an address operand.
    pub fn addr(&mut self, p: Val) -> R<(VReg, i32)> {
        if let Some(&f) = self.folds.get(&p) {
            return Ok(f);
        }
        if let Some(&off) = self.frame_vals.get(&p) {
            return Ok((self.frame_addr(off), 0));
        }
        if p.kind() != LLVMValueKind::LLVMInstructionValueKind
            && p.kind() != LLVMValueKind::LLVMArgumentValueKind
            && consts::is_foldable(p)
        {
            let c = consts::eval(self.ctx, p)? as u32;
            if c < espb_format::MAX_LINEAR_END {
                // Global addresses are small: fold them into the offset off a shared zero.
                return Ok((self.konst(0, false), c as i32));
            }
        }
        Ok((self.get1(p)?, 0))
    }

    /// A register holding the exact address (for atomics, which take no offset).
    pub fn addr_reg(&mut self, p: Val) -> R<VReg> {
        let (b, off) = self.addr(p)?;
        Ok(if off == 0 {
            b
        } else {
            self.imm(O::I32AddI, b, off)
        })
    }

    pub(super) fn load(&mut self, i: Val) -> R<()> {
        let t = i.ty();
        let leaves = self.leaves(t)?;
        let atomic = i.ordering() != crate::llvm::LLVMAtomicOrdering::LLVMAtomicOrderingNotAtomic;
        if atomic {
            let [(sc, _)] = leaves.as_slice() else {
                return Err("atomic load of an aggregate".into());
            };
            let a = self.addr_reg(i.operand(0))?;
            let w = width_code(sc.store_bytes())?;
            let d = self.vreg();
            self.op(O::AtomicLoad, vec![VOp::Dst(d), VOp::Reg(a), VOp::U8(w)]);
            self.vals.insert(i, vec![d]);
            return Ok(());
        }
        let (base, off) = self.addr(i.operand(0))?;
        let mut out = Vec::new();
        for (sc, lo) in leaves {
            let o = off
                .checked_add(lo as i32)
                .ok_or("address offset overflow")?;
            out.push(self.load_leaf(sc, base, o));
        }
        self.vals.insert(i, out);
        Ok(())
    }

    pub fn load_leaf(&mut self, sc: Sc, base: VReg, off: i32) -> VReg {
        let bytes = sc.store_bytes();
        let r = self.load_bytes(bytes, base, off);
        match sc {
            Sc::Int(b) if b % 8 != 0 => self.mask(r, b),
            _ => r,
        }
    }

    pub(super) fn load_bytes(&mut self, bytes: u32, base: VReg, off: i32) -> VReg {
        let o = match bytes {
            1 => Some(O::Load8U),
            2 => Some(O::Load16U),
            4 => Some(O::Load32U),
            8 => Some(O::Load64),
            _ => None,
        };
        if let Some(o) = o {
            let d = self.vreg();
            self.op(o, vec![VOp::Dst(d), VOp::Reg(base), VOp::I32(off)]);
            return d;
        }
        // Odd sizes (3, 5, 6, 7 bytes): little-endian pieces.
        let lo_bytes = if bytes > 4 { 4 } else { 2 };
        let lo = self.load_bytes(lo_bytes, base, off);
        let hi = self.load_bytes(bytes - lo_bytes, base, off.wrapping_add(lo_bytes as i32));
        if bytes > 4 {
            let sh = self.imm(O::I64ShlI, hi, 32);
            self.bin(O::I64Or, lo, sh)
        } else {
            let sh = self.imm(O::I32ShlI, hi, 16);
            self.bin(O::I32Or, lo, sh)
        }
    }

    pub(super) fn store(&mut self, i: Val) -> R<()> {
        let v = i.operand(0);
        let leaves = self.leaves(v.ty())?;
        let regs = self.get(v)?;
        let atomic = i.ordering() != crate::llvm::LLVMAtomicOrdering::LLVMAtomicOrderingNotAtomic;
        if atomic {
            let [(sc, _)] = leaves.as_slice() else {
                return Err("atomic store of an aggregate".into());
            };
            let a = self.addr_reg(i.operand(1))?;
            let w = width_code(sc.store_bytes())?;
            self.op(
                O::AtomicStore,
                vec![VOp::Reg(a), VOp::Reg(regs[0]), VOp::U8(w)],
            );
            return Ok(());
        }
        let (base, off) = self.addr(i.operand(1))?;
        for ((sc, lo), r) in leaves.into_iter().zip(regs) {
            let o = off
                .checked_add(lo as i32)
                .ok_or("address offset overflow")?;
            self.store_bytes(sc.store_bytes(), base, r, o);
        }
        Ok(())
    }

    pub fn store_bytes(&mut self, bytes: u32, base: VReg, v: VReg, off: i32) {
        let o = match bytes {
            1 => Some(O::Store8),
            2 => Some(O::Store16),
            4 => Some(O::Store32),
            8 => Some(O::Store64),
            _ => None,
        };
        if let Some(o) = o {
            self.op(o, vec![VOp::Reg(base), VOp::Reg(v), VOp::I32(off)]);
            return;
        }
        let lo_bytes = if bytes > 4 { 4 } else { 2 };
        self.store_bytes(lo_bytes, base, v, off);
        let hi = if bytes > 4 {
            self.imm(O::I64ShrUI, v, 32)
        } else {
            self.imm(O::I32ShrUI, v, 16)
        };
        self.store_bytes(
            bytes - lo_bytes,
            base,
            hi,
            off.wrapping_add(lo_bytes as i32),
        );
    }

    pub(super) fn gep(&mut self, i: Val) -> R<()> {
        let base = i.operand(0);
        if base.ty().kind() == LLVMTypeKind::LLVMVectorTypeKind {
            return Err("vector GEPs are not supported".into());
        }
        let m = self.ctx.m;
        let mut t = i.gep_source_type();
        let mut const_off: i64 = 0;
        let mut terms: Vec<(VReg, u64)> = Vec::new();
        for k in 1..i.num_operands() {
            let idx = i.operand(k);
            let scale = if k == 1 {
                m.alloc_size(t)
            } else {
                match t.kind() {
                    LLVMTypeKind::LLVMStructTypeKind => {
                        let f = idx.const_zext() as u32;
                        const_off = const_off.wrapping_add(m.offset_of(t, f) as i64);
                        t = *t
                            .struct_elems()
                            .get(f as usize)
                            .ok_or("struct index out of range")?;
                        continue;
                    }
                    LLVMTypeKind::LLVMArrayTypeKind | LLVMTypeKind::LLVMVectorTypeKind => {
                        t = t.elem();
                        m.alloc_size(t)
                    }
                    _ => return Err("GEP into a non-aggregate type".into()),
                }
            };
            let w = self.int_bits(idx.ty())?;
            // `x + C` (or `x | C` with disjoint bits) as a 32-bit index:
            // the index arithmetic wraps at 32 bits, so (x + C) * scale =
            // x * scale + C * scale and C * scale joins the constant offset.
            // Unrolled loops index `a[i]`, `a[i | 1]`, ...; this way they
            // share one address register and differ only in the offset.
            let (idx, w) = match split_const_addend(idx) {
                Some((x, c)) if w == 32 && scale != 0 => {
                    const_off = const_off.wrapping_add(c.wrapping_mul(scale as i64));
                    (x, w)
                }
                _ => (idx, w),
            };
            if idx.kind() == LLVMValueKind::LLVMConstantIntValueKind {
                let c = sext_from(idx.const_int_words().unwrap_or(0), w);
                const_off = const_off.wrapping_add(c.wrapping_mul(scale as i64));
            } else if scale != 0 {
                let r = self.get1(idx)?;
                // GEP indices are sign-extended (or truncated) to the 32-bit index width.
                let r = if w < 32 { self.sext(r, w) } else { r };
                terms.push((r, scale));
            }
        }
        let const_off = const_off as i32 as i64;
        if terms.is_empty() {
            if let Some(&off) = self.frame_vals.get(&base) {
                let n = off as i64 + const_off;
                // A frame address must lie inside the frame; one past the
                // end of a local array (valid C) is computed from the
                // array's address instead.
                if (0..self.f.frame_size as i64).contains(&n) {
                    self.frame_vals.insert(i, n as u32);
                    return Ok(());
                }
            }
        }
        let (b0, o0) = self.addr(base)?;
        // A global base is a constant: it goes into the offset, not a register
        // (`addr` folded it onto a shared zero; larger constants, such as
        // label values, stay in their register).
        let const_base = !terms.is_empty()
            && !matches!(
                base.kind(),
                LLVMValueKind::LLVMInstructionValueKind | LLVMValueKind::LLVMArgumentValueKind
            )
            && !self.frame_vals.contains_key(&base)
            && !self.folds.contains_key(&base)
            && consts::is_foldable(base)
            && consts::eval(self.ctx, base).is_ok_and(|c| (c as u32) < espb_format::MAX_LINEAR_END);
        let mut sum = if const_base { None } else { Some(b0) };
        for (r, scale) in terms {
            let s = match log2_exact(scale) {
                Some(0) => r,
                Some(k) => self.imm(O::I32ShlI, r, k as i32),
                None => self.imm(O::I32MulI, r, scale as u32 as i32),
            };
            sum = Some(match sum {
                None => s,
                Some(x) => self.bin(O::I32Add, x, s),
            });
        }
        let sum = sum.unwrap_or(b0);
        let total = (o0 as i64 + const_off) as i32;
        let d = if total == 0 {
            sum
        } else {
            self.imm(O::I32AddI, sum, total)
        };
        self.folds.insert(i, (sum, total));
        self.vals.insert(i, vec![d]);
        Ok(())
    }

    // ---- atomics ------------------------------------------------------------------

    pub(super) fn atomic_rmw(&mut self, i: Val) -> R<()> {
        use crate::llvm::LLVMAtomicRMWBinOp::*;
        use espb_format::AtomicOp as A;
        let a = self.addr_reg(i.operand(0))?;
        let v = self.get1(i.operand(1))?;
        let sc = self
            .leaves(i.ty())?
            .first()
            .map(|l| l.0)
            .ok_or("atomicrmw on an empty type")?;
        let w = width_code(sc.store_bytes())?;
        let aop = match i.rmw_op() {
            LLVMAtomicRMWBinOpXchg => A::Xchg,
            LLVMAtomicRMWBinOpAdd => A::Add,
            LLVMAtomicRMWBinOpSub => A::Sub,
            LLVMAtomicRMWBinOpAnd => A::And,
            LLVMAtomicRMWBinOpNand => A::Nand,
            LLVMAtomicRMWBinOpOr => A::Or,
            LLVMAtomicRMWBinOpXor => A::Xor,
            LLVMAtomicRMWBinOpMax => A::MaxS,
            LLVMAtomicRMWBinOpMin => A::MinS,
            LLVMAtomicRMWBinOpUMax => A::MaxU,
            LLVMAtomicRMWBinOpUMin => A::MinU,
            other => return Err(format!("atomicrmw operation {:?} is not supported", other)),
        };
        let d = self.vreg();
        self.op(
            O::AtomicRmw,
            vec![
                VOp::Dst(d),
                VOp::Reg(a),
                VOp::Reg(v),
                VOp::U8(w | ((aop as u8) << 2)),
            ],
        );
        let d = match sc {
            Sc::Int(b) if b < 32 => self.mask(d, b),
            _ => d,
        };
        self.vals.insert(i, vec![d]);
        Ok(())
    }

    pub(super) fn cmpxchg(&mut self, i: Val) -> R<()> {
        let a = self.addr_reg(i.operand(0))?;
        let exp = self.get1(i.operand(1))?;
        let new = self.get1(i.operand(2))?;
        let sc = self.leaves(i.operand(1).ty())?[0].0;
        let w = width_code(sc.store_bytes())?;
        let d = self.vreg();
        self.op(
            O::AtomicCmpxchg,
            vec![
                VOp::Dst(d),
                VOp::Reg(a),
                VOp::Reg(exp),
                VOp::Reg(new),
                VOp::U8(w),
            ],
        );
        let d = match sc {
            Sc::Int(b) if b < 32 => self.mask(d, b),
            _ => d,
        };
        let ok = self.bin(if sc.wide() { O::I64Eq } else { O::I32Eq }, d, exp);
        self.vals.insert(i, vec![d, ok]);
        Ok(())
    }

    // ---- calls ----------------------------------------------------------------------
}

/// An `i32` instruction `add x, C` or `or disjoint x, C` (C constant) as
/// `(x, C)`, C sign-extended.
fn split_const_addend(v: Val) -> Option<(Val, i64)> {
    if v.kind() != LLVMValueKind::LLVMInstructionValueKind {
        return None;
    }
    let op = v.opcode();
    let ok = op == LLVMOpcode::LLVMAdd || (op == LLVMOpcode::LLVMOr && v.is_disjoint());
    if !ok {
        return None;
    }
    let (x, c) = (v.operand(0), v.operand(1));
    if c.kind() != LLVMValueKind::LLVMConstantIntValueKind
        || x.kind() == LLVMValueKind::LLVMConstantIntValueKind
    {
        return None;
    }
    Some((x, sext_from(c.const_int_words()?, 32)))
}
