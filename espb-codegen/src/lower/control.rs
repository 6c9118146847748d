//! Control flow: edges (phi copies, critical-edge splits), terminators,
//! indirect branches and `switch` as a balanced compare tree.

use super::*;

impl FnLower<'_> {
    /// The block to branch to for the CFG edge `from -> to`, with phi copies placed.
    pub(super) fn edge(&mut self, from: Bb, to: Bb, single_succ: bool) -> R<BlockId> {
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

    pub(super) fn terminator(&mut self, bb: Bb, i: Val) -> R<()> {
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
    pub(super) fn indirect_br(&mut self, bb: Bb, i: Val, single: bool) -> R<()> {
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

    pub(super) fn switch(&mut self, bb: Bb, i: Val, single: bool) -> R<()> {
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

    pub(super) fn switch_tree(
        &mut self,
        c: VReg,
        wide: bool,
        cases: &[(u64, BlockId)],
        default: BlockId,
    ) {
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
}
