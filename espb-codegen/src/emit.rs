//! Final code emission: physical registers substituted, copies and call
//! windows turned into moves (parallel moves sequentialised with one scratch
//! register), branches laid out with fall-through, targets patched to byte
//! offsets, and line-table rows recorded.
//!
//! Until the final encoding, every branch instruction's target operands hold
//! block ids (sizes do not depend on target values), so the peephole pass in
//! `fuse.rs` sees branches as ordinary instructions.

use espb_format::{Instr, LineRow, Operand};

use crate::ir::*;
use crate::regalloc::Allocation;

pub struct Emitted {
    pub code: Vec<u8>,
    pub regs: u16,
    pub lines: Vec<LineRow>,
    pub instrs: u32,
}

struct Emitter<'a> {
    col: &'a [u16],
    scratch: u8,
    used_scratch: bool,
    used_extra: bool,
    /// Instructions in layout order; branch targets are block ids.
    out: Vec<(Instr, Loc)>,
}

impl Emitter<'_> {
    fn r(&self, v: VReg) -> u8 {
        self.col[v as usize] as u8
    }

    fn push(&mut self, i: Instr, loc: Loc) {
        self.out.push((i, loc));
    }

    fn mov(&mut self, dst: u8, src: u8, loc: Loc) {
        if dst != src {
            self.push(Instr::Mov { dst, src }, loc);
        }
    }

    /// Emits moves so that every `dst` receives the old value of its `src`.
    fn parallel_move(&mut self, pairs: &[(u8, u8)], loc: Loc) {
        let mut pending: Vec<(u8, u8)> = pairs.iter().copied().filter(|(d, s)| d != s).collect();
        pending.sort_unstable();
        pending.dedup();
        while !pending.is_empty() {
            let ready = pending
                .iter()
                .position(|&(d, _)| !pending.iter().any(|&(_, s)| s == d));
            match ready {
                Some(k) => {
                    let (d, s) = pending.remove(k);
                    self.mov(d, s, loc);
                }
                None => {
                    // Only cycles remain: park one destination's value in the scratch register.
                    let (d, _) = pending[0];
                    let t = self.scratch;
                    self.used_scratch = true;
                    self.mov(t, d, loc);
                    for p in pending.iter_mut() {
                        if p.1 == d {
                            p.1 = t;
                        }
                    }
                }
            }
        }
    }
}

fn emits_nothing(i: &Inst, col: &[u16]) -> bool {
    match i {
        Inst::Copy { dst, src } => col[*dst as usize] == col[*src as usize],
        Inst::ParCopy(p) => p.iter().all(|&(d, s)| col[d as usize] == col[s as usize]),
        Inst::Params(_) => true,
        _ => false,
    }
}

fn map_op(op: &VOp, col: &[u16]) -> Operand {
    match *op {
        VOp::Dst(v) => Operand::Dst(col[v as usize] as u8),
        VOp::Reg(v) => Operand::Reg(col[v as usize] as u8),
        VOp::U8(x) => Operand::U8(x),
        VOp::I32(x) => Operand::I32(x),
        VOp::U32(x) => Operand::U32(x),
        VOp::I64(x) => Operand::I64(x),
    }
}

fn cond_instr(c: &Cond, inverted: bool, col: &[u16], target: BlockId) -> Instr {
    let r = |v: VReg| col[v as usize] as u8;
    match *c {
        Cond::Nz(v) => {
            if inverted {
                Instr::BrIfNot { cond: r(v), target }
            } else {
                Instr::BrIf { cond: r(v), target }
            }
        }
        Cond::Cmp { cmp, wide, a, b } => {
            let cmp = if inverted { cmp.invert() } else { cmp };
            match b {
                Rhs::Imm(imm) => {
                    let a = r(a);
                    match cmp {
                        Cmp::Eq => Instr::BrEqI32 { a, imm, target },
                        Cmp::Ne => Instr::BrNeI32 { a, imm, target },
                        Cmp::LtS => Instr::BrLtSI32 { a, imm, target },
                        Cmp::LtU => Instr::BrLtUI32 { a, imm, target },
                        Cmp::GtS => Instr::BrGtSI32 { a, imm, target },
                        Cmp::GtU => Instr::BrGtUI32 { a, imm, target },
                        Cmp::LeS => Instr::BrLeSI32 { a, imm, target },
                        Cmp::LeU => Instr::BrLeUI32 { a, imm, target },
                        Cmp::GeS => Instr::BrGeSI32 { a, imm, target },
                        Cmp::GeU => Instr::BrGeUI32 { a, imm, target },
                    }
                }
                Rhs::Reg(b) => {
                    let (mut a, mut b) = (r(a), r(b));
                    // Only eq/ne/lt/le exist in register form: a > b is b < a.
                    let cmp = match cmp {
                        Cmp::GtS | Cmp::GtU | Cmp::GeS | Cmp::GeU => {
                            std::mem::swap(&mut a, &mut b);
                            cmp.swap()
                        }
                        c => c,
                    };
                    match (cmp, wide) {
                        (Cmp::Eq, false) => Instr::BrEq32 { a, b, target },
                        (Cmp::Ne, false) => Instr::BrNe32 { a, b, target },
                        (Cmp::LtS, false) => Instr::BrLtS32 { a, b, target },
                        (Cmp::LtU, false) => Instr::BrLtU32 { a, b, target },
                        (Cmp::LeS, false) => Instr::BrLeS32 { a, b, target },
                        (Cmp::LeU, false) => Instr::BrLeU32 { a, b, target },
                        (Cmp::Eq, true) => Instr::BrEq64 { a, b, target },
                        (Cmp::Ne, true) => Instr::BrNe64 { a, b, target },
                        (Cmp::LtS, true) => Instr::BrLtS64 { a, b, target },
                        (Cmp::LtU, true) => Instr::BrLtU64 { a, b, target },
                        (Cmp::LeS, true) => Instr::BrLeS64 { a, b, target },
                        (_, true) => Instr::BrLeU64 { a, b, target },
                        (_, false) => Instr::BrLeU32 { a, b, target },
                    }
                }
            }
        }
    }
}

/// Moves each back-edge block (the phi copies of a loop's latch, ending in
/// `br header`) to just before its header, so that every iteration falls
/// through from the copies into the header instead of dispatching a `br`;
/// entering the loop then takes that `br` once instead. Only blocks with a
/// single predecessor move (an edge block of a split critical edge), and
/// never in front of the entry block.
fn place_back_edge_blocks(
    f: &Func,
    layout: &mut Vec<BlockId>,
    resolve: &impl Fn(BlockId) -> BlockId,
) {
    let mut preds = vec![0u32; f.blocks.len()];
    for &b in layout.iter() {
        for s in f.blocks[b as usize].term.succs() {
            preds[resolve(s) as usize] += 1;
        }
    }
    let candidates: Vec<BlockId> = layout.clone();
    for b in candidates {
        let Term::Br(h) = f.blocks[b as usize].term else {
            continue;
        };
        let h = resolve(h);
        if preds[b as usize] != 1
            || h == b
            || layout.first() == Some(&h)
            || layout.first() == Some(&b)
        {
            continue;
        }
        let (Some(pb), Some(ph)) = (
            layout.iter().position(|&x| x == b),
            layout.iter().position(|&x| x == h),
        ) else {
            continue;
        };
        if ph < pb && (ph == 0 || layout[ph - 1] != b) {
            layout.remove(pb);
            layout.insert(ph, b);
        }
    }
}

/// `i` with its block-id targets replaced by byte offsets.
fn patch_targets(i: &Instr, target: &impl Fn(u32) -> Result<u32, String>) -> Result<Instr, String> {
    let ops = i.operands();
    if !ops
        .iter()
        .any(|o| matches!(o, Operand::Tgt(_) | Operand::Tbl(_)))
    {
        return Ok(i.clone());
    }
    let ops = ops
        .into_iter()
        .map(|o| match o {
            Operand::Tgt(b) => target(b).map(Operand::Tgt),
            Operand::Tbl(bs) => bs
                .into_iter()
                .map(target)
                .collect::<Result<_, _>>()
                .map(Operand::Tbl),
            o => Ok(o),
        })
        .collect::<Result<Vec<_>, _>>()?;
    Instr::from_operands(i.opcode(), ops).ok_or_else(|| "internal error: malformed branch".into())
}

/// Constants (and frame addresses) whose only use is as an argument of a call
/// in the same block: they are written straight into the call window instead
/// of into a register and then moved.
fn window_constants(f: &Func) -> std::collections::HashMap<VReg, (espb_format::Opcode, VOp)> {
    let mut uses = vec![0u32; f.nvregs as usize];
    for b in &f.blocks {
        for (i, _) in &b.insts {
            i.for_each_use(|v| uses[v as usize] += 1);
        }
        b.term.for_each_use(|v| uses[v as usize] += 1);
    }
    let mut out = std::collections::HashMap::new();
    for b in &f.blocks {
        let mut defs = std::collections::HashMap::new();
        for (i, _) in &b.insts {
            match i {
                Inst::Op { op, ops }
                    if matches!(
                        op,
                        espb_format::Opcode::Const32
                            | espb_format::Opcode::Const64
                            | espb_format::Opcode::FrameAddr
                    ) =>
                {
                    if let [VOp::Dst(d), imm] = ops.as_slice() {
                        if uses[*d as usize] == 1 {
                            defs.insert(*d, (*op, imm.clone()));
                        }
                    }
                }
                Inst::Call { args, .. } => {
                    for a in args {
                        if let Some(c) = defs.remove(a) {
                            out.insert(*a, c);
                        }
                    }
                }
                _ => {}
            }
        }
    }
    out
}

/// An empty loop (`for (;;);`, or empty blocks branching round in a
/// circle) has no block to forward to: one block of each such cycle stays,
/// and the others lead to it.
fn break_forwarding_cycles(forward: &mut [Option<BlockId>]) {
    let n = forward.len();
    // 0: not visited, 1: on the current chain, 2: done.
    let mut state = vec![0u8; n];
    for start in 0..n {
        let mut chain = Vec::new();
        let mut b = start;
        while state[b] == 0 {
            state[b] = 1;
            chain.push(b);
            match forward[b] {
                Some(t) if (t as usize) < n => b = t as usize,
                _ => break,
            }
        }
        if state[b] == 1 && forward[b].is_some() {
            // `b` is on the chain just walked: a cycle through it.
            forward[b] = None;
        }
        for c in chain {
            state[c] = 2;
        }
    }
}

pub fn emit(f: &Func, alloc: &Allocation) -> Result<Emitted, String> {
    let col = &alloc.color;
    let remat = window_constants(f);
    let scratch = alloc.regs_base;
    if scratch > 255 {
        return Err("function needs more than 256 registers".into());
    }
    let mut e = Emitter {
        col,
        scratch: scratch as u8,
        used_scratch: false,
        used_extra: false,
        out: Vec::new(),
    };
    // Blocks that become empty after allocation (edge blocks whose copies
    // coalesced away) are skipped: branches go straight to where they lead.
    let mut forward: Vec<Option<BlockId>> = f
        .blocks
        .iter()
        .map(|blk| match blk.term {
            Term::Br(t) if blk.insts.iter().all(|(i, _)| emits_nothing(i, col)) => Some(t),
            _ => None,
        })
        .collect();
    break_forwarding_cycles(&mut forward);
    let resolve = |mut b: BlockId| {
        for _ in 0..f.blocks.len() {
            match forward[b as usize] {
                Some(t) if t != b => b = t,
                _ => break,
            }
        }
        b
    };
    let mut layout: Vec<BlockId> = f
        .layout
        .iter()
        .enumerate()
        .filter(|&(k, &b)| k == 0 || forward[b as usize].is_none())
        .map(|(_, &b)| b)
        .collect();
    place_back_edge_blocks(f, &mut layout, &resolve);
    let mut pos_of = vec![usize::MAX; f.blocks.len()];
    for (k, &b) in layout.iter().enumerate() {
        pos_of[b as usize] = k;
    }
    let mut block_start = vec![usize::MAX; f.blocks.len()];
    for (pos, &b) in layout.iter().enumerate() {
        block_start[b as usize] = e.out.len();
        let blk = &f.blocks[b as usize];
        for (idx, (inst, loc)) in blk.insts.iter().enumerate() {
            let loc = *loc;
            match inst {
                Inst::Op { ops, .. } if matches!(ops.first(), Some(VOp::Dst(d)) if remat.contains_key(d)) =>
                    {}
                Inst::Op { op, ops } => {
                    let operands = ops.iter().map(|o| map_op(o, col)).collect();
                    let i = Instr::from_operands(*op, operands)
                        .ok_or_else(|| format!("internal error: malformed {}", op.mnemonic()))?;
                    e.push(i, loc);
                }
                Inst::Copy { dst, src } => {
                    let (d, s) = (e.r(*dst), e.r(*src));
                    e.mov(d, s, loc)
                }
                Inst::ParCopy(pairs) => {
                    let p: Vec<(u8, u8)> = pairs.iter().map(|&(d, s)| (e.r(d), e.r(s))).collect();
                    e.parallel_move(&p, loc);
                }
                Inst::Params(_) => {}
                Inst::Call { callee, args, ret } => {
                    let base = *alloc
                        .call_base
                        .get(&(b, idx))
                        .ok_or("internal error: call without a window")?;
                    let p: Vec<(u8, u8)> = args
                        .iter()
                        .enumerate()
                        .filter(|(_, a)| !remat.contains_key(a))
                        .map(|(k, &a)| ((base as usize + k) as u8, e.r(a)))
                        .collect();
                    // The callee register must survive the argument moves.
                    let mut target_reg = None;
                    if let Callee::Indirect { target, .. } = callee {
                        let t = e.r(*target);
                        if (t as usize) >= base as usize
                            && (t as usize) < base as usize + args.len()
                        {
                            // Above the scratch register, so cycle breaking cannot clobber it.
                            let keep = e
                                .scratch
                                .checked_add(1)
                                .ok_or("function needs more than 256 registers")?;
                            e.used_extra = true;
                            e.mov(keep, t, loc);
                            target_reg = Some(keep);
                        } else {
                            target_reg = Some(t);
                        }
                    }
                    e.parallel_move(&p, loc);
                    for (k, a) in args.iter().enumerate() {
                        if let Some((op, imm)) = remat.get(a) {
                            let operands =
                                vec![Operand::Dst((base as usize + k) as u8), map_op(imm, col)];
                            let i = Instr::from_operands(*op, operands)
                                .ok_or("internal error: malformed constant")?;
                            e.push(i, loc);
                        }
                    }
                    let base = base as u8;
                    let i = match *callee {
                        Callee::Func(func) => Instr::Call { func, base },
                        Callee::Import(import) => Instr::CallImport { import, base },
                        Callee::ImportVar { import, ty } => {
                            Instr::CallImportVar { import, ty, base }
                        }
                        Callee::Indirect { ty, .. } => Instr::CallIndirect {
                            ty,
                            callee: target_reg.unwrap_or(0),
                            base,
                        },
                    };
                    e.push(i, loc);
                    if let Some(r) = ret {
                        let d = e.r(*r);
                        e.mov(d, base, loc);
                    }
                }
            }
        }
        let next = layout.get(pos + 1).copied();
        let loc = blk.term_loc;
        let mut term = blk.term.clone();
        match &mut term {
            Term::Br(t) => *t = resolve(*t),
            Term::CondBr { t, f: fb, .. } => {
                *t = resolve(*t);
                *fb = resolve(*fb);
            }
            Term::BrTable {
                default, targets, ..
            } => {
                *default = resolve(*default);
                targets.iter_mut().for_each(|t| *t = resolve(*t));
            }
            _ => {}
        }
        match &term {
            Term::Br(t) => {
                if Some(*t) != next {
                    e.push(Instr::Br { target: *t }, loc);
                }
            }
            Term::CondBr { cond, t, f: fb } => {
                // Neither side falls through: branch conditionally to the
                // backward (loop) target so a loop iteration takes one branch.
                let backward = |b: BlockId| pos_of[b as usize] <= pos;
                if Some(*t) == next || (Some(*fb) != next && backward(*fb) && !backward(*t)) {
                    e.push(cond_instr(cond, true, col, *fb), loc);
                    if Some(*t) != next {
                        e.push(Instr::Br { target: *t }, loc);
                    }
                } else {
                    e.push(cond_instr(cond, false, col, *t), loc);
                    if Some(*fb) != next {
                        e.push(Instr::Br { target: *fb }, loc);
                    }
                }
            }
            Term::BrTable {
                idx,
                default,
                targets,
            } => {
                let i = Instr::BrTable {
                    index: e.r(*idx),
                    default: *default,
                    targets: targets.clone(),
                };
                e.push(i, loc);
            }
            Term::Ret(Some(v)) => {
                let src = e.r(*v);
                e.push(Instr::Ret { src }, loc);
            }
            Term::Ret(None) => e.push(Instr::RetVoid {}, loc),
            Term::Unreachable => e.push(Instr::Unreachable {}, loc),
        }
    }
    crate::fuse::fuse(&mut e.out, &mut block_start);
    let mut offsets = Vec::with_capacity(e.out.len() + 1);
    let mut at = 0usize;
    for (i, _) in &e.out {
        offsets.push(at);
        at += i.encoded_len();
    }
    offsets.push(at);
    if at > u32::MAX as usize / 2 {
        return Err("function body too large".into());
    }
    let target = |b: u32| -> Result<u32, String> {
        let s = block_start[b as usize];
        if s == usize::MAX {
            return Err("internal error: branch to a block that was not laid out".into());
        }
        Ok(offsets[s] as u32)
    };
    let mut code = Vec::with_capacity(at);
    let mut lines: Vec<LineRow> = Vec::new();
    for (k, (i, loc)) in e.out.iter().enumerate() {
        if loc.line != 0 && lines.last().map(|l| (l.file, l.line)) != Some((loc.file, loc.line)) {
            lines.push(LineRow {
                offset: offsets[k] as u32,
                file: loc.file,
                line: loc.line,
            });
        }
        patch_targets(i, &target)?.encode(&mut code);
    }
    let regs = if e.used_extra {
        alloc.regs_base + 2
    } else {
        alloc.regs_base + e.used_scratch as u16
    };
    if regs > 256 {
        return Err("function needs more than 256 registers".into());
    }
    Ok(Emitted {
        code,
        regs: regs.max(1),
        lines,
        instrs: e.out.len() as u32,
    })
}
