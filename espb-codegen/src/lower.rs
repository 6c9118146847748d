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

    fn int_binop(&mut self, op: LLVMOpcode, i: Val) -> R<VReg> {
        let bits = self.int_bits(i.ty())?;
        let a = i.operand(0);
        let b = i.operand(1);
        self.int_binop_vals(op, bits, a, b)
    }

    pub fn int_binop_vals(&mut self, op: LLVMOpcode, bits: u32, a: Val, b: Val) -> R<VReg> {
        use LLVMOpcode::*;
        let wide = bits > 32;
        let cb = if b.kind() == LLVMValueKind::LLVMConstantIntValueKind {
            b.const_int_words()
        } else {
            None
        };
        // Immediate forms.
        if let Some(c) = cb {
            let cs = sext_from(c, bits);
            let ra = self.get1(a)?;
            if !wide {
                let c32 = c as u32 as i32;
                let r = match op {
                    LLVMAdd => Some(self.imm(O::I32AddI, ra, c32)),
                    LLVMSub => Some(self.imm(O::I32AddI, ra, c32.wrapping_neg())),
                    LLVMMul => Some(self.imm(O::I32MulI, ra, c32)),
                    LLVMAnd => Some(self.imm(O::I32AndI, ra, c32)),
                    LLVMOr => Some(self.imm(O::I32OrI, ra, c32)),
                    LLVMXor => Some(self.imm(O::I32XorI, ra, c32)),
                    LLVMShl => Some(self.imm(O::I32ShlI, ra, c32)),
                    LLVMLShr => Some(self.imm(O::I32ShrUI, ra, c32)),
                    LLVMAShr => {
                        let s = self.sext(ra, bits);
                        Some(self.imm(O::I32ShrSI, s, c32))
                    }
                    _ => None,
                };
                if let Some(r) = r {
                    return Ok(match op {
                        LLVMAnd | LLVMOr | LLVMXor | LLVMLShr => r,
                        _ => self.mask(r, bits),
                    });
                }
            } else if cs == cs as i32 as i64 || matches!(op, LLVMAnd) {
                let r = match op {
                    LLVMAdd => Some(self.imm(O::I64AddI, ra, cs as i32)),
                    LLVMSub if cs != i32::MIN as i64 => {
                        Some(self.imm(O::I64AddI, ra, (-cs) as i32))
                    }
                    LLVMAnd => {
                        let d = self.vreg();
                        self.op(
                            O::I64AndI,
                            vec![VOp::Dst(d), VOp::Reg(ra), VOp::I64(c as i64)],
                        );
                        Some(d)
                    }
                    LLVMShl => Some(self.imm(O::I64ShlI, ra, cs as i32)),
                    LLVMLShr => Some(self.imm(O::I64ShrUI, ra, cs as i32)),
                    LLVMAShr => {
                        let s = self.sext(ra, bits);
                        Some(self.imm(O::I64ShrSI, s, cs as i32))
                    }
                    _ => None,
                };
                if let Some(r) = r {
                    return Ok(match op {
                        LLVMAnd | LLVMLShr => r,
                        _ => self.mask(r, bits),
                    });
                }
            }
        }
        let ra = self.get1(a)?;
        let rb = self.get1(b)?;
        let pick = |n: Opcode, w: Opcode| if wide { w } else { n };
        let r = match op {
            LLVMAdd => self.bin(pick(O::I32Add, O::I64Add), ra, rb),
            LLVMSub => self.bin(pick(O::I32Sub, O::I64Sub), ra, rb),
            LLVMMul => self.bin(pick(O::I32Mul, O::I64Mul), ra, rb),
            LLVMUDiv => self.bin(pick(O::I32DivU, O::I64DivU), ra, rb),
            LLVMURem => self.bin(pick(O::I32RemU, O::I64RemU), ra, rb),
            LLVMSDiv | LLVMSRem => {
                let sa = self.sext(ra, bits);
                let sb = self.sext(rb, bits);
                let o = if op == LLVMSDiv {
                    pick(O::I32DivS, O::I64DivS)
                } else {
                    pick(O::I32RemS, O::I64RemS)
                };
                self.bin(o, sa, sb)
            }
            LLVMShl => self.bin(pick(O::I32Shl, O::I64Shl), ra, rb),
            LLVMLShr => self.bin(pick(O::I32ShrU, O::I64ShrU), ra, rb),
            LLVMAShr => {
                let sa = self.sext(ra, bits);
                self.bin(pick(O::I32ShrS, O::I64ShrS), sa, rb)
            }
            LLVMAnd => self.bin(pick(O::I32And, O::I64And), ra, rb),
            LLVMOr => self.bin(pick(O::I32Or, O::I64Or), ra, rb),
            LLVMXor => self.bin(pick(O::I32Xor, O::I64Xor), ra, rb),
            _ => return Err(format!("unexpected integer operation {:?}", op)),
        };
        Ok(match op {
            LLVMAnd | LLVMOr | LLVMXor | LLVMLShr | LLVMUDiv | LLVMURem => r,
            _ => self.mask(r, bits),
        })
    }

    fn float_binop(&mut self, op: LLVMOpcode, i: Val) -> R<VReg> {
        use LLVMOpcode::*;
        let t = i.ty();
        let f32 = match t.kind() {
            LLVMTypeKind::LLVMFloatTypeKind => true,
            LLVMTypeKind::LLVMDoubleTypeKind => false,
            _ => {
                return Err(format!(
                    "floating-point type `{}` is not supported",
                    t.print()
                ))
            }
        };
        let a = self.get1(i.operand(0))?;
        let b = self.get1(i.operand(1))?;
        let o = match (op, f32) {
            (LLVMFAdd, true) => O::F32Add,
            (LLVMFAdd, false) => O::F64Add,
            (LLVMFSub, true) => O::F32Sub,
            (LLVMFSub, false) => O::F64Sub,
            (LLVMFMul, true) => O::F32Mul,
            (LLVMFMul, false) => O::F64Mul,
            (LLVMFDiv, true) => O::F32Div,
            (LLVMFDiv, false) => O::F64Div,
            _ => {
                let name = if f32 { "fmodf" } else { "fmod" };
                let sc = if f32 { Sc::F32 } else { Sc::F64 };
                return self
                    .libcall(name, &[(a, sc), (b, sc)], Some(sc))
                    .map(|r| r.unwrap_or(a));
            }
        };
        Ok(self.bin(o, a, b))
    }

    /// Calls a C library function the runtime provides, by name.
    pub fn libcall(&mut self, name: &str, args: &[(VReg, Sc)], ret: Option<Sc>) -> R<Option<VReg>> {
        let ft = espb_format::FuncType {
            params: args.iter().map(|(_, s)| s.val_type()).collect(),
            result: ret.map(Sc::val_type),
            variadic: false,
        };
        let ty = self.ctx.intern_type(ft);
        let import = self.ctx.import_named(name, ty)?;
        let r = ret.map(|_| self.vreg());
        self.f.has_calls = true;
        self.emit(Inst::Call {
            callee: Callee::Import(import),
            args: args.iter().map(|a| a.0).collect(),
            ret: r,
        });
        Ok(r)
    }

    // ---- comparisons ----------------------------------------------------------

    fn icmp_cond(&mut self, i: Val) -> R<Cond> {
        let a = i.operand(0);
        let b = i.operand(1);
        if a.ty().kind() == LLVMTypeKind::LLVMVectorTypeKind {
            return Err("vector comparisons are not supported".into());
        }
        let bits = self.int_bits(a.ty())?;
        self.icmp_vals(i.icmp_pred(), bits, a, b)
    }

    pub fn icmp_vals(&mut self, pred: LLVMIntPredicate, bits: u32, a: Val, b: Val) -> R<Cond> {
        use LLVMIntPredicate::*;
        let cmp = match pred {
            LLVMIntEQ => Cmp::Eq,
            LLVMIntNE => Cmp::Ne,
            LLVMIntUGT => Cmp::GtU,
            LLVMIntUGE => Cmp::GeU,
            LLVMIntULT => Cmp::LtU,
            LLVMIntULE => Cmp::LeU,
            LLVMIntSGT => Cmp::GtS,
            LLVMIntSGE => Cmp::GeS,
            LLVMIntSLT => Cmp::LtS,
            LLVMIntSLE => Cmp::LeS,
        };
        let signed = matches!(cmp, Cmp::GtS | Cmp::GeS | Cmp::LtS | Cmp::LeS);
        let wide = bits > 32;
        let ra = self.get1(a)?;
        let ra = if signed { self.sext(ra, bits) } else { ra };
        let cb = match b.kind() {
            LLVMValueKind::LLVMConstantIntValueKind => b.const_int_words(),
            // `p != NULL` compares with the immediate 0.
            LLVMValueKind::LLVMConstantPointerNullValueKind => Some(0),
            _ => None,
        };
        if let (Some(c), false) = (cb, wide) {
            let v = if signed {
                sext_from(c, bits) as i32
            } else {
                c as u32 as i32
            };
            return Ok(Cond::Cmp {
                cmp,
                wide,
                a: ra,
                b: Rhs::Imm(v),
            });
        }
        let rb = self.get1(b)?;
        let rb = if signed { self.sext(rb, bits) } else { rb };
        Ok(Cond::Cmp {
            cmp,
            wide,
            a: ra,
            b: Rhs::Reg(rb),
        })
    }

    /// Materialises a condition as an i32 0/1.
    pub fn cond_value(&mut self, c: Cond) -> VReg {
        match c {
            Cond::Nz(r) => self.imm(O::I32NeI, r, 0),
            Cond::Cmp {
                cmp,
                wide,
                a,
                b: Rhs::Imm(v),
            } => {
                let o = match cmp {
                    Cmp::Eq => Some(O::I32EqI),
                    Cmp::Ne => Some(O::I32NeI),
                    Cmp::LtS => Some(O::I32LtSI),
                    Cmp::LtU => Some(O::I32LtUI),
                    Cmp::GtS => Some(O::I32GtSI),
                    Cmp::GtU => Some(O::I32GtUI),
                    _ => None,
                };
                match o {
                    Some(o) => self.imm(o, a, v),
                    None => {
                        let k = self.konst(v as u32 as u64, false);
                        self.cond_value(Cond::Cmp {
                            cmp,
                            wide,
                            a,
                            b: Rhs::Reg(k),
                        })
                    }
                }
            }
            Cond::Cmp {
                cmp,
                wide,
                a,
                b: Rhs::Reg(b),
            } => {
                let o = match (cmp, wide) {
                    (Cmp::Eq, false) => O::I32Eq,
                    (Cmp::Ne, false) => O::I32Ne,
                    (Cmp::LtS, false) => O::I32LtS,
                    (Cmp::LtU, false) => O::I32LtU,
                    (Cmp::LeS, false) => O::I32LeS,
                    (Cmp::LeU, false) => O::I32LeU,
                    (Cmp::GtS, false) => O::I32GtS,
                    (Cmp::GtU, false) => O::I32GtU,
                    (Cmp::GeS, false) => O::I32GeS,
                    (Cmp::GeU, false) => O::I32GeU,
                    (Cmp::Eq, true) => O::I64Eq,
                    (Cmp::Ne, true) => O::I64Ne,
                    (Cmp::LtS, true) => O::I64LtS,
                    (Cmp::LtU, true) => O::I64LtU,
                    (Cmp::LeS, true) => O::I64LeS,
                    (Cmp::LeU, true) => O::I64LeU,
                    (Cmp::GtS, true) => O::I64GtS,
                    (Cmp::GtU, true) => O::I64GtU,
                    (Cmp::GeS, true) => O::I64GeS,
                    (Cmp::GeU, true) => O::I64GeU,
                };
                self.bin(o, a, b)
            }
        }
    }

    fn fcmp(&mut self, i: Val) -> R<VReg> {
        use LLVMRealPredicate::*;
        let a = i.operand(0);
        let f32 = match a.ty().kind() {
            LLVMTypeKind::LLVMFloatTypeKind => true,
            LLVMTypeKind::LLVMDoubleTypeKind => false,
            _ => {
                return Err(format!(
                    "comparison of `{}` is not supported",
                    a.ty().print()
                ))
            }
        };
        let pred = i.fcmp_pred();
        match pred {
            LLVMRealPredicateFalse => return Ok(self.konst(0, false)),
            LLVMRealPredicateTrue => return Ok(self.konst(1, false)),
            _ => {}
        }
        let ra = self.get1(a)?;
        let rb = self.get1(i.operand(1))?;
        let o = match (pred, f32) {
            (LLVMRealOEQ, true) => O::F32Eq,
            (LLVMRealOGT, true) => O::F32Gt,
            (LLVMRealOGE, true) => O::F32Ge,
            (LLVMRealOLT, true) => O::F32Lt,
            (LLVMRealOLE, true) => O::F32Le,
            (LLVMRealONE, true) => O::F32One,
            (LLVMRealORD, true) => O::F32Ord,
            (LLVMRealUNO, true) => O::F32Uno,
            (LLVMRealUEQ, true) => O::F32Ueq,
            (LLVMRealUGT, true) => O::F32Ugt,
            (LLVMRealUGE, true) => O::F32Uge,
            (LLVMRealULT, true) => O::F32Ult,
            (LLVMRealULE, true) => O::F32Ule,
            (LLVMRealUNE, true) => O::F32Ne,
            (LLVMRealOEQ, false) => O::F64Eq,
            (LLVMRealOGT, false) => O::F64Gt,
            (LLVMRealOGE, false) => O::F64Ge,
            (LLVMRealOLT, false) => O::F64Lt,
            (LLVMRealOLE, false) => O::F64Le,
            (LLVMRealONE, false) => O::F64One,
            (LLVMRealORD, false) => O::F64Ord,
            (LLVMRealUNO, false) => O::F64Uno,
            (LLVMRealUEQ, false) => O::F64Ueq,
            (LLVMRealUGT, false) => O::F64Ugt,
            (LLVMRealUGE, false) => O::F64Uge,
            (LLVMRealULT, false) => O::F64Ult,
            (LLVMRealULE, false) => O::F64Ule,
            (LLVMRealUNE, false) => O::F64Ne,
            _ => unreachable!("true/false handled above"),
        };
        Ok(self.bin(o, ra, rb))
    }

    // ---- casts ------------------------------------------------------------------

    fn cast(&mut self, op: LLVMOpcode, i: Val) -> R<()> {
        use LLVMOpcode::*;
        let src = i.operand(0);
        let st = src.ty();
        let dt = i.ty();
        let is_vec = |t: Ty| t.kind() == LLVMTypeKind::LLVMVectorTypeKind;
        if op == LLVMOpcode::LLVMBitCast && (is_vec(st) || is_vec(dt)) {
            return self.bitcast_via_memory(i, src);
        }
        if is_vec(st) || is_vec(dt) {
            return Err("vector casts are not supported".into());
        }
        let fbits = |t: Ty| match t.kind() {
            LLVMTypeKind::LLVMFloatTypeKind => Ok(32u32),
            LLVMTypeKind::LLVMDoubleTypeKind => Ok(64),
            _ => Err(format!(
                "floating-point type `{}` is not supported",
                t.print()
            )),
        };
        if matches!(op, LLVMFreeze | LLVMBitCast | LLVMAddrSpaceCast) {
            let v = self.get(src)?;
            self.vals.insert(i, v);
            return Ok(());
        }
        if self.wide_cast(op, i)? {
            return Ok(());
        }
        let a = self.get1(src)?;
        let r = match op {
            LLVMTrunc => {
                let (s, d) = (self.int_bits(st)?, self.int_bits(dt)?);
                if d == 32 || (d == s) {
                    a
                } else {
                    self.mask(a, d)
                }
            }
            LLVMZExt => {
                let (s, d) = (self.int_bits(st)?, self.int_bits(dt)?);
                if s <= 32 && d > 32 {
                    self.un(O::I64Zext32, a)
                } else {
                    a
                }
            }
            LLVMSExt => {
                let (s, d) = (self.int_bits(st)?, self.int_bits(dt)?);
                let x = self.sext(a, s);
                let x = if s <= 32 && d > 32 {
                    self.un(O::I64Sext32, x)
                } else {
                    x
                };
                self.mask(x, d)
            }
            LLVMPtrToInt => {
                let d = self.int_bits(dt)?;
                if d > 32 {
                    self.un(O::I64Zext32, a)
                } else {
                    self.mask(a, d)
                }
            }
            LLVMIntToPtr => a,
            LLVMFPTrunc => self.un(O::F32DemoteF64, a),
            LLVMFPExt => self.un(O::F64PromoteF32, a),
            LLVMFPToSI | LLVMFPToUI => {
                let fb = fbits(st)?;
                let d = self.int_bits(dt)?;
                let signed = op == LLVMFPToSI;
                let o = match (fb, d > 32, signed) {
                    (32, false, true) => O::I32TruncF32S,
                    (32, false, false) => O::I32TruncF32U,
                    (64, false, true) => O::I32TruncF64S,
                    (64, false, false) => O::I32TruncF64U,
                    (32, true, true) => O::I64TruncF32S,
                    (32, true, false) => O::I64TruncF32U,
                    (64, true, true) => O::I64TruncF64S,
                    _ => O::I64TruncF64U,
                };
                let r = self.un(o, a);
                self.mask(r, d)
            }
            LLVMSIToFP | LLVMUIToFP => {
                let s = self.int_bits(st)?;
                let fb = fbits(dt)?;
                let signed = op == LLVMSIToFP;
                let x = if signed { self.sext(a, s) } else { a };
                let o = match (fb, s > 32, signed) {
                    (32, false, true) => O::F32FromI32S,
                    (32, false, false) => O::F32FromI32U,
                    (64, false, true) => O::F64FromI32S,
                    (64, false, false) => O::F64FromI32U,
                    (32, true, true) => O::F32FromI64S,
                    (32, true, false) => O::F32FromI64U,
                    (64, true, true) => O::F64FromI64S,
                    _ => O::F64FromI64U,
                };
                self.un(o, x)
            }
            _ => return Err(format!("unsupported cast {:?}", op)),
        };
        self.vals.insert(i, vec![r]);
        Ok(())
    }

    /// A bitcast that changes how bits are grouped (scalar <-> vector): a
    /// little-endian round trip through a frame slot, which is exactly
    /// LLVM's definition of bitcast on this target.
    fn bitcast_via_memory(&mut self, i: Val, src: Val) -> R<()> {
        let st = src.ty();
        let size = self.ctx.m.store_size(st);
        if size != self.ctx.m.store_size(i.ty()) || size > 1 << 12 {
            return Err("unsupported bitcast".into());
        }
        let src_leaves = self.leaves(st)?;
        let dst_leaves = self.leaves(i.ty())?;
        let regs = self.get(src)?;
        let slot = self.temp_slot(size as u32, 8);
        let a = self.frame_addr(slot);
        for ((sc, off), r) in src_leaves.into_iter().zip(regs) {
            self.store_bytes(sc.store_bytes(), a, r, off as i32);
        }
        let out = dst_leaves
            .into_iter()
            .map(|(sc, off)| self.load_leaf(sc, a, off as i32))
            .collect();
        self.vals.insert(i, out);
        Ok(())
    }

    // ---- memory -------------------------------------------------------------------

    fn alloca(&mut self, i: Val, bb: Bb) -> R<()> {
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

    fn load(&mut self, i: Val) -> R<()> {
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

    fn load_bytes(&mut self, bytes: u32, base: VReg, off: i32) -> VReg {
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

    fn store(&mut self, i: Val) -> R<()> {
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

    fn gep(&mut self, i: Val) -> R<()> {
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

    fn atomic_rmw(&mut self, i: Val) -> R<()> {
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

    fn cmpxchg(&mut self, i: Val) -> R<()> {
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

    fn call(&mut self, i: Val) -> R<()> {
        let callee = i.called_value();
        if callee.is_inline_asm() {
            return self.inline_asm(i, callee);
        }
        let mut target = callee;
        while target.kind() == LLVMValueKind::LLVMGlobalAliasValueKind {
            target = target.alias_target();
        }
        if target.is_function() && target.name().starts_with("llvm.") {
            return self.intrinsic(i, &target.name());
        }
        if target.is_function()
            && target.is_declaration()
            && self.atomic_libcall(i, &target.name())?
        {
            return Ok(());
        }
        let fty = i.called_fn_type();
        if let Some(&idx) = self.ctx.funcs.get(&target) {
            let decl = target.global_value_type();
            if decl != fty && !decl.fn_vararg() && !fty.fn_vararg() {
                return self.mismatched_call(i, idx, decl);
            }
        }
        let nfixed = fty.fn_params().len() as u32;
        let nargs = i.num_arg_operands();
        let to_module = !target.is_function() || self.ctx.funcs.contains_key(&target);
        let mut fixed = Vec::new();
        for k in 0..nfixed.min(nargs) {
            match i.call_byval_type(k).filter(|_| to_module) {
                Some(t) if t.is_sized() => {
                    let dst = self.byval_copy(i.operand(k), t)?;
                    fixed.push(dst);
                }
                _ => fixed.extend(self.get(i.operand(k))?),
            }
        }
        let mut var: Vec<(VReg, Sc)> = Vec::new();
        for k in nfixed..nargs {
            let a = i.operand(k);
            let l = self.leaves(a.ty())?;
            let r = self.get(a)?;
            if types::is_wide_scalar(a.ty()) {
                // riscv32 passes a variadic `long double` by reference
                // (clang's `va_arg` reads a pointer): a copy in the frame.
                let slot = self.temp_slot(16, 16);
                let at = self.frame_addr(slot);
                for ((sc, off), v) in l.into_iter().zip(r) {
                    self.store_bytes(sc.store_bytes(), at, v, off as i32);
                }
                var.push((at, Sc::Ptr));
                continue;
            }
            for ((sc, _), v) in l.into_iter().zip(r) {
                var.push((v, sc));
            }
        }
        if !to_module
            && target.is_function()
            && (types::has_wide_scalar(fty) || types::has_wide_scalar(target.global_value_type()))
        {
            return Err(format!(
                "native function `{}` takes or returns `long double` (or an integer over 64 bits): \
                 not supported across the FFI; convert to `double` at the call",
                target.name()
            ));
        }
        let (shape, ret_slot, ret) = self.call_result(fty.fn_ret(), &mut fixed)?;
        let callee = if target.is_function() && self.ctx.funcs.contains_key(&target) {
            let idx = self.ctx.funcs[&target];
            let decl = target.global_value_type();
            if decl != fty {
                return Err(format!(
                    "call to `{}` with a signature that differs from its definition",
                    target.name()
                ));
            }
            if fty.fn_vararg() {
                let area = self.pack_varargs(&var);
                fixed.push(area);
            }
            Callee::Func(idx)
        } else if target.is_function() {
            let decl = target.global_value_type();
            if decl.fn_vararg() && decl.fn_params().is_empty() && !fty.fn_vararg() {
                // `extern int puts();`: an unprototyped declaration (C has
                // no variadic function without a fixed parameter). The call
                // sites say what the function takes: when they all agree,
                // that is the import's signature; otherwise each passes its
                // own exact arguments, as to a variadic function.
                let sig = types::signature(&self.ctx.m, fty).map_err(|e| e.0)?;
                let (sites, other_uses) = target.call_site_types();
                let ty = self.ctx.intern_type(sig);
                if !other_uses && sites.iter().all(|&t| t == fty) {
                    Callee::Import(self.ctx.import_named(&target.name(), ty)?)
                } else {
                    Callee::ImportVar {
                        import: self.ctx.import_of(target)?,
                        ty,
                    }
                }
            } else {
                self.import_call(target, fty, decl, &var, &mut fixed)?
            }
        } else {
            let t = self.get1(callee)?;
            let sig = types::signature(&self.ctx.m, fty).map_err(|e| e.0)?;
            if fty.fn_vararg() {
                return self.variadic_indirect_call(i, t, sig, fixed, &var, shape, ret);
            }
            let ty = self.ctx.intern_type(sig);
            Callee::Indirect { ty, target: t }
        };
        self.f.has_calls = true;
        self.emit(Inst::Call {
            callee,
            args: fixed,
            ret,
        });
        let is_import = matches!(callee, Callee::Import(_) | Callee::ImportVar { .. });
        if let Some(at) = ret_slot {
            self.load_indirect_result(i, fty.fn_ret(), at)?;
        }
        match (shape, ret) {
            (RetShape::One(sc), Some(r)) => {
                // A native may leave junk above a narrow result.
                let r = match sc {
                    Sc::Int(b) if is_import && b != 32 && b != 64 => self.mask(r, b),
                    _ => r,
                };
                self.vals.insert(i, vec![r]);
            }
            (RetShape::Pair(..), Some(r)) => {
                let hi = self.imm(O::I64ShrUI, r, 32);
                self.vals.insert(i, vec![r, hi]);
            }
            _ => {}
        }
        Ok(())
    }

    /// A direct call whose arguments differ from the callee's definition: a
    /// K&R definition (`int f() {…}`) called with arguments, or a function
    /// called through a cast to another type. C leaves it undefined; every
    /// real ABI passes the arguments in order and the callee reads what it
    /// declares, which is what happens here: the call's leaves fill the
    /// definition's parameters in order, extras are dropped, missing ones
    /// are 0; a result the callee does not produce reads as 0.
    fn mismatched_call(&mut self, i: Val, idx: u32, decl: Ty) -> R<()> {
        let mut given = Vec::new();
        for k in 0..i.num_arg_operands() {
            let a = i.operand(k);
            if let Some(t) = i.call_byval_type(k).filter(|t| t.is_sized()) {
                let dst = self.byval_copy(a, t)?;
                given.push(dst);
            } else {
                given.extend(self.get(a)?);
            }
        }
        let want = types::param_leaves(&self.ctx.m, decl).map_err(|e| e.0)?;
        let mut args = Vec::new();
        for (k, sc) in want.iter().enumerate() {
            args.push(match given.get(k) {
                Some(&r) => r,
                None => self.konst(0, sc.wide()),
            });
        }
        let (shape, slot, ret) = self.call_result(decl.fn_ret(), &mut args)?;
        self.f.has_calls = true;
        self.emit(Inst::Call {
            callee: Callee::Func(idx),
            args,
            ret,
        });
        let t = i.ty();
        if t.kind() == LLVMTypeKind::LLVMVoidTypeKind {
            return Ok(());
        }
        let wanted = self.leaves(t)?;
        let same = t == decl.fn_ret();
        let out = match (shape, ret, slot) {
            (RetShape::One(_), Some(r), _) if same => vec![r],
            (RetShape::One(Sc::Int(_)), Some(r), _) if matches!(wanted[..], [(Sc::Int(_), _)]) => {
                let b = match wanted[0].0 {
                    Sc::Int(b) => b,
                    _ => 32,
                };
                vec![self.mask(r, b)]
            }
            (RetShape::Pair(..), Some(r), _) if same => {
                let hi = self.imm(O::I64ShrUI, r, 32);
                vec![r, hi]
            }
            (RetShape::Indirect, _, Some(at)) if same => {
                self.load_indirect_result(i, t, at)?;
                return Ok(());
            }
            _ => wanted
                .iter()
                .map(|(sc, _)| self.konst(0, sc.wide()))
                .collect(),
        };
        self.vals.insert(i, out);
        Ok(())
    }

    /// The copy of by-value aggregate `v` (of type `t`) the callee owns
    /// (docs/abi.md), made in the caller's frame; its address.
    fn byval_copy(&mut self, v: Val, t: Ty) -> R<VReg> {
        let size = self.ctx.m.alloc_size(t);
        if size > 1 << 24 {
            return Err("by-value argument too large".into());
        }
        let src = self.get1(v)?;
        let slot = self.temp_slot(size as u32, 8);
        let dst = self.frame_addr(slot);
        let n = self.konst(size, false);
        self.op(O::MemCopy, vec![VOp::Reg(dst), VOp::Reg(src), VOp::Reg(n)]);
        Ok(dst)
    }

    /// How a call's result of type `t` comes back: its shape, the frame
    /// slot a wide result is written to (its address appended to `args`,
    /// after the declared arguments) and the result register.
    fn call_result(
        &mut self,
        t: Ty,
        args: &mut Vec<VReg>,
    ) -> R<(RetShape, Option<VReg>, Option<VReg>)> {
        let shape = RetShape::of(&self.ctx.m, t).map_err(|e| e.0)?;
        let slot = if shape == RetShape::Indirect {
            let size = self.ctx.m.alloc_size(t) as u32;
            let off = self.temp_slot(size, 16);
            let at = self.frame_addr(off);
            args.push(at);
            Some(at)
        } else {
            None
        };
        let ret = match shape {
            RetShape::Void | RetShape::Indirect => None,
            _ => Some(self.vreg()),
        };
        Ok((shape, slot, ret))
    }

    /// The value of call `i` from the slot its callee wrote it to.
    fn load_indirect_result(&mut self, i: Val, t: Ty, at: VReg) -> R<()> {
        let out = self
            .leaves(t)?
            .into_iter()
            .map(|(sc, off)| self.load_leaf(sc, at, off as i32))
            .collect();
        self.vals.insert(i, out);
        Ok(())
    }

    /// The callee of a direct call to imported function `target`: a
    /// variadic one gets the call site's exact argument types.
    fn import_call(
        &mut self,
        target: Val,
        fty: Ty,
        decl: Ty,
        var: &[(VReg, Sc)],
        fixed: &mut Vec<VReg>,
    ) -> R<Callee> {
        let import = self.ctx.import_of(target)?;
        if decl.fn_vararg() {
            let mut site = types::signature(&self.ctx.m, decl).map_err(|e| e.0)?;
            site.variadic = false;
            for &(v, sc) in var {
                fixed.push(v);
                site.params.push(match sc {
                    Sc::F32 => {
                        return Err("float passed to a variadic function without promotion".into())
                    }
                    s => s.val_type(),
                });
            }
            let ty = self.ctx.intern_type(site);
            Ok(Callee::ImportVar { import, ty })
        } else {
            if decl != fty {
                return Err(format!(
                    "call to `{}` with a signature that differs from its declaration",
                    target.name()
                ));
            }
            Ok(Callee::Import(import))
        }
    }

    /// A variadic call through a pointer. A module function takes its
    /// variadic arguments packed in memory behind a hidden pointer; a native
    /// (`sprintf` taken by address) needs each one with its exact type, as a
    /// direct call passes them. The pointer's range says which it is at run
    /// time, so the call is made both ways on two paths.
    #[allow(clippy::too_many_arguments)]
    fn variadic_indirect_call(
        &mut self,
        i: Val,
        target: VReg,
        sig: espb_format::FuncType,
        fixed: Vec<VReg>,
        var: &[(VReg, Sc)],
        shape: RetShape,
        ret: Option<VReg>,
    ) -> R<()> {
        let mut site = sig.clone();
        site.variadic = false;
        for &(_, sc) in var {
            if sc == Sc::F32 {
                return Err("float passed to a variadic function without promotion".into());
            }
            site.params.push(sc.val_type());
        }
        let packed_ty = self.ctx.intern_type(sig);
        let site_ty = self.ctx.intern_type(site);
        let area = self.pack_varargs(var);
        let to_module = self.new_block();
        let to_native = self.new_block();
        let join = self.new_block();
        self.terminate(Term::CondBr {
            cond: Cond::Cmp {
                cmp: Cmp::GeU,
                wide: false,
                a: target,
                b: Rhs::Imm(espb_format::FUNC_REF_BASE as i32),
            },
            t: to_module,
            f: to_native,
        });
        self.f.has_calls = true;
        for (block, ty, args, native) in [
            (to_module, packed_ty, [&fixed[..], &[area]].concat(), false),
            (
                to_native,
                site_ty,
                [&fixed[..], &var.iter().map(|v| v.0).collect::<Vec<_>>()].concat(),
                true,
            ),
        ] {
            self.cur = block;
            let r = ret.map(|_| self.vreg());
            self.emit(Inst::Call {
                callee: Callee::Indirect { ty, target },
                args,
                ret: r,
            });
            if let (Some(r), Some(dst)) = (r, ret) {
                // A native may leave junk above a narrow result.
                let r = match shape {
                    RetShape::One(Sc::Int(b)) if native && b != 32 && b != 64 => self.mask(r, b),
                    _ => r,
                };
                self.emit(Inst::Copy { dst, src: r });
            }
            self.terminate(Term::Br(join));
        }
        self.cur = join;
        if shape == RetShape::Indirect {
            let at = *fixed.last().ok_or("missing result slot")?;
            self.load_indirect_result(i, i.called_fn_type().fn_ret(), at)?;
        }
        match (shape, ret) {
            (RetShape::One(_), Some(r)) => {
                self.vals.insert(i, vec![r]);
            }
            (RetShape::Pair(..), Some(r)) => {
                let hi = self.imm(O::I64ShrUI, r, 32);
                self.vals.insert(i, vec![r, hi]);
            }
            _ => {}
        }
        Ok(())
    }

    /// Lays out variadic arguments like stack arguments in a frame area and
    /// returns its address: 4-byte slots, 8-byte values at their ABI
    /// alignment (8 on riscv32 ilp32, which clang's `va_arg` expects; 4 on
    /// i386).
    fn pack_varargs(&mut self, var: &[(VReg, Sc)]) -> VReg {
        let (al_i64, al_f64) = self.ctx.m.wide_aligns();
        let mut off = 0u32;
        let mut placed = Vec::new();
        for &(v, sc) in var {
            let size = if sc.wide() { 8 } else { 4 };
            let align = match sc {
                Sc::F64 => al_f64.clamp(4, 8),
                _ if sc.wide() => al_i64.clamp(4, 8),
                _ => 4,
            };
            off = off.div_ceil(align) * align;
            placed.push((v, size, off));
            off += size;
        }
        let area = self.temp_slot(off.max(8), 8);
        let a = self.frame_addr(area);
        for (v, size, o) in placed {
            self.store_bytes(size, a, v, o as i32);
        }
        a
    }

    // ---- control flow ---------------------------------------------------------------

    /// The block to branch to for the CFG edge `from -> to`, with phi copies placed.
    fn edge(&mut self, from: Bb, to: Bb, single_succ: bool) -> R<BlockId> {
        let target = *self.bmap.get(&to).ok_or("branch to an unreachable block")?;
        let phis: Vec<Val> = to
            .instructions()
            .into_iter()
            .take_while(|i| i.opcode() == LLVMOpcode::LLVMPHI)
            .collect();
        if phis.is_empty() {
            return Ok(target);
        }
        if let Some(&b) = self.edge_blocks.get(&(from, to)) {
            return Ok(b);
        }
        let saved = self.cur;
        let blk = if single_succ {
            self.cur
        } else {
            let b = self.new_block();
            self.edge_blocks.insert((from, to), b);
            self.cur = b;
            b
        };
        let mut pairs = Vec::new();
        for p in phis {
            let inc = p
                .incoming()
                .into_iter()
                .find(|(_, b)| *b == from)
                .ok_or("phi without an incoming value")?;
            let srcs = self.get(inc.0)?;
            let dsts = self.phi_in[&p].clone();
            pairs.extend(dsts.into_iter().zip(srcs));
        }
        self.emit(Inst::ParCopy(pairs));
        if !single_succ {
            self.terminate(Term::Br(target));
            self.cur = saved;
            Ok(blk)
        } else {
            self.edge_blocks.insert((from, to), target);
            Ok(target)
        }
    }

    fn terminator(&mut self, bb: Bb, i: Val) -> R<()> {
        use LLVMOpcode::*;
        let succs = i.successors();
        let single = succs.iter().all(|b| *b == succs[0]);
        match i.opcode() {
            LLVMRet => {
                if i.num_operands() == 0 {
                    self.terminate(Term::Ret(None));
                    return Ok(());
                }
                let v = i.operand(0);
                let shape = RetShape::of(&self.ctx.m, v.ty()).map_err(|e| e.0)?;
                let regs = self.get(v)?;
                let r = match shape {
                    RetShape::Void => None,
                    RetShape::Indirect => {
                        let at = self.ret_ptr.ok_or("missing result pointer")?;
                        let leaves = self.leaves(v.ty())?;
                        for ((sc, off), r) in leaves.into_iter().zip(regs) {
                            self.store_bytes(sc.store_bytes(), at, r, off as i32);
                        }
                        None
                    }
                    RetShape::One(_) => Some(regs[0]),
                    RetShape::Pair(..) => {
                        let lo = self.un(O::I64Zext32, regs[0]);
                        let hi = self.un(O::I64Zext32, regs[1]);
                        let hi = self.imm(O::I64ShlI, hi, 32);
                        Some(self.bin(O::I64Or, lo, hi))
                    }
                };
                self.terminate(Term::Ret(r));
            }
            LLVMBr => {
                if !i.is_conditional() {
                    let t = self.edge(bb, succs[0], true)?;
                    self.terminate(Term::Br(t));
                } else {
                    let cv = i.condition();
                    let cond = match self.deferred.get(&cv) {
                        Some(c) => *c,
                        None => Cond::Nz(self.get1(cv)?),
                    };
                    let t = self.edge(bb, succs[0], single)?;
                    let f = self.edge(bb, succs[1], single)?;
                    self.terminate(Term::CondBr { cond, t, f });
                }
            }
            LLVMSwitch => self.switch(bb, i, single)?,
            LLVMUnreachable => self.terminate(Term::Unreachable),
            LLVMIndirectBr => self.indirect_br(bb, i, single)?,
            LLVMInvoke | LLVMResume | LLVMCallBr => {
                return Err("exception handling and asm goto are not supported".into())
            }
            _ => {
                return Err(format!("unsupported terminator: {}", consts::short(i)));
            }
        }
        Ok(())
    }

    /// `goto *p` (`indirectbr`): a switch over the label values of the
    /// possible destinations; any other value traps.
    fn indirect_br(&mut self, bb: Bb, i: Val, single: bool) -> R<()> {
        let p = self.get1(i.operand(0))?;
        let mut cases = Vec::new();
        for k in 1..i.num_operands() {
            let dest = i.operand_block(k);
            let v = self.ctx.label_value(self.fval, dest)?;
            if cases.iter().any(|&(c, _)| c == v as u64) {
                continue;
            }
            let t = self.edge(bb, dest, single)?;
            cases.push((v as u64, t));
        }
        cases.sort_by_key(|c| c.0);
        let trap = self.new_block();
        let saved = self.cur;
        self.cur = trap;
        self.terminate(Term::Unreachable);
        self.cur = saved;
        self.switch_tree(p, false, &cases, trap);
        Ok(())
    }

    fn switch(&mut self, bb: Bb, i: Val, single: bool) -> R<()> {
        let cv = i.operand(0);
        let bits = self.int_bits(cv.ty())?;
        let wide = bits > 32;
        let c = self.get1(cv)?;
        let default = self.edge(bb, i.operand_block(1), single)?;
        let mut cases = Vec::new();
        let mut k = 2;
        while k + 1 < i.num_operands() {
            let v = i
                .operand(k)
                .const_int_words()
                .ok_or("switch on a wide integer")?;
            let t = self.edge(bb, i.operand_block(k + 1), single)?;
            cases.push((mask_to(v, bits), t));
            k += 2;
        }
        cases.sort_by_key(|c| c.0);
        if cases.is_empty() {
            self.terminate(Term::Br(default));
            return Ok(());
        }
        let (min, max) = (cases[0].0, cases[cases.len() - 1].0);
        let range = max - min + 1;
        if !wide && cases.len() >= 4 && range <= 3 * cases.len() as u64 && range <= 4096 {
            let idx = if min == 0 {
                c
            } else {
                self.imm(O::I32AddI, c, (min as u32).wrapping_neg() as i32)
            };
            let table = self.new_block();
            self.terminate(Term::CondBr {
                cond: Cond::Cmp {
                    cmp: Cmp::GeU,
                    wide: false,
                    a: idx,
                    b: Rhs::Imm(range as u32 as i32),
                },
                t: default,
                f: table,
            });
            let mut targets = vec![default; range as usize];
            for (v, t) in &cases {
                targets[(v - min) as usize] = *t;
            }
            self.cur = table;
            self.terminate(Term::BrTable {
                idx,
                default,
                targets,
            });
            return Ok(());
        }
        self.switch_tree(c, wide, &cases, default);
        Ok(())
    }

    fn switch_tree(&mut self, c: VReg, wide: bool, cases: &[(u64, BlockId)], default: BlockId) {
        let rhs = |s: &mut Self, v: u64| {
            if wide {
                Rhs::Reg(s.konst(v, true))
            } else {
                Rhs::Imm(v as u32 as i32)
            }
        };
        if cases.len() <= 3 {
            for (k, &(v, t)) in cases.iter().enumerate() {
                let b = rhs(self, v);
                let next = if k + 1 == cases.len() {
                    default
                } else {
                    self.new_block()
                };
                self.terminate(Term::CondBr {
                    cond: Cond::Cmp {
                        cmp: Cmp::Eq,
                        wide,
                        a: c,
                        b,
                    },
                    t,
                    f: next,
                });
                self.cur = next;
            }
            return;
        }
        let mid = cases.len() / 2;
        let b = rhs(self, cases[mid].0);
        let left = self.new_block();
        let right = self.new_block();
        self.terminate(Term::CondBr {
            cond: Cond::Cmp {
                cmp: Cmp::LtU,
                wide,
                a: c,
                b,
            },
            t: left,
            f: right,
        });
        self.cur = left;
        self.switch_tree(c, wide, &cases[..mid], default);
        self.cur = right;
        self.switch_tree(c, wide, &cases[mid..], default);
    }

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
