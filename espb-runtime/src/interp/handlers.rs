//! The handlers, one per opcode, named after the opcodes.

use super::*;

handlers! {
    fn Invalid(vm, pc, regs, start, mem, tbl) {
        // The sentinel after an instruction copy run for compiled code.
        #[cfg(espb_jit)]
        if vm.single_step {
            return Exit::Done;
        }
        // Otherwise unreachable: validated bodies hold only known opcodes.
        raise(vm, pc, start, TrapKind::Unreachable { code: None })
    }
    fn Unreachable(vm, pc, regs, start, mem, tbl) {
        raise(vm, pc, start, TrapKind::Unreachable { code: None })
    }
    /// The escape byte: the extended opcode's handler, by second byte.
    fn Escape(vm, pc, regs, start, mem, tbl) {
        let i = 256 + pc.u8(1) as usize;
        // SAFETY: the validator decoded this instruction, and it rejects
        // every escaped code past the last extended opcode, so `i` is below
        // `Opcode::TABLE_LEN`, the table's length (no entries for codes
        // that cannot occur: 1 KB less of the image than 256 of them).
        let h = unsafe { *tbl.handlers().get_unchecked(i) };
        h(vm, pc, regs, start, mem, tbl)
    }
    fn Trap(vm, pc, regs, start, mem, tbl) {
        raise(vm, pc, start, TrapKind::Unreachable { code: Some(pc.u8(at!(Trap.code))) })
    }
    fn Nop(vm, pc, regs, start, mem, tbl) {
        next(vm, pc.skip(const { O::Nop.fixed_size() }), regs, start, mem, tbl)
    }
    fn Br(vm, pc, regs, start, mem, tbl) {
        jump(vm, pc, regs, start, mem, tbl, pc.u32(at!(Br.target)))
    }
    fn BrIf(vm, pc, regs, start, mem, tbl) {
        if rr(pc, regs, at!(BrIf.cond)) as u32 != 0 {
            return jump(vm, pc, regs, start, mem, tbl, pc.u32(at!(BrIf.target)));
        }
        next(vm, pc.skip(const { O::BrIf.fixed_size() }), regs, start, mem, tbl)
    }
    fn BrIfNot(vm, pc, regs, start, mem, tbl) {
        if rr(pc, regs, at!(BrIfNot.cond)) as u32 == 0 {
            return jump(vm, pc, regs, start, mem, tbl, pc.u32(at!(BrIfNot.target)));
        }
        next(vm, pc.skip(const { O::BrIfNot.fixed_size() }), regs, start, mem, tbl)
    }
    fn BrTable(vm, pc, regs, start, mem, tbl) {
        let i = rr(pc, regs, at!(BrTable.index)) as u32;
        let n = pc.u32(at!(BrTable.targets));
        // The validator proved the table's `n` targets lie inside the
        // instruction.
        let t = if i < n {
            pc.u32(at!(BrTable.targets) + 4 + 4 * i as usize)
        } else {
            pc.u32(at!(BrTable.default))
        };
        jump(vm, pc, regs, start, mem, tbl, t)
    }
    fn Ret(vm, pc, regs, start, mem, tbl) {
        let v = rr(pc, regs, at!(Ret.src));
        // r0 exists in every window (regs >= 1).
        regs.set(0, v);
        if let Some((pc, regs, start)) = leave_fast(vm) {
            return next(vm, pc, regs, start, mem, tbl);
        }
        RetGeneral(vm, pc, regs, start, mem, tbl)
    }
    fn RetVoid(vm, pc, regs, start, mem, tbl) {
        if let Some((pc, regs, start)) = leave_fast(vm) {
            return next(vm, pc, regs, start, mem, tbl);
        }
        RetGeneral(vm, pc, regs, start, mem, tbl)
    }
    fn Call(vm, pc, regs, start, mem, tbl) {
        // With the JIT on, the general path (which looks the callee's
        // compiled entry up; `Tbl::jit` goes there directly).
        #[cfg(all(espb_jit, not(espb_table_arg)))]
        if vm.jit_on {
            return CallGeneral(vm, pc, regs, start, mem, tbl);
        }
        if let Some((npc, nregs)) = enter_fast(vm, pc, start, pc.u32(at!(Call.func)), pc.u8(at!(Call.base)), CALL_LEN) {
            return next(vm, npc, nregs, npc, mem, tbl);
        }
        CallGeneral(vm, pc, regs, start, mem, tbl)
    }
    fn CallImport(vm, pc, regs, start, mem, tbl) {
        let imp = pc.u32(at!(CallImport.import));
        let m = vm.inst.module;
        let sig = &m.m.types[m.m.imports[imp as usize].ty as usize];
        if let Err(e) = host(vm, pc, start, imp, sig, pc.u8(at!(CallImport.base)), CALL_IMPORT_LEN, None) {
            return e;
        }
        next(vm, vm.pc, vm.regs, vm.start, mem, tbl)
    }
    fn CallImportVar(vm, pc, regs, start, mem, tbl) {
        let imp = pc.u32(at!(CallImportVar.import));
        let m = vm.inst.module;
        let sig = &m.m.types[pc.u32(at!(CallImportVar.ty)) as usize];
        if let Err(e) = host(vm, pc, start, imp, sig, pc.u8(at!(CallImportVar.base)), CALL_IMPORT_VAR_LEN, None) {
            return e;
        }
        next(vm, vm.pc, vm.regs, vm.start, mem, tbl)
    }
    fn CallIndirect(vm, pc, regs, start, mem, tbl) {
        #[cfg(all(espb_jit, not(espb_table_arg)))]
        if vm.jit_on {
            return CallIndirectGeneral(vm, pc, regs, start, mem, tbl);
        }
        // A module function of the expected signature: inline, as
        // `call`; everything else (imports, native references, traps)
        // in `call_indirect`.
        let callee = rr(pc, regs, at!(CallIndirect.callee)) as u32;
        let fidx = callee.wrapping_sub(FUNC_REF_BASE);
        if callee >= FUNC_REF_BASE && (fidx as usize) < vm.funcs.len() {
            // SAFETY: `fidx` is in range (above); the validator proved
            // `ty` is a type index, and `canon` has one per type.
            let (want, have) = (vm.canon.get_unchecked(pc.u32(at!(CallIndirect.ty)) as usize), vm.funcs.get_unchecked(fidx as usize).canon_ty);
            if *want == have {
                if let Some((npc, nregs)) = enter_fast(vm, pc, start, fidx, pc.u8(at!(CallIndirect.base)), CALL_INDIRECT_LEN) {
                    return next(vm, npc, nregs, npc, mem, tbl);
                }
            }
        }
        CallIndirectGeneral(vm, pc, regs, start, mem, tbl)
    }
    fn Select(vm, pc, regs, start, mem, tbl) {
        let h = prefetch(pc.skip(const { O::Select.fixed_size() }), tbl);
        let v = if rr(pc, regs, at!(Select.cond)) as u32 != 0 { rr(pc, regs, at!(Select.a)) } else { rr(pc, regs, at!(Select.b)) };
        wr(pc, regs, at!(Select.dst), v);
        go(h, vm, pc.skip(const { O::Select.fixed_size() }), regs, start, mem, tbl)
    }
    fn Mov(vm, pc, regs, start, mem, tbl) {
        let h = prefetch(pc.skip(const { O::Mov.fixed_size() }), tbl);
        wr(pc, regs, at!(Mov.dst), rr(pc, regs, at!(Mov.src)));
        go(h, vm, pc.skip(const { O::Mov.fixed_size() }), regs, start, mem, tbl)
    }
    fn Const32(vm, pc, regs, start, mem, tbl) {
        let h = prefetch(pc.skip(const { O::Const32.fixed_size() }), tbl);
        wr_dst!(Const32, pc, regs, pc.u32(at!(Const32.value)) as i32 as i64 as u64);
        go(h, vm, pc.skip(const { O::Const32.fixed_size() }), regs, start, mem, tbl)
    }
    fn Const64(vm, pc, regs, start, mem, tbl) {
        let h = prefetch(pc.skip(const { O::Const64.fixed_size() }), tbl);
        wr(pc, regs, at!(Const64.dst), pc.u64(at!(Const64.value)));
        go(h, vm, pc.skip(const { O::Const64.fixed_size() }), regs, start, mem, tbl)
    }
    fn FrameAddr(vm, pc, regs, start, mem, tbl) {
        let h = prefetch(pc.skip(const { O::FrameAddr.fixed_size() }), tbl);
        wr_dst!(FrameAddr, pc, regs, vm.fp.wrapping_add(pc.u32(at!(FrameAddr.offset))) as u64);
        go(h, vm, pc.skip(const { O::FrameAddr.fixed_size() }), regs, start, mem, tbl)
    }
    fn Alloca(vm, pc, regs, start, mem, tbl) {
        let size = rr(pc, regs, at!(Alloca.size)) as u32;
        let align = pc.u32(at!(Alloca.align));
        match vm.sp.checked_sub(size) {
            Some(v) if v & !(align - 1) >= vm.stack_lo => vm.sp = v & !(align - 1),
            _ => return raise(vm, pc, start, TrapKind::StackOverflow(StackKind::Shadow)),
        }
        wr_dst!(Alloca, pc, regs, vm.sp as u64);
        next(vm, pc.skip(const { O::Alloca.fixed_size() }), regs, start, mem, tbl)
    }
    fn StackSave(vm, pc, regs, start, mem, tbl) {
        wr_dst!(StackSave, pc, regs, vm.sp as u64);
        next(vm, pc.skip(const { O::StackSave.fixed_size() }), regs, start, mem, tbl)
    }
    fn StackRestore(vm, pc, regs, start, mem, tbl) {
        let v = rr(pc, regs, at!(StackRestore.src)) as u32;
        if v < vm.stack_lo || v > vm.fp {
            return raise(vm, pc, start, TrapKind::BadStackRestore { addr: v });
        }
        vm.sp = v;
        next(vm, pc.skip(const { O::StackRestore.fixed_size() }), regs, start, mem, tbl)
    }
    fn FuncAddr(vm, pc, regs, start, mem, tbl) {
        wr_dst!(FuncAddr, pc, regs, FUNC_REF_BASE.wrapping_add(pc.u32(at!(FuncAddr.func))) as u64);
        next(vm, pc.skip(const { O::FuncAddr.fixed_size() }), regs, start, mem, tbl)
    }
    fn ImportAddr(vm, pc, regs, start, mem, tbl) {
        wr_dst!(ImportAddr, pc, regs, IMPORT_REF_BASE.wrapping_add(pc.u32(at!(ImportAddr.import))) as u64);
        next(vm, pc.skip(const { O::ImportAddr.fixed_size() }), regs, start, mem, tbl)
    }
    fn I64AndI(vm, pc, regs, start, mem, tbl) {
        let h = prefetch(pc.skip(const { O::I64AndI.fixed_size() }), tbl);
        wr(pc, regs, at!(I64AndI.dst), rr(pc, regs, at!(I64AndI.a)) & pc.u64(at!(I64AndI.imm)));
        go(h, vm, pc.skip(const { O::I64AndI.fixed_size() }), regs, start, mem, tbl)
    }
    fn MemCopy(vm, pc, regs, start, mem, tbl) {
        if let Err(k) = vm.inst.mem.copy(rr(pc, regs, at!(MemCopy.dst)) as u32, rr(pc, regs, at!(MemCopy.src)) as u32, rr(pc, regs, at!(MemCopy.len)) as u32) {
            return raise(vm, pc, start, k);
        }
        next(vm, pc.skip(const { O::MemCopy.fixed_size() }), regs, start, mem, tbl)
    }
    fn MemMove(vm, pc, regs, start, mem, tbl) {
        if let Err(k) = vm.inst.mem.copy(rr(pc, regs, at!(MemMove.dst)) as u32, rr(pc, regs, at!(MemMove.src)) as u32, rr(pc, regs, at!(MemMove.len)) as u32) {
            return raise(vm, pc, start, k);
        }
        next(vm, pc.skip(const { O::MemMove.fixed_size() }), regs, start, mem, tbl)
    }
    fn MemFill(vm, pc, regs, start, mem, tbl) {
        if let Err(k) = vm.inst.mem.fill(rr(pc, regs, at!(MemFill.dst)) as u32, rr(pc, regs, at!(MemFill.value)) as u8, rr(pc, regs, at!(MemFill.len)) as u32) {
            return raise(vm, pc, start, k);
        }
        next(vm, pc.skip(const { O::MemFill.fixed_size() }), regs, start, mem, tbl)
    }
    fn Fence(vm, pc, regs, start, mem, tbl) {
        core::sync::atomic::fence(core::sync::atomic::Ordering::SeqCst);
        next(vm, pc.skip(const { O::Fence.fixed_size() }), regs, start, mem, tbl)
    }
}

pub(super) use super::rare::{AtomicCmpxchg, AtomicLoad, AtomicRmw, AtomicStore, F32Fma, F64Fma};

// The out-of-line paths of the call and return handlers: every case
// `enter_fast`/`leave_fast` leave to them (traps, polls, the end of the
// run) and, as `Tbl::jit`'s entries, every call while the JIT is on.
handlers! {
    #[cold]
    #[inline(never)]
    fn RetGeneral(vm, pc, regs, start, mem, tbl) {
        if !leave(vm) {
            return Exit::Done;
        }
        next(vm, vm.pc, vm.regs, vm.start, mem, tbl)
    }
    #[inline(never)]
    fn CallGeneral(vm, pc, regs, start, mem, tbl) {
        if let Err(e) = enter(vm, pc, start, pc.u32(at!(Call.func)), pc.u8(at!(Call.base)), CALL_LEN) {
            return e;
        }
        next(vm, vm.pc, vm.regs, vm.start, mem, tbl)
    }
    #[inline(never)]
    fn CallIndirectGeneral(vm, pc, regs, start, mem, tbl) {
        if let Err(e) = call_indirect(vm, pc, regs, start) {
            return e;
        }
        next(vm, vm.pc, vm.regs, vm.start, mem, tbl)
    }
}

branches! {
    BrEq32 |a, b| b32x2 => a == b;
    BrNe32 |a, b| b32x2 => a != b;
    BrLtS32 |a, b| b32x2 => (a as i32) < (b as i32);
    BrLtU32 |a, b| b32x2 => a < b;
    BrLeS32 |a, b| b32x2 => (a as i32) <= (b as i32);
    BrLeU32 |a, b| b32x2 => a <= b;
    BrEqI32 |a, b| b32i => a == b;
    BrNeI32 |a, b| b32i => a != b;
    BrLtSI32 |a, b| b32i => (a as i32) < (b as i32);
    BrLtUI32 |a, b| b32i => a < b;
    BrGtSI32 |a, b| b32i => (a as i32) > (b as i32);
    BrGtUI32 |a, b| b32i => a > b;
    BrLeSI32 |a, b| b32i => (a as i32) <= (b as i32);
    BrLeUI32 |a, b| b32i => a <= b;
    BrGeSI32 |a, b| b32i => (a as i32) >= (b as i32);
    BrGeUI32 |a, b| b32i => a >= b;
}

#[cfg(not(target_arch = "riscv32"))]
branches! {
    BrEq64 |a, b| b64x2 => a == b;
    BrNe64 |a, b| b64x2 => a != b;
    BrLtS64 |a, b| b64x2 => (a as i64) < (b as i64);
    BrLtU64 |a, b| b64x2 => a < b;
    BrLeS64 |a, b| b64x2 => (a as i64) <= (b as i64);
    BrLeU64 |a, b| b64x2 => a <= b;
}

// On a 32-bit chip a 64-bit compare-and-branch is rare (64-bit loop
// counters) and each handler of its own was about 115 bytes: the six share
// one, which picks the comparison by opcode.
#[cfg(target_arch = "riscv32")]
pub(super) use self::{
    Br64 as BrEq64, Br64 as BrLeS64, Br64 as BrLeU64, Br64 as BrLtS64, Br64 as BrLtU64,
    Br64 as BrNe64,
};

/// The six 64-bit compare-and-branches have one layout.
const _: () = {
    let ops = [
        O::BrEq64,
        O::BrNe64,
        O::BrLtS64,
        O::BrLtU64,
        O::BrLeS64,
        O::BrLeU64,
    ];
    let mut i = 0;
    while i < ops.len() {
        assert!(ops[i].code() <= 0xff);
        assert!(ops[i].offset_of("a") == O::BrEq64.offset_of("a"));
        assert!(ops[i].offset_of("b") == O::BrEq64.offset_of("b"));
        assert!(ops[i].offset_of("target") == O::BrEq64.offset_of("target"));
        assert!(ops[i].fixed_size() == O::BrEq64.fixed_size());
        i += 1;
    }
};

#[cfg(target_arch = "riscv32")]
handlers! {
    fn Br64(vm, pc, regs, start, mem, tbl) {
        let (a, b) = b64x2!(BrEq64, pc, regs);
        let op = pc.opcode();
        let taken = if op == O::BrEq64.code() as u8 {
            a == b
        } else if op == O::BrNe64.code() as u8 {
            a != b
        } else if op == O::BrLtS64.code() as u8 {
            (a as i64) < (b as i64)
        } else if op == O::BrLtU64.code() as u8 {
            a < b
        } else if op == O::BrLeS64.code() as u8 {
            (a as i64) <= (b as i64)
        } else {
            a <= b
        };
        if taken {
            return jump(vm, pc, regs, start, mem, tbl, pc.u32(at!(BrEq64.target)));
        }
        next(vm, pc.skip(const { O::BrEq64.fixed_size() }), regs, start, mem, tbl)
    }
}

/// Loop counters: `d = a + x`, then branch on a comparison of `d` with
/// `$rhs`, read after `d` is written (it may be `d`'s register, as in the
/// unfused pair).
macro_rules! add_branches {
    ($( $name:ident $xk:ident $x:ident, $rk:ident $rhs:ident |$d:ident, $b:ident| $e:expr; )*) => {$(
        handlers! {
            fn $name(vm, pc, regs, start, mem, tbl) {
                let d = (rr(pc, regs, at!($name.a)) as u32)
                    .wrapping_add(add_branches!(@$xk pc, regs, at!($name.$x)));
                wr32(pc, regs, at!($name.dst), d);
                let ($d, $b) = (d, add_branches!(@$rk pc, regs, at!($name.$rhs)));
                if $e {
                    return jump(vm, pc, regs, start, mem, tbl, pc.u32(at!($name.target)));
                }
                next(vm, pc.skip(const { O::$name.fixed_size() }), regs, start, mem, tbl)
            }
        }
    )*};
    (@imm $pc:ident, $regs:ident, $k:expr) => { $pc.u32($k) };
    (@reg $pc:ident, $regs:ident, $k:expr) => { rr($pc, $regs, $k) as u32 };
}

add_branches! {
    I32AddIBrNe imm imm, reg b |d, b| d != b;
    I32AddIBrNeI imm imm, imm limit |d, b| d != b;
    I32AddIBrLtU imm imm, reg b |d, b| d < b;
    I32AddBrLtUI reg b, imm limit |d, b| d < b;
}

simple! {
    I32Add |a, b| r32x2 => a.wrapping_add(b) as u64;
    I32Sub |a, b| r32x2 => a.wrapping_sub(b) as u64;
    I32Mul |a, b| r32x2 => a.wrapping_mul(b) as u64;
    I32And |a, b| r32x2 => (a & b) as u64;
    I32Or |a, b| r32x2 => (a | b) as u64;
    I32Xor |a, b| r32x2 => (a ^ b) as u64;
    I32Shl |a, b| r32x2 => a.wrapping_shl(b) as u64;
    I32ShrS |a, b| r32x2 => (a as i32).wrapping_shr(b) as u32 as u64;
    I32ShrU |a, b| r32x2 => a.wrapping_shr(b) as u64;
    I32Rotl |a, b| r32x2 => a.rotate_left(b & 31) as u64;
    I32Rotr |a, b| r32x2 => a.rotate_right(b & 31) as u64;
    I32Eq |a, b| r32x2 => cmp_u(a == b);
    I32Ne |a, b| r32x2 => cmp_u(a != b);
    I32LtS |a, b| r32x2 => cmp_u((a as i32) < (b as i32));
    I32LtU |a, b| r32x2 => cmp_u(a < b);
    I32LeS |a, b| r32x2 => cmp_u((a as i32) <= (b as i32));
    I32LeU |a, b| r32x2 => cmp_u(a <= b);
    I32GtS |a, b| r32x2 => cmp_u((a as i32) > (b as i32));
    I32GtU |a, b| r32x2 => cmp_u(a > b);
    I32GeS |a, b| r32x2 => cmp_u((a as i32) >= (b as i32));
    I32GeU |a, b| r32x2 => cmp_u(a >= b);
    I32Clz [OUT_W64] |a, b| r64 => (crate::bits::leading_zeros64(a as u32 as u64) - 32) as u64;
    I32Ctz [OUT_W64] |a, b| r64 => (a as u32).trailing_zeros() as u64;
    I32Popcnt [OUT_W64] |a, b| r64 => (a as u32).count_ones() as u64;
    I32Bswap [OUT_W64] |a, b| r64 => (a as u32).swap_bytes() as u64;
    I32Eqz |a, b| r64 => cmp_u(a as u32 == 0);
    I32Sext8 |a, b| r64 => a as u8 as i8 as i32 as u32 as u64;
    I32Sext16 |a, b| r64 => a as u16 as i16 as i32 as u32 as u64;
    I32AddI |a, b| r32i => a.wrapping_add(b) as u64;
    I32MulI |a, b| r32i => a.wrapping_mul(b) as u64;
    I32AndI |a, b| r32i => (a & b) as u64;
    I32OrI |a, b| r32i => (a | b) as u64;
    I32XorI |a, b| r32i => (a ^ b) as u64;
    I32ShlI |a, b| r32i => a.wrapping_shl(b) as u64;
    I32ShrSI |a, b| r32i => (a as i32).wrapping_shr(b) as u32 as u64;
    I32ShrUI |a, b| r32i => a.wrapping_shr(b) as u64;
    I32EqI |a, b| r32i => cmp_u(a == b);
    I32NeI |a, b| r32i => cmp_u(a != b);
    I32LtSI |a, b| r32i => cmp_u((a as i32) < (b as i32));
    I32LtUI |a, b| r32i => cmp_u(a < b);
    I32GtSI |a, b| r32i => cmp_u((a as i32) > (b as i32));
    I32GtUI |a, b| r32i => cmp_u(a > b);
    I32SubIFrom |a, b| r32i => b.wrapping_sub(a) as u64;

    I64Add |a, b| r64x2 => a.wrapping_add(b);
    I64Sub |a, b| r64x2 => a.wrapping_sub(b);
    I64Mul |a, b| r64x2 => a.wrapping_mul(b);
    I64And |a, b| r64x2 => a & b;
    I64Or |a, b| r64x2 => a | b;
    I64Xor |a, b| r64x2 => a ^ b;
    I64Shl [OUT_W64] |a, b| r64x2 => a.wrapping_shl(b as u32);
    I64ShrS [OUT_W64] |a, b| r64x2 => (a as i64).wrapping_shr(b as u32) as u64;
    I64ShrU [OUT_W64] |a, b| r64x2 => a.wrapping_shr(b as u32);
    I64Rotl [OUT_W64] |a, b| r64x2 => a.rotate_left((b & 63) as u32);
    I64Rotr [OUT_W64] |a, b| r64x2 => a.rotate_right((b & 63) as u32);
    I64Eq |a, b| r64x2 => cmp_u(a == b);
    I64Ne |a, b| r64x2 => cmp_u(a != b);
    I64LtS [OUT_W64] |a, b| r64x2 => cmp_u((a as i64) < (b as i64));
    I64LtU [OUT_W64] |a, b| r64x2 => cmp_u(a < b);
    I64LeS [OUT_W64] |a, b| r64x2 => cmp_u((a as i64) <= (b as i64));
    I64LeU [OUT_W64] |a, b| r64x2 => cmp_u(a <= b);
    I64GtS [OUT_W64] |a, b| r64x2 => cmp_u((a as i64) > (b as i64));
    I64GtU [OUT_W64] |a, b| r64x2 => cmp_u(a > b);
    I64GeS [OUT_W64] |a, b| r64x2 => cmp_u((a as i64) >= (b as i64));
    I64GeU [OUT_W64] |a, b| r64x2 => cmp_u(a >= b);
    I64Clz [OUT_W64] |a, b| r64 => crate::bits::leading_zeros64(a) as u64;
    I64Ctz [OUT_W64] |a, b| r64 => a.trailing_zeros() as u64;
    I64Popcnt [OUT_W64] |a, b| r64 => a.count_ones() as u64;
    I64Bswap [OUT_W64] |a, b| r64 => a.swap_bytes();
    I64Eqz |a, b| r64 => cmp_u(a == 0);
    I64Sext8 [OUT_W64] |a, b| r64 => a as u8 as i8 as i64 as u64;
    I64Sext16 [OUT_W64] |a, b| r64 => a as u16 as i16 as i64 as u64;
    I64Sext32 |a, b| r64 => a as u32 as i32 as i64 as u64;
    I64Zext32 |a, b| r64 => a as u32 as u64;
    I64MulHS [OUT_W64] |a, b| r64x2 => ((a as i64 as i128 * b as i64 as i128) >> 64) as u64;
    I64MulHU [OUT_W64] |a, b| r64x2 => ((a as u128 * b as u128) >> 64) as u64;
    I64AddI |a, b| r64i => a.wrapping_add(b as i32 as i64 as u64);
    I64ShlI |a, b| r64i => a.wrapping_shl(b);
    I64ShrSI |a, b| r64i => (a as i64).wrapping_shr(b) as u64;
    I64ShrUI |a, b| r64i => a.wrapping_shr(b);

    F32Add [OUT_F32] |a, b| rf32x2 => bf32(a + b);
    F32Sub [OUT_F32] |a, b| rf32x2 => bf32(a - b);
    F32Mul [OUT_F32] |a, b| rf32x2 => bf32(a * b);
    F32Div [OUT_F32] |a, b| rf32x2 => bf32(a / b);
    F32Min [OUT_F32] |a, b| rf32x2 => bf32(libm::fminf(a, b));
    F32Max [OUT_F32] |a, b| rf32x2 => bf32(libm::fmaxf(a, b));
    F32Copysign [OUT_F32] |a, b| rf32x2 => bf32(libm::copysignf(a, b));
    F32Abs [OUT_F32] |a, b| r64 => ((a as u32) & 0x7fff_ffff) as u64;
    F32Neg [OUT_F32] |a, b| r64 => ((a as u32) ^ 0x8000_0000) as u64;
    F32Sqrt [OUT_F32] |a, b| r64 => bf32(fmath::sqrtf(f32_of(a)));
    F32Floor [OUT_F32] |a, b| r64 => bf32(fmath::floorf(f32_of(a)));
    F32Ceil [OUT_F32] |a, b| r64 => bf32(fmath::ceilf(f32_of(a)));
    F32Trunc [OUT_F32] |a, b| r64 => bf32(fmath::truncf(f32_of(a)));
    F32Nearest [OUT_F32] |a, b| r64 => bf32(libm::rintf(f32_of(a)));
    F32Round [OUT_F32] |a, b| r64 => bf32(fmath::roundf(f32_of(a)));
    F32Eq [OUT_F32] |a, b| rf32x2 => cmp_u(a == b);
    F32Ne [OUT_F32] |a, b| rf32x2 => cmp_u(a != b);
    F32Lt [OUT_F32] |a, b| rf32x2 => cmp_u(a < b);
    F32Le [OUT_F32] |a, b| rf32x2 => cmp_u(a <= b);
    F32Gt [OUT_F32] |a, b| rf32x2 => cmp_u(a > b);
    F32Ge [OUT_F32] |a, b| rf32x2 => cmp_u(a >= b);
    F32Uno [OUT_F32] |a, b| rf32x2 => cmp_u(a.is_nan() || b.is_nan());
    F32Ord [OUT_F32] |a, b| rf32x2 => cmp_u(!a.is_nan() && !b.is_nan());
    F32Ueq [OUT_F32] |a, b| rf32x2 => cmp_u(matches!(a.partial_cmp(&b), None | Some(Equal)));
    F32One [OUT_F32] |a, b| rf32x2 => cmp_u(matches!(a.partial_cmp(&b), Some(Less | Greater)));
    F32Ult [OUT_F32] |a, b| rf32x2 => cmp_u(matches!(a.partial_cmp(&b), None | Some(Less)));
    F32Ule [OUT_F32] |a, b| rf32x2 => cmp_u(matches!(a.partial_cmp(&b), None | Some(Less | Equal)));
    F32Ugt [OUT_F32] |a, b| rf32x2 => cmp_u(matches!(a.partial_cmp(&b), None | Some(Greater)));
    F32Uge [OUT_F32] |a, b| rf32x2 => cmp_u(matches!(a.partial_cmp(&b), None | Some(Greater | Equal)));

    F64Add [OUT_F64] |a, b| rf64x2 => bf64(a + b);
    F64Sub [OUT_F64] |a, b| rf64x2 => bf64(a - b);
    F64Mul [OUT_F64] |a, b| rf64x2 => bf64(a * b);
    F64Div [OUT_F64] |a, b| rf64x2 => bf64(a / b);
    F64Min [OUT_F64] |a, b| rf64x2 => bf64(libm::fmin(a, b));
    F64Max [OUT_F64] |a, b| rf64x2 => bf64(libm::fmax(a, b));
    F64Copysign [OUT_F64] |a, b| rf64x2 => bf64(libm::copysign(a, b));
    F64Abs [OUT_F64] |a, b| r64 => a & 0x7fff_ffff_ffff_ffff;
    F64Neg [OUT_F64] |a, b| r64 => a ^ 0x8000_0000_0000_0000;
    F64Sqrt [OUT_F64] |a, b| r64 => bf64(fmath::sqrt(f64_of(a)));
    F64Floor [OUT_F64] |a, b| r64 => bf64(fmath::floor(f64_of(a)));
    F64Ceil [OUT_F64] |a, b| r64 => bf64(fmath::ceil(f64_of(a)));
    F64Trunc [OUT_F64] |a, b| r64 => bf64(fmath::trunc(f64_of(a)));
    F64Nearest [OUT_F64] |a, b| r64 => bf64(libm::rint(f64_of(a)));
    F64Round [OUT_F64] |a, b| r64 => bf64(fmath::round(f64_of(a)));
    F64Eq [OUT_F64] |a, b| rf64x2 => cmp_u(a == b);
    F64Ne [OUT_F64] |a, b| rf64x2 => cmp_u(a != b);
    F64Lt [OUT_F64] |a, b| rf64x2 => cmp_u(a < b);
    F64Le [OUT_F64] |a, b| rf64x2 => cmp_u(a <= b);
    F64Gt [OUT_F64] |a, b| rf64x2 => cmp_u(a > b);
    F64Ge [OUT_F64] |a, b| rf64x2 => cmp_u(a >= b);
    F64Uno [OUT_F64] |a, b| rf64x2 => cmp_u(a.is_nan() || b.is_nan());
    F64Ord [OUT_F64] |a, b| rf64x2 => cmp_u(!a.is_nan() && !b.is_nan());
    F64Ueq [OUT_F64] |a, b| rf64x2 => cmp_u(matches!(a.partial_cmp(&b), None | Some(Equal)));
    F64One [OUT_F64] |a, b| rf64x2 => cmp_u(matches!(a.partial_cmp(&b), Some(Less | Greater)));
    F64Ult [OUT_F64] |a, b| rf64x2 => cmp_u(matches!(a.partial_cmp(&b), None | Some(Less)));
    F64Ule [OUT_F64] |a, b| rf64x2 => cmp_u(matches!(a.partial_cmp(&b), None | Some(Less | Equal)));
    F64Ugt [OUT_F64] |a, b| rf64x2 => cmp_u(matches!(a.partial_cmp(&b), None | Some(Greater)));
    F64Uge [OUT_F64] |a, b| rf64x2 => cmp_u(matches!(a.partial_cmp(&b), None | Some(Greater | Equal)));

    // Conversions: Rust `as` saturates and maps NaN to 0.
    I32TruncF32S [OUT_F32] |a, b| r64 => if OUT_F32 { conv::i32_of_f32(f32_of(a)) } else { f32_of(a) as i32 } as u32 as u64;
    I32TruncF32U [OUT_F32] |a, b| r64 => if OUT_F32 { conv::u32_of_f32(f32_of(a)) } else { f32_of(a) as u32 } as u64;
    I32TruncF64S [OUT_F64] |a, b| r64 => if OUT_F64 { conv::i32_of_f64(f64_of(a)) } else { f64_of(a) as i32 } as u32 as u64;
    I32TruncF64U [OUT_F64] |a, b| r64 => if OUT_F64 { conv::u32_of_f64(f64_of(a)) } else { f64_of(a) as u32 } as u64;
    I64TruncF32S [OUT_F32] |a, b| r64 => if OUT_F32 { conv::i64_of_f32(f32_of(a)) } else { f32_of(a) as i64 } as u64;
    I64TruncF32U [OUT_F32] |a, b| r64 => if OUT_F32 { conv::u64_of_f32(f32_of(a)) } else { f32_of(a) as u64 };
    I64TruncF64S [OUT_F64] |a, b| r64 => if OUT_F64 { conv::i64_of_f64(f64_of(a)) } else { f64_of(a) as i64 } as u64;
    I64TruncF64U [OUT_F64] |a, b| r64 => if OUT_F64 { conv::u64_of_f64(f64_of(a)) } else { f64_of(a) as u64 };
    F32FromI32S [OUT_F32] |a, b| r64 => bf32(a as u32 as i32 as f32);
    F32FromI32U [OUT_F32] |a, b| r64 => bf32(if OUT_F32 { conv::f32_of_u32(a as u32) } else { a as u32 as f32 });
    F32FromI64S [OUT_F32] |a, b| r64 => bf32(if OUT_F32 { conv::f32_of_i64(a as i64) } else { a as i64 as f32 });
    F32FromI64U [OUT_F32] |a, b| r64 => bf32(if OUT_F32 { conv::f32_of_u64(a) } else { a as f32 });
    F64FromI32S [OUT_F64] |a, b| r64 => bf64(a as u32 as i32 as f64);
    F64FromI32U [OUT_F64] |a, b| r64 => bf64(if OUT_F64 { conv::f64_of_u32(a as u32) } else { a as u32 as f64 });
    F64FromI64S [OUT_F64] |a, b| r64 => bf64(if OUT_F64 { conv::f64_of_i64(a as i64) } else { a as i64 as f64 });
    F64FromI64U [OUT_F64] |a, b| r64 => bf64(if OUT_F64 { conv::f64_of_u64(a) } else { a as f64 });
    F64PromoteF32 [OUT_F64] |a, b| r64 => bf64(f32_of(a) as f64);
    F32DemoteF64 [OUT_F64] |a, b| r64 => bf32(f64_of(a) as f32);
}

divs! {
    I32DivS |a, b| r32x2 => (a as i32).checked_div(b as i32).map(|v| v as u32 as u64);
    I32DivU |a, b| r32x2 => a.checked_div(b).map(u64::from);
    // `i32::MIN % -1` is 0, not a trap.
    I32RemS |a, b| r32x2 => (b != 0).then(|| (a as i32).wrapping_rem(b as i32) as u32 as u64);
    I32RemU |a, b| r32x2 => a.checked_rem(b).map(u64::from);
    I64DivS [OUT_W64 0] |a, b| r64x2 => div_s64(a as i64, b as i64).map(|v| v as u64);
    I64DivU [OUT_W64 1] |a, b| r64x2 => a.checked_div(b);
    I64RemS [OUT_W64 2] |a, b| r64x2 => rem_s64(a as i64, b as i64).map(|v| v as u64);
    I64RemU [OUT_W64 3] |a, b| r64x2 => a.checked_rem(b);
}

/// The out-of-line halves of the load and store handlers.
mod slow {
    pub(super) use super::slow_fused::*;
    pub(super) use super::slow_shl::*;
}

// ---- fused pairs: each does what its two parts do, in order ----------
handlers! {
    fn Mov2(vm, pc, regs, start, mem, tbl) {
        let h = prefetch(pc.skip(const { O::Mov2.fixed_size() }), tbl);
        wr(pc, regs, at!(Mov2.dst1), rr(pc, regs, at!(Mov2.src1)));
        wr(pc, regs, at!(Mov2.dst2), rr(pc, regs, at!(Mov2.src2)));
        go(h, vm, pc.skip(const { O::Mov2.fixed_size() }), regs, start, mem, tbl)
    }
    fn I64AddAdd(vm, pc, regs, start, mem, tbl) {
        let h = prefetch(pc.skip(const { O::I64AddAdd.fixed_size() }), tbl);
        let t = rr(pc, regs, at!(I64AddAdd.a)).wrapping_add(rr(pc, regs, at!(I64AddAdd.b)));
        wr(pc, regs, at!(I64AddAdd.tmp), t);
        // `c` is read after `tmp` is written (it may be `tmp`'s register).
        wr(pc, regs, at!(I64AddAdd.dst), t.wrapping_add(rr(pc, regs, at!(I64AddAdd.c))));
        go(h, vm, pc.skip(const { O::I64AddAdd.fixed_size() }), regs, start, mem, tbl)
    }
    fn F64MulMul(vm, pc, regs, start, mem, tbl) {
        let h = prefetch(pc.skip(const { O::F64MulMul.fixed_size() }), tbl);
        let t = f64_of(rr(pc, regs, at!(F64MulMul.a))) * f64_of(rr(pc, regs, at!(F64MulMul.b)));
        wr(pc, regs, at!(F64MulMul.tmp), bf64(t));
        wr(pc, regs, at!(F64MulMul.dst), bf64(t * f64_of(rr(pc, regs, at!(F64MulMul.c)))));
        go(h, vm, pc.skip(const { O::F64MulMul.fixed_size() }), regs, start, mem, tbl)
    }
    fn F64MulAdd(vm, pc, regs, start, mem, tbl) {
        let h = prefetch(pc.skip(const { O::F64MulAdd.fixed_size() }), tbl);
        let t = f64_of(rr(pc, regs, at!(F64MulAdd.a))) * f64_of(rr(pc, regs, at!(F64MulAdd.b)));
        wr(pc, regs, at!(F64MulAdd.tmp), bf64(t));
        wr(pc, regs, at!(F64MulAdd.dst), bf64(f64_of(rr(pc, regs, at!(F64MulAdd.c))) + t));
        go(h, vm, pc.skip(const { O::F64MulAdd.fixed_size() }), regs, start, mem, tbl)
    }
    fn I32ShlAndI(vm, pc, regs, start, mem, tbl) {
        let h = prefetch(pc.skip(const { O::I32ShlAndI.fixed_size() }), tbl);
        let t = (rr(pc, regs, at!(I32ShlAndI.a)) as u32).wrapping_shl(pc.u8(at!(I32ShlAndI.shift)) as u32);
        wr32(pc, regs, at!(I32ShlAndI.tmp), t);
        wr32(pc, regs, at!(I32ShlAndI.dst), t & pc.u32(at!(I32ShlAndI.mask)));
        go(h, vm, pc.skip(const { O::I32ShlAndI.fixed_size() }), regs, start, mem, tbl)
    }
    fn SelectLtSI(vm, pc, regs, start, mem, tbl) {
        let h = prefetch(pc.skip(const { O::SelectLtSI.fixed_size() }), tbl);
        let c = (rr(pc, regs, at!(SelectLtSI.x)) as u32 as i32) < pc.u32(at!(SelectLtSI.imm)) as i32;
        wr32(pc, regs, at!(SelectLtSI.cond), c as u32);
        // The values are read after the condition is written (either may
        // be its register, as in the pair).
        let v = if c { rr(pc, regs, at!(SelectLtSI.a)) } else { rr(pc, regs, at!(SelectLtSI.b)) };
        wr(pc, regs, at!(SelectLtSI.dst), v);
        go(h, vm, pc.skip(const { O::SelectLtSI.fixed_size() }), regs, start, mem, tbl)
    }
    fn I32ShlAdd(vm, pc, regs, start, mem, tbl) {
        let h = prefetch(pc.skip(const { O::I32ShlAdd.fixed_size() }), tbl);
        let t = (rr(pc, regs, at!(I32ShlAdd.index)) as u32).wrapping_shl(pc.u8(at!(I32ShlAdd.shift)) as u32);
        wr32(pc, regs, at!(I32ShlAdd.tmp), t);
        wr32(pc, regs, at!(I32ShlAdd.dst), (rr(pc, regs, at!(I32ShlAdd.a)) as u32).wrapping_add(t));
        go(h, vm, pc.skip(const { O::I32ShlAdd.fixed_size() }), regs, start, mem, tbl)
    }
}

/// `i32.add t, a, b; ldN d, t, offset`.
macro_rules! fused_loads {
    ($( $name:ident $load:ident $n:literal $atomic:ty |$v:ident| $e:expr; )*) => {
        handlers! {$(
            fn $name(vm, pc, regs, start, mem, tbl) {
                let h = prefetch(pc.skip(const { O::$name.fixed_size() }), tbl);
                let t = (rr(pc, regs, at!($name.a)) as u32).wrapping_add(rr(pc, regs, at!($name.b)) as u32);
                let ea = t.wrapping_add(pc.u32(at!($name.offset)));
                let Some(p) = mem.at::<$n>(ea) else {
                    return slow::$name(vm, pc, regs, start, mem, tbl);
                };
                wr32(pc, regs, at!($name.tmp), t);
                // SAFETY: `p` is in bounds and aligned (`Mem::at`).
                let $v = <$atomic>::from_ptr(p as *mut _).load(Relaxed);
                wr(pc, regs, at!($name.dst), $e);
                go(h, vm, pc.skip(const { O::$name.fixed_size() }), regs, start, mem, tbl)
            }
        )*}
        mod slow_fused {
            use super::*;
            slow_handlers! {$(
                fn $name(m, pc, regs) {
                    let t = (rr(pc, regs, at!($name.a)) as u32).wrapping_add(rr(pc, regs, at!($name.b)) as u32);
                    wr32(pc, regs, at!($name.tmp), t);
                    let $v = m.$load(t.wrapping_add(pc.u32(at!($name.offset))))?;
                    wr(pc, regs, at!($name.dst), $e);
                    Ok(const { O::$name.fixed_size() })
                }
            )*}
        }
    };
}

fused_loads! {
    Load8UAdd load8 1 AtomicU8 |v| v as u64;
    Load32UAdd load32 4 AtomicU32 |v| v as u64;
}

handlers! {
    fn Load32UShl(vm, pc, regs, start, mem, tbl) {
        let h = prefetch(pc.skip(const { O::Load32UShl.fixed_size() }), tbl);
        let t = (rr(pc, regs, at!(Load32UShl.index)) as u32).wrapping_shl(pc.u8(at!(Load32UShl.shift)) as u32);
        let ea = t.wrapping_add(pc.u32(at!(Load32UShl.offset)));
        let Some(p) = mem.at::<4>(ea) else {
            return slow::Load32UShl(vm, pc, regs, start, mem, tbl);
        };
        wr32(pc, regs, at!(Load32UShl.tmp), t);
        // SAFETY: `p` is in bounds and aligned (`Mem::at`).
        let v = AtomicU32::from_ptr(p as *mut u32).load(Relaxed);
        wr(pc, regs, at!(Load32UShl.dst), v as u64);
        go(h, vm, pc.skip(const { O::Load32UShl.fixed_size() }), regs, start, mem, tbl)
    }
}

handlers! {
    fn I32RotlC(vm, pc, regs, start, mem, tbl) {
        let h = prefetch(pc.skip(const { O::I32RotlC.fixed_size() }), tbl);
        let v = pc.u32(at!(I32RotlC.value));
        wr32(pc, regs, at!(I32RotlC.tmp), v);
        wr32(pc, regs, at!(I32RotlC.dst), (rr(pc, regs, at!(I32RotlC.a)) as u32).rotate_left(v & 31));
        go(h, vm, pc.skip(const { O::I32RotlC.fixed_size() }), regs, start, mem, tbl)
    }
    fn I32ShrUXor(vm, pc, regs, start, mem, tbl) {
        let h = prefetch(pc.skip(const { O::I32ShrUXor.fixed_size() }), tbl);
        let t = (rr(pc, regs, at!(I32ShrUXor.a)) as u32).wrapping_shr(pc.u32(at!(I32ShrUXor.shift)));
        wr32(pc, regs, at!(I32ShrUXor.tmp), t);
        wr32(pc, regs, at!(I32ShrUXor.dst), rr(pc, regs, at!(I32ShrUXor.b)) as u32 ^ t);
        go(h, vm, pc.skip(const { O::I32ShrUXor.fixed_size() }), regs, start, mem, tbl)
    }
    fn Load32UMul(vm, pc, regs, start, mem, tbl) {
        let h = prefetch(pc.skip(const { O::Load32UMul.fixed_size() }), tbl);
        let ea = (rr(pc, regs, at!(Load32UMul.addr)) as u32).wrapping_add(pc.u32(at!(Load32UMul.offset)));
        let Some(p) = mem.at::<4>(ea) else {
            return slow::Load32UMul(vm, pc, regs, start, mem, tbl);
        };
        // SAFETY: `p` is in bounds and aligned (`Mem::at`).
        let v = AtomicU32::from_ptr(p as *mut u32).load(Relaxed);
        wr(pc, regs, at!(Load32UMul.tmp), v as u64);
        wr32(pc, regs, at!(Load32UMul.dst), v.wrapping_mul(rr(pc, regs, at!(Load32UMul.b)) as u32));
        go(h, vm, pc.skip(const { O::Load32UMul.fixed_size() }), regs, start, mem, tbl)
    }
    fn Store8C(vm, pc, regs, start, mem, tbl) {
        let h = prefetch(pc.skip(const { O::Store8C.fixed_size() }), tbl);
        let v = pc.u32(at!(Store8C.value));
        wr32(pc, regs, at!(Store8C.tmp), v);
        let ea = (rr(pc, regs, at!(Store8C.addr)) as u32).wrapping_add(pc.u32(at!(Store8C.offset)));
        let Some(p) = mem.at::<1>(ea) else {
            return slow::Store8C(vm, pc, regs, start, mem, tbl);
        };
        // SAFETY: `p` is in bounds (`Mem::at`).
        AtomicU8::from_ptr(p as *mut u8).store(v as u8, Relaxed);
        go(h, vm, pc.skip(const { O::Store8C.fixed_size() }), regs, start, mem, tbl)
    }
}

/// `f64.sub.ld` and the read-modify-write forms: the loaded double is
/// written to `tmp` before the other operand is read, as in the pair.
macro_rules! f64_mem {
    ($( $name:ident $rmw:literal $other:ident |$t:ident, $x:ident| $e:expr; )*) => {
        handlers! {$(
            fn $name(vm, pc, regs, start, mem, tbl) {
                let h = prefetch(pc.skip(const { O::$name.fixed_size() }), tbl);
                let ea = (rr(pc, regs, at!($name.addr)) as u32).wrapping_add(pc.u32(at!($name.offset)));
                let Some(p) = mem.at::<8>(ea) else {
                    return slow_f64_mem::$name(vm, pc, regs, start, mem, tbl);
                };
                // SAFETY: `p` is in bounds and aligned (`Mem::at`).
                let cell = Atomic64::from_ptr(p as *mut u64);
                let bits = cell.load(Relaxed);
                wr(pc, regs, at!($name.tmp), bits);
                let ($t, $x) = (f64_of(bits), f64_of(rr(pc, regs, at!($name.$other))));
                let d = bf64($e);
                wr(pc, regs, at!($name.dst), d);
                if $rmw {
                    // SAFETY: as above.
                    Atomic64::from_ptr(p as *mut u64).store(d, Relaxed);
                }
                go(h, vm, pc.skip(const { O::$name.fixed_size() }), regs, start, mem, tbl)
            }
        )*}
        mod slow_f64_mem {
            use super::*;
            slow_handlers! {$(
                fn $name(m, pc, regs) {
                    let ea = (rr(pc, regs, at!($name.addr)) as u32).wrapping_add(pc.u32(at!($name.offset)));
                    let bits = m.load64(ea)?;
                    wr(pc, regs, at!($name.tmp), bits);
                    let ($t, $x) = (f64_of(bits), f64_of(rr(pc, regs, at!($name.$other))));
                    let d = bf64($e);
                    wr(pc, regs, at!($name.dst), d);
                    if $rmw {
                        m.store64(ea, d)?;
                    }
                    Ok(const { O::$name.fixed_size() })
                }
            )*}
        }
    };
}

f64_mem! {
    F64SubLd false a |t, a| a - t;
    F64SubRmw true x |t, x| t - x;
    F64AddRmw true x |t, x| x + t;
}

handlers! {
    fn I32AddRmw(vm, pc, regs, start, mem, tbl) {
        let h = prefetch(pc.skip(const { O::I32AddRmw.fixed_size() }), tbl);
        let ea = (rr(pc, regs, at!(I32AddRmw.addr)) as u32).wrapping_add(pc.u32(at!(I32AddRmw.offset)));
        let Some(p) = mem.at::<4>(ea) else {
            return slow_ext::I32AddRmw(vm, pc, regs, start, mem, tbl);
        };
        // SAFETY: `p` is in bounds and aligned (`Mem::at`).
        let cell = AtomicU32::from_ptr(p as *mut u32);
        let t = cell.load(Relaxed);
        wr(pc, regs, at!(I32AddRmw.tmp), t as u64);
        // `x` is read after `tmp` is written (it may be `tmp`'s register).
        let d = (rr(pc, regs, at!(I32AddRmw.x)) as u32).wrapping_add(t);
        wr32(pc, regs, at!(I32AddRmw.dst), d);
        cell.store(d, Relaxed);
        go(h, vm, pc.skip(const { O::I32AddRmw.fixed_size() }), regs, start, mem, tbl)
    }
}

handlers! {
    fn I32MacRmw(vm, pc, regs, start, mem, tbl) {
        let h = prefetch(pc.skip(const { O::I32MacRmw.fixed_size() }), tbl);
        let Some(p) = mem.at::<4>((rr(pc, regs, at!(I32MacRmw.src)) as u32).wrapping_add(pc.u32(at!(I32MacRmw.src_offset)))) else {
            return slow_ext::I32MacRmw(vm, pc, regs, start, mem, tbl);
        };
        // SAFETY: `p` is in bounds and aligned (`Mem::at`).
        let u = AtomicU32::from_ptr(p as *mut u32).load(Relaxed);
        wr(pc, regs, at!(I32MacRmw.tmp1), u as u64);
        let m = u.wrapping_mul(rr(pc, regs, at!(I32MacRmw.b)) as u32);
        wr32(pc, regs, at!(I32MacRmw.mul), m);
        let Some(q) = mem.at::<4>((rr(pc, regs, at!(I32MacRmw.addr)) as u32).wrapping_add(pc.u32(at!(I32MacRmw.offset)))) else {
            return slow_ext::I32MacRmwSecond(vm, pc, regs, start, mem, tbl);
        };
        // SAFETY: as above.
        let cell = AtomicU32::from_ptr(q as *mut u32);
        let t = cell.load(Relaxed);
        wr(pc, regs, at!(I32MacRmw.tmp2), t as u64);
        let d = (rr(pc, regs, at!(I32MacRmw.mul)) as u32).wrapping_add(t);
        wr32(pc, regs, at!(I32MacRmw.dst), d);
        cell.store(d, Relaxed);
        go(h, vm, pc.skip(const { O::I32MacRmw.fixed_size() }), regs, start, mem, tbl)
    }
    fn I32CrcStep(vm, pc, regs, start, mem, tbl) {
        let h = prefetch(pc.skip(const { O::I32CrcStep.fixed_size() }), tbl);
        // `x` and `dst` are read before the first register write: the
        // compiler cannot tell that a register write leaves the code
        // alone and would read them again after it (the other operands
        // are read once anyway).
        let (x, d) = (pc.u8(at!(I32CrcStep.x)), pc.u8(at!(I32CrcStep.dst)));
        let tmp = (regs.get(x) as u32).wrapping_shl(pc.u8(at!(I32CrcStep.shift)) as u32);
        wr32(pc, regs, at!(I32CrcStep.tmp), tmp);
        let t = tmp & pc.u32(at!(I32CrcStep.mask));
        wr32(pc, regs, at!(I32CrcStep.t), t);
        wr32(pc, regs, at!(I32CrcStep.u), t ^ pc.u32(at!(I32CrcStep.poly)));
        // `x` is read again after the writes (it may be one of them, as
        // in the parts); its bit `bit` is the sign of the shift pair's
        // result, which the select compares with 0.
        let k = 31u32.wrapping_sub(pc.u8(at!(I32CrcStep.bit)) as u32) & 31;
        let c = ((regs.get(x) as u32) << k) as i32 >> k < 0;
        // The select's condition register is `dst`; its values are read
        // after that write (either may be `dst`, as in the parts).
        regs.set32(d, c as u32);
        let v = if c { rr(pc, regs, at!(I32CrcStep.u)) } else { rr(pc, regs, at!(I32CrcStep.t)) };
        regs.set32(d, v as u32);
        go(h, vm, pc.skip(const { O::I32CrcStep.fixed_size() }), regs, start, mem, tbl)
    }
}

handlers! {
    fn I32CrcStepT(vm, pc, regs, start, mem, tbl) {
        let h = prefetch(pc.skip(const { O::I32CrcStepT.fixed_size() }), tbl);
        // `y`, `dst` and `t` are read before the register write (the
        // compiler would read them again after it).
        let (y, d, tr) = (pc.u8(at!(I32CrcStepT.y)), pc.u8(at!(I32CrcStepT.dst)), pc.u8(at!(I32CrcStepT.t)));
        let t = (rr(pc, regs, at!(I32CrcStepT.x)) as u32).wrapping_shl(pc.u8(at!(I32CrcStepT.shift)) as u32) & pc.u32(at!(I32CrcStepT.mask));
        regs.set32(tr, t);
        // The polynomial if bit `bit` of `y` (read after `t` is
        // written: it may be `t`) is set, else 0.
        let k = 31u32.wrapping_sub(pc.u8(at!(I32CrcStepT.bit)) as u32) & 31;
        let m = (((regs.get(y) as u32) << k) as i32 >> 31) as u32 & pc.u32(at!(I32CrcStepT.poly));
        // The parts' last `i32.xor d, d, t` reads `t` after `d` holds
        // the mask: when they are one register, that is the mask.
        let t = if d == tr { m } else { t };
        regs.set32(d, m ^ t);
        go(h, vm, pc.skip(const { O::I32CrcStepT.fixed_size() }), regs, start, mem, tbl)
    }
    fn I32CrcStepR(vm, pc, regs, start, mem, tbl) {
        let h = prefetch(pc.skip(const { O::I32CrcStepR.fixed_size() }), tbl);
        let tmp = (rr(pc, regs, at!(I32CrcStepR.a)) as u32).wrapping_shr(pc.u8(at!(I32CrcStepR.shift)) as u32);
        wr32(pc, regs, at!(I32CrcStepR.tmp), tmp);
        wr32(pc, regs, at!(I32CrcStepR.u), tmp ^ pc.u32(at!(I32CrcStepR.poly)));
        // The select reads its condition and values after those writes
        // (any of them may be `tmp` or `u`, as in the parts); its values
        // are i32s.
        let c = (rr(pc, regs, at!(I32CrcStepR.cond)) as u32 != 0) != (pc.u8(at!(I32CrcStepR.inv)) != 0);
        let v = if c { rr(pc, regs, at!(I32CrcStepR.u)) } else { rr(pc, regs, at!(I32CrcStepR.tmp)) };
        wr32(pc, regs, at!(I32CrcStepR.dst), v as u32);
        go(h, vm, pc.skip(const { O::I32CrcStepR.fixed_size() }), regs, start, mem, tbl)
    }
}

mod slow_ext {
    use super::*;
    slow_handlers! {
        fn I32MacRmw(m, pc, regs) {
            let u = m.load32((rr(pc, regs, at!(I32MacRmw.src)) as u32).wrapping_add(pc.u32(at!(I32MacRmw.src_offset))))?;
            wr(pc, regs, at!(I32MacRmw.tmp1), u as u64);
            wr32(pc, regs, at!(I32MacRmw.mul), u.wrapping_mul(rr(pc, regs, at!(I32MacRmw.b)) as u32));
            ops::I32MacRmwSecond(m, pc, regs)
        }
        /// The accumulation of `i32.mac.rmw`, after the product is written.
        fn I32MacRmwSecond(m, pc, regs) {
            let ea = (rr(pc, regs, at!(I32MacRmw.addr)) as u32).wrapping_add(pc.u32(at!(I32MacRmw.offset)));
            let t = m.load32(ea)?;
            wr(pc, regs, at!(I32MacRmw.tmp2), t as u64);
            let d = (rr(pc, regs, at!(I32MacRmw.mul)) as u32).wrapping_add(t);
            wr32(pc, regs, at!(I32MacRmw.dst), d);
            m.store32(ea, d)?;
            Ok(const { O::I32MacRmw.fixed_size() })
        }
        fn I32AddRmw(m, pc, regs) {
            let ea = (rr(pc, regs, at!(I32AddRmw.addr)) as u32).wrapping_add(pc.u32(at!(I32AddRmw.offset)));
            let t = m.load32(ea)?;
            wr(pc, regs, at!(I32AddRmw.tmp), t as u64);
            let d = (rr(pc, regs, at!(I32AddRmw.x)) as u32).wrapping_add(t);
            wr32(pc, regs, at!(I32AddRmw.dst), d);
            m.store32(ea, d)?;
            Ok(const { O::I32AddRmw.fixed_size() })
        }
    }
}

// Two byte accesses in order; a trap in the second leaves the first's
// effect, as the pair would.
handlers! {
    fn Load8U2(vm, pc, regs, start, mem, tbl) {
        let h = prefetch(pc.skip(const { O::Load8U2.fixed_size() }), tbl);
        let Some(p) = mem.at::<1>((rr(pc, regs, at!(Load8U2.addr1)) as u32).wrapping_add(pc.u32(at!(Load8U2.offset1)))) else {
            return slow_bytes::Load8U2(vm, pc, regs, start, mem, tbl);
        };
        // SAFETY: `p` is in bounds (`Mem::at`).
        wr(pc, regs, at!(Load8U2.dst1), AtomicU8::from_ptr(p).load(Relaxed) as u64);
        // The second address is read after `dst1` is written.
        let Some(p) = mem.at::<1>((rr(pc, regs, at!(Load8U2.addr2)) as u32).wrapping_add(pc.u32(at!(Load8U2.offset2)))) else {
            return slow_bytes::Load8U2Second(vm, pc, regs, start, mem, tbl);
        };
        // SAFETY: as above.
        wr(pc, regs, at!(Load8U2.dst2), AtomicU8::from_ptr(p).load(Relaxed) as u64);
        go(h, vm, pc.skip(const { O::Load8U2.fixed_size() }), regs, start, mem, tbl)
    }
    fn Store8x2(vm, pc, regs, start, mem, tbl) {
        let h = prefetch(pc.skip(const { O::Store8x2.fixed_size() }), tbl);
        let (Some(p1), Some(p2)) = (
            mem.at::<1>((rr(pc, regs, at!(Store8x2.addr1)) as u32).wrapping_add(pc.u32(at!(Store8x2.offset1)))),
            mem.at::<1>((rr(pc, regs, at!(Store8x2.addr2)) as u32).wrapping_add(pc.u32(at!(Store8x2.offset2)))),
        ) else {
            return slow_bytes::Store8x2(vm, pc, regs, start, mem, tbl);
        };
        // SAFETY: `p1` and `p2` are in bounds (`Mem::at`).
        AtomicU8::from_ptr(p1).store(rr(pc, regs, at!(Store8x2.src1)) as u8, Relaxed);
        AtomicU8::from_ptr(p2).store(rr(pc, regs, at!(Store8x2.src2)) as u8, Relaxed);
        go(h, vm, pc.skip(const { O::Store8x2.fixed_size() }), regs, start, mem, tbl)
    }
}

handlers! {
    fn Store8CAdd(vm, pc, regs, start, mem, tbl) {
        let h = prefetch(pc.skip(const { O::Store8CAdd.fixed_size() }), tbl);
        let t = (rr(pc, regs, at!(Store8CAdd.a)) as u32).wrapping_add(rr(pc, regs, at!(Store8CAdd.b)) as u32);
        let v = pc.u32(at!(Store8CAdd.value));
        wr32(pc, regs, at!(Store8CAdd.tmp), t);
        wr32(pc, regs, at!(Store8CAdd.c), v);
        let ea = t.wrapping_add(pc.u32(at!(Store8CAdd.offset)));
        let Some(p) = mem.at::<1>(ea) else {
            return slow_bytes::Store8CAdd(vm, pc, regs, start, mem, tbl);
        };
        // SAFETY: `p` is in bounds (`Mem::at`).
        AtomicU8::from_ptr(p).store(v as u8, Relaxed);
        go(h, vm, pc.skip(const { O::Store8CAdd.fixed_size() }), regs, start, mem, tbl)
    }
}

mod slow_bytes {
    use super::*;
    slow_handlers! {
        fn Load8U2(m, pc, regs) {
            let v = m.load8((rr(pc, regs, at!(Load8U2.addr1)) as u32).wrapping_add(pc.u32(at!(Load8U2.offset1))))?;
            wr(pc, regs, at!(Load8U2.dst1), v as u64);
            ops::Load8U2Second(m, pc, regs)
        }
        /// The store of `st8.c.add` (both registers are written already).
        fn Store8CAdd(m, pc, regs) {
            let ea = (rr(pc, regs, at!(Store8CAdd.tmp)) as u32).wrapping_add(pc.u32(at!(Store8CAdd.offset)));
            m.store8(ea, pc.u32(at!(Store8CAdd.value)) as u8)?;
            Ok(const { O::Store8CAdd.fixed_size() })
        }
        /// The second load of `ld8_u.2`, after the first one is done.
        fn Load8U2Second(m, pc, regs) {
            let v = m.load8((rr(pc, regs, at!(Load8U2.addr2)) as u32).wrapping_add(pc.u32(at!(Load8U2.offset2))))?;
            wr(pc, regs, at!(Load8U2.dst2), v as u64);
            Ok(const { O::Load8U2.fixed_size() })
        }
        fn Store8x2(m, pc, regs) {
            for (a, s, o) in [
                (at!(Store8x2.addr1), at!(Store8x2.src1), at!(Store8x2.offset1)),
                (at!(Store8x2.addr2), at!(Store8x2.src2), at!(Store8x2.offset2)),
            ] {
                let ea = (rr(pc, regs, a) as u32).wrapping_add(pc.u32(o));
                m.store8(ea, rr(pc, regs, s) as u8)?;
            }
            Ok(const { O::Store8x2.fixed_size() })
        }
    }
}

mod slow_shl {
    use super::*;
    slow_handlers! {
        fn Load32UMul(m, pc, regs) {
            let ea = (rr(pc, regs, at!(Load32UMul.addr)) as u32).wrapping_add(pc.u32(at!(Load32UMul.offset)));
            let v = m.load32(ea)?;
            wr(pc, regs, at!(Load32UMul.tmp), v as u64);
            wr32(pc, regs, at!(Load32UMul.dst), v.wrapping_mul(rr(pc, regs, at!(Load32UMul.b)) as u32));
            Ok(const { O::Load32UMul.fixed_size() })
        }
        fn Store8C(m, pc, regs) {
            let v = pc.u32(at!(Store8C.value));
            wr32(pc, regs, at!(Store8C.tmp), v);
            let ea = (rr(pc, regs, at!(Store8C.addr)) as u32).wrapping_add(pc.u32(at!(Store8C.offset)));
            m.store8(ea, v as u8)?;
            Ok(const { O::Store8C.fixed_size() })
        }
        fn Load32UShl(m, pc, regs) {
            let t = (rr(pc, regs, at!(Load32UShl.index)) as u32).wrapping_shl(pc.u8(at!(Load32UShl.shift)) as u32);
            wr32(pc, regs, at!(Load32UShl.tmp), t);
            let v = m.load32(t.wrapping_add(pc.u32(at!(Load32UShl.offset))))?;
            wr(pc, regs, at!(Load32UShl.dst), v as u64);
            Ok(const { O::Load32UShl.fixed_size() })
        }
    }
}

loads! {
    Load8S load8 1 AtomicU8 |v| v as i8 as i64 as u64;
    Load8U load8 1 AtomicU8 |v| v as u64;
    Load16S load16 2 AtomicU16 |v| v as i16 as i64 as u64;
    Load16U load16 2 AtomicU16 |v| v as u64;
    Load32S load32 4 AtomicU32 |v| v as i32 as i64 as u64;
    Load32U load32 4 AtomicU32 |v| v as u64;
    Load64 load64 8 Atomic64 |v| v;
}

stores! {
    Store8 store8 1 AtomicU8, u8;
    Store16 store16 2 AtomicU16, u16;
    Store32 store32 4 AtomicU32, u32;
    Store64 store64 8 Atomic64, u64;
}
