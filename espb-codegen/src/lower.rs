//! Lowering of one LLVM function into the virtual-register IR.
//!
//! Every LLVM value becomes the list of its scalar leaves (one vreg each).
//! Narrow integers (`iN`, N not 32/64) are kept zero-extended in their
//! register ("canonical"), so only the operations that read bits above N
//! (signed compares, signed division, arithmetic shifts, sign extension)
//! widen explicitly. Blocks are lowered in reverse post-order so every use
//! sees its definition first. Phis get a vreg written on every incoming edge
//! (a parallel copy at the end of the predecessor, or in a block that splits
//! a critical edge) and copied into the phi's own vreg at the top of the block,
//! which keeps the lost-copy and swap problems away.

use std::collections::HashMap;

use espb_format::Opcode;
use espb_format::Opcode as O;

use crate::consts::{self, mask_to, sext_from};
use crate::ctx::Ctx;
use crate::ir::*;
use crate::llvm::{
    Bb, LLVMIntPredicate, LLVMOpcode, LLVMRealPredicate, LLVMTypeKind, LLVMValueKind, Ty, Val,
};
use crate::types::{self, RetShape, Sc};

mod arith;
mod calls;
mod control;
mod memory;

pub type R<T> = Result<T, String>;

pub struct FnLower<'a> {
    pub ctx: &'a mut Ctx,
    pub f: Func,
    pub fval: Val,
    vals: HashMap<Val, Vec<VReg>>,
    /// Static allocas (and constant offsets from them): frame offsets.
    frame_vals: HashMap<Val, u32>,
    /// Addresses known as `base + offset` (folded into loads and stores).
    folds: HashMap<Val, (VReg, i32)>,
    bmap: HashMap<Bb, BlockId>,
    pub cur: BlockId,
    pub loc: Loc,
    consts: HashMap<(BlockId, u64, bool), VReg>,
    frames: HashMap<(BlockId, u32), VReg>,
    phi_in: HashMap<Val, Vec<VReg>>,
    edge_blocks: HashMap<(Bb, Bb), BlockId>,
    deferred: HashMap<Val, Cond>,
    /// The hidden pointer to the caller's packed variadic arguments.
    pub va_ptr: Option<VReg>,
    /// Where a wide result is written (`RetShape::Indirect`).
    ret_ptr: Option<VReg>,
    cur_bb: Option<Bb>,
    pending_layout: Vec<BlockId>,
    err_loc: Option<(String, u32)>,
    /// Frame slots that live only while one instruction is lowered
    /// (by-value argument copies, packed variadic arguments, wide results):
    /// `(offset, size, align, in use)`, reused by later instructions so a
    /// function with many calls does not grow a frame per call site.
    temps: Vec<(u32, u32, u32, bool)>,
}

fn log2_exact(x: u64) -> Option<u32> {
    if x.is_power_of_two() {
        Some(x.trailing_zeros())
    } else {
        None
    }
}

impl<'a> FnLower<'a> {
    pub fn new(ctx: &'a mut Ctx, fval: Val) -> FnLower<'a> {
        FnLower {
            ctx,
            f: Func {
                blocks: Vec::new(),
                layout: Vec::new(),
                nvregs: 0,
                frame_size: 0,
                frame_align: 1,
                has_float: false,
                has_calls: false,
                nparams: 0,
            },
            fval,
            vals: HashMap::new(),
            frame_vals: HashMap::new(),
            folds: HashMap::new(),
            bmap: HashMap::new(),
            cur: 0,
            loc: Loc::default(),
            consts: HashMap::new(),
            frames: HashMap::new(),
            phi_in: HashMap::new(),
            edge_blocks: HashMap::new(),
            deferred: HashMap::new(),
            va_ptr: None,
            ret_ptr: None,
            cur_bb: None,
            pending_layout: Vec::new(),
            err_loc: None,
            temps: Vec::new(),
        }
    }

    // ---- emission helpers ---------------------------------------------------

    pub fn vreg(&mut self) -> VReg {
        self.f.new_vreg()
    }

    pub fn emit(&mut self, i: Inst) {
        let loc = self.loc;
        self.f.blocks[self.cur as usize].insts.push((i, loc));
    }

    pub fn new_block(&mut self) -> BlockId {
        self.f.blocks.push(Block::new());
        let id = (self.f.blocks.len() - 1) as BlockId;
        self.pending_layout.push(id);
        id
    }

    pub fn terminate(&mut self, t: Term) {
        let loc = self.loc;
        let b = &mut self.f.blocks[self.cur as usize];
        b.term = t;
        b.term_loc = loc;
    }

    pub fn op(&mut self, op: Opcode, ops: Vec<VOp>) {
        if is_float_op(op) {
            self.f.has_float = true;
        }
        self.emit(Inst::op(op, ops));
    }

    pub fn un(&mut self, op: Opcode, a: VReg) -> VReg {
        let d = self.vreg();
        self.op(op, vec![VOp::Dst(d), VOp::Reg(a)]);
        d
    }

    pub fn bin(&mut self, op: Opcode, a: VReg, b: VReg) -> VReg {
        let d = self.vreg();
        self.op(op, vec![VOp::Dst(d), VOp::Reg(a), VOp::Reg(b)]);
        d
    }

    pub fn imm(&mut self, op: Opcode, a: VReg, imm: i32) -> VReg {
        let d = self.vreg();
        self.op(op, vec![VOp::Dst(d), VOp::Reg(a), VOp::I32(imm)]);
        d
    }

    pub fn select(&mut self, c: VReg, a: VReg, b: VReg) -> VReg {
        let d = self.vreg();
        self.op(
            O::Select,
            vec![VOp::Dst(d), VOp::Reg(c), VOp::Reg(a), VOp::Reg(b)],
        );
        d
    }

    /// A register holding `bits` (as an i32 or i64 constant), shared within a block.
    pub fn konst(&mut self, bits: u64, wide: bool) -> VReg {
        let bits = if wide { bits } else { bits & 0xffff_ffff };
        let key = (self.cur, bits, wide);
        if let Some(&v) = self.consts.get(&key) {
            return v;
        }
        let d = self.vreg();
        if wide {
            self.op(O::Const64, vec![VOp::Dst(d), VOp::I64(bits as i64)]);
        } else {
            self.op(O::Const32, vec![VOp::Dst(d), VOp::I32(bits as u32 as i32)]);
        }
        self.consts.insert(key, d);
        d
    }

    /// A frame slot for a value that is dead once the current instruction
    /// is lowered (see `temps`).
    pub fn temp_slot(&mut self, size: u32, align: u32) -> u32 {
        let align = align.max(1);
        if let Some(t) = self
            .temps
            .iter_mut()
            .find(|t| !t.3 && t.1 >= size && t.0 % align == 0)
        {
            t.3 = true;
            return t.0;
        }
        let off = self.f.frame_slot(size, align);
        self.temps.push((off, size.max(1), align, true));
        off
    }

    pub fn frame_addr(&mut self, off: u32) -> VReg {
        let key = (self.cur, off);
        if let Some(&v) = self.frames.get(&key) {
            return v;
        }
        let d = self.vreg();
        self.op(O::FrameAddr, vec![VOp::Dst(d), VOp::U32(off)]);
        self.frames.insert(key, d);
        d
    }

    /// Zero-extended canonical form of an `bits`-bit value computed in a wider register.
    pub fn mask(&mut self, v: VReg, bits: u32) -> VReg {
        if bits == 32 || bits >= 64 {
            v
        } else if bits < 32 {
            self.imm(O::I32AndI, v, ((1u64 << bits) - 1) as u32 as i32)
        } else {
            let d = self.vreg();
            self.op(
                O::I64AndI,
                vec![
                    VOp::Dst(d),
                    VOp::Reg(v),
                    VOp::I64(((1u64 << bits) - 1) as i64),
                ],
            );
            d
        }
    }

    /// Sign-extends a canonical `bits`-bit value to its register class (i32 or i64).
    pub fn sext(&mut self, v: VReg, bits: u32) -> VReg {
        match bits {
            32 | 64 => v,
            8 => self.un(O::I32Sext8, v),
            16 => self.un(O::I32Sext16, v),
            b if b < 32 => {
                let t = self.imm(O::I32ShlI, v, (32 - b) as i32);
                self.imm(O::I32ShrSI, t, (32 - b) as i32)
            }
            b => {
                let t = self.imm(O::I64ShlI, v, (64 - b) as i32);
                self.imm(O::I64ShrSI, t, (64 - b) as i32)
            }
        }
    }

    // ---- values -------------------------------------------------------------

    /// The leaves of an operand, materialising constants where needed.
    pub fn get(&mut self, v: Val) -> R<Vec<VReg>> {
        if let Some(r) = self.vals.get(&v) {
            return Ok(r.clone());
        }
        if let Some(&off) = self.frame_vals.get(&v) {
            return Ok(vec![self.frame_addr(off)]);
        }
        if let Some(c) = self.deferred.get(&v).copied() {
            // Not cached: the next use may be in a block this one does not
            // dominate.
            return Ok(vec![self.cond_value(c)]);
        }
        match v.kind() {
            LLVMValueKind::LLVMInstructionValueKind | LLVMValueKind::LLVMArgumentValueKind => Err(
                format!("value used before its definition: {}", consts::short(v)),
            ),
            LLVMValueKind::LLVMInlineAsmValueKind => Err("inline assembly is not supported".into()),
            _ => self.constant(v),
        }
    }

    pub fn get1(&mut self, v: Val) -> R<VReg> {
        let l = self.get(v)?;
        match l.as_slice() {
            [r] => Ok(*r),
            _ => Err(format!("expected a scalar value: {}", consts::short(v))),
        }
    }

    fn constant(&mut self, c: Val) -> R<Vec<VReg>> {
        let t = c.ty();
        if let Some(v) = self.wide_const(c)? {
            return Ok(v);
        }
        if consts::is_foldable(c) {
            let bits = consts::eval(self.ctx, c)?;
            let sc = types::leaves(&self.ctx.m, t).map_err(|e| e.0)?;
            let wide = sc.first().map(|(s, _)| s.wide()).unwrap_or(false);
            return Ok(vec![self.konst(bits, wide)]);
        }
        // Aggregates: materialise each leaf.
        let leaves = types::leaves(&self.ctx.m, t).map_err(|e| e.0)?;
        use LLVMValueKind::*;
        match c.kind() {
            LLVMConstantAggregateZeroValueKind | LLVMUndefValueValueKind | LLVMPoisonValueKind => {
                Ok(leaves
                    .iter()
                    .map(|(s, _)| self.konst(0, s.wide()))
                    .collect::<Vec<_>>())
            }
            LLVMConstantStructValueKind
            | LLVMConstantArrayValueKind
            | LLVMConstantDataArrayValueKind
            | LLVMConstantVectorValueKind
            | LLVMConstantDataVectorValueKind => {
                let n = match t.kind() {
                    LLVMTypeKind::LLVMStructTypeKind => t.struct_elems().len() as u64,
                    LLVMTypeKind::LLVMVectorTypeKind => t.vector_len() as u64,
                    _ => t.array_len(),
                };
                let mut out = Vec::new();
                for i in 0..n {
                    let e = c
                        .aggregate_elem(i as u32)
                        .ok_or("malformed aggregate constant")?;
                    out.extend(self.get(e)?);
                }
                Ok(out)
            }
            _ => Err(format!("unsupported constant: {}", consts::short(c))),
        }
    }

    pub fn leaves(&self, t: Ty) -> R<Vec<(Sc, u32)>> {
        types::leaves(&self.ctx.m, t).map_err(|e| e.0)
    }

    pub fn int_bits(&self, t: Ty) -> R<u32> {
        match t.kind() {
            LLVMTypeKind::LLVMIntegerTypeKind if t.int_width() <= 64 => Ok(t.int_width()),
            LLVMTypeKind::LLVMIntegerTypeKind => {
                Err(format!("{}-bit integers are not supported", t.int_width()))
            }
            LLVMTypeKind::LLVMPointerTypeKind => Ok(32),
            LLVMTypeKind::LLVMVectorTypeKind => Err("vector operations are not supported".into()),
            _ => Err(format!("expected an integer, got `{}`", t.print())),
        }
    }

    // ---- the function -------------------------------------------------------

    /// Lowers the whole function; an error carries the C source position of
    /// the instruction that caused it.
    pub fn run(mut self) -> Result<Func, (String, Option<(String, u32)>)> {
        let r = self.run_inner();
        match r {
            Ok(()) => Ok(self.f),
            Err(e) => Err((e, self.err_loc.take())),
        }
    }

    fn run_inner(&mut self) -> R<()> {
        let blocks = self.fval.blocks();
        let entry = *blocks.first().ok_or("function has no body")?;
        let rpo = rpo(entry);
        for &b in &rpo {
            self.f.blocks.push(Block::new());
            self.bmap.insert(b, (self.f.blocks.len() - 1) as BlockId);
        }
        // Phi landing registers.
        for &b in &rpo {
            for i in b.instructions() {
                if i.opcode() != LLVMOpcode::LLVMPHI {
                    break;
                }
                let n = self.leaves(i.ty())?.len();
                let regs = (0..n).map(|_| self.vreg()).collect();
                self.phi_in.insert(i, regs);
            }
        }
        self.cur = 0;
        self.params()?;
        for &b in &rpo {
            self.cur = self.bmap[&b];
            self.cur_bb = Some(b);
            self.f.layout.push(self.cur);
            let insts = b.instructions();
            for (idx, &i) in insts.iter().enumerate() {
                self.loc = self.loc_of(i);
                self.temps.iter_mut().for_each(|t| t.3 = false);
                let r = if idx + 1 == insts.len() {
                    self.terminator(b, i)
                } else {
                    self.inst(i, b)
                };
                if r.is_err() {
                    self.err_loc = i.debug_loc();
                }
                r?;
            }
            let pending = std::mem::take(&mut self.pending_layout);
            self.f.layout.extend(pending);
        }
        Ok(())
    }

    fn loc_of(&mut self, i: Val) -> Loc {
        match i.debug_loc() {
            Some((file, line)) => Loc {
                file: self.ctx.file_id(&file),
                line,
            },
            None => Loc::default(),
        }
    }

    fn params(&mut self) -> R<()> {
        let mut pinned = Vec::new();
        let mut per_param = Vec::new();
        for p in self.fval.params() {
            let l = self.leaves(p.ty())?;
            let mut regs = Vec::new();
            for (sc, _) in l {
                let pin = self.vreg();
                pinned.push(pin);
                regs.push((pin, sc));
            }
            per_param.push((p, regs));
        }
        let ret_ty = self.fval.global_value_type().fn_ret();
        let shape = RetShape::of(&self.ctx.m, ret_ty).map_err(|e| e.0)?;
        let ret_pin = if shape == RetShape::Indirect {
            let v = self.vreg();
            pinned.push(v);
            Some(v)
        } else {
            None
        };
        let variadic = self.fval.global_value_type().fn_vararg();
        let va_pin = if variadic {
            let v = self.vreg();
            pinned.push(v);
            Some(v)
        } else {
            None
        };
        self.f.nparams = pinned.len() as u32;
        self.emit(Inst::Params(pinned));
        for (p, regs) in per_param {
            let mut out = Vec::new();
            for (pin, sc) in regs {
                let v = match sc {
                    // Natives calling a callback may leave junk above a narrow argument.
                    Sc::Int(b) if b < 32 || (b > 32 && b < 64) => self.mask(pin, b),
                    _ => {
                        let d = self.vreg();
                        self.emit(Inst::Copy { dst: d, src: pin });
                        d
                    }
                };
                out.push(v);
            }
            self.vals.insert(p, out);
        }
        if let Some(pin) = ret_pin {
            let d = self.vreg();
            self.emit(Inst::Copy { dst: d, src: pin });
            self.ret_ptr = Some(d);
        }
        if let Some(pin) = va_pin {
            let d = self.vreg();
            self.emit(Inst::Copy { dst: d, src: pin });
            self.va_ptr = Some(d);
        }
        Ok(())
    }

    fn inst(&mut self, i: Val, bb: Bb) -> R<()> {
        use LLVMOpcode::*;
        let op = i.opcode();
        match op {
            LLVMPHI => {
                let pin = self.phi_in[&i].clone();
                let mut out = Vec::new();
                for p in pin {
                    let d = self.vreg();
                    self.emit(Inst::Copy { dst: d, src: p });
                    out.push(d);
                }
                self.vals.insert(i, out);
            }
            LLVMAdd | LLVMSub | LLVMMul | LLVMUDiv | LLVMSDiv | LLVMURem | LLVMSRem | LLVMShl
            | LLVMLShr | LLVMAShr | LLVMAnd | LLVMOr | LLVMXor => {
                let r = if types::is_wide_scalar(i.ty()) {
                    self.wide_int_binop(op, i)?
                } else {
                    vec![self.int_binop(op, i)?]
                };
                self.vals.insert(i, r);
            }
            LLVMFAdd | LLVMFSub | LLVMFMul | LLVMFDiv | LLVMFRem => {
                let r = if types::is_wide_scalar(i.ty()) {
                    self.f128_binop(op, i.operand(0), i.operand(1))?
                } else {
                    vec![self.float_binop(op, i)?]
                };
                self.vals.insert(i, r);
            }
            LLVMFNeg if types::is_wide_scalar(i.ty()) => {
                let r = self.f128_neg(i.operand(0))?;
                self.vals.insert(i, r);
            }
            LLVMICmp if types::is_wide_scalar(i.operand(0).ty()) => {
                let r = self.wide_icmp(i.icmp_pred(), i.operand(0), i.operand(1))?;
                self.vals.insert(i, vec![r]);
            }
            LLVMFCmp if types::is_wide_scalar(i.operand(0).ty()) => {
                let r = self.f128_fcmp(i.fcmp_pred(), i.operand(0), i.operand(1))?;
                self.vals.insert(i, vec![r]);
            }
            LLVMFNeg => {
                let a = self.get1(i.operand(0))?;
                let o = if i.ty().kind() == LLVMTypeKind::LLVMFloatTypeKind {
                    O::F32Neg
                } else {
                    O::F64Neg
                };
                let r = self.un(o, a);
                self.vals.insert(i, vec![r]);
            }
            LLVMICmp => {
                let c = self.icmp_cond(i)?;
                // A compare that its own block's branch tests becomes a
                // compare-and-branch; other users (a `zext` counting matches,
                // a phi) get the 0/1 value recomputed where they read it
                // (`get`), which the compare's block dominates.
                let branch_here = bb.terminator().is_some_and(|t| {
                    t.opcode() == LLVMBr && t.is_conditional() && t.condition() == i
                });
                if branch_here {
                    self.deferred.insert(i, c);
                } else {
                    let r = self.cond_value(c);
                    self.vals.insert(i, vec![r]);
                }
            }
            LLVMFCmp => {
                let r = self.fcmp(i)?;
                self.vals.insert(i, vec![r]);
            }
            LLVMSelect => {
                if i.operand(0).ty().kind() == LLVMTypeKind::LLVMVectorTypeKind {
                    return Err("vector select is not supported".into());
                }
                // `select i1 c, x, false` and `select i1 c, true, x` are C's
                // `&&` and `||` (LLVM's poison-safe forms): on 0/1 values,
                // one `and` / `or` instead of a constant and a select.
                let is_bool =
                    i.ty().kind() == LLVMTypeKind::LLVMIntegerTypeKind && i.ty().int_width() == 1;
                let konst_of = |v: Val| {
                    (v.kind() == LLVMValueKind::LLVMConstantIntValueKind)
                        .then(|| v.const_int_words())
                        .flatten()
                };
                let logic = match (konst_of(i.operand(1)), konst_of(i.operand(2))) {
                    (_, Some(0)) => Some((O::I32And, i.operand(1))),
                    (Some(1), _) => Some((O::I32Or, i.operand(2))),
                    _ => None,
                };
                if let (true, Some((o, x))) = (is_bool, logic) {
                    let c = self.get1(i.operand(0))?;
                    let x = self.get1(x)?;
                    let r = self.bin(o, c, x);
                    self.vals.insert(i, vec![r]);
                    return Ok(());
                }
                let (c, swap) = self.select_condition(i.operand(0))?;
                let a = self.get(i.operand(1))?;
                let b = self.get(i.operand(2))?;
                let (a, b) = if swap { (b, a) } else { (a, b) };
                let out = a
                    .iter()
                    .zip(b.iter())
                    .map(|(&x, &y)| self.select(c, x, y))
                    .collect();
                self.vals.insert(i, out);
            }
            LLVMTrunc | LLVMZExt | LLVMSExt | LLVMFPToUI | LLVMFPToSI | LLVMUIToFP | LLVMSIToFP
            | LLVMFPTrunc | LLVMFPExt | LLVMPtrToInt | LLVMIntToPtr | LLVMBitCast
            | LLVMAddrSpaceCast | LLVMFreeze => {
                self.cast(op, i)?;
            }
            LLVMAlloca => self.alloca(i, bb)?,
            LLVMLoad => self.load(i)?,
            LLVMStore => self.store(i)?,
            LLVMGetElementPtr => self.gep(i)?,
            LLVMExtractValue => {
                let agg = self.get(i.operand(0))?;
                let (start, len) = self.leaf_range(i.operand(0).ty(), &i.indices())?;
                self.vals.insert(i, agg[start..start + len].to_vec());
            }
            LLVMInsertValue => {
                let mut agg = self.get(i.operand(0))?;
                let v = self.get(i.operand(1))?;
                let (start, len) = self.leaf_range(i.operand(0).ty(), &i.indices())?;
                if v.len() != len {
                    return Err("insertvalue shape mismatch".into());
                }
                agg[start..start + len].copy_from_slice(&v);
                self.vals.insert(i, agg);
            }
            LLVMCall => self.call(i)?,
            LLVMAtomicRMW => self.atomic_rmw(i)?,
            LLVMAtomicCmpXchg => self.cmpxchg(i)?,
            LLVMFence => self.op(O::Fence, vec![]),
            LLVMVAArg => {
                return Err(
                    "the `va_arg` instruction is not supported (clang lowers it for riscv32)"
                        .into(),
                )
            }
            LLVMExtractElement | LLVMInsertElement => {
                // Constant lanes only; the scalarizer rewrote variable ones into selects.
                let lane_op = if op == LLVMExtractElement { 1 } else { 2 };
                let lane = i.operand(lane_op);
                let k = lane
                    .const_int_words()
                    .filter(|_| lane.kind() == LLVMValueKind::LLVMConstantIntValueKind)
                    .ok_or("vector lane chosen at run time is not supported")?
                    as usize;
                let mut v = self.get(i.operand(0))?;
                if k >= v.len() {
                    return Err("vector lane out of range".into());
                }
                if op == LLVMExtractElement {
                    self.vals.insert(i, vec![v[k]]);
                } else {
                    v[k] = self.get1(i.operand(1))?;
                    self.vals.insert(i, v);
                }
            }
            LLVMShuffleVector => {
                let a = self.get(i.operand(0))?;
                let b = self.get(i.operand(1))?;
                let lanes = self.leaves(i.ty())?;
                let mut out = Vec::new();
                for (m, (sc, _)) in i.shuffle_mask().into_iter().zip(lanes) {
                    let r = match m {
                        Some(m) if (m as usize) < a.len() => a[m as usize],
                        Some(m) => *b
                            .get(m as usize - a.len())
                            .ok_or("shuffle lane out of range")?,
                        None => self.konst(0, sc.wide()),
                    };
                    out.push(r);
                }
                self.vals.insert(i, out);
            }
            other => {
                return Err(format!(
                    "unsupported instruction ({:?}): {}",
                    other,
                    consts::short(i)
                ))
            }
        }
        Ok(())
    }

    /// The register `select` tests, looking through `icmp eq/ne x, 0` of a
    /// value of at most 32 bits (select already tests an i32 against zero).
    /// Returns whether the operands must be exchanged (for `eq`).
    fn select_condition(&mut self, c: Val) -> R<(VReg, bool)> {
        if c.kind() == LLVMValueKind::LLVMInstructionValueKind && c.opcode() == LLVMOpcode::LLVMICmp
        {
            let (x, zero) = (c.operand(0), c.operand(1));
            let pred = c.icmp_pred();
            let is_zero = zero.kind() == LLVMValueKind::LLVMConstantIntValueKind
                && zero.const_int_words() == Some(0);
            let narrow =
                x.ty().kind() == LLVMTypeKind::LLVMIntegerTypeKind && x.ty().int_width() <= 32;
            if is_zero
                && narrow
                && matches!(
                    pred,
                    LLVMIntPredicate::LLVMIntEQ | LLVMIntPredicate::LLVMIntNE
                )
            {
                return Ok((self.get1(x)?, pred == LLVMIntPredicate::LLVMIntEQ));
            }
        }
        Ok((self.get1(c)?, false))
    }

    fn leaf_range(&self, t: Ty, idx: &[u32]) -> R<(usize, usize)> {
        let mut start = 0usize;
        let mut t = t;
        for &k in idx {
            match t.kind() {
                LLVMTypeKind::LLVMStructTypeKind => {
                    let el = t.struct_elems();
                    for e in el.iter().take(k as usize) {
                        start += self.leaves(*e)?.len();
                    }
                    t = *el.get(k as usize).ok_or("bad aggregate index")?;
                }
                LLVMTypeKind::LLVMArrayTypeKind => {
                    let e = t.elem();
                    start += self.leaves(e)?.len() * k as usize;
                    t = e;
                }
                _ => return Err("bad aggregate index".into()),
            }
        }
        Ok((start, self.leaves(t)?.len()))
    }

    // ---- integer arithmetic -------------------------------------------------

    pub fn set_vals(&mut self, i: Val, v: Vec<VReg>) {
        self.vals.insert(i, v);
    }
}

/// Width code of the atomic instructions for an access of `bytes`.
pub fn width_code(bytes: u32) -> R<u8> {
    match bytes {
        1 => Ok(0),
        2 => Ok(1),
        4 => Ok(2),
        8 => Ok(3),
        n => Err(format!("atomic access of {} bytes is not supported", n)),
    }
}

fn is_float_op(op: Opcode) -> bool {
    let m = op.mnemonic();
    m.starts_with("f32.") || m.starts_with("f64.") || m.contains("_f32") || m.contains("_f64")
}

/// Reverse post-order of the blocks reachable from `entry`.
fn rpo(entry: Bb) -> Vec<Bb> {
    let mut seen = std::collections::HashSet::new();
    let mut post = Vec::new();
    let mut stack: Vec<(Bb, Vec<Bb>, usize)> = Vec::new();
    seen.insert(entry);
    stack.push((entry, succs_of(entry), 0));
    while let Some(top) = stack.last_mut() {
        if top.2 < top.1.len() {
            let s = top.1[top.2];
            top.2 += 1;
            if seen.insert(s) {
                let ss = succs_of(s);
                stack.push((s, ss, 0));
            }
        } else {
            post.push(top.0);
            stack.pop();
        }
    }
    post.reverse();
    post
}

fn succs_of(b: Bb) -> Vec<Bb> {
    b.terminator().map(|t| t.successors()).unwrap_or_default()
}
