//! Values wider than one register: `long double` (`fp128`, IEEE binary128
//! on riscv32) and integers of 65..128 bits (`i72` bit-field containers,
//! `i65` from `__builtin_mul_overflow` on mixed types).
//!
//! Such a value is two leaves (`types.rs`): the low 64 bits, then the high
//! part — 64 bits for `fp128`, `N - 64` bits (zero-extended, like every
//! narrow integer) for `iN`. Loads, stores, phis, selects, arguments and
//! bitcasts already work leaf by leaf; this file lowers what operates on the
//! number: integer arithmetic, shifts and compares inline on the two halves,
//! multiplication, division and all `fp128` arithmetic through the runtime's
//! `__espb_f128_*` / `__espb_i128_*` helpers (128-bit results come back in a
//! frame slot). Results match what a riscv32 build computes with its soft-float
//! library: binary128, rounded to nearest even.

use espb_format::Opcode as O;

use crate::intrinsics::FpClasses;
use crate::ir::*;
use crate::llvm::{LLVMIntPredicate, LLVMOpcode, LLVMRealPredicate, LLVMTypeKind, Ty, Val};
use crate::lower::{FnLower, R};
use crate::types::{self, Sc};

fn is_f128(t: Ty) -> bool {
    t.kind() == LLVMTypeKind::LLVMFP128TypeKind
}

/// Bits of the high leaf of a wide integer type (`fp128`: 64).
fn hi_bits(t: Ty) -> u32 {
    if is_f128(t) {
        64
    } else {
        t.int_width() - 64
    }
}

const SIGN: u64 = 1 << 63;

impl FnLower<'_> {
    /// `(low, high)` leaves of a wide operand.
    fn halves(&mut self, v: Val) -> R<(VReg, VReg)> {
        match self.get(v)?.as_slice() {
            [lo, hi] => Ok((*lo, *hi)),
            _ => Err(format!(
                "expected a two-register value: {}",
                crate::consts::short(v)
            )),
        }
    }

    /// The high leaf zero-extended into a 64-bit register.
    fn hi_in(&mut self, r: VReg, hb: u32) -> VReg {
        if hb <= 32 {
            self.un(O::I64Zext32, r)
        } else {
            r
        }
    }

    /// The high leaf sign-extended from `hb` bits into a 64-bit register.
    fn hi_signed(&mut self, r: VReg, hb: u32) -> VReg {
        let x = self.hi_in(r, hb);
        if hb == 64 {
            return x;
        }
        let t = self.imm(O::I64ShlI, x, (64 - hb) as i32);
        self.imm(O::I64ShrSI, t, (64 - hb) as i32)
    }

    fn konst64(&mut self, v: u64) -> VReg {
        self.konst(v, true)
    }

    fn and64(&mut self, x: VReg, m: u64) -> VReg {
        let d = self.vreg();
        self.op(
            O::I64AndI,
            vec![VOp::Dst(d), VOp::Reg(x), VOp::I64(m as i64)],
        );
        d
    }

    /// A frame slot for a 128-bit helper result and its address.
    fn result_slot(&mut self) -> (VReg, u32) {
        let off = self.temp_slot(16, 16);
        (self.frame_addr(off), off)
    }

    /// Calls helper `name` with a result slot first, then `args`; returns
    /// the two 64-bit halves it wrote and the helper's own result.
    fn helper128(
        &mut self,
        name: &str,
        args: &[(VReg, Sc)],
        ret: Option<Sc>,
    ) -> R<(VReg, VReg, Option<VReg>)> {
        let (slot, _) = self.result_slot();
        let mut all = vec![(slot, Sc::Ptr)];
        all.extend_from_slice(args);
        let r = self.libcall(name, &all, ret)?;
        let lo = self.load_leaf(Sc::Int(64), slot, 0);
        let hi = self.load_leaf(Sc::Int(64), slot, 8);
        Ok((lo, hi, r))
    }

    /// The constant leaves of a wide constant, or `None` when `c` is not one.
    pub fn wide_const(&mut self, c: Val) -> R<Option<Vec<VReg>>> {
        use crate::llvm::LLVMValueKind::*;
        let t = c.ty();
        if !types::is_wide_scalar(t) {
            return Ok(None);
        }
        let bits = match c.kind() {
            LLVMUndefValueValueKind | LLVMPoisonValueKind | LLVMConstantAggregateZeroValueKind => 0,
            LLVMConstantIntValueKind | LLVMConstantFPValueKind => c
                .const_u128()
                .ok_or_else(|| format!("unreadable constant `{}`", crate::consts::short(c)))?,
            _ => {
                return Err(format!(
                    "constant expression of type `{}` is not supported: {}",
                    t.print(),
                    crate::consts::short(c)
                ))
            }
        };
        let hb = hi_bits(t);
        let lo = self.konst(bits as u64, true);
        let hi = self.konst((bits >> 64) as u64, hb > 32);
        Ok(Some(vec![lo, hi]))
    }

    // ---- integers over 64 bits ------------------------------------------------

    /// `add`, `sub`, `mul`, division, bitwise operations and shifts on `iN`, N > 64.
    pub fn wide_int_binop(&mut self, op: LLVMOpcode, i: Val) -> R<Vec<VReg>> {
        use LLVMOpcode::*;
        let hb = hi_bits(i.ty());
        let pick = |n: O, w: O| if hb > 32 { w } else { n };
        let (al, ah) = self.halves(i.operand(0))?;
        let b = i.operand(1);
        if matches!(op, LLVMShl | LLVMLShr | LLVMAShr) {
            return self.wide_shift(op, hb, al, ah, b);
        }
        let (bl, bh) = self.halves(b)?;
        Ok(match op {
            LLVMAnd | LLVMOr | LLVMXor => {
                let (n, w) = match op {
                    LLVMAnd => (O::I32And, O::I64And),
                    LLVMOr => (O::I32Or, O::I64Or),
                    _ => (O::I32Xor, O::I64Xor),
                };
                let lo = self.bin(w, al, bl);
                let hi = self.bin(pick(n, w), ah, bh);
                vec![lo, hi]
            }
            LLVMAdd | LLVMSub => {
                let add = op == LLVMAdd;
                let lo = self.bin(if add { O::I64Add } else { O::I64Sub }, al, bl);
                // Carry out of the low half: the sum wrapped below an operand;
                // borrow: the subtrahend was larger.
                let c = if add {
                    self.bin(O::I64LtU, lo, al)
                } else {
                    self.bin(O::I64LtU, al, bl)
                };
                let c = self.un(O::I64Zext32, c);
                let x = self.hi_in(ah, hb);
                let y = self.hi_in(bh, hb);
                let o = if add { O::I64Add } else { O::I64Sub };
                let h = self.bin(o, x, y);
                let h = self.bin(o, h, c);
                let hi = self.mask(h, hb);
                vec![lo, hi]
            }
            LLVMMul | LLVMUDiv | LLVMSDiv | LLVMURem | LLVMSRem => {
                let signed = matches!(op, LLVMSDiv | LLVMSRem);
                let (xh, yh) = if signed {
                    (self.hi_signed(ah, hb), self.hi_signed(bh, hb))
                } else {
                    (self.hi_in(ah, hb), self.hi_in(bh, hb))
                };
                let name = match op {
                    LLVMMul => "__espb_i128_mul",
                    LLVMUDiv => "__espb_i128_divu",
                    LLVMSDiv => "__espb_i128_divs",
                    LLVMURem => "__espb_i128_remu",
                    _ => "__espb_i128_rems",
                };
                let l64 = Sc::Int(64);
                let (lo, hi, _) =
                    self.helper128(name, &[(al, l64), (xh, l64), (bl, l64), (yh, l64)], None)?;
                let hi = self.mask(hi, hb);
                vec![lo, hi]
            }
            _ => return Err(format!("unexpected integer operation {:?}", op)),
        })
    }

    fn wide_shift(
        &mut self,
        op: LLVMOpcode,
        hb: u32,
        lo: VReg,
        hi: VReg,
        amount: Val,
    ) -> R<Vec<VReg>> {
        use LLVMOpcode::*;
        let h = if op == LLVMAShr {
            self.hi_signed(hi, hb)
        } else {
            self.hi_in(hi, hb)
        };
        let right = if op == LLVMAShr {
            O::I64ShrS
        } else {
            O::I64ShrU
        };
        let right_i = if op == LLVMAShr {
            O::I64ShrSI
        } else {
            O::I64ShrUI
        };
        // Bits shifted out of the high half for a right shift by >= 64.
        let fill = |s: &mut Self| {
            if op == LLVMAShr {
                s.imm(O::I64ShrSI, h, 63)
            } else {
                s.konst64(0)
            }
        };
        if amount.kind() == crate::llvm::LLVMValueKind::LLVMConstantIntValueKind {
            let k = amount.const_u128().unwrap_or(0).min(127) as i32;
            let (l, hh) = match (op, k) {
                (_, 0) => (lo, h),
                (LLVMShl, k) if k < 64 => {
                    let l = self.imm(O::I64ShlI, lo, k);
                    let a = self.imm(O::I64ShlI, h, k);
                    let b = self.imm(O::I64ShrUI, lo, 64 - k);
                    (l, self.bin(O::I64Or, a, b))
                }
                (LLVMShl, k) => {
                    let z = self.konst64(0);
                    (z, self.imm(O::I64ShlI, lo, k - 64))
                }
                (_, k) if k < 64 => {
                    let a = self.imm(O::I64ShrUI, lo, k);
                    let b = self.imm(O::I64ShlI, h, 64 - k);
                    let l = self.bin(O::I64Or, a, b);
                    (l, self.imm(right_i, h, k))
                }
                (_, k) => {
                    let l = self.imm(right_i, h, k - 64);
                    (l, fill(self))
                }
            };
            let hi = self.mask(hh, hb);
            return Ok(vec![l, hi]);
        }
        // A variable amount (below N; only its low leaf matters): both
        // cases computed and selected. Shifts take their amount modulo 64,
        // and the bits crossing halves move in two steps so that an amount
        // of 0 never shifts by 64.
        let (sl, _) = self.halves(amount)?;
        let s = self.and64(sl, 63);
        let big = self.and64(sl, 64);
        let zero = self.konst64(0);
        let small = self.bin(O::I64Eq, big, zero);
        let k63 = self.konst64(63);
        let inv = self.bin(O::I64Xor, s, k63);
        let (l, hh) = if op == LLVMShl {
            let l_small = self.bin(O::I64Shl, lo, s);
            let a = self.bin(O::I64Shl, h, s);
            let b = self.imm(O::I64ShrUI, lo, 1);
            let b = self.bin(O::I64ShrU, b, inv);
            let h_small = self.bin(O::I64Or, a, b);
            let l = self.select(small, l_small, zero);
            let hh = self.select(small, h_small, l_small);
            (l, hh)
        } else {
            let a = self.bin(O::I64ShrU, lo, s);
            let b = self.imm(O::I64ShlI, h, 1);
            let b = self.bin(O::I64Shl, b, inv);
            let l_small = self.bin(O::I64Or, a, b);
            let h_shift = self.bin(right, h, s);
            let f = fill(self);
            let l = self.select(small, l_small, h_shift);
            let hh = self.select(small, h_shift, f);
            (l, hh)
        };
        let hi = self.mask(hh, hb);
        Ok(vec![l, hi])
    }

    /// `icmp` on `iN`, N > 64, as an i32 0/1.
    pub fn wide_icmp(&mut self, pred: LLVMIntPredicate, a: Val, b: Val) -> R<VReg> {
        use LLVMIntPredicate::*;
        let hb = hi_bits(a.ty());
        let (al, ah) = self.halves(a)?;
        let (bl, bh) = self.halves(b)?;
        let signed = matches!(pred, LLVMIntSGT | LLVMIntSGE | LLVMIntSLT | LLVMIntSLE);
        let (x, y) = if signed {
            (self.hi_signed(ah, hb), self.hi_signed(bh, hb))
        } else {
            (self.hi_in(ah, hb), self.hi_in(bh, hb))
        };
        let heq = self.bin(O::I64Eq, x, y);
        if matches!(pred, LLVMIntEQ | LLVMIntNE) {
            let leq = self.bin(O::I64Eq, al, bl);
            let eq = self.bin(O::I32And, heq, leq);
            return Ok(if pred == LLVMIntEQ {
                eq
            } else {
                self.imm(O::I32XorI, eq, 1)
            });
        }
        // a < b (or a > b): the high halves decide unless equal, then the
        // low halves (unsigned) do; `<=`/`>=` are the negated opposites.
        let (less, swap) = match pred {
            LLVMIntULT | LLVMIntSLT => (true, false),
            LLVMIntUGT | LLVMIntSGT => (true, true),
            LLVMIntUGE | LLVMIntSGE => (false, false),
            _ => (false, true),
        };
        let (x, y, al, bl) = if swap { (y, x, bl, al) } else { (x, y, al, bl) };
        let hlt = self.bin(if signed { O::I64LtS } else { O::I64LtU }, x, y);
        let llt = self.bin(O::I64LtU, al, bl);
        let t = self.bin(O::I32And, heq, llt);
        let lt = self.bin(O::I32Or, hlt, t);
        Ok(if less {
            lt
        } else {
            self.imm(O::I32XorI, lt, 1)
        })
    }

    /// A 64-bit value (already in a 64-bit register for `bits` > 32) and
    /// its 128-bit extension's high half.
    fn extend128(&mut self, r: VReg, bits: u32, signed: bool) -> (VReg, VReg) {
        if signed {
            let x = self.sext(r, bits);
            let x = if bits <= 32 {
                self.un(O::I64Sext32, x)
            } else {
                x
            };
            let h = self.imm(O::I64ShrSI, x, 63);
            (x, h)
        } else {
            let x = if bits <= 32 {
                self.un(O::I64Zext32, r)
            } else {
                r
            };
            (x, self.konst64(0))
        }
    }

    /// Integer operand `v` of `bits` (any width up to 128) as the halves of
    /// its 128-bit extension.
    fn as128(&mut self, v: Val, bits: u32, signed: bool) -> R<(VReg, VReg)> {
        if bits > 64 {
            let (l, h) = self.halves(v)?;
            let h = if signed {
                self.hi_signed(h, bits - 64)
            } else {
                self.hi_in(h, bits - 64)
            };
            Ok((l, h))
        } else {
            let r = self.get1(v)?;
            Ok(self.extend128(r, bits, signed))
        }
    }

    /// Casts whose source or destination is held in two registers; `false`
    /// when neither is.
    pub fn wide_cast(&mut self, op: LLVMOpcode, i: Val) -> R<bool> {
        use LLVMOpcode::*;
        let src = i.operand(0);
        let (st, dt) = (src.ty(), i.ty());
        if !types::is_wide_scalar(st) && !types::is_wide_scalar(dt) {
            return Ok(false);
        }
        let int_bits = |t: Ty| match t.kind() {
            LLVMTypeKind::LLVMIntegerTypeKind => Some(t.int_width()),
            LLVMTypeKind::LLVMPointerTypeKind => Some(32),
            _ => None,
        };
        let unsupported = || {
            format!(
                "conversion from `{}` to `{}` is not supported",
                st.print(),
                dt.print()
            )
        };
        let out = match op {
            LLVMTrunc | LLVMZExt | LLVMSExt | LLVMPtrToInt | LLVMIntToPtr => {
                let (sb, db) = (
                    int_bits(st).ok_or_else(unsupported)?,
                    int_bits(dt).ok_or_else(unsupported)?,
                );
                let signed = op == LLVMSExt;
                let (lo, h) = self.as128(src, sb, signed)?;
                if db > 64 {
                    let hi = self.mask(h, db - 64);
                    vec![lo, hi]
                } else {
                    vec![self.mask(lo, db)]
                }
            }
            LLVMFPExt => {
                if !is_f128(dt) {
                    return Err(unsupported());
                }
                let x = self.get1(src)?;
                let x = match st.kind() {
                    LLVMTypeKind::LLVMFloatTypeKind => self.un(O::F64PromoteF32, x),
                    LLVMTypeKind::LLVMDoubleTypeKind => x,
                    _ => return Err(unsupported()),
                };
                let (lo, hi, _) = self.helper128("__espb_f128_from_f64", &[(x, Sc::F64)], None)?;
                vec![lo, hi]
            }
            LLVMFPTrunc => {
                let (lo, hi) = self.halves(src)?;
                let l64 = Sc::Int(64);
                let (name, sc) = match dt.kind() {
                    LLVMTypeKind::LLVMFloatTypeKind => ("__espb_f128_to_f32", Sc::F32),
                    LLVMTypeKind::LLVMDoubleTypeKind => ("__espb_f128_to_f64", Sc::F64),
                    _ => return Err(unsupported()),
                };
                let r = self.libcall(name, &[(lo, l64), (hi, l64)], Some(sc))?;
                vec![r.ok_or("no result")?]
            }
            LLVMSIToFP | LLVMUIToFP => {
                if !is_f128(dt) {
                    return Err(unsupported());
                }
                let signed = op == LLVMSIToFP;
                let sb = int_bits(st).ok_or_else(unsupported)?;
                let (lo, h) = self.as128(src, sb, signed)?;
                let flag = self.konst(signed as u64, false);
                let l64 = Sc::Int(64);
                let (lo, hi, _) = self.helper128(
                    "__espb_f128_from_int",
                    &[(lo, l64), (h, l64), (flag, Sc::Int(32))],
                    None,
                )?;
                vec![lo, hi]
            }
            LLVMFPToSI | LLVMFPToUI => {
                if !is_f128(st) {
                    return Err(unsupported());
                }
                let db = int_bits(dt).ok_or_else(unsupported)?;
                let (lo, hi) = self.halves(src)?;
                let flags = db | if op == LLVMFPToSI { 0x100 } else { 0 };
                let flag = self.konst(flags as u64, false);
                let l64 = Sc::Int(64);
                let (rl, rh, _) = self.helper128(
                    "__espb_f128_to_int",
                    &[(lo, l64), (hi, l64), (flag, Sc::Int(32))],
                    None,
                )?;
                if db > 64 {
                    let rh = self.mask(rh, db - 64);
                    vec![rl, rh]
                } else {
                    vec![self.mask(rl, db)]
                }
            }
            _ => return Err(unsupported()),
        };
        self.set_vals(i, out);
        Ok(true)
    }

    // ---- long double ----------------------------------------------------------

    /// `fadd`/`fsub`/`fmul`/`fdiv`/`frem` on `fp128`.
    pub fn f128_binop(&mut self, op: LLVMOpcode, a: Val, b: Val) -> R<Vec<VReg>> {
        let (al, ah) = self.halves(a)?;
        let (bl, bh) = self.halves(b)?;
        self.f128_arith(op, [al, ah, bl, bh])
    }

    fn f128_arith(&mut self, op: LLVMOpcode, x: [VReg; 4]) -> R<Vec<VReg>> {
        use LLVMOpcode::*;
        let name = match op {
            LLVMFAdd => "__espb_f128_add",
            LLVMFSub => "__espb_f128_sub",
            LLVMFMul => "__espb_f128_mul",
            LLVMFDiv => "__espb_f128_div",
            _ => "__espb_f128_rem",
        };
        let l64 = Sc::Int(64);
        let args: Vec<(VReg, Sc)> = x.iter().map(|&r| (r, l64)).collect();
        let (lo, hi, _) = self.helper128(name, &args, None)?;
        Ok(vec![lo, hi])
    }

    pub fn f128_neg(&mut self, a: Val) -> R<Vec<VReg>> {
        let (lo, hi) = self.halves(a)?;
        let s = self.konst64(SIGN);
        let hi = self.bin(O::I64Xor, hi, s);
        Ok(vec![lo, hi])
    }

    /// `fcmp` on `fp128` as an i32 0/1. The helper answers with one bit of
    /// LLVM's predicate encoding (1 equal, 2 greater, 4 less, 8 unordered):
    /// the predicate holds when it has that bit.
    pub fn f128_fcmp(&mut self, pred: LLVMRealPredicate, a: Val, b: Val) -> R<VReg> {
        use LLVMRealPredicate::*;
        let mask = match pred {
            LLVMRealPredicateFalse => return Ok(self.konst(0, false)),
            LLVMRealPredicateTrue => return Ok(self.konst(1, false)),
            LLVMRealOEQ => 1,
            LLVMRealOGT => 2,
            LLVMRealOGE => 3,
            LLVMRealOLT => 4,
            LLVMRealOLE => 5,
            LLVMRealONE => 6,
            LLVMRealORD => 7,
            LLVMRealUNO => 8,
            LLVMRealUEQ => 9,
            LLVMRealUGT => 10,
            LLVMRealUGE => 11,
            LLVMRealULT => 12,
            LLVMRealULE => 13,
            LLVMRealUNE => 14,
        };
        let (al, ah) = self.halves(a)?;
        let (bl, bh) = self.halves(b)?;
        let l64 = Sc::Int(64);
        let r = self
            .libcall(
                "__espb_f128_cmp",
                &[(al, l64), (ah, l64), (bl, l64), (bh, l64)],
                Some(Sc::Int(32)),
            )?
            .ok_or("no result")?;
        let m = self.imm(O::I32AndI, r, mask);
        Ok(self.imm(O::I32NeI, m, 0))
    }

    /// LLVM intrinsics on `fp128`: sign operations inline, `fmuladd`
    /// unfused (as a target without a binary128 FMA computes it),
    /// classification on the bits.
    pub fn f128_intrinsic(&mut self, i: Val, base: &str) -> R<Vec<VReg>> {
        let (lo, hi) = self.halves(i.operand(0))?;
        Ok(match base {
            "fabs" => vec![lo, self.and64(hi, !SIGN)],
            "copysign" => {
                let (_, yh) = self.halves(i.operand(1))?;
                let m = self.and64(hi, !SIGN);
                let s = self.and64(yh, SIGN);
                vec![lo, self.bin(O::I64Or, m, s)]
            }
            "fmuladd" => {
                let (bl, bh) = self.halves(i.operand(1))?;
                let p = self.f128_arith(LLVMOpcode::LLVMFMul, [lo, hi, bl, bh])?;
                let (cl, ch) = self.halves(i.operand(2))?;
                self.f128_arith(LLVMOpcode::LLVMFAdd, [p[0], p[1], cl, ch])?
            }
            "is.fpclass" => vec![self.f128_fpclass(i, lo, hi)?],
            _ => return Err(format!("`llvm.{}` on `long double` is not supported", base)),
        })
    }

    /// `llvm.is.fpclass` on binary128 bits: exponent 15 bits, mantissa 112.
    fn f128_fpclass(&mut self, i: Val, lo: VReg, hi: VReg) -> R<VReg> {
        let mask = i
            .operand(1)
            .const_int_words()
            .ok_or("is.fpclass with a variable mask")? as u32;
        let abs = self.and64(hi, !SIGN);
        let exp = self.imm(O::I64ShrUI, abs, 48);
        let mhi = self.and64(abs, (1 << 48) - 1);
        let m = self.bin(O::I64Or, mhi, lo);
        let zero = self.konst64(0);
        let mant0 = self.bin(O::I64Eq, m, zero);
        let max = self.konst64(0x7fff);
        let emax = self.bin(O::I64Eq, exp, max);
        let e0 = self.bin(O::I64Eq, exp, zero);
        let neg = self.bin(O::I64LtS, hi, zero);
        let pos = self.imm(O::I32XorI, neg, 1);
        let inf = self.bin(O::I32And, emax, mant0);
        let mant_nz = self.imm(O::I32XorI, mant0, 1);
        let nan = self.bin(O::I32And, emax, mant_nz);
        let qb = self.and64(hi, 1 << 47);
        let quiet = self.bin(O::I64Ne, qb, zero);
        let qnan = self.bin(O::I32And, nan, quiet);
        let not_quiet = self.imm(O::I32XorI, quiet, 1);
        let snan = self.bin(O::I32And, nan, not_quiet);
        let zero_v = self.bin(O::I32And, e0, mant0);
        let sub = self.bin(O::I32And, e0, mant_nz);
        let special = self.bin(O::I32Or, e0, emax);
        let norm = self.imm(O::I32XorI, special, 1);
        Ok(self.fpclass_result(
            mask,
            FpClasses {
                snan,
                qnan,
                inf,
                norm,
                sub,
                zero: zero_v,
                neg,
                pos,
            },
        ))
    }

    /// `*.with.overflow` on integers of more than 64 bits: multiplication
    /// through the runtime (the product needs up to 256 bits), addition and
    /// subtraction inline.
    pub fn wide_overflow(&mut self, i: Val, base: &str) -> R<Vec<VReg>> {
        let a = i.operand(0);
        let bits = a.ty().int_width();
        let hb = bits - 64;
        let signed = base.starts_with('s');
        let (al, ah) = self.halves(a)?;
        let (bl, bh) = self.halves(i.operand(1))?;
        let (xh, yh) = if signed {
            (self.hi_signed(ah, hb), self.hi_signed(bh, hb))
        } else {
            (self.hi_in(ah, hb), self.hi_in(bh, hb))
        };
        let l64 = Sc::Int(64);
        match base {
            "smul.with.overflow" | "umul.with.overflow" => {
                let flags = bits | if signed { 0x100 } else { 0 };
                let flag = self.konst(flags as u64, false);
                let (lo, hi, ov) = self.helper128(
                    "__espb_i128_mulo",
                    &[
                        (al, l64),
                        (xh, l64),
                        (bl, l64),
                        (yh, l64),
                        (flag, Sc::Int(32)),
                    ],
                    Some(Sc::Int(32)),
                )?;
                let hi = self.mask(hi, hb);
                Ok(vec![lo, hi, ov.ok_or("no result")?])
            }
            _ => Err(format!("`llvm.{}` on i{} is not supported", base, bits)),
        }
    }
}
