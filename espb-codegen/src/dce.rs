//! Dead-code elimination: drops pure instructions whose results are unused
//! (e.g. address computations that every load and store folded away).

use crate::ir::Func;

pub fn run(f: &mut Func) {
    loop {
        let mut uses = vec![0u32; f.nvregs as usize];
        for b in &f.blocks {
            for (i, _) in &b.insts {
                i.for_each_use(|v| uses[v as usize] += 1);
            }
            b.term.for_each_use(|v| uses[v as usize] += 1);
        }
        let mut changed = false;
        for b in &mut f.blocks {
            b.insts.retain(|(i, _)| {
                if !i.is_pure() {
                    return true;
                }
                let mut live = false;
                i.for_each_def(|d| live |= uses[d as usize] > 0);
                if !live {
                    changed = true;
                }
                live
            });
        }
        if !changed {
            break;
        }
    }
}
