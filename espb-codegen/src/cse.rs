//! Local common-subexpression elimination: within a block, a pure
//! instruction identical to an earlier one (same opcode, same operands)
//! reuses the earlier result. Virtual registers have a single definition
//! (phi landing registers are only written by parallel copies, never by an
//! instruction considered here), so equal operands mean equal values, and the
//! earlier definition dominates every use of the later one.

use std::collections::HashMap;

use crate::ir::{Func, Inst, VOp, VReg};

pub fn run(f: &mut Func) {
    let mut rename: HashMap<VReg, VReg> = HashMap::new();
    for b in &mut f.blocks {
        let mut seen: HashMap<(espb_format::Opcode, Vec<VOp>), VReg> = HashMap::new();
        for (inst, _) in b.insts.iter_mut() {
            inst.map_uses(|v| *rename.get(&v).unwrap_or(&v));
            let Inst::Op { op, ops } = inst else { continue };
            if !inst_is_cse_candidate(*op) {
                continue;
            }
            let Some(VOp::Dst(d)) = ops.first() else {
                continue;
            };
            if ops.iter().skip(1).any(|o| matches!(o, VOp::Dst(_))) {
                continue;
            }
            let key = (*op, ops[1..].to_vec());
            match seen.get(&key) {
                Some(&earlier) => {
                    rename.insert(*d, earlier);
                }
                None => {
                    seen.insert(key, *d);
                }
            }
        }
        b.term.map_uses(|v| *rename.get(&v).unwrap_or(&v));
    }
    if rename.is_empty() {
        return;
    }
    // Uses in blocks laid out before the defining block (loops) see the rename too.
    for b in &mut f.blocks {
        for (inst, _) in b.insts.iter_mut() {
            inst.map_uses(|v| *rename.get(&v).unwrap_or(&v));
        }
        b.term.map_uses(|v| *rename.get(&v).unwrap_or(&v));
    }
}

/// Pure, non-trapping, and not reading memory.
fn inst_is_cse_candidate(op: espb_format::Opcode) -> bool {
    Inst::op(op, Vec::new()).is_pure() && !matches!(op, espb_format::Opcode::Nop)
}
