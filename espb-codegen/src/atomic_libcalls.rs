//! The `__atomic_*` library calls clang emits when a target lacks inline
//! atomics of some width (e.g. 64-bit `_Atomic` objects on riscv32, or every
//! width on rv32imc): lowered to the atomic opcodes here, so modules need no
//! such imports. Calls whose size is not a constant 1/2/4/8 stay imports.

use espb_format::AtomicOp as A;
use espb_format::Opcode as O;

use crate::ir::*;
use crate::llvm::{LLVMValueKind, Val};
use crate::lower::{width_code, FnLower, R};
use crate::types::Sc;

fn const_size(v: Val) -> Option<u32> {
    if v.kind() != LLVMValueKind::LLVMConstantIntValueKind {
        return None;
    }
    match v.const_int_words()? {
        s @ (1 | 2 | 4 | 8) => Some(s as u32),
        _ => None,
    }
}

fn int_sc(bytes: u32) -> Sc {
    Sc::Int(bytes * 8)
}

impl FnLower<'_> {
    /// Lowers `call @__atomic_*` inline; `Ok(false)` when the call is not one.
    pub fn atomic_libcall(&mut self, i: Val, name: &str) -> R<bool> {
        let arg = |k: u32| i.operand(k);
        let Some(rest) = name.strip_prefix("__atomic_") else {
            return Ok(false);
        };
        // Sized forms end in _1/_2/_4/_8; generic forms take the size first.
        let (base, sized) = match rest.rsplit_once('_') {
            Some((b, n @ ("1" | "2" | "4" | "8"))) => (b, Some(n.parse::<u32>().unwrap_or(4))),
            _ => (rest, None),
        };
        let nargs = i.num_arg_operands();
        match (base, sized) {
            ("load", Some(n)) if nargs == 2 => {
                let p = self.get1(arg(0))?;
                let d = self.atomic_load(p, n)?;
                self.set_vals(i, vec![d]);
            }
            ("load", None) if nargs == 4 => {
                let Some(n) = const_size(arg(0)) else {
                    return Ok(false);
                };
                let (src, dst) = (self.get1(arg(1))?, self.get1(arg(2))?);
                let v = self.atomic_load(src, n)?;
                self.store_bytes(n, dst, v, 0);
            }
            ("store", Some(n)) if nargs == 3 => {
                let (p, v) = (self.get1(arg(0))?, self.get1(arg(1))?);
                self.op(
                    O::AtomicStore,
                    vec![VOp::Reg(p), VOp::Reg(v), VOp::U8(width_code(n)?)],
                );
            }
            ("store", None) if nargs == 4 => {
                let Some(n) = const_size(arg(0)) else {
                    return Ok(false);
                };
                let (dst, src) = (self.get1(arg(1))?, self.get1(arg(2))?);
                let v = self.load_leaf(int_sc(n), src, 0);
                self.op(
                    O::AtomicStore,
                    vec![VOp::Reg(dst), VOp::Reg(v), VOp::U8(width_code(n)?)],
                );
            }
            ("exchange", Some(n)) if nargs == 3 => {
                let (p, v) = (self.get1(arg(0))?, self.get1(arg(1))?);
                let d = self.rmw(p, v, n, A::Xchg)?;
                self.set_vals(i, vec![d]);
            }
            ("exchange", None) if nargs == 5 => {
                let Some(n) = const_size(arg(0)) else {
                    return Ok(false);
                };
                let (p, vp, rp) = (self.get1(arg(1))?, self.get1(arg(2))?, self.get1(arg(3))?);
                let v = self.load_leaf(int_sc(n), vp, 0);
                let old = self.rmw(p, v, n, A::Xchg)?;
                self.store_bytes(n, rp, old, 0);
            }
            ("compare_exchange", sized) => {
                // sized: (ptr, expected*, desired, succ, fail); generic: (size, ptr, expected*, desired*, succ, fail)
                let (n, p, ep, desired) = match sized {
                    Some(n) if nargs == 6 => (
                        n,
                        self.get1(arg(0))?,
                        self.get1(arg(1))?,
                        self.get1(arg(2))?,
                    ),
                    None if nargs == 6 => {
                        let Some(n) = const_size(arg(0)) else {
                            return Ok(false);
                        };
                        let dp = self.get1(arg(3))?;
                        let d = self.load_leaf(int_sc(n), dp, 0);
                        (n, self.get1(arg(1))?, self.get1(arg(2))?, d)
                    }
                    _ => return Ok(false),
                };
                let expected = self.load_leaf(int_sc(n), ep, 0);
                let old = self.vreg();
                self.op(
                    O::AtomicCmpxchg,
                    vec![
                        VOp::Dst(old),
                        VOp::Reg(p),
                        VOp::Reg(expected),
                        VOp::Reg(desired),
                        VOp::U8(width_code(n)?),
                    ],
                );
                let old = if n < 8 { self.mask(old, n * 8) } else { old };
                let ok = self.bin(if n == 8 { O::I64Eq } else { O::I32Eq }, old, expected);
                // On failure C expects the current value written back to *expected.
                self.store_bytes(n, ep, old, 0);
                self.set_vals(i, vec![ok]);
            }
            (op, Some(n)) if nargs == 3 => {
                let (aop, post) = match op {
                    "fetch_add" => (A::Add, None),
                    "fetch_sub" => (A::Sub, None),
                    "fetch_and" => (A::And, None),
                    "fetch_or" => (A::Or, None),
                    "fetch_xor" => (A::Xor, None),
                    "fetch_nand" => (A::Nand, None),
                    "add_fetch" => (A::Add, Some(if n == 8 { O::I64Add } else { O::I32Add })),
                    "sub_fetch" => (A::Sub, Some(if n == 8 { O::I64Sub } else { O::I32Sub })),
                    "and_fetch" => (A::And, Some(if n == 8 { O::I64And } else { O::I32And })),
                    "or_fetch" => (A::Or, Some(if n == 8 { O::I64Or } else { O::I32Or })),
                    "xor_fetch" => (A::Xor, Some(if n == 8 { O::I64Xor } else { O::I32Xor })),
                    _ => return Ok(false),
                };
                let (p, v) = (self.get1(arg(0))?, self.get1(arg(1))?);
                let old = self.rmw(p, v, n, aop)?;
                let r = match post {
                    Some(o) => {
                        let r = self.bin(o, old, v);
                        if n < 4 {
                            self.mask(r, n * 8)
                        } else {
                            r
                        }
                    }
                    None => old,
                };
                self.set_vals(i, vec![r]);
            }
            _ => return Ok(false),
        }
        Ok(true)
    }

    fn atomic_load(&mut self, p: VReg, n: u32) -> R<VReg> {
        let d = self.vreg();
        self.op(
            O::AtomicLoad,
            vec![VOp::Dst(d), VOp::Reg(p), VOp::U8(width_code(n)?)],
        );
        Ok(if n < 4 { self.mask(d, n * 8) } else { d })
    }

    fn rmw(&mut self, p: VReg, v: VReg, n: u32, op: A) -> R<VReg> {
        let d = self.vreg();
        let kind = width_code(n)? | ((op as u8) << 2);
        self.op(
            O::AtomicRmw,
            vec![VOp::Dst(d), VOp::Reg(p), VOp::Reg(v), VOp::U8(kind)],
        );
        Ok(if n < 4 { self.mask(d, n * 8) } else { d })
    }
}
