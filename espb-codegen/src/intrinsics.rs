//! Lowering of calls to LLVM intrinsics.

use espb_format::opcodes::trap_code;
use espb_format::Opcode as O;

use crate::ir::*;
use crate::llvm::{LLVMIntPredicate, LLVMTypeKind, Ty, Val};
use crate::lower::{FnLower, R};
use crate::types::Sc;

/// `llvm.umul.with.overflow.i32` -> `umul.with.overflow`.
pub fn base_name(name: &str) -> String {
    let rest = name.strip_prefix("llvm.").unwrap_or(name);
    let mut parts: Vec<&str> = rest.split('.').collect();
    while parts.len() > 1 && is_type_suffix(parts[parts.len() - 1]) {
        parts.pop();
    }
    parts.join(".")
}

fn is_type_suffix(s: &str) -> bool {
    let digits = |t: &str| !t.is_empty() && t.chars().all(|c| c.is_ascii_digit());
    (s.len() > 1 && matches!(&s[..1], "i" | "f" | "p" | "v") && digits(&s[1..]))
        || s.starts_with("v") && s[1..].chars().next().is_some_and(|c| c.is_ascii_digit())
        || s == "f16"
        || s == "bf16"
        || s == "isVoid"
}

fn float_kind(t: Ty) -> R<bool> {
    match t.kind() {
        LLVMTypeKind::LLVMFloatTypeKind => Ok(true),
        LLVMTypeKind::LLVMDoubleTypeKind => Ok(false),
        _ => Err(format!(
            "floating-point type `{}` is not supported",
            t.print()
        )),
    }
}

/// The class flags of a floating-point value (i32 0/1 registers) that
/// `llvm.is.fpclass` combines.
pub struct FpClasses {
    pub snan: VReg,
    pub qnan: VReg,
    pub inf: VReg,
    pub norm: VReg,
    pub sub: VReg,
    pub zero: VReg,
    pub neg: VReg,
    pub pos: VReg,
}

impl FnLower<'_> {
    pub fn intrinsic(&mut self, i: Val, name: &str) -> R<()> {
        let base = base_name(name);
        let arg = |k: u32| i.operand(k);
        match base.as_str() {
            "dbg.declare"
            | "dbg.value"
            | "dbg.label"
            | "dbg.assign"
            | "lifetime.start"
            | "lifetime.end"
            | "assume"
            | "experimental.noalias.scope.decl"
            | "invariant.end"
            | "sideeffect"
            | "donothing"
            | "var.annotation"
            | "prefetch"
            | "va_end"
            | "codeview.annotation"
            | "pseudoprobe"
            | "instrprof.increment" => {}
            "invariant.start" => {
                let z = self.konst(0, false);
                self.set_vals(i, vec![z]);
            }
            "expect"
            | "expect.with.probability"
            | "ptr.annotation"
            | "annotation"
            | "launder.invariant.group"
            | "strip.invariant.group"
            | "canonicalize"
            | "arithmetic.fence"
            | "ssa.copy" => {
                let v = self.get(arg(0))?;
                self.set_vals(i, v);
            }
            "is.constant" => {
                let z = self.konst(0, false);
                self.set_vals(i, vec![z]);
            }
            "memcpy" | "memcpy.inline" | "memmove" | "memset" | "memset.inline" => {
                let d = self.get1(arg(0))?;
                let s = self.get1(arg(1))?;
                let n = self.get1(arg(2))?;
                let op = match base.as_str() {
                    "memcpy" | "memcpy.inline" => O::MemCopy,
                    "memmove" => O::MemMove,
                    _ => O::MemFill,
                };
                self.op(op, vec![VOp::Reg(d), VOp::Reg(s), VOp::Reg(n)]);
            }
            "va_start" => {
                let ap = self.get1(arg(0))?;
                let v = self
                    .va_ptr
                    .ok_or("va_start in a function that is not variadic")?;
                self.store_bytes(4, ap, v, 0);
            }
            "va_copy" => {
                let d = self.get1(arg(0))?;
                let s = self.get1(arg(1))?;
                let v = self.load_leaf(Sc::Ptr, s, 0);
                self.store_bytes(4, d, v, 0);
            }
            "stacksave" => {
                let d = self.vreg();
                self.op(O::StackSave, vec![VOp::Dst(d)]);
                self.set_vals(i, vec![d]);
            }
            "stackrestore" => {
                let s = self.get1(arg(0))?;
                self.op(O::StackRestore, vec![VOp::Reg(s)]);
            }
            "trap" | "debugtrap" | "ubsantrap" => {
                self.op(O::Trap, vec![VOp::U8(trap_code::BUILTIN)])
            }
            "ptrmask" => {
                let p = self.get1(arg(0))?;
                let m = self.get1(arg(1))?;
                let r = self.bin(O::I32And, p, m);
                self.set_vals(i, vec![r]);
            }
            "abs" | "smin" | "smax" | "umin" | "umax" | "ctpop" | "ctlz" | "cttz" | "bswap"
            | "bitreverse" | "fshl" | "fshr" | "scmp" | "ucmp" => {
                let r = self.int_intrinsic(i, &base)?;
                self.set_vals(i, vec![r]);
            }
            "sadd.with.overflow" | "uadd.with.overflow" | "ssub.with.overflow"
            | "usub.with.overflow" | "smul.with.overflow" | "umul.with.overflow"
                if crate::types::is_wide_scalar(arg(0).ty()) =>
            {
                let v = self.wide_overflow(i, &base)?;
                self.set_vals(i, v);
            }
            "sadd.with.overflow" | "uadd.with.overflow" | "ssub.with.overflow"
            | "usub.with.overflow" | "smul.with.overflow" | "umul.with.overflow" => {
                let (r, ov) = self.overflow(i, &base)?;
                self.set_vals(i, vec![r, ov]);
            }
            "uadd.sat" | "usub.sat" | "sadd.sat" | "ssub.sat" => {
                let r = self.saturating(i, &base)?;
                self.set_vals(i, vec![r]);
            }
            _ if crate::types::is_wide_scalar(arg(0).ty())
                && arg(0).ty().kind() == LLVMTypeKind::LLVMFP128TypeKind =>
            {
                let v = self.f128_intrinsic(i, &base)?;
                self.set_vals(i, v);
            }
            "fabs" | "sqrt" | "fma" | "fmuladd" | "minnum" | "maxnum" | "minimum" | "maximum"
            | "copysign" | "floor" | "ceil" | "trunc" | "round" | "rint" | "nearbyint"
            | "roundeven" => {
                let r = self.float_intrinsic(i, &base)?;
                self.set_vals(i, vec![r]);
            }
            "lround" | "llround" | "lrint" | "llrint" => {
                let x = self.get1(arg(0))?;
                let f32 = float_kind(arg(0).ty())?;
                let rounded = match (base.as_str(), f32) {
                    ("lround" | "llround", true) => self.un(O::F32Round, x),
                    ("lround" | "llround", false) => self.un(O::F64Round, x),
                    (_, true) => self.un(O::F32Nearest, x),
                    (_, false) => self.un(O::F64Nearest, x),
                };
                let bits = self.int_bits(i.ty())?;
                let o = match (f32, bits > 32) {
                    (true, false) => O::I32TruncF32S,
                    (false, false) => O::I32TruncF64S,
                    (true, true) => O::I64TruncF32S,
                    (false, true) => O::I64TruncF64S,
                };
                let r = self.un(o, rounded);
                let r = self.mask(r, bits);
                self.set_vals(i, vec![r]);
            }
            "sin" | "cos" | "tan" | "asin" | "acos" | "atan" | "sinh" | "cosh" | "tanh" | "pow"
            | "exp" | "exp2" | "exp10" | "log" | "log10" | "log2" | "atan2" | "ldexp" => {
                let f32 = float_kind(i.ty())?;
                let lib = if f32 {
                    format!("{}f", base)
                } else {
                    base.clone()
                };
                let mut args = Vec::new();
                for k in 0..i.num_arg_operands() {
                    let a = arg(k);
                    let sc = if a.ty().kind() == LLVMTypeKind::LLVMIntegerTypeKind {
                        Sc::Int(32)
                    } else if f32 {
                        Sc::F32
                    } else {
                        Sc::F64
                    };
                    args.push((self.get1(a)?, sc));
                }
                let r = self.libcall(&lib, &args, Some(if f32 { Sc::F32 } else { Sc::F64 }))?;
                self.set_vals(i, r.into_iter().collect());
            }
            "is.fpclass" => {
                let r = self.is_fpclass(i)?;
                self.set_vals(i, vec![r]);
            }
            "threadlocal.address" => return Err("thread-local variables are not supported".into()),
            "frameaddress" | "returnaddress" => {
                // Read from the task's frame records by the runtime
                // (`builtins/frames.rs`); the level is a constant in C.
                let level = self.get1(arg(0))?;
                let name = if base == "frameaddress" {
                    "__espb_frame_address"
                } else {
                    "__espb_return_address"
                };
                let r = self.libcall(name, &[(level, Sc::Int(32))], Some(Sc::Ptr))?;
                self.set_vals(i, r.into_iter().collect());
            }
            _ => return Err(format!("intrinsic `{}` is not supported", name)),
        }
        Ok(())
    }

    fn int_intrinsic(&mut self, i: Val, base: &str) -> R<VReg> {
        let a0 = i.operand(0);
        if a0.ty().kind() != LLVMTypeKind::LLVMIntegerTypeKind || a0.ty().int_width() > 64 {
            return Err(format!(
                "`llvm.{}` on `{}` is not supported",
                base,
                a0.ty().print()
            ));
        }
        let bits = a0.ty().int_width();
        let wide = bits > 32;
        let x = self.get1(a0)?;
        let pick = |n: O, w: O| if wide { w } else { n };
        Ok(match base {
            "abs" => {
                let s = self.sext(x, bits);
                let zero = self.konst(0, wide);
                let neg = self.bin(pick(O::I32Sub, O::I64Sub), zero, s);
                let lt = self.bin(pick(O::I32LtS, O::I64LtS), s, zero);
                let r = self.select(lt, neg, s);
                self.mask(r, bits)
            }
            "smin" | "smax" | "umin" | "umax" => {
                let pred = match base {
                    "smin" => LLVMIntPredicate::LLVMIntSLT,
                    "smax" => LLVMIntPredicate::LLVMIntSGT,
                    "umin" => LLVMIntPredicate::LLVMIntULT,
                    _ => LLVMIntPredicate::LLVMIntUGT,
                };
                let c = self.icmp_vals(pred, bits, a0, i.operand(1))?;
                let c = self.cond_value(c);
                let y = self.get1(i.operand(1))?;
                self.select(c, x, y)
            }
            "scmp" | "ucmp" => {
                let (gt, lt) = if base == "scmp" {
                    (LLVMIntPredicate::LLVMIntSGT, LLVMIntPredicate::LLVMIntSLT)
                } else {
                    (LLVMIntPredicate::LLVMIntUGT, LLVMIntPredicate::LLVMIntULT)
                };
                let g = self.icmp_vals(gt, bits, a0, i.operand(1))?;
                let g = self.cond_value(g);
                let l = self.icmp_vals(lt, bits, a0, i.operand(1))?;
                let l = self.cond_value(l);
                let d = self.bin(O::I32Sub, g, l);
                let rb = self.int_bits(i.ty())?;
                if rb > 32 {
                    let w = self.un(O::I64Sext32, d);
                    self.mask(w, rb)
                } else {
                    self.mask(d, rb)
                }
            }
            "ctpop" => self.un(pick(O::I32Popcnt, O::I64Popcnt), x),
            "ctlz" => {
                let r = self.un(pick(O::I32Clz, O::I64Clz), x);
                let class = if wide { 64 } else { 32 };
                if bits == class {
                    r
                } else {
                    self.imm(pick(O::I32AddI, O::I64AddI), r, -((class - bits) as i32))
                }
            }
            "cttz" => {
                let class = if wide { 64 } else { 32 };
                let y = if bits == class {
                    x
                } else if wide {
                    let k = self.konst(1u64 << bits, true);
                    self.bin(O::I64Or, x, k)
                } else {
                    self.imm(O::I32OrI, x, (1u32 << bits) as i32)
                };
                self.un(pick(O::I32Ctz, O::I64Ctz), y)
            }
            "bswap" => match bits {
                32 => self.un(O::I32Bswap, x),
                64 => self.un(O::I64Bswap, x),
                16 => {
                    let s = self.un(O::I32Bswap, x);
                    self.imm(O::I32ShrUI, s, 16)
                }
                b if b % 16 == 0 && b > 32 => {
                    let s = self.un(O::I64Bswap, x);
                    self.imm(O::I64ShrUI, s, (64 - b) as i32)
                }
                b => return Err(format!("bswap of i{} is not supported", b)),
            },
            "bitreverse" => {
                let r = if wide { self.rev64(x) } else { self.rev32(x) };
                let class = if wide { 64 } else { 32 };
                if bits == class {
                    r
                } else {
                    self.imm(pick(O::I32ShrUI, O::I64ShrUI), r, (class - bits) as i32)
                }
            }
            "fshl" | "fshr" => self.funnel(i, base, bits)?,
            _ => unreachable!("dispatched above"),
        })
    }

    fn rev32(&mut self, x: VReg) -> VReg {
        let mut x = x;
        for (sh, m) in [(1, 0x5555_5555u32), (2, 0x3333_3333), (4, 0x0f0f_0f0f)] {
            let a = self.imm(O::I32ShrUI, x, sh);
            let a = self.imm(O::I32AndI, a, m as i32);
            let b = self.imm(O::I32AndI, x, m as i32);
            let b = self.imm(O::I32ShlI, b, sh);
            x = self.bin(O::I32Or, a, b);
        }
        self.un(O::I32Bswap, x)
    }

    fn rev64(&mut self, x: VReg) -> VReg {
        let mut x = x;
        for (sh, m) in [
            (1, 0x5555_5555_5555_5555u64),
            (2, 0x3333_3333_3333_3333),
            (4, 0x0f0f_0f0f_0f0f_0f0f),
        ] {
            let a = self.imm(O::I64ShrUI, x, sh);
            let a2 = self.vreg();
            self.op(
                O::I64AndI,
                vec![VOp::Dst(a2), VOp::Reg(a), VOp::I64(m as i64)],
            );
            let b = self.vreg();
            self.op(
                O::I64AndI,
                vec![VOp::Dst(b), VOp::Reg(x), VOp::I64(m as i64)],
            );
            let b = self.imm(O::I64ShlI, b, sh);
            x = self.bin(O::I64Or, a2, b);
        }
        self.un(O::I64Bswap, x)
    }

    fn funnel(&mut self, i: Val, base: &str, bits: u32) -> R<VReg> {
        let left = base == "fshl";
        let a = self.get1(i.operand(0))?;
        let b = self.get1(i.operand(1))?;
        let cv = i.operand(2);
        let wide = bits > 32;
        let pick = |n: O, w: O| if wide { w } else { n };
        if bits == 32 || bits == 64 {
            if i.operand(0) == i.operand(1) {
                let c = self.get1(cv)?;
                return Ok(self.bin(
                    if left {
                        pick(O::I32Rotl, O::I64Rotl)
                    } else {
                        pick(O::I32Rotr, O::I64Rotr)
                    },
                    a,
                    c,
                ));
            }
            let (shl, shr) = (pick(O::I32Shl, O::I64Shl), pick(O::I32ShrU, O::I64ShrU));
            let (shli, shri) = (pick(O::I32ShlI, O::I64ShlI), pick(O::I32ShrUI, O::I64ShrUI));
            if let Some(c) = cv
                .const_int_words()
                .filter(|_| cv.kind() == crate::llvm::LLVMValueKind::LLVMConstantIntValueKind)
            {
                let s = (c % bits as u64) as i32;
                if s == 0 {
                    return Ok(if left { a } else { b });
                }
                let (hi, lo) = if left { (a, b) } else { (b, a) };
                // fshl: (a << s) | (b >> (N - s)); fshr: (b >> s) | (a << (N - s)).
                let (x, y) = if left {
                    (self.imm(shli, hi, s), self.imm(shri, lo, bits as i32 - s))
                } else {
                    (self.imm(shri, hi, s), self.imm(shli, lo, bits as i32 - s))
                };
                return Ok(self.bin(pick(O::I32Or, O::I64Or), x, y));
            }
            let c = self.get1(cv)?;
            let s = if wide {
                let d = self.vreg();
                self.op(
                    O::I64AndI,
                    vec![VOp::Dst(d), VOp::Reg(c), VOp::I64(bits as i64 - 1)],
                );
                d
            } else {
                self.imm(O::I32AndI, c, bits as i32 - 1)
            };
            // The complementary shift is split in two so a zero amount never shifts by N.
            let inv = if wide {
                let k = self.konst(bits as u64 - 1, true);
                self.bin(O::I64Xor, s, k)
            } else {
                self.imm(O::I32XorI, s, bits as i32 - 1)
            };
            return Ok(if left {
                let x = self.bin(shl, a, s);
                let y = self.imm(shri, b, 1);
                let y = self.bin(shr, y, inv);
                self.bin(pick(O::I32Or, O::I64Or), x, y)
            } else {
                let x = self.bin(shr, b, s);
                let y = self.imm(shli, a, 1);
                let y = self.bin(shl, y, inv);
                self.bin(pick(O::I32Or, O::I64Or), x, y)
            });
        }
        if bits > 16 {
            return Err(format!("funnel shift of i{} is not supported", bits));
        }
        let c = self.get1(cv)?;
        let s = if bits.is_power_of_two() {
            self.imm(O::I32AndI, c, bits as i32 - 1)
        } else {
            let k = self.konst(bits as u64, false);
            self.bin(O::I32RemU, c, k)
        };
        let t = self.imm(O::I32ShlI, a, bits as i32);
        let t = self.bin(O::I32Or, t, b);
        let r = if left {
            let x = self.bin(O::I32Shl, t, s);
            self.imm(O::I32ShrUI, x, bits as i32)
        } else {
            self.bin(O::I32ShrU, t, s)
        };
        Ok(self.mask(r, bits))
    }

    fn overflow(&mut self, i: Val, base: &str) -> R<(VReg, VReg)> {
        let a0 = i.operand(0);
        let bits = self.int_bits(a0.ty())?;
        if bits > 64 {
            return Err(format!("`llvm.{}` on i{} is not supported", base, bits));
        }
        let wide = bits > 32;
        let a = self.get1(a0)?;
        let b = self.get1(i.operand(1))?;
        let pick = |n: O, w: O| if wide { w } else { n };
        let narrow = bits != 32 && bits != 64;
        Ok(match base {
            "uadd.with.overflow" => {
                let s = self.bin(pick(O::I32Add, O::I64Add), a, b);
                let r = self.mask(s, bits);
                let ov = self.bin(pick(O::I32LtU, O::I64LtU), r, a);
                (r, ov)
            }
            "usub.with.overflow" => {
                let s = self.bin(pick(O::I32Sub, O::I64Sub), a, b);
                let r = self.mask(s, bits);
                let ov = self.bin(pick(O::I32LtU, O::I64LtU), a, b);
                (r, ov)
            }
            "sadd.with.overflow" | "ssub.with.overflow" if narrow => {
                let sa = self.sext(a, bits);
                let sb = self.sext(b, bits);
                let op = if base.starts_with("sadd") {
                    pick(O::I32Add, O::I64Add)
                } else {
                    pick(O::I32Sub, O::I64Sub)
                };
                let full = self.bin(op, sa, sb);
                let r = self.mask(full, bits);
                let back = self.sext(r, bits);
                let ov = self.bin(pick(O::I32Ne, O::I64Ne), back, full);
                (r, ov)
            }
            "sadd.with.overflow" | "ssub.with.overflow" => {
                let add = base.starts_with("sadd");
                let r = self.bin(
                    if add {
                        pick(O::I32Add, O::I64Add)
                    } else {
                        pick(O::I32Sub, O::I64Sub)
                    },
                    a,
                    b,
                );
                let xor = pick(O::I32Xor, O::I64Xor);
                // add: (a^r)&(b^r) < 0; sub: (a^b)&(a^r) < 0.
                let t1 = self.bin(xor, a, r);
                let t2 = if add {
                    self.bin(xor, b, r)
                } else {
                    self.bin(xor, a, b)
                };
                let t = self.bin(pick(O::I32And, O::I64And), t1, t2);
                let zero = self.konst(0, wide);
                let ov = self.bin(pick(O::I32LtS, O::I64LtS), t, zero);
                (r, ov)
            }
            "umul.with.overflow" if bits <= 32 => {
                let wa = self.un(O::I64Zext32, a);
                let wb = self.un(O::I64Zext32, b);
                let p = self.bin(O::I64Mul, wa, wb);
                let r = self.mask(p, bits);
                let hi = self.imm(O::I64ShrUI, p, bits as i32);
                let zero = self.konst(0, true);
                let ov = self.bin(O::I64Ne, hi, zero);
                (r, ov)
            }
            "smul.with.overflow" if bits <= 32 => {
                let sa = self.sext(a, bits);
                let sb = self.sext(b, bits);
                let wa = self.un(O::I64Sext32, sa);
                let wb = self.un(O::I64Sext32, sb);
                let p = self.bin(O::I64Mul, wa, wb);
                let r = self.mask(p, bits);
                let t = self.imm(O::I64ShlI, p, (64 - bits) as i32);
                let back = self.imm(O::I64ShrSI, t, (64 - bits) as i32);
                let ov = self.bin(O::I64Ne, back, p);
                (r, ov)
            }
            "umul.with.overflow" if bits > 32 && bits < 64 => {
                // The full product's high half and the low half's bits above N.
                let hi = self.bin(O::I64MulHU, a, b);
                let p = self.bin(O::I64Mul, a, b);
                let r = self.mask(p, bits);
                let above = self.imm(O::I64ShrUI, p, bits as i32);
                let any = self.bin(O::I64Or, hi, above);
                let zero = self.konst(0, true);
                let ov = self.bin(O::I64Ne, any, zero);
                (r, ov)
            }
            "smul.with.overflow" if bits > 32 && bits < 64 => {
                // Fits when the 128-bit product is the sign extension of its
                // low N bits.
                let sa = self.sext(a, bits);
                let sb = self.sext(b, bits);
                let hi = self.bin(O::I64MulHS, sa, sb);
                let p = self.bin(O::I64Mul, sa, sb);
                let r = self.mask(p, bits);
                let back = self.sext(r, bits);
                let sign = self.imm(O::I64ShrSI, p, 63);
                let lo_bad = self.bin(O::I64Ne, back, p);
                let hi_bad = self.bin(O::I64Ne, hi, sign);
                let ov = self.bin(O::I32Or, lo_bad, hi_bad);
                (r, ov)
            }
            "umul.with.overflow" if bits == 64 => {
                let hi = self.bin(O::I64MulHU, a, b);
                let r = self.bin(O::I64Mul, a, b);
                let zero = self.konst(0, true);
                let ov = self.bin(O::I64Ne, hi, zero);
                (r, ov)
            }
            "smul.with.overflow" if bits == 64 => {
                let hi = self.bin(O::I64MulHS, a, b);
                let r = self.bin(O::I64Mul, a, b);
                let sign = self.imm(O::I64ShrSI, r, 63);
                let ov = self.bin(O::I64Ne, hi, sign);
                (r, ov)
            }
            _ => return Err(format!("`llvm.{}` on i{} is not supported", base, bits)),
        })
    }

    fn saturating(&mut self, i: Val, base: &str) -> R<VReg> {
        let a0 = i.operand(0);
        let bits = self.int_bits(a0.ty())?;
        if bits > 64 {
            return Err(format!("`llvm.{}` on i{} is not supported", base, bits));
        }
        let wide = bits > 32;
        let a = self.get1(a0)?;
        let b = self.get1(i.operand(1))?;
        let pick = |n: O, w: O| if wide { w } else { n };
        let all = if bits == 64 {
            u64::MAX
        } else {
            (1u64 << bits) - 1
        };
        Ok(match base {
            "uadd.sat" => {
                let s = self.bin(pick(O::I32Add, O::I64Add), a, b);
                let r = self.mask(s, bits);
                let ov = self.bin(pick(O::I32LtU, O::I64LtU), r, a);
                let max = self.konst(all, wide);
                self.select(ov, max, r)
            }
            "usub.sat" => {
                let s = self.bin(pick(O::I32Sub, O::I64Sub), a, b);
                let r = self.mask(s, bits);
                let ov = self.bin(pick(O::I32LtU, O::I64LtU), a, b);
                let zero = self.konst(0, wide);
                self.select(ov, zero, r)
            }
            _ if bits <= 32 => {
                let sa = self.sext(a, bits);
                let sb = self.sext(b, bits);
                let wa = self.un(O::I64Sext32, sa);
                let wb = self.un(O::I64Sext32, sb);
                let full = self.bin(
                    if base == "sadd.sat" {
                        O::I64Add
                    } else {
                        O::I64Sub
                    },
                    wa,
                    wb,
                );
                let maxv = self.konst((1u64 << (bits - 1)) - 1, true);
                let minv = self.konst((-(1i64 << (bits - 1))) as u64, true);
                let gt = self.bin(O::I64GtS, full, maxv);
                let c1 = self.select(gt, maxv, full);
                let lt = self.bin(O::I64LtS, c1, minv);
                let c2 = self.select(lt, minv, c1);
                self.mask(c2, bits)
            }
            _ => {
                let add = base == "sadd.sat";
                let r = self.bin(if add { O::I64Add } else { O::I64Sub }, a, b);
                let t1 = self.bin(O::I64Xor, a, r);
                let t2 = if add {
                    self.bin(O::I64Xor, b, r)
                } else {
                    self.bin(O::I64Xor, a, b)
                };
                let t = self.bin(O::I64And, t1, t2);
                let zero = self.konst(0, true);
                let ov = self.bin(O::I64LtS, t, zero);
                let neg = self.bin(O::I64LtS, a, zero);
                let minv = self.konst(i64::MIN as u64, true);
                let maxv = self.konst(i64::MAX as u64, true);
                let sat = self.select(neg, minv, maxv);
                self.select(ov, sat, r)
            }
        })
    }

    /// `llvm.is.fpclass(x, mask)` on the IEEE bits.
    fn is_fpclass(&mut self, i: Val) -> R<VReg> {
        let a0 = i.operand(0);
        let f32 = float_kind(a0.ty())?;
        let mask = i
            .operand(1)
            .const_int_words()
            .ok_or("is.fpclass with a variable mask")? as u32;
        let x = self.get1(a0)?;
        let wide = !f32;
        let (sign_off, expm, qbit, minn) = if f32 {
            (
                0x7fff_ffffu64,
                0x7f80_0000u64,
                0x7fc0_0000u64,
                0x0080_0000u64,
            )
        } else {
            (
                0x7fff_ffff_ffff_ffff,
                0x7ff0_0000_0000_0000,
                0x7ff8_0000_0000_0000,
                0x0010_0000_0000_0000,
            )
        };
        let abs = if f32 {
            self.imm(O::I32AndI, x, sign_off as u32 as i32)
        } else {
            let d = self.vreg();
            self.op(
                O::I64AndI,
                vec![VOp::Dst(d), VOp::Reg(x), VOp::I64(sign_off as i64)],
            );
            d
        };
        let cmp = |s: &mut Self, cmp: Cmp, a: VReg, k: u64| {
            let b = if wide {
                Rhs::Reg(s.konst(k, true))
            } else {
                Rhs::Imm(k as u32 as i32)
            };
            s.cond_value(Cond::Cmp { cmp, wide, a, b })
        };
        let neg = cmp(self, Cmp::LtS, x, 0);
        let pos = self.imm(O::I32XorI, neg, 1);
        let nan = cmp(self, Cmp::GtU, abs, expm);
        let quiet = cmp(self, Cmp::GeU, abs, qbit);
        let inf = cmp(self, Cmp::Eq, abs, expm);
        let zero = cmp(self, Cmp::Eq, abs, 0);
        let small = cmp(self, Cmp::LtU, abs, minn);
        let nonzero = self.imm(O::I32XorI, zero, 1);
        let sub = self.bin(O::I32And, small, nonzero);
        let big = self.imm(O::I32XorI, small, 1);
        let finite = cmp(self, Cmp::LtU, abs, expm);
        let norm = self.bin(O::I32And, big, finite);
        let not_quiet = self.imm(O::I32XorI, quiet, 1);
        let snan = self.bin(O::I32And, nan, not_quiet);
        let qnan = self.bin(O::I32And, nan, quiet);
        Ok(self.fpclass_result(
            mask,
            FpClasses {
                snan,
                qnan,
                inf,
                norm,
                sub,
                zero,
                neg,
                pos,
            },
        ))
    }

    /// `llvm.is.fpclass`'s answer from a value's class flags (each an i32
    /// 0/1): the OR of the classes `mask` names.
    pub fn fpclass_result(&mut self, mask: u32, c: FpClasses) -> VReg {
        let mut r = self.konst(0, false);
        for bit in 0..10 {
            if mask >> bit & 1 == 0 {
                continue;
            }
            let t = match bit {
                0 => c.snan,
                1 => c.qnan,
                2 => self.bin(O::I32And, c.inf, c.neg),
                3 => self.bin(O::I32And, c.norm, c.neg),
                4 => self.bin(O::I32And, c.sub, c.neg),
                5 => self.bin(O::I32And, c.zero, c.neg),
                6 => self.bin(O::I32And, c.zero, c.pos),
                7 => self.bin(O::I32And, c.sub, c.pos),
                8 => self.bin(O::I32And, c.norm, c.pos),
                _ => self.bin(O::I32And, c.inf, c.pos),
            };
            r = self.bin(O::I32Or, r, t);
        }
        r
    }

    fn float_intrinsic(&mut self, i: Val, base: &str) -> R<VReg> {
        let f32 = float_kind(i.ty())?;
        let pick = |s: O, d: O| if f32 { s } else { d };
        let x = self.get1(i.operand(0))?;
        Ok(match base {
            "fabs" => self.un(pick(O::F32Abs, O::F64Abs), x),
            "sqrt" => self.un(pick(O::F32Sqrt, O::F64Sqrt), x),
            "floor" => self.un(pick(O::F32Floor, O::F64Floor), x),
            "ceil" => self.un(pick(O::F32Ceil, O::F64Ceil), x),
            "trunc" => self.un(pick(O::F32Trunc, O::F64Trunc), x),
            "round" => self.un(pick(O::F32Round, O::F64Round), x),
            "rint" | "nearbyint" | "roundeven" => self.un(pick(O::F32Nearest, O::F64Nearest), x),
            "copysign" => {
                let y = self.get1(i.operand(1))?;
                self.bin(pick(O::F32Copysign, O::F64Copysign), x, y)
            }
            "minimum" | "maximum" => {
                let y = self.get1(i.operand(1))?;
                self.bin(
                    if base == "minimum" {
                        pick(O::F32Min, O::F64Min)
                    } else {
                        pick(O::F32Max, O::F64Max)
                    },
                    x,
                    y,
                )
            }
            "minnum" | "maxnum" => {
                // C fmin/fmax: a NaN operand yields the other operand.
                let y = self.get1(i.operand(1))?;
                let m = self.bin(
                    if base == "minnum" {
                        pick(O::F32Min, O::F64Min)
                    } else {
                        pick(O::F32Max, O::F64Max)
                    },
                    x,
                    y,
                );
                let xn = self.bin(pick(O::F32Ne, O::F64Ne), x, x);
                let t = self.select(xn, y, m);
                let yn = self.bin(pick(O::F32Ne, O::F64Ne), y, y);
                self.select(yn, x, t)
            }
            "fma" => {
                let y = self.get1(i.operand(1))?;
                let z = self.get1(i.operand(2))?;
                let d = self.vreg();
                self.op(
                    pick(O::F32Fma, O::F64Fma),
                    vec![VOp::Dst(d), VOp::Reg(x), VOp::Reg(y), VOp::Reg(z)],
                );
                d
            }
            "fmuladd" => {
                // Unfused, as a target without FMA instructions computes it.
                let y = self.get1(i.operand(1))?;
                let z = self.get1(i.operand(2))?;
                let p = self.bin(pick(O::F32Mul, O::F64Mul), x, y);
                self.bin(pick(O::F32Add, O::F64Add), p, z)
            }
            _ => unreachable!("dispatched above"),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::base_name;

    #[test]
    fn intrinsic_base_names() {
        assert_eq!(
            base_name("llvm.umul.with.overflow.i32"),
            "umul.with.overflow"
        );
        assert_eq!(base_name("llvm.memcpy.p0.p0.i32"), "memcpy");
        assert_eq!(base_name("llvm.lifetime.start.p0"), "lifetime.start");
        assert_eq!(base_name("llvm.fabs.f64"), "fabs");
        assert_eq!(base_name("llvm.va_start.p0"), "va_start");
        assert_eq!(base_name("llvm.dbg.declare"), "dbg.declare");
        assert_eq!(base_name("llvm.stacksave.p0"), "stacksave");
        assert_eq!(base_name("llvm.expect.i1"), "expect");
    }
}
