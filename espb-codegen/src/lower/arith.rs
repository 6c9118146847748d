//! Integer and floating-point arithmetic, comparisons and conditions,
//! libcalls for what has no instruction, casts.

use super::*;

impl FnLower<'_> {
    pub(super) fn int_binop(&mut self, op: LLVMOpcode, i: Val) -> R<VReg> {
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

    pub(super) fn float_binop(&mut self, op: LLVMOpcode, i: Val) -> R<VReg> {
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

    pub(super) fn icmp_cond(&mut self, i: Val) -> R<Cond> {
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

    pub(super) fn fcmp(&mut self, i: Val) -> R<VReg> {
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

    pub(super) fn cast(&mut self, op: LLVMOpcode, i: Val) -> R<()> {
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
    pub(super) fn bitcast_via_memory(&mut self, i: Val, src: Val) -> R<()> {
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
}
