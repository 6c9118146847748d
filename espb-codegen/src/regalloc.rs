//! Register allocation: interference graph from liveness, Chaitin–Briggs
//! graph colouring (optimistic simplify/select) with copy coalescing by
//! biased colour choice, and spilling to frame slots when the colours run out.
//!
//! Call windows: a call's arguments are moved into consecutive registers
//! starting at a base `B` chosen after colouring as one above the highest
//! register of any value live across the call, so everything that survives
//! the call sits below `B` (docs/abi.md). Colours are limited to
//! `255 - largest window`, which keeps `B + window` and the one scratch
//! register (for breaking parallel-move cycles) within 256.

use std::collections::HashMap;

use espb_format::Opcode;

use crate::ir::*;
use crate::liveness::{live_out, BitSet};

pub struct Allocation {
    /// Register of each vreg (meaningless for vregs that never occur).
    pub color: Vec<u16>,
    /// Window base of each call, by (block, instruction index).
    pub call_base: HashMap<(BlockId, usize), u16>,
    /// Registers used by values and call windows; a scratch register, if
    /// the emitter needs one, is this number.
    pub regs_base: u16,
    /// Vregs moved to the frame.
    pub spills: u32,
}

#[derive(Clone)]
struct Graph {
    adj: Vec<Vec<u32>>,
    moves: Vec<Vec<u32>>,
    calls: Vec<((BlockId, usize), Vec<VReg>, usize)>,
    pinned: Vec<Option<u16>>,
    occurs: Vec<u32>,
    /// Colours to steer clear of: a parallel-copy source should not share a
    /// register with another destination of the same copy (that would make a
    /// cycle, which costs an extra move through the scratch register).
    avoid: Vec<Vec<u32>>,
}

/// A set of small integers with O(1) insert/remove and iteration over members.
struct SparseSet {
    dense: Vec<u32>,
    sparse: Vec<u32>,
}

impl SparseSet {
    fn new(n: usize) -> SparseSet {
        SparseSet {
            dense: Vec::new(),
            sparse: vec![u32::MAX; n],
        }
    }
    fn contains(&self, v: u32) -> bool {
        let i = self.sparse[v as usize];
        (i as usize) < self.dense.len() && self.dense[i as usize] == v
    }
    fn insert(&mut self, v: u32) {
        if !self.contains(v) {
            self.sparse[v as usize] = self.dense.len() as u32;
            self.dense.push(v);
        }
    }
    fn remove(&mut self, v: u32) {
        if self.contains(v) {
            let i = self.sparse[v as usize] as usize;
            let last = *self.dense.last().expect("non-empty when it contains v");
            self.dense[i] = last;
            self.sparse[last as usize] = i as u32;
            self.dense.pop();
        }
    }
    fn clear(&mut self) {
        self.dense.clear();
    }
    fn load(&mut self, b: &BitSet) {
        self.clear();
        for v in b.iter() {
            self.insert(v);
        }
    }
}

fn window(i: &Inst) -> usize {
    match i {
        Inst::Call { args, ret, .. } => args.len().max(ret.is_some() as usize),
        _ => 0,
    }
}

fn build(f: &Func) -> Graph {
    let n = f.nvregs as usize;
    let lo = live_out(f);
    let mut adj: Vec<Vec<u32>> = vec![Vec::new(); n];
    let mut moves: Vec<Vec<u32>> = vec![Vec::new(); n];
    let mut calls = Vec::new();
    let mut pinned = vec![None; n];
    let mut occurs = vec![0u32; n];
    let mut avoid: Vec<Vec<u32>> = vec![Vec::new(); n];
    let mut live = SparseSet::new(n);
    let edge = |adj: &mut Vec<Vec<u32>>, a: u32, b: u32| {
        if a != b {
            adj[a as usize].push(b);
            adj[b as usize].push(a);
        }
    };
    for &b in &f.layout {
        let blk = &f.blocks[b as usize];
        live.load(&lo[b as usize]);
        blk.term.for_each_use(|v| {
            occurs[v as usize] += 1;
            live.insert(v)
        });
        for (idx, (inst, _)) in blk.insts.iter().enumerate().rev() {
            inst.for_each_use(|v| occurs[v as usize] += 1);
            inst.for_each_def(|v| occurs[v as usize] += 1);
            match inst {
                Inst::Copy { dst, src } => {
                    live.remove(*dst);
                    for &v in &live.dense {
                        if v != *src {
                            edge(&mut adj, *dst, v);
                        }
                    }
                    moves[*dst as usize].push(*src);
                    moves[*src as usize].push(*dst);
                    live.insert(*src);
                }
                Inst::ParCopy(_) | Inst::Params(_) => {
                    let defs: Vec<VReg> = match inst {
                        Inst::ParCopy(p) => p.iter().map(|x| x.0).collect(),
                        Inst::Params(ps) => ps.clone(),
                        _ => Vec::new(),
                    };
                    for &d in &defs {
                        live.remove(d);
                    }
                    for (k, &d) in defs.iter().enumerate() {
                        for &v in &live.dense {
                            edge(&mut adj, d, v);
                        }
                        for &d2 in &defs[k + 1..] {
                            edge(&mut adj, d, d2);
                        }
                    }
                    if let Inst::ParCopy(pairs) = inst {
                        for &(d, s) in pairs {
                            moves[d as usize].push(s);
                            moves[s as usize].push(d);
                            live.insert(s);
                        }
                        if pairs.len() <= 16 {
                            for &(d, s) in pairs {
                                for &(d2, _) in pairs {
                                    if d2 != d {
                                        avoid[s as usize].push(d2);
                                    }
                                }
                            }
                        }
                    }
                    if let Inst::Params(ps) = inst {
                        for (k, &p) in ps.iter().enumerate() {
                            pinned[p as usize] = Some(k as u16);
                        }
                    }
                }
                Inst::Call { ret, .. } => {
                    if let Some(r) = ret {
                        live.remove(*r);
                        for &v in &live.dense {
                            edge(&mut adj, *r, v);
                        }
                    }
                    calls.push(((b, idx), live.dense.clone(), window(inst)));
                    inst.for_each_use(|v| live.insert(v));
                }
                Inst::Op { .. } => {
                    inst.for_each_def(|d| {
                        live.remove(d);
                        for &v in &live.dense {
                            edge(&mut adj, d, v);
                        }
                    });
                    inst.for_each_use(|v| live.insert(v));
                }
            }
        }
    }
    for a in &mut adj {
        a.sort_unstable();
        a.dedup();
    }
    Graph {
        adj,
        moves,
        calls,
        pinned,
        occurs,
        avoid,
    }
}

/// Aggressive copy coalescing: merges every move-related pair that does not
/// interfere (and does not clash with a pinned parameter register). With
/// about 250 colours the Briggs test is practically always satisfied, so the
/// check is omitted; spilling still works on whole merged classes.
/// Returns the coalesced graph and each vreg's representative.
fn coalesce(g: &Graph) -> (Graph, Vec<u32>) {
    let n = g.adj.len();
    let mut parent: Vec<u32> = (0..n as u32).collect();
    fn find(p: &mut [u32], mut v: u32) -> u32 {
        while p[v as usize] != v {
            p[v as usize] = p[p[v as usize] as usize];
            v = p[v as usize];
        }
        v
    }
    // Classes are never materialised as merged adjacency sets: a class's
    // neighbours are its members' original neighbours, mapped through `find`.
    let mut members: Vec<Vec<u32>> = (0..n as u32).map(|v| vec![v]).collect();
    let mut pin = g.pinned.clone();
    let mut occurs = g.occurs.clone();
    let mut pairs: Vec<(u32, u32)> = Vec::new();
    for (a, ms) in g.moves.iter().enumerate() {
        for &b in ms {
            if (a as u32) < b {
                pairs.push((a as u32, b));
            }
        }
    }
    pairs.sort_unstable();
    pairs.dedup();
    for (a, b) in pairs {
        let (mut ra, mut rb) = (find(&mut parent, a), find(&mut parent, b));
        if ra == rb {
            continue;
        }
        if members[ra as usize].len() < members[rb as usize].len() {
            std::mem::swap(&mut ra, &mut rb);
        }
        // Scan the smaller class: does it touch the other class, or a
        // register pinned to the colour the merged class would have?
        let merged_pin = match (pin[ra as usize], pin[rb as usize]) {
            (Some(c1), Some(c2)) if c1 != c2 => continue,
            (p1, p2) => p1.or(p2),
        };
        let mut conflict = false;
        'scan: for (class, other) in [(rb, ra), (ra, rb)] {
            let other_pin = pin[other as usize];
            // The pinned-colour check matters only for the side that gains a pin.
            let check_pin =
                merged_pin.filter(|_| pin[class as usize].is_none() && other_pin.is_some());
            if class == ra && check_pin.is_none() {
                // Interference is symmetric: scanning one side suffices.
                continue;
            }
            for &m in &members[class as usize] {
                for &nb in &g.adj[m as usize] {
                    let r = find(&mut parent, nb);
                    if r == other || (check_pin.is_some() && pin[r as usize] == check_pin) {
                        conflict = true;
                        break 'scan;
                    }
                }
            }
        }
        if conflict {
            continue;
        }
        parent[rb as usize] = ra;
        let moved = std::mem::take(&mut members[rb as usize]);
        members[ra as usize].extend(moved);
        pin[ra as usize] = merged_pin;
        occurs[ra as usize] += occurs[rb as usize];
        occurs[rb as usize] = 0;
    }
    let rep: Vec<u32> = (0..n as u32).map(|v| find(&mut parent, v)).collect();
    let mut adj: Vec<Vec<u32>> = vec![Vec::new(); n];
    for (v, nbs) in g.adj.iter().enumerate() {
        let r = rep[v];
        for &nb in nbs {
            let rn = rep[nb as usize];
            if rn != r {
                adj[r as usize].push(rn);
            }
        }
    }
    for a in &mut adj {
        a.sort_unstable();
        a.dedup();
    }
    let mut moves: Vec<Vec<u32>> = vec![Vec::new(); n];
    for (a, ms) in g.moves.iter().enumerate() {
        for &b in ms {
            let (x, y) = (rep[a], rep[b as usize]);
            if x != y {
                moves[x as usize].push(y);
            }
        }
    }
    for v in 0..n {
        if rep[v] != v as u32 {
            pin[v] = None;
        }
    }
    let mut avoid: Vec<Vec<u32>> = vec![Vec::new(); n];
    for (a, xs) in g.avoid.iter().enumerate() {
        for &b in xs {
            let (x, y) = (rep[a], rep[b as usize]);
            if x != y {
                avoid[x as usize].push(y);
            }
        }
    }
    let calls = g.calls.clone();
    (
        Graph {
            adj,
            moves,
            calls,
            pinned: pin,
            occurs,
            avoid,
        },
        rep,
    )
}

/// Colours the graph with `k` colours, or returns the vregs to spill.
fn color(g: &Graph, k: usize, no_spill: &[bool]) -> Result<Vec<u16>, Vec<VReg>> {
    let n = g.adj.len();
    let present: Vec<bool> = (0..n)
        .map(|v| g.occurs[v] > 0 || g.pinned[v].is_some())
        .collect();
    let mut deg: Vec<usize> = g.adj.iter().map(|a| a.len()).collect();
    let mut removed: Vec<bool> = (0..n)
        .map(|v| !present[v] || g.pinned[v].is_some())
        .collect();
    let mut remaining: Vec<u32> = (0..n as u32).filter(|&v| !removed[v as usize]).collect();
    let mut stack = Vec::with_capacity(remaining.len());
    let mut low: Vec<u32> = remaining
        .iter()
        .copied()
        .filter(|&v| deg[v as usize] < k)
        .collect();
    loop {
        while let Some(v) = low.pop() {
            if removed[v as usize] {
                continue;
            }
            removed[v as usize] = true;
            stack.push(v);
            for &u in &g.adj[v as usize] {
                if !removed[u as usize] {
                    deg[u as usize] -= 1;
                    if deg[u as usize] + 1 == k {
                        low.push(u);
                    }
                }
            }
        }
        remaining.retain(|&v| !removed[v as usize]);
        if remaining.is_empty() {
            break;
        }
        // Potential spill: cheapest per unit of degree; spill temporaries last.
        let cost = |v: u32| -> f64 {
            if no_spill.get(v as usize).copied().unwrap_or(false) {
                f64::INFINITY
            } else {
                g.occurs[v as usize] as f64 / (deg[v as usize].max(1) as f64)
            }
        };
        let &cand = remaining
            .iter()
            .min_by(|&&a, &&b| {
                cost(a)
                    .partial_cmp(&cost(b))
                    .unwrap_or(std::cmp::Ordering::Equal)
            })
            .expect("non-empty");
        low.push(cand);
    }
    let mut col = vec![u16::MAX; n];
    for (c, p) in col.iter_mut().zip(&g.pinned) {
        if let Some(p) = p {
            *c = *p;
        }
    }
    let mut spilled = Vec::new();
    while let Some(v) = stack.pop() {
        let mut used = [0u64; 4];
        for &u in &g.adj[v as usize] {
            let c = col[u as usize];
            if c != u16::MAX {
                used[(c / 64) as usize] |= 1 << (c % 64);
            }
        }
        let free = |c: u16| (c as usize) < k && used[(c / 64) as usize] >> (c % 64) & 1 == 0;
        let pref = g.moves[v as usize]
            .iter()
            .map(|&m| col[m as usize])
            .find(|&c| c != u16::MAX && free(c));
        let avoided = |c: u16| g.avoid[v as usize].iter().any(|&a| col[a as usize] == c);
        let c = pref
            .or_else(|| (0..k as u16).find(|&c| free(c) && !avoided(c)))
            .or_else(|| (0..k as u16).find(|&c| free(c)));
        match c {
            Some(c) => col[v as usize] = c,
            None => spilled.push(v),
        }
    }
    if spilled.is_empty() {
        Ok(col)
    } else {
        Err(spilled)
    }
}

/// Moves `spilled` vregs to frame slots: a load before each use, a store after each def.
fn rewrite(f: &mut Func, spilled: &[VReg], no_spill: &mut Vec<bool>) {
    let mut slot = HashMap::new();
    for &v in spilled {
        slot.insert(v, f.frame_slot(8, 8));
    }
    for b in 0..f.blocks.len() {
        let insts = std::mem::take(&mut f.blocks[b].insts);
        let mut out = Vec::with_capacity(insts.len());
        for (mut inst, loc) in insts {
            let mut pre = Vec::new();
            let mut post = Vec::new();
            inst.map_uses(|v| match slot.get(&v) {
                Some(&off) => {
                    let (a, t) = (f.new_vreg(), f.new_vreg());
                    pre.push(Inst::op(
                        Opcode::FrameAddr,
                        vec![VOp::Dst(a), VOp::U32(off)],
                    ));
                    pre.push(Inst::op(
                        Opcode::Load64,
                        vec![VOp::Dst(t), VOp::Reg(a), VOp::I32(0)],
                    ));
                    t
                }
                None => v,
            });
            inst.map_defs(|v| match slot.get(&v) {
                Some(&off) => {
                    let (a, t) = (f.new_vreg(), f.new_vreg());
                    post.push(Inst::op(
                        Opcode::FrameAddr,
                        vec![VOp::Dst(a), VOp::U32(off)],
                    ));
                    post.push(Inst::op(
                        Opcode::Store64,
                        vec![VOp::Reg(a), VOp::Reg(t), VOp::I32(0)],
                    ));
                    t
                }
                None => v,
            });
            out.extend(pre.into_iter().map(|i| (i, loc)));
            out.push((inst, loc));
            out.extend(post.into_iter().map(|i| (i, loc)));
        }
        let mut term = f.blocks[b].term.clone();
        let tloc = f.blocks[b].term_loc;
        term.map_uses(|v| match slot.get(&v) {
            Some(&off) => {
                let (a, t) = (f.new_vreg(), f.new_vreg());
                out.push((
                    Inst::op(Opcode::FrameAddr, vec![VOp::Dst(a), VOp::U32(off)]),
                    tloc,
                ));
                out.push((
                    Inst::op(Opcode::Load64, vec![VOp::Dst(t), VOp::Reg(a), VOp::I32(0)]),
                    tloc,
                ));
                t
            }
            None => v,
        });
        f.blocks[b].term = term;
        f.blocks[b].insts = out;
    }
    no_spill.resize(f.nvregs as usize, true);
}

pub fn allocate(f: &mut Func) -> Result<Allocation, String> {
    let mut no_spill = vec![false; f.nvregs as usize];
    let mut spills = 0u32;
    for _round in 0..16 {
        let g = build(f);
        let maxwin = g.calls.iter().map(|c| c.2).max().unwrap_or(0);
        if maxwin + f.nparams as usize > 200 {
            return Err(format!(
                "a call with {} argument registers does not fit the register file",
                maxwin
            ));
        }
        let k = 255 - maxwin;
        let (cg, rep) = coalesce(&g);
        let n = rep.len();
        // A class may be spilled unless every member is a spill temporary.
        let mut class_no_spill = vec![true; n];
        for v in 0..n {
            if !no_spill.get(v).copied().unwrap_or(false) {
                class_no_spill[rep[v] as usize] = false;
            }
        }
        match color(&cg, k, &class_no_spill) {
            Ok(ccol) => {
                let col: Vec<u16> = (0..n).map(|v| ccol[rep[v] as usize]).collect();
                let mut regs_base = f.nparams.max(1) as usize;
                for (v, &c) in col.iter().enumerate() {
                    if c != u16::MAX && g.occurs[v] > 0 {
                        regs_base = regs_base.max(c as usize + 1);
                    }
                }
                let mut call_base = HashMap::new();
                for (at, across, win) in &g.calls {
                    let b = across
                        .iter()
                        .map(|&v| col[v as usize] as usize + 1)
                        .max()
                        .unwrap_or(0);
                    // The window's base register must exist even when the
                    // call passes and returns nothing (the validator checks
                    // `base < regs`).
                    regs_base = regs_base.max(b + (*win).max(1));
                    call_base.insert(*at, b as u16);
                }
                return Ok(Allocation {
                    color: col,
                    call_base,
                    regs_base: regs_base as u16,
                    spills,
                });
            }
            Err(sp_reps) => {
                let mut is_sp = vec![false; n];
                for r in sp_reps {
                    is_sp[r as usize] = true;
                }
                let sp: Vec<VReg> = (0..n as u32)
                    .filter(|&v| is_sp[rep[v as usize] as usize] && g.occurs[v as usize] > 0)
                    .collect();
                spills += sp.len() as u32;
                rewrite(f, &sp, &mut no_spill);
            }
        }
    }
    Err("register allocation did not converge".into())
}
