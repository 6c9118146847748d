//! Register allocation: which module registers live in machine registers for
//! the whole function, and the bytecode facts it needs (branch targets,
//! narrow results).

use super::*;

/// Picks the module registers to keep in machine registers: the most used,
/// uses inside loops counting more.
pub(super) fn allocate(
    m: &Module<'_>,
    steps: &[Step],
    result: Option<ValType>,
    wide: &[bool; 256],
    regs: usize,
) -> [Loc; 256] {
    // Loop depth: each backward branch adds one to the steps it spans
    // (a difference array, then prefix sums).
    let mut delta = vec![0i64; steps.len() + 1];
    for (i, s) in steps.iter().enumerate() {
        for t in branch_targets(&s.ins) {
            if t <= s.off {
                let j = steps.partition_point(|x| x.off < t);
                delta[j] += 1;
                delta[i + 1] -= 1;
            }
        }
    }
    let mut depth = vec![0u32; steps.len()];
    let mut d = 0i64;
    for (k, x) in depth.iter_mut().enumerate() {
        d += delta[k];
        *x = d.max(0) as u32;
    }
    let mut score = [0u64; 256];
    // Helper calls (weighted as uses are): each one saves and reloads the
    // module registers kept in caller-saved machine registers.
    let mut calls = 0u64;
    for (i, s) in steps.iter().enumerate() {
        let w = 8u64.pow(depth[i].min(6));
        if !lower::is_inline(&s.ins) {
            calls += w;
        }
        lower::uses(m, &s.ins, result, &mut |u| match u {
            Use::Read(r, _) | Use::Write(r) => score[r as usize] += w,
            Use::ClobberFrom(_) => {}
        });
    }
    let mut order: Vec<usize> = (0..regs.min(256)).filter(|&r| score[r] > 0).collect();
    order.sort_by(|&a, &b| score[b].cmp(&score[a]).then(a.cmp(&b)));
    let mut loc = [Loc::Mem; 256];
    // Callee-saved registers first, to the most used; a caller-saved one
    // only where the uses outweigh the saving and reloading around calls.
    let mut kept: Vec<Reg> = POOL.iter().copied().filter(|&x| callee_saved(x)).collect();
    let mut spilled: Vec<Reg> = POOL.iter().copied().filter(|&x| !callee_saved(x)).collect();
    // Taken from the front, in `POOL`'s order.
    kept.reverse();
    spilled.reverse();
    for r in order {
        let halves = if wide[r] { 2 } else { 1 };
        let take = |v: &mut Vec<Reg>| -> Option<Vec<Reg>> {
            (v.len() >= halves).then(|| (0..halves).filter_map(|_| v.pop()).collect())
        };
        // Without helper calls (only the cold stubs: polls, slow paths)
        // caller-saved registers cost nothing to keep, and callee-saved
        // ones a save and a restore per call of the function.
        let got = if calls == 0 {
            take(&mut spilled).or_else(|| take(&mut kept))
        } else {
            take(&mut kept).or_else(|| {
                if score[r] > 2 * calls * halves as u64 {
                    take(&mut spilled)
                } else {
                    None
                }
            })
        };
        if let Some(v) = got {
            loc[r] = if wide[r] {
                Loc::Two(v[0], v[1])
            } else {
                Loc::One(v[0])
            };
        }
    }
    loc
}

/// Whether `ins` has one `i32`, `f32` or `ptr` result (its types end in
/// `-> i32`, `-> f32` or `-> ptr`), of which the interpreter writes only
/// the low word (`interp::narrow_result`).
pub(super) fn narrow_result(ins: &Instr) -> bool {
    let t = ins.opcode().types();
    t.ends_with("-> i32") || t.ends_with("-> f32") || t.ends_with("-> ptr")
}

/// The bytecode branch targets of a primitive.
pub(super) fn branch_targets(ins: &Instr) -> Vec<u32> {
    use Instr::*;
    match ins {
        Br { target }
        | BrIf { target, .. }
        | BrIfNot { target, .. }
        | BrEq32 { target, .. }
        | BrNe32 { target, .. }
        | BrLtS32 { target, .. }
        | BrLtU32 { target, .. }
        | BrLeS32 { target, .. }
        | BrLeU32 { target, .. }
        | BrEq64 { target, .. }
        | BrNe64 { target, .. }
        | BrLtS64 { target, .. }
        | BrLtU64 { target, .. }
        | BrLeS64 { target, .. }
        | BrLeU64 { target, .. }
        | BrEqI32 { target, .. }
        | BrNeI32 { target, .. }
        | BrLtSI32 { target, .. }
        | BrLtUI32 { target, .. }
        | BrGtSI32 { target, .. }
        | BrGtUI32 { target, .. }
        | BrLeSI32 { target, .. }
        | BrLeUI32 { target, .. }
        | BrGeSI32 { target, .. }
        | BrGeUI32 { target, .. } => vec![*target],
        BrTable {
            default, targets, ..
        } => {
            let mut v = targets.clone();
            v.push(*default);
            v
        }
        _ => Vec::new(),
    }
}
