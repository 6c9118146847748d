//! Live-variable analysis over the CFG (backward dataflow on bit sets).

use crate::ir::{BlockId, Func, VReg};

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BitSet {
    words: Vec<u64>,
}

impl BitSet {
    pub fn new(n: usize) -> BitSet {
        BitSet {
            words: vec![0; n.div_ceil(64)],
        }
    }
    pub fn insert(&mut self, v: VReg) -> bool {
        let (w, b) = ((v / 64) as usize, v % 64);
        let was = self.words[w] >> b & 1 == 1;
        self.words[w] |= 1 << b;
        !was
    }
    pub fn remove(&mut self, v: VReg) {
        let (w, b) = ((v / 64) as usize, v % 64);
        self.words[w] &= !(1 << b);
    }
    /// `self |= other`; returns whether anything changed.
    pub fn union_with(&mut self, other: &BitSet) -> bool {
        let mut changed = false;
        for (a, b) in self.words.iter_mut().zip(&other.words) {
            let n = *a | *b;
            changed |= n != *a;
            *a = n;
        }
        changed
    }
    pub fn iter(&self) -> impl Iterator<Item = VReg> + '_ {
        self.words.iter().enumerate().flat_map(|(i, &w)| {
            let mut w = w;
            std::iter::from_fn(move || {
                if w == 0 {
                    return None;
                }
                let b = w.trailing_zeros();
                w &= w - 1;
                Some(i as u32 * 64 + b)
            })
        })
    }
}

/// Registers live at the end of each block.
pub fn live_out(f: &Func) -> Vec<BitSet> {
    let n = f.nvregs as usize;
    let nb = f.blocks.len();
    let mut gen = vec![BitSet::new(n); nb];
    let mut kill = vec![BitSet::new(n); nb];
    for (bi, b) in f.blocks.iter().enumerate() {
        let (g, k) = (&mut gen[bi], &mut kill[bi]);
        b.term.for_each_use(|v| {
            g.insert(v);
        });
        for (i, _) in b.insts.iter().rev() {
            i.for_each_def(|d| {
                g.remove(d);
                k.insert(d);
            });
            i.for_each_use(|u| {
                g.insert(u);
            });
        }
    }
    let succs: Vec<Vec<BlockId>> = f.blocks.iter().map(|b| b.term.succs()).collect();
    let mut live_in = gen.clone();
    let mut out = vec![BitSet::new(n); nb];
    let order: Vec<usize> = f.layout.iter().rev().map(|&b| b as usize).collect();
    loop {
        let mut changed = false;
        for &b in &order {
            let mut o = BitSet::new(n);
            for &s in &succs[b] {
                o.union_with(&live_in[s as usize]);
            }
            if o != out[b] {
                // in = gen | (out - kill)
                let mut inn = o.clone();
                for (w, k) in inn.words.iter_mut().zip(&kill[b].words) {
                    *w &= !k;
                }
                inn.union_with(&gen[b]);
                if inn != live_in[b] {
                    live_in[b] = inn;
                }
                out[b] = o;
                changed = true;
            }
        }
        if !changed {
            break;
        }
    }
    out
}
