//! Macros that define families of similar handlers (arithmetic, branches,
//! loads and stores, divisions) and the pure-operation table compiled code
//! shares.

use super::*;

/// Defines handlers. Each body runs inside one `unsafe` block: its operand
/// and register accesses rely on `Handler`'s contract (validated body,
/// window of the running function), and `go`/`next`/`jump` pass on states
/// that satisfy it.
macro_rules! handlers {
    ($( $(#[$attr:meta])* fn $name:ident($vm:ident, $pc:ident, $regs:ident, $start:ident, $mem:ident, $tbl:ident) $body:block )*) => {$(
        $(#[$attr])*
        #[allow(non_snake_case, unused_variables, unused_unsafe, clippy::unnecessary_cast)]
        pub(super) unsafe fn $name(
            $vm: &mut Vm<'_, '_>,
            $pc: Pc,
            $regs: Regs,
            $start: Pc,
            $mem: Mem,
            $tbl: Tbl,
        ) -> Exit {
            // SAFETY: see `handlers!` and `Handler`.
            unsafe { $body }
        }
    )*};
}

/// The work of a fused instruction's slow path (`slow_handlers!`): the
/// instruction at `pc`, with `LinearMemory`'s checked accessors; its length,
/// or the trap.
pub(super) type SlowOp = unsafe fn(&LinearMemory, Pc, Regs) -> Result<usize, TrapKind>;

/// Runs slow path `op` and continues after the instruction or traps: the
/// one place the dispatch state is kept around a slow path's work (a slow
/// handler is a tail call to here).
///
/// SAFETY: `Handler`'s contract, and `op` is the slow path of the
/// instruction at `pc`.
#[cold]
#[inline(never)]
pub(super) unsafe fn slow_op(
    vm: &mut Vm<'_, '_>,
    pc: Pc,
    regs: Regs,
    start: Pc,
    mem: Mem,
    tbl: Tbl,
    op: SlowOp,
) -> Exit {
    // SAFETY: see the function contract.
    unsafe {
        match op(&vm.inst.mem, pc, regs) {
            Ok(len) => next(vm, pc.skip(len), regs, start, mem, tbl),
            Err(k) => raise(vm, pc, start, k),
        }
    }
}

/// Defines slow-path handlers: each body is a `SlowOp` (in `ops`, reading
/// and writing registers like a handler, `?` on the accesses, `Ok(length)`
/// at the end), its handler a tail call of `slow_op` with it.
macro_rules! slow_handlers {
    ($( $(#[$attr:meta])* fn $name:ident($m:ident, $pc:ident, $regs:ident) $body:block )*) => {
        pub(super) mod ops {
            use super::*;
            $(
                $(#[$attr])*
                #[allow(non_snake_case, unused_unsafe, unused_variables)]
                pub(super) unsafe fn $name($m: &LinearMemory, $pc: Pc, $regs: Regs) -> Result<usize, TrapKind> {
                    // SAFETY: see `handlers!`.
                    unsafe { $body }
                }
            )*
        }
        handlers! {$(
            #[cold]
            #[inline(never)]
            fn $name(vm, pc, regs, start, mem, tbl) {
                slow_op(vm, pc, regs, start, mem, tbl, ops::$name)
            }
        )*}
    };
}

/// `dst = f(operand 2, operand 3)` style handlers: `$pre` reads the operands
/// into `$a`/`$b`, `$post` converts the result to the register bits.
///
/// A row marked `[OUT]` (`OUT_F32`, `OUT_F64`, `OUT_W64`) is, where that
/// constant is true, computed out of line: its handler is a tail call of
/// `apply` with the row's `pure_fns` function (see `apply`).
macro_rules! simple {
    ($( $name:ident $([$out:ident])? |$a:ident, $b:ident| $read:ident => $e:expr; )*) => {
        $(
            handlers! {
                fn $name(vm, pc, regs, start, mem, tbl) {
                    $(if $out {
                        return apply::<{ unary!($read) }>(
                            vm, pc, regs, start, mem, tbl,
                            const { assert!(apply_layout(O::$name, unary!($read))); pure_fns::$name as PureFn },
                        );
                    })?
                    let h = prefetch(pc.skip(const { O::$name.fixed_size() }), tbl);
                    let ($a, $b) = $read!($name, pc, regs);
                    wr_dst!($name, pc, regs, $e);
                    go(h, vm, pc.skip(const { O::$name.fixed_size() }), regs, start, mem, tbl)
                }
            }
        )*

        /// `dst = op(a, b)` for the simple instructions whose operands are
        /// registers (`b` ignored by the one-operand ones), with the
        /// handlers' own expressions, as C-ABI functions: compiled code calls
        /// them for the operations it does not emit inline (floating point,
        /// bit counts, ...). The immediate forms return 0 (no entry in
        /// `PURE`).
        #[cfg_attr(not(feature = "jit-riscv"), allow(dead_code))]
        pub(crate) mod pure_fns {
            use super::*;
            $(
                #[allow(non_snake_case, unused_variables, clippy::unnecessary_cast)]
                pub(crate) extern "C" fn $name(a: u64, b: u64) -> u64 {
                    pure_args!($read, a, b).map(|($a, $b)| $e).unwrap_or(0)
                }
            )*
        }

        /// `pure_fns` by opcode byte (all of them are one-byte opcodes).
        #[cfg_attr(not(feature = "jit-riscv"), allow(dead_code))]
        pub(crate) static PURE: [Option<PureFn>; 256] = {
            let mut t: [Option<PureFn>; 256] = [None; 256];
            $(
                if pure_ok!($read) && O::$name.code() <= 0xff {
                    t[O::$name.code() as usize] = Some(pure_fns::$name as PureFn);
                }
            )*
            t
        };
    };
}

/// A simple instruction's operation (`handlers::PURE`).
pub(crate) type PureFn = extern "C" fn(u64, u64) -> u64;

/// Where floating point is emulated in software (RV32 without the `F`/`D`
/// extensions), an `f32`/`f64` handler is mostly a call of a libgcc routine,
/// and each such handler saved and restored the dispatch state around it
/// (about 100 bytes of its typical 130). Those handlers run out of line
/// instead (`simple!`'s `[OUT]` rows): one shared `apply` keeps the state
/// around the call of the operation's `pure_fns` function. `OUT_W64`: the
/// operations that expand to calls or long sequences on a 32-bit core
/// without bit-manipulation instructions and are rare in hot loops (bit
/// counts and byte swaps, high multiplies, 64-bit shifts by a register,
/// rotates and ordered compares). The rows that stay inline are the ones
/// loops use (64-bit add, multiply, bitwise, equality, extensions, shifts
/// by an immediate): the RV32 suite's instruction counts are unchanged.
pub(super) const OUT_F32: bool = cfg!(all(target_arch = "riscv32", not(espb_ilp32f)));
pub(super) const OUT_F64: bool = cfg!(target_arch = "riscv32");
pub(super) const OUT_W64: bool = cfg!(target_arch = "riscv32");

/// Whether a `simple!` row reads one operand (`r64`) or two.
macro_rules! unary {
    (r64) => {
        true
    };
    ($other:ident) => {
        false
    };
}

/// Whether `op` has the layout `apply` reads: `dst` at byte 1, `a` at 2, `b`
/// at 3 (binary), four bytes in all.
pub(super) const fn apply_layout(op: O, unary: bool) -> bool {
    op.offset_of("dst") == 1
        && op.offset_of("a") == 2
        && (unary || op.offset_of("b") == 3)
        && op.fixed_size() == 4
}

/// The out-of-line handler body of a `simple!` row (`UNARY`: operand `a`
/// only): `dst = f(a, b)`, then the next instruction. The row's handler
/// checked the layout (`apply_layout`). A 32-bit result is written whole:
/// `pure_fns` zero-extend it, and one copy for both widths is smaller than
/// the store `wr32` saves.
///
/// SAFETY: `Handler`'s contract, for an instruction laid out as
/// `apply_layout` says.
#[inline(never)]
pub(super) unsafe fn apply<const UNARY: bool>(
    vm: &mut Vm<'_, '_>,
    pc: Pc,
    regs: Regs,
    start: Pc,
    mem: Mem,
    tbl: Tbl,
    f: PureFn,
) -> Exit {
    // SAFETY: see the function contract: the operands are registers of the
    // window and the instruction is 4 bytes long.
    unsafe {
        let a = rr(pc, regs, 2);
        let b = if UNARY { 0 } else { rr(pc, regs, 3) };
        wr(pc, regs, 1, f(a, b));
        next(vm, pc.skip(4), regs, start, mem, tbl)
    }
}

/// Whether `pure_args!` has the operands of a `$read` form.
macro_rules! pure_ok {
    (r32i) => {
        false
    };
    (r64i) => {
        false
    };
    ($other:ident) => {
        true
    };
}

/// The typed operands of `pure` (`None` for the immediate forms, whose
/// operand is in the instruction).
macro_rules! pure_args {
    (r32x2, $a:ident, $b:ident) => {
        Some(($a as u32, $b as u32))
    };
    (r64x2, $a:ident, $b:ident) => {
        Some(($a, $b))
    };
    (r64, $a:ident, $b:ident) => {
        Some(($a, ()))
    };
    (rf32x2, $a:ident, $b:ident) => {
        Some((f32_of($a), f32_of($b)))
    };
    (rf64x2, $a:ident, $b:ident) => {
        Some((f64_of($a), f64_of($b)))
    };
    (r32i, $a:ident, $b:ident) => {
        None::<(u32, u32)>
    };
    (r64i, $a:ident, $b:ident) => {
        None::<(u64, u32)>
    };
}

/// `handlers::PURE` for compiled code (indexed by opcode byte; `None` is a null
/// word in the C layout of `Option<fn>`).
#[cfg(espb_jit)]
pub(crate) fn pure_table() -> *const Option<PureFn> {
    handlers::PURE.as_ptr()
}

/// The function computing `op` for compiled code, if it is one of the
/// simple register-operand instructions.
#[cfg(feature = "jit-riscv")]
pub(crate) fn pure_fn(op: O) -> Option<PureFn> {
    if op.code() > 0xff {
        return None;
    }
    handlers::PURE[op.code() as usize]
}

macro_rules! r32x2 {
    ($op:ident, $pc:ident, $regs:ident) => {
        (
            rr($pc, $regs, at!($op.a)) as u32,
            rr($pc, $regs, at!($op.b)) as u32,
        )
    };
}
macro_rules! r32i {
    ($op:ident, $pc:ident, $regs:ident) => {
        (rr($pc, $regs, at!($op.a)) as u32, $pc.u32(at!($op.imm)))
    };
}
macro_rules! r64x2 {
    ($op:ident, $pc:ident, $regs:ident) => {
        (rr($pc, $regs, at!($op.a)), rr($pc, $regs, at!($op.b)))
    };
}
macro_rules! r64i {
    ($op:ident, $pc:ident, $regs:ident) => {
        (rr($pc, $regs, at!($op.a)), $pc.u32(at!($op.imm)))
    };
}
macro_rules! r64 {
    ($op:ident, $pc:ident, $regs:ident) => {
        (rr($pc, $regs, at!($op.a)), ())
    };
}
macro_rules! rf32x2 {
    ($op:ident, $pc:ident, $regs:ident) => {
        (
            f32_of(rr($pc, $regs, at!($op.a))),
            f32_of(rr($pc, $regs, at!($op.b))),
        )
    };
}
macro_rules! rf64x2 {
    ($op:ident, $pc:ident, $regs:ident) => {
        (
            f64_of(rr($pc, $regs, at!($op.a))),
            f64_of(rr($pc, $regs, at!($op.b))),
        )
    };
}

/// Fused compare-and-branch handlers: `$read` gives the operands.
macro_rules! branches {
    ($( $name:ident |$a:ident, $b:ident| $read:ident => $e:expr; )*) => {$(
        handlers! {
            fn $name(vm, pc, regs, start, mem, tbl) {
                let ($a, $b) = $read!($name, pc, regs);
                if $e {
                    return jump(vm, pc, regs, start, mem, tbl, pc.u32(at!($name.target)));
                }
                next(vm, pc.skip(const { O::$name.fixed_size() }), regs, start, mem, tbl)
            }
        }
    )*};
}
macro_rules! b32x2 {
    ($op:ident, $pc:ident, $regs:ident) => {
        (
            rr($pc, $regs, at!($op.a)) as u32,
            rr($pc, $regs, at!($op.b)) as u32,
        )
    };
}
macro_rules! b64x2 {
    ($op:ident, $pc:ident, $regs:ident) => {
        (rr($pc, $regs, at!($op.a)), rr($pc, $regs, at!($op.b)))
    };
}
macro_rules! b32i {
    ($op:ident, $pc:ident, $regs:ident) => {
        (rr($pc, $regs, at!($op.a)) as u32, $pc.u32(at!($op.imm)))
    };
}

/// Loads: `dst = convert(mem[reg + offset])`. The handler does aligned,
/// in-bounds accesses inline (as a relaxed atomic of the access width, like
/// every access to linear memory: see `memory`); the rest goes, in tail
/// position, to `slow_mem`, which uses `LinearMemory`'s checked accessors
/// (byte-wise when misaligned, a trap when out of bounds).
macro_rules! loads {
    ($( $name:ident $load:ident $n:literal $atomic:ty |$v:ident| $e:expr; )*) => {
        handlers! {$(
            fn $name(vm, pc, regs, start, mem, tbl) {
                let h = prefetch(pc.skip(const { O::$name.fixed_size() }), tbl);
                let ea = (rr(pc, regs, at!($name.addr)) as u32).wrapping_add(pc.u32(at!($name.offset)));
                let Some(p) = mem.at::<$n>(ea) else {
                    return slow_mem(vm, pc, regs, start, mem, tbl);
                };
                // SAFETY: `p` is in bounds and aligned (`Mem::at`).
                let $v = <$atomic>::from_ptr(p as *mut _).load(Relaxed);
                wr(pc, regs, at!($name.dst), $e);
                go(h, vm, pc.skip(const { O::$name.fixed_size() }), regs, start, mem, tbl)
            }
        )*}
    };
}

/// Stores: `mem[reg + offset] = truncate(src)`, fast path as for loads, the
/// rest in `slow_mem` too.
macro_rules! stores {
    ($( $name:ident $store:ident $n:literal $atomic:ty, $t:ty; )*) => {
        handlers! {$(
            fn $name(vm, pc, regs, start, mem, tbl) {
                let h = prefetch(pc.skip(const { O::$name.fixed_size() }), tbl);
                let ea = (rr(pc, regs, at!($name.addr)) as u32).wrapping_add(pc.u32(at!($name.offset)));
                let Some(p) = mem.at::<$n>(ea) else {
                    return slow_mem(vm, pc, regs, start, mem, tbl);
                };
                // SAFETY: `p` is in bounds and aligned (`Mem::at`).
                <$atomic>::from_ptr(p as *mut _).store(rr(pc, regs, at!($name.src)) as $t, Relaxed);
                go(h, vm, pc.skip(const { O::$name.fixed_size() }), regs, start, mem, tbl)
            }
        )*}
    };
}

/// Whether the plain loads and stores are laid out as `slow_mem` reads
/// them: `ld8_s ld8_u ld16_s ld16_u ld32_s ld32_u ld64` then `st8 st16 st32
/// st64` on consecutive opcode bytes, `dst`/`addr` (loads) and `addr`/`src`
/// (stores) at bytes 1 and 2, the offset at 4, 8 bytes long.
pub(super) const fn slow_mem_layout() -> bool {
    let ops = [
        O::Load8S,
        O::Load8U,
        O::Load16S,
        O::Load16U,
        O::Load32S,
        O::Load32U,
        O::Load64,
        O::Store8,
        O::Store16,
        O::Store32,
        O::Store64,
    ];
    let mut k = 0;
    while k < ops.len() {
        let op = ops[k];
        let load = k < 7;
        if op.code() != O::Load8S.code() + k as u16
            || op.fixed_size() != 8
            || op.offset_of("offset") != 4
            || op.offset_of(if load { "dst" } else { "addr" }) != 1
            || op.offset_of(if load { "addr" } else { "src" }) != 2
        {
            return false;
        }
        k += 1;
    }
    true
}

/// The slow path of every plain load and store (`loads!`, `stores!`): an
/// access that is misaligned, out of bounds or in the ragged end goes
/// through `LinearMemory`'s checked accessors (byte-wise when misaligned, a
/// trap when out of bounds). One cold handler for the eleven instructions,
/// decoding the width from the opcode byte, instead of one per instruction
/// (each of those kept the dispatch state around the access).
///
/// SAFETY: `Handler`'s contract, for a plain load or store at `pc`.
#[cold]
#[inline(never)]
pub(super) unsafe fn slow_mem(
    vm: &mut Vm<'_, '_>,
    pc: Pc,
    regs: Regs,
    start: Pc,
    mem: Mem,
    tbl: Tbl,
) -> Exit {
    const { assert!(slow_mem_layout()) };
    // SAFETY: see the function contract and `slow_mem_layout`.
    unsafe {
        let k = pc.opcode().wrapping_sub(O::Load8S.code() as u8);
        let m = &vm.inst.mem;
        let base = if k < 7 {
            rr(pc, regs, 2)
        } else {
            rr(pc, regs, 1)
        };
        let ea = (base as u32).wrapping_add(pc.u32(4));
        if k < 7 {
            // Loads: width 1 << k / 2; the even ones below ld64 sign-extend.
            let v = match m.load_width(ea, k / 2) {
                Ok(v) => v,
                Err(e) => return raise(vm, pc, start, e),
            };
            let v = match k {
                0 => v as i8 as u64,
                2 => v as i16 as u64,
                4 => v as i32 as u64,
                _ => v,
            };
            wr(pc, regs, 1, v);
        } else if let Err(e) = m.store_width(ea, k - 7, rr(pc, regs, 2)) {
            return raise(vm, pc, start, e);
        }
        next(vm, pc.skip(8), regs, start, mem, tbl)
    }
}

/// Division handlers: `$e` is `None` for the trapping operands. A row
/// marked `[OUT_W64 k]` is, where `OUT_W64` is true, a tail call of
/// `div64` with operation `k` (see there).
macro_rules! divs {
    ($( $name:ident $([$out:ident $k:literal])? |$a:ident, $b:ident| $read:ident => $e:expr; )*) => {$(
        handlers! {
            fn $name(vm, pc, regs, start, mem, tbl) {
                $(if $out {
                    return div64(vm, pc, regs, start, mem, tbl, const { assert!(apply_layout(O::$name, false)); $k });
                })?
                let h = prefetch(pc.skip(const { O::$name.fixed_size() }), tbl);
                let ($a, $b) = $read!($name, pc, regs);
                let Some(v) = $e else {
                    return raise(vm, pc, start, div_trap($b as u64 == 0));
                };
                wr_dst!($name, pc, regs, v);
                go(h, vm, pc.skip(const { O::$name.fixed_size() }), regs, start, mem, tbl)
            }
        }
    )*};
}

/// The `i64` divisions out of line (`divs!`'s `[OUT_W64 k]` rows), as
/// `apply` does for the other 64-bit operations: on a 32-bit core each is
/// a libgcc call, and each handler kept the dispatch state around its own.
/// `op`: 0 `div_s`, 1 `div_u`, 2 `rem_s`, 3 `rem_u`; a zero divisor and
/// `i64::MIN / -1` trap as in the inline handlers.
///
/// SAFETY: `Handler`'s contract, for an instruction laid out as
/// `apply_layout` says (binary).
#[inline(never)]
pub(super) unsafe fn div64(
    vm: &mut Vm<'_, '_>,
    pc: Pc,
    regs: Regs,
    start: Pc,
    mem: Mem,
    tbl: Tbl,
    op: u32,
) -> Exit {
    // SAFETY: see the function contract: the operands are registers of the
    // window and the instruction is 4 bytes long.
    unsafe {
        let (a, b) = (rr(pc, regs, 2), rr(pc, regs, 3));
        let (signed, rem) = (op & 1 == 0, op & 2 != 0);
        if b == 0 || (signed && !rem && a == i64::MIN as u64 && b == u64::MAX) {
            return raise(vm, pc, start, div_trap(b == 0));
        }
        // The signed ones through the magnitudes (see `div_s64`): one
        // unsigned division and one remainder for all four.
        let (sa, sb) = (signed && (a as i64) < 0, signed && (b as i64) < 0);
        let (ma, mb) = (
            if sa { a.wrapping_neg() } else { a },
            if sb { b.wrapping_neg() } else { b },
        );
        let (r, neg) = if rem {
            (ma % mb, sa)
        } else {
            (ma / mb, sa != sb)
        };
        wr(pc, regs, 1, if neg { r.wrapping_neg() } else { r });
        next(vm, pc.skip(4), regs, start, mem, tbl)
    }
}

/// The trap of a division whose `$e` gave no result.
pub(super) fn div_trap(by_zero: bool) -> TrapKind {
    if by_zero {
        TrapKind::DivByZero
    } else {
        TrapKind::IntOverflow
    }
}

/// `i64` division (`None`: the trapping operands). Where `OUT_W64` (a 32-bit
/// core, whose 64-bit division is a libgcc routine) through the unsigned
/// division of the magnitudes, as libgcc's `__divdi3` does it itself: the
/// signed routines (2.2 KB) would be linked for `i64.div_s`/`i64.rem_s`
/// alone, the unsigned ones are there anyway.
pub(super) fn div_s64(a: i64, b: i64) -> Option<i64> {
    if OUT_W64 {
        div_s64_unsigned(a, b)
    } else {
        a.checked_div(b)
    }
}

/// `i64` remainder, with the sign of the dividend (`None`: a zero divisor;
/// `i64::MIN % -1` is 0); see `div_s64`.
pub(super) fn rem_s64(a: i64, b: i64) -> Option<i64> {
    if OUT_W64 {
        rem_s64_unsigned(a, b)
    } else {
        (b != 0).then(|| a.wrapping_rem(b))
    }
}

/// `div_s64` through unsigned division.
pub(super) fn div_s64_unsigned(a: i64, b: i64) -> Option<i64> {
    if b == 0 || (a == i64::MIN && b == -1) {
        return None;
    }
    let q = (a.unsigned_abs() / b.unsigned_abs()) as i64;
    Some(if (a < 0) != (b < 0) {
        q.wrapping_neg()
    } else {
        q
    })
}

/// `rem_s64` through unsigned division.
pub(super) fn rem_s64_unsigned(a: i64, b: i64) -> Option<i64> {
    if b == 0 {
        return None;
    }
    let r = (a.unsigned_abs() % b.unsigned_abs()) as i64;
    Some(if a < 0 { r.wrapping_neg() } else { r })
}

pub(super) fn cmp_u(c: bool) -> u64 {
    c as u64
}

/// The handler table, indexed by opcode byte; bytes that are no opcode (the
/// validator rejects them) map to `Invalid`.
macro_rules! handler_table {
    ($($code:literal $name:ident $mnemonic:literal $types:literal { $($field:ident : $kind:ident),* };)*) => {
        /// Handlers by first opcode byte, then (from index 256) the
        /// extended opcodes' by second byte: the escape byte's handler
        /// dispatches through the same table, which travels in a register
        /// (`Tbl`), so an extended opcode costs one lookup more and no
        /// address of a second table.
        const fn handler_table() -> [Handler; O::TABLE_LEN] {
            let mut t: [Handler; O::TABLE_LEN] = [handlers::Invalid as Handler; O::TABLE_LEN];
            $( t[O::$name.table_index()] = handlers::$name; )*
            t[espb_format::opcodes::ESCAPE as usize] = handlers::Escape;
            t
        }
        static HANDLERS: [Handler; O::TABLE_LEN] = handler_table();
        /// `Tbl::jit`'s table: the calls' general paths.
        #[cfg(all(espb_jit, espb_table_arg))]
        static HANDLERS_JIT: [Handler; O::TABLE_LEN] = {
            let mut t = handler_table();
            t[O::Call.code() as usize] = handlers::CallGeneral;
            t[O::CallIndirect.code() as usize] = handlers::CallIndirectGeneral;
            t
        };
    };
}
