//! The interpreter: executes validated bytecode in place.
//!
//! Each opcode has a handler function; the program counter, the register
//! window, the body start and linear memory travel between handlers as
//! arguments (machine registers). Handlers read operands straight from the
//! code bytes (`code::Pc`) and registers without bounds checks
//! (`code::Regs`) — both proved in range by the validator — and dispatch by
//! themselves: threaded code through tail calls in optimised builds, a loop
//! otherwise (see "The engine" below). Module-to-module calls do not recurse
//! on the native stack: frames
//! are records in the context's frame stack and windows in its register
//! stack. Fuel is counted at calls and at backward branches only, and the
//! interrupt flag is looked at every `POLL_TICKS` of them.

use alloc::vec::Vec;
use core::cmp::Ordering::{Equal, Greater, Less};
use core::sync::atomic::{AtomicU16, AtomicU32, AtomicU8, Ordering::Relaxed};

use crate::sync::AtomicBool;

/// 64-bit accesses inline where the target has 64-bit atomics; elsewhere
/// `Atomic64` is a stand-in whose fast path is never taken (`Mem::at`
/// refuses 8-byte accesses), so they go through `LinearMemory`.
#[cfg(target_has_atomic = "64")]
use core::sync::atomic::AtomicU64 as Atomic64;

/// Without 64-bit atomics, an aligned 64-bit access is two relaxed 32-bit
/// halves (as in `memory`: a plain 64-bit access may tear).
#[cfg(not(target_has_atomic = "64"))]
struct Atomic64(*mut u64);

#[cfg(not(target_has_atomic = "64"))]
impl Atomic64 {
    /// SAFETY: `p` is 8-aligned and in bounds of linear memory.
    unsafe fn from_ptr(p: *mut u64) -> Atomic64 {
        Atomic64(p)
    }
    fn halves(&self) -> (&AtomicU32, &AtomicU32) {
        let p = self.0 as *mut u32;
        // SAFETY: `from_ptr`'s contract: both 4-aligned halves are in bounds.
        unsafe { (AtomicU32::from_ptr(p), AtomicU32::from_ptr(p.add(1))) }
    }
    fn load(self, o: core::sync::atomic::Ordering) -> u64 {
        let (lo, hi) = self.halves();
        lo.load(o) as u64 | (hi.load(o) as u64) << 32
    }
    fn store(self, v: u64, o: core::sync::atomic::Ordering) {
        let (lo, hi) = self.halves();
        lo.store(v as u32, o);
        hi.store((v >> 32) as u32, o);
    }
}

use espb_format::{
    AtomicOp, FuncType, Opcode as O, FUNC_REF_BASE, IMPORT_REF_BASE, NATIVE_REF_BASE, NULL_GUARD,
};

use crate::code::{Pc, Regs};
use crate::context::{CallFrame, ExecContext};
use crate::imports::{Caller, Safepoint};
use crate::instance::Inner;
use crate::memory::LinearMemory;
use crate::module::FuncInfo;
use crate::trap::{Frame, StackKind, Trap, TrapKind};

const CALL_LEN: usize = O::Call.fixed_size();
const CALL_IMPORT_LEN: usize = O::CallImport.fixed_size();
const CALL_IMPORT_VAR_LEN: usize = O::CallImportVar.fixed_size();
const CALL_INDIRECT_LEN: usize = O::CallIndirect.fixed_size();

/// Calls `func` with `args` on `ctx`, above whatever is already running on it.
pub(crate) fn call_nested(
    inst: &Inner<'_>,
    ctx: &mut ExecContext,
    func: u32,
    args: &[u64],
) -> Result<Option<u64>, Trap> {
    let info = inst
        .module
        .funcs
        .get(func as usize)
        .ok_or_else(|| Trap::host(alloc::format!("no function f{func}")))?;
    if args.len() != info.params as usize {
        return Err(Trap::host(alloc::format!(
            "function f{func} takes {} argument(s), {} given",
            info.params,
            args.len()
        )));
    }
    // The outermost activation is nesting level 1.
    if ctx.nesting >= ctx.max_nesting {
        return Err(Trap::new(TrapKind::StackOverflow(StackKind::Reentry)));
    }
    let base = ctx.reg_top;
    ctx.ensure_regs(base + (info.regs as usize).max(args.len()))
        .map_err(Trap::new)?;
    ctx.regs[base..base + args.len()].copy_from_slice(args);
    let (saved_top, saved_sp, depth) = (ctx.reg_top, ctx.sp, ctx.frames.len());
    let mut fuel = match inst.take_fuel() {
        Some(f) => f,
        None => return Err(Trap::new(TrapKind::OutOfFuel)),
    };
    ctx.nesting += 1;
    let r = run(inst, ctx, func, base, &mut fuel);
    ctx.nesting -= 1;
    inst.return_fuel(if inst.fuel.is_some() { fuel } else { 0 });
    ctx.frames.truncate(depth);
    ctx.reg_top = saved_top;
    ctx.sp = saved_sp;
    r.map(|()| info.has_result.then(|| ctx.regs[base]))
}

/// Builds a trap located at `offset` in `func`, with the backtrace of `ctx`.
#[cold]
#[inline(never)]
fn trap_at(inst: &Inner<'_>, ctx: &ExecContext, kind: TrapKind, func: u32, offset: u32) -> Trap {
    let mut t = Trap::new(kind);
    locate(inst, ctx, &mut t, func, offset);
    t
}

/// Gives a location-less trap (raised by a host function) the location of
/// its call site.
#[cold]
#[inline(never)]
fn locate(inst: &Inner<'_>, ctx: &ExecContext, t: &mut Trap, func: u32, offset: u32) {
    if t.func.is_some() {
        return;
    }
    let m = inst.module;
    let frame = |func: u32, offset: u32| Frame {
        func,
        func_name: m.func_name(func).map(Into::into),
        offset,
        source: m.source_line(func, offset).map(|(f, l)| (f.into(), l)),
    };
    t.func = Some(func);
    t.func_name = m.func_name(func).map(Into::into);
    t.offset = offset;
    t.source = m.source_line(func, offset).map(|(f, l)| (f.into(), l));
    let mut bt: Vec<Frame> = Vec::with_capacity(ctx.frames.len().min(64));
    bt.push(frame(func, offset));
    // The innermost record is the trapping function itself.
    for fr in ctx.frames.iter().rev().skip(1).take(63) {
        bt.push(frame(fr.func, fr.call_at));
    }
    t.backtrace = bt;
}

/// Reserves the frame of a function entered with stack pointer `sp`.
#[inline(always)]
fn frame_alloc(sp: u32, info: &FuncInfo<'_>, stack_lo: u32) -> Option<u32> {
    let fp = sp.checked_sub(info.frame_size)? & !info.frame_mask;
    if fp < stack_lo {
        None
    } else {
        Some(fp)
    }
}

/// Calls host import `import` with the window at absolute register `abs`.
#[inline(never)]
fn host_call(
    inst: &Inner<'_>,
    ctx: &mut ExecContext,
    import: u32,
    sig: &FuncType,
    abs: usize,
    callee: Option<u64>,
) -> Result<(), Trap> {
    // A native-reference call passes the callee value first.
    let pre = callee.is_some() as usize;
    let n = sig.params.len();
    // Most calls have few arguments: a small buffer is cheap to clear.
    let mut small = [0u64; 4];
    let mut heap_args: Vec<u64> = Vec::new();
    let buf: &mut [u64] = if n + pre <= small.len() {
        &mut small[..n + pre]
    } else {
        heap_args.resize(n + pre, 0);
        &mut heap_args
    };
    if let Some(c) = callee {
        buf[0] = c;
    }
    buf[pre..].copy_from_slice(&ctx.regs[abs..abs + n]);
    finish_host(inst, ctx, import, sig, abs, buf)
}

/// Runs host function `import` (or, for `u32::MAX`, the native-reference
/// handler) and stores its result in the window.
#[inline(always)]
fn finish_host(
    inst: &Inner<'_>,
    ctx: &mut ExecContext,
    import: u32,
    sig: &FuncType,
    abs: usize,
    args: &[u64],
) -> Result<(), Trap> {
    // Borrowed, not cloned: a reference-count update is a critical section
    // on cores without atomics.
    let f = match inst.imports.get(import as usize) {
        Some(f) => &f.f,
        None => match &inst.native_indirect {
            Some(f) => &f.f,
            None => return Err(Trap::host("no native-reference call handler")),
        },
    };
    let mut caller = Caller {
        inst,
        ctx,
        import,
        sig,
    };
    let r = f(&mut caller, args)?;
    if sig.result.is_some() {
        ctx.regs[abs] = r.unwrap_or(0);
    }
    Ok(())
}

#[inline(always)]
fn f32_of(v: u64) -> f32 {
    f32::from_bits(v as u32)
}
#[inline(always)]
fn f64_of(v: u64) -> f64 {
    f64::from_bits(v)
}
#[inline(always)]
fn bf32(v: f32) -> u64 {
    v.to_bits() as u64
}
#[inline(always)]
fn bf64(v: f64) -> u64 {
    v.to_bits()
}

// ---------------------------------------------------------------------------
// The engine.
//
// Every opcode has its own handler function (`h::*`, one per row of the
// opcode table, collected into `HANDLERS`). A handler gets the hot state as
// arguments — the program counter, the register window, the start of the
// running body (for branch targets) and linear memory — so that it stays in
// machine registers, and the rest (`Vm`: frames, stack pointers, fuel, the
// instance) through one pointer.
//
// Two dispatch backends share every handler body:
//
// * tail dispatch (`cfg(espb_tail_dispatch)`, set by `build.rs` for optimised
//   builds on targets whose LLVM backend turns a call in tail position into a
//   jump): a handler ends by looking up the next instruction's handler and
//   calling it in tail position. Each handler thus ends in its own indirect
//   jump (threaded code), which the branch predictor tracks per opcode
//   instead of through one shared dispatch point, and the native stack does
//   not grow from instruction to instruction.
// * loop dispatch (debug builds, other targets): a handler stores the next
//   state in `Vm` and returns `Exit::Continue`; `execute` loops.
//
// Non-terminator handlers look the next handler up before doing their own
// work (the validator proved that a next instruction exists), which hides
// the two dependent loads on in-order cores.
// ---------------------------------------------------------------------------

/// How a handler (and so the whole execution) ended.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Exit {
    /// Loop dispatch only: continue at `Vm::pc`.
    #[cfg_attr(espb_tail_dispatch, allow(dead_code))]
    Continue,
    /// The entry function returned.
    Done,
    /// Execution trapped; the trap is in `Vm::trap`.
    Trap,
}

/// The state of one `run` that is not passed in registers.
pub(crate) struct Vm<'a, 'm> {
    inst: &'a Inner<'m>,
    ctx: &'a mut ExecContext,
    funcs: &'m [FuncInfo<'m>],
    /// The module's canonical type indices (`Module::canon`), for the
    /// signature check of `call.indirect`.
    canon: &'m [u32],
    /// Whether module functions may have compiled code (the JIT is on):
    /// calls then look their callee's entry up, out of line (`enter`).
    #[cfg(espb_jit)]
    jit_on: bool,
    /// The running function, its record, its window base and frame pointer.
    func: u32,
    info: &'m FuncInfo<'m>,
    base: usize,
    fp: u32,
    /// The shadow stack pointer.
    sp: u32,
    stack_lo: u32,
    entry_depth: usize,
    /// Ticks (calls and backward branches) until the next `poll`: at most
    /// `POLL_TICKS`, a word (one decrement on a 32-bit core).
    fuel: u32,
    /// What `fuel` counted down from since the ticks were last handed to
    /// the safepoint hook (or to the context, at a host call).
    slice: u32,
    /// The rest of the fuel taken from the instance.
    reserve: u64,
    interrupt: &'a AtomicBool,
    trap: Option<Trap>,
    /// Where to continue (loop dispatch; also used by the call helpers).
    pc: Pc,
    regs: Regs,
    start: Pc,
    /// Running one instruction for compiled code (`jit_glue::exec_one`):
    /// the sentinel after it ends the run.
    #[cfg(espb_jit)]
    single_step: bool,
}

#[cfg(espb_jit)]
pub(crate) mod jit_glue;

/// An instruction handler. SAFETY contract: `pc` is an instruction start of
/// the validated body beginning at `start`, which is the body of `vm.func`,
/// and `regs` is that function's window (it holds `vm.info.regs` slots).
type Handler = for<'v, 'a, 'm> unsafe fn(&'v mut Vm<'a, 'm>, Pc, Regs, Pc, Mem, Tbl) -> Exit;

/// The handler table as handlers pass it on (`cfg(espb_table_arg)`, see
/// `build.rs`): in a machine register where the calling convention has one
/// to spare (RISC-V: 8 argument registers, the other arguments take 6), so
/// that a dispatch need not rebuild the table's address (`lui` + `addi` in
/// every handler); elsewhere nothing (zero-sized: x86_64 passes 6 arguments
/// in registers and no more, and addresses the table relative to the
/// instruction pointer for free).
#[derive(Clone, Copy)]
struct Tbl(#[cfg(espb_table_arg)] &'static [Handler; 512]);

impl Tbl {
    #[inline(always)]
    fn new() -> Tbl {
        Tbl(
            #[cfg(espb_table_arg)]
            &HANDLERS,
        )
    }

    /// The table of a run with the JIT on (`Vm::jit_on`): every call goes
    /// straight to the general path, which looks the callee's compiled
    /// entry up (the inline path's checks would be spent for nothing).
    /// Without a table register the handlers test `Vm::jit_on` themselves.
    #[cfg(espb_jit)]
    #[inline(always)]
    fn jit() -> Tbl {
        Tbl(
            #[cfg(espb_table_arg)]
            &HANDLERS_JIT,
        )
    }

    #[inline(always)]
    fn handlers(self) -> &'static [Handler; 512] {
        #[cfg(espb_table_arg)]
        {
            self.0
        }
        #[cfg(not(espb_table_arg))]
        {
            &HANDLERS
        }
    }
}

/// The handler of the instruction at `pc`.
///
/// SAFETY: `pc` is an instruction start of a validated body.
#[inline(always)]
unsafe fn fetch(pc: Pc, tbl: Tbl) -> Handler {
    // SAFETY: see the function contract.
    let op = unsafe { pc.opcode() };
    tbl.handlers()[op as usize]
}

/// What a handler learns early about the next instruction
/// (`cfg(espb_prefetch)`, see `build.rs`): its handler, looked up before the
/// handler's own work, which hides two dependent loads on in-order cores
/// with registers to spare (RISC-V, AArch64). On x86_64 the few registers
/// are better spent on the work itself (the out-of-order core overlaps the
/// lookup anyway), and the loop backend looks handlers up in its loop.
#[cfg(espb_prefetch)]
type Next = Handler;
#[cfg(not(espb_prefetch))]
type Next = Later;

/// "Look the next handler up when dispatching."
#[cfg(not(espb_prefetch))]
#[derive(Clone, Copy)]
struct Later;

/// SAFETY: `pc` is an instruction start of a validated body.
#[inline(always)]
unsafe fn prefetch(pc: Pc, tbl: Tbl) -> Next {
    #[cfg(espb_prefetch)]
    {
        // SAFETY: see the function contract.
        unsafe { fetch(pc, tbl) }
    }
    #[cfg(not(espb_prefetch))]
    {
        let _ = (pc, tbl);
        Later
    }
}

/// Continues with the instruction at `pc`; `h` is `prefetch(pc)`.
///
/// SAFETY: the arguments satisfy `Handler`'s contract.
#[inline(always)]
unsafe fn go(
    h: Next,
    vm: &mut Vm<'_, '_>,
    pc: Pc,
    regs: Regs,
    start: Pc,
    mem: Mem,
    tbl: Tbl,
) -> Exit {
    #[cfg(espb_prefetch)]
    {
        // SAFETY: see the function contract.
        unsafe { h(vm, pc, regs, start, mem, tbl) }
    }
    #[cfg(all(espb_tail_dispatch, not(espb_prefetch)))]
    {
        let Later = h;
        // SAFETY: see the function contract.
        unsafe { fetch(pc, tbl)(vm, pc, regs, start, mem, tbl) }
    }
    #[cfg(not(espb_tail_dispatch))]
    {
        let _ = (h, mem, tbl);
        vm.pc = pc;
        vm.regs = regs;
        vm.start = start;
        Exit::Continue
    }
}

/// Continues at `pc`.
///
/// SAFETY: the arguments satisfy `Handler`'s contract.
#[inline(always)]
unsafe fn next(vm: &mut Vm<'_, '_>, pc: Pc, regs: Regs, start: Pc, mem: Mem, tbl: Tbl) -> Exit {
    // SAFETY: see the function contract.
    unsafe { go(prefetch(pc, tbl), vm, pc, regs, start, mem, tbl) }
}

/// Runs from `pc` until the entry function returns or a trap.
///
/// SAFETY: the arguments satisfy `Handler`'s contract.
unsafe fn execute(vm: &mut Vm<'_, '_>, pc: Pc, regs: Regs, start: Pc, mem: Mem, tbl: Tbl) -> Exit {
    #[cfg(espb_tail_dispatch)]
    {
        // SAFETY: see the function contract.
        unsafe { next(vm, pc, regs, start, mem, tbl) }
    }
    #[cfg(not(espb_tail_dispatch))]
    {
        // SAFETY: see the function contract; every handler that returns
        // `Continue` left a valid state in `vm`.
        let mut exit = unsafe { next(vm, pc, regs, start, mem, tbl) };
        while exit == Exit::Continue {
            // SAFETY: `vm.pc` is an instruction start (see above).
            let h = unsafe { fetch(vm.pc, tbl) };
            exit = unsafe { h(vm, vm.pc, vm.regs, vm.start, mem, tbl) };
        }
        exit
    }
}

/// Records a trap at `pc` and stops.
#[cold]
#[inline(never)]
fn raise(vm: &mut Vm<'_, '_>, pc: Pc, start: Pc, kind: TrapKind) -> Exit {
    vm.trap = Some(trap_at(
        vm.inst,
        vm.ctx,
        kind,
        vm.func,
        pc.offset_from(start),
    ));
    Exit::Trap
}

/// Calls and backward branches between two looks at the interrupt flag (and
/// at the instance's fuel budget). Counting down in `Vm::fuel` keeps the hot
/// path of a backward branch to one decrement; an interrupt is seen within
/// this many ticks (microseconds).
const POLL_TICKS: u32 = 1024;

/// Splits a fuel budget into the countdown to the next poll and the rest.
fn split_fuel(budget: u64) -> (u32, u64) {
    let now = budget.min(POLL_TICKS as u64);
    (now as u32, budget - now)
}

/// The countdown reached zero: look at the interrupt flag, then count down
/// again from the reserve, taking more fuel from the instance when it is
/// empty (or trap).
#[cold]
#[inline(never)]
fn poll(vm: &mut Vm<'_, '_>, pc: Pc, start: Pc) -> Option<Exit> {
    if vm.interrupt.load(Relaxed) {
        return Some(raise(vm, pc, start, TrapKind::Interrupted));
    }
    if let Some(hook) = &vm.inst.safepoint {
        // Everything counted since the last report: this countdown and what
        // host calls handed to the context.
        let ticks = (vm.slice as u64).wrapping_add(core::mem::take(&mut vm.ctx.ticks));
        vm.slice = 0;
        if let Err(mut t) = hook(Safepoint::Poll, ticks) {
            locate(vm.inst, vm.ctx, &mut t, vm.func, pc.offset_from(start));
            vm.trap = Some(t);
            return Some(Exit::Trap);
        }
    }
    if vm.reserve == 0 {
        match vm.inst.take_fuel() {
            Some(f) => vm.reserve = f,
            None => return Some(raise(vm, pc, start, TrapKind::OutOfFuel)),
        }
    }
    (vm.fuel, vm.reserve) = split_fuel(vm.reserve);
    vm.slice = vm.fuel;
    #[cfg(espb_jit)]
    if vm.inst.jit.tiering() {
        jit_glue::sample(vm);
    }
    None
}

/// The fuel tick (and, every `POLL_TICKS`, the interrupt check) of calls and
/// backward branches.
#[inline(always)]
fn checkpoint(vm: &mut Vm<'_, '_>, pc: Pc, start: Pc) -> Option<Exit> {
    vm.fuel -= 1;
    if vm.fuel == 0 {
        return poll(vm, pc, start);
    }
    None
}

/// Branches from the instruction at `pc` to body offset `t`.
///
/// SAFETY: `t` is a validated branch target of the body at `start`; the
/// other arguments satisfy `Handler`'s contract.
#[inline(always)]
unsafe fn jump(
    vm: &mut Vm<'_, '_>,
    pc: Pc,
    regs: Regs,
    start: Pc,
    mem: Mem,
    tbl: Tbl,
    t: u32,
) -> Exit {
    // SAFETY: see the function contract.
    let target = unsafe { Pc::at(start, t) };
    if target.not_after(pc) {
        // `checkpoint` in two halves: the countdown inline, the poll in
        // `back_edge`, called in tail position so that the branch handlers
        // need no stack frame.
        vm.fuel -= 1;
        if vm.fuel == 0 {
            vm.pc = target;
            // SAFETY: see the function contract.
            return unsafe { back_edge(vm, pc, regs, start, mem, tbl) };
        }
    }
    // SAFETY: `target` is an instruction start of the running body.
    unsafe { next(vm, target, regs, start, mem, tbl) }
}

/// A backward branch from `pc` to `vm.pc` whose tick ended the countdown
/// (`jump` took it). The target travels in `vm` to keep the arguments in
/// registers (a tail call needs that).
///
/// SAFETY: as `jump`, with `vm.pc` the validated target.
#[cold]
#[inline(never)]
unsafe fn back_edge(
    vm: &mut Vm<'_, '_>,
    pc: Pc,
    regs: Regs,
    start: Pc,
    mem: Mem,
    tbl: Tbl,
) -> Exit {
    let target = vm.pc;
    if let Some(e) = poll(vm, pc, start) {
        return e;
    }
    // Tier-up: continue in the function's compiled code from here.
    #[cfg(espb_jit)]
    if vm.inst.jit.tiering() {
        match tier_resume(vm, target.offset_from(start)) {
            None => {}
            Some(Err(e)) => return e,
            // SAFETY: `tier_resume` left the caller's state in `vm`.
            Some(Ok(())) => return unsafe { next(vm, vm.pc, vm.regs, vm.start, mem, tbl) },
        }
    }
    // SAFETY: see the function contract.
    unsafe { next(vm, target, regs, start, mem, tbl) }
}

const _: () = assert!(NULL_GUARD.is_multiple_of(8));

/// Linear memory as the load and store handlers see it: the host address of
/// module address `NULL_GUARD` and the number of valid bytes from there to
/// `linear_end`, both in machine registers. Built once per `run` from
/// `LinearMemory::host_ptr`, which checked that whole range; the buffer is
/// never moved or resized while the instance lives.
#[derive(Clone, Copy)]
struct Mem {
    lo: *mut u8,
    lim: usize,
}

impl Mem {
    fn new(m: &LinearMemory) -> Mem {
        // A multiple of 8 (the widest access), so that one compare of an
        // aligned address proves the whole access in bounds (`at`); the
        // few bytes of a ragged end take the checked path.
        let lim = m.len().saturating_sub(NULL_GUARD) & !7;
        match m.host_ptr(NULL_GUARD, lim) {
            Ok(lo) if lim > 0 => Mem {
                lo,
                lim: lim as usize,
            },
            // No valid byte: every access takes the checked slow path.
            _ => Mem {
                lo: core::ptr::null_mut(),
                lim: 0,
            },
        }
    }

    /// The host address of module bytes `[ea, ea + N)` if they lie in
    /// `[NULL_GUARD, linear_end)` and `ea` is a multiple of `N`; `None`
    /// otherwise (the caller then takes `LinearMemory`'s checked path, which
    /// handles misaligned accesses and traps).
    #[inline(always)]
    fn at<const N: u32>(self, ea: u32) -> Option<*mut u8> {
        const { assert!(N.is_power_of_two() && N <= 8) };
        // Addresses below the guard wrap to huge values: one compare.
        let rel = ea.wrapping_sub(NULL_GUARD);
        // `NULL_GUARD` is a multiple of 8, so `rel` is aligned as `ea` is.
        if rel & (N - 1) == 0 && (rel as usize) < self.lim {
            // SAFETY: `rel` and `lim` are multiples of `N` (`lim` of 8), so
            // `rel < lim` gives `rel + N <= lim`: the bytes lie inside the
            // range `host_ptr` returned.
            Some(unsafe { self.lo.add(rel as usize) })
        } else {
            None
        }
    }
}

/// Byte offset of operand `field` in an instruction `op` (evaluated at
/// compile time from the opcode table's layout; a misspelt field does not
/// compile).
macro_rules! at {
    ($op:ident . $field:ident) => {
        const { O::$op.offset_of(stringify!($field)) }
    };
}

/// Register operand `k` of the instruction at `pc`.
///
/// SAFETY: `pc` is an instruction start of the running function's validated
/// body whose operand `k` is a register; `regs` is its window.
#[inline(always)]
unsafe fn rr(pc: Pc, regs: Regs, k: usize) -> u64 {
    // SAFETY: see the function contract.
    unsafe { regs.get(pc.u8(k)) }
}

/// Writes `v` to register operand `k` (same contract as `rr`).
#[inline(always)]
unsafe fn wr(pc: Pc, regs: Regs, k: usize, v: u64) {
    // SAFETY: see the function contract.
    unsafe { regs.set(pc.u8(k), v) }
}

/// Writes the `i32`/`f32`/`ptr` result `v` to register operand `k` (same
/// contract as `rr`): only its low 32 bits are defined (`Regs::set32`).
#[inline(always)]
unsafe fn wr32(pc: Pc, regs: Regs, k: usize, v: u32) {
    // SAFETY: see the function contract.
    unsafe { regs.set32(pc.u8(k), v) }
}

/// Whether `op`'s one result is an `i32`, `f32` or `ptr` (its types end in
/// `-> i32`, `-> f32` or `-> ptr`), which `wr32` may write.
const fn narrow_result(op: O) -> bool {
    let t = op.types().as_bytes();
    let n = t.len();
    if n < 6 {
        return false;
    }
    let mut k = 0;
    let tail = b"-> ";
    while k < 3 {
        if t[n - 6 + k] != tail[k] {
            return false;
        }
        k += 1;
    }
    matches!(
        (t[n - 3], t[n - 2], t[n - 1]),
        (b'i', b'3', b'2') | (b'f', b'3', b'2') | (b'p', b't', b'r')
    )
}

/// Writes the result `v` of a one-result instruction `$op` to its `dst`:
/// `wr32` for a narrow result, else the whole slot.
macro_rules! wr_dst {
    ($op:ident, $pc:ident, $regs:ident, $v:expr) => {
        if const { narrow_result(O::$op) } {
            wr32($pc, $regs, at!($op.dst), ($v) as u32)
        } else {
            wr($pc, $regs, at!($op.dst), $v)
        }
    };
}

/// Enters module function `callee` with window base `b` from the call
/// instruction at `pc` (`len` bytes long). On success the callee's state is
/// in `vm.pc`, `vm.regs`, `vm.start`.
#[inline(always)]
fn enter(
    vm: &mut Vm<'_, '_>,
    pc: Pc,
    start: Pc,
    callee: u32,
    b: u8,
    len: usize,
) -> Result<(), Exit> {
    let funcs = vm.funcs;
    let cinfo = &funcs[callee as usize];
    let nbase = vm.base + b as usize;
    let off = pc.offset_from(start);
    if let Some(top) = vm.ctx.frames.last_mut() {
        top.call_at = off;
        top.resume = off + len as u32;
    }
    if let Some(e) = checkpoint(vm, pc, start) {
        return Err(e);
    }
    if let Err(k) = vm.ctx.ensure_regs(nbase + cinfo.regs as usize) {
        return Err(raise(vm, pc, start, k));
    }
    if vm.ctx.frames.len() >= vm.ctx.max_depth {
        return Err(raise(
            vm,
            pc,
            start,
            TrapKind::StackOverflow(StackKind::CallDepth),
        ));
    }
    let Some(nfp) = frame_alloc(vm.sp, cinfo, vm.stack_lo) else {
        return Err(raise(
            vm,
            pc,
            start,
            TrapKind::StackOverflow(StackKind::Shadow),
        ));
    };
    vm.ctx.push_frame(CallFrame {
        func: callee,
        base: nbase as u32,
        fp: nfp,
        saved_sp: vm.sp,
        call_at: 0,
        resume: 0,
    });
    vm.func = callee;
    vm.info = cinfo;
    vm.base = nbase;
    vm.fp = nfp;
    vm.sp = nfp;
    vm.start = Pc::start(cinfo.code);
    vm.pc = vm.start;
    // SAFETY: ensure_regs made `regs[base..base + info.regs]` exist.
    vm.regs = unsafe { Regs::new(&mut vm.ctx.regs, nbase) };
    #[cfg(espb_jit)]
    if let Some(code) = vm.inst.jit.entry(callee) {
        if jit_glue::stack_ok(vm) {
            // Compiled: run it to its return, then continue after the call
            // as the interpreted `ret` would.
            if !crate::jit::exec::run(vm, code) {
                return Err(Exit::Trap);
            }
            if !leave(vm) {
                return Err(Exit::Done);
            }
            // Back in an interpreted caller: continue it in its tier-up
            // code if it has some.
            if vm.inst.jit.tiering() {
                if let Some(r) = tier_resume(vm, vm.pc.offset_from(vm.start)) {
                    return r;
                }
            }
        }
    }
    Ok(())
}

/// The common case of a module-to-module call, inline in the call handlers
/// (`enter` does the same with every case and trap, out of line): the
/// callee is interpreted, the fuel countdown does not end here, and its
/// registers, frame record and shadow frame fit where they are. `None`:
/// one of these does not hold and nothing was changed (the caller then
/// takes the slow path, which checks again and traps or polls). `Some`:
/// the callee's frame is pushed and `vm` describes it; its first
/// instruction and window are returned (passed on in registers, not
/// through `vm`).
///
/// SAFETY: `callee` is a function index of the module (its record is
/// `cinfo`), `b` a validated window base of the running function, and the
/// JIT is off (`Vm::jit_on`: the callee has no compiled code).
#[inline(always)]
unsafe fn enter_fast(
    vm: &mut Vm<'_, '_>,
    pc: Pc,
    start: Pc,
    callee: u32,
    b: u8,
    len: usize,
) -> Option<(Pc, Regs)> {
    // SAFETY: see the function contract.
    let cinfo = unsafe { vm.funcs.get_unchecked(callee as usize) };
    let ctx = &mut *vm.ctx;
    let nbase = vm.base + b as usize;
    let n = ctx.frames.len();
    let nfp = vm.sp.wrapping_sub(cinfo.frame_size) & !cinfo.frame_mask;
    if vm.fuel <= 1
        || nbase + cinfo.regs as usize > ctx.regs.len()
        || n == 0
        || n >= ctx.frame_cap
        || vm.sp < cinfo.frame_size
        || nfp < vm.stack_lo
    {
        return None;
    }
    vm.fuel -= 1;
    let off = pc.offset_from(start);
    let frames = ctx.frames.as_mut_ptr();
    // SAFETY: `0 < n < frame_cap <= capacity`: the caller's record is
    // element `n - 1`, and element `n` is spare capacity, written before
    // the length covers it.
    unsafe {
        let top = &mut *frames.add(n - 1);
        top.call_at = off;
        top.resume = off + len as u32;
        frames.add(n).write(CallFrame {
            func: callee,
            base: nbase as u32,
            fp: nfp,
            saved_sp: vm.sp,
            call_at: 0,
            resume: 0,
        });
        ctx.frames.set_len(n + 1);
    }
    vm.func = callee;
    vm.info = cinfo;
    vm.base = nbase;
    vm.fp = nfp;
    vm.sp = nfp;
    // SAFETY: the check above: `regs[nbase..nbase + cinfo.regs]` exist.
    let regs = unsafe { Regs::new(&mut ctx.regs, nbase) };
    Some((Pc::start(cinfo.code), regs))
}

/// The common case of a return, inline in the return handlers (`leave`
/// does it with every case): the caller is an interpreted function of this
/// run. `None`: it is not, nothing was changed. `Some`: the callee's frame
/// is popped, `vm` describes the caller, whose resumption point, window and
/// body start are returned.
#[inline(always)]
fn leave_fast(vm: &mut Vm<'_, '_>) -> Option<(Pc, Regs, Pc)> {
    let ctx = &mut *vm.ctx;
    let n = ctx.frames.len();
    // After the pop, a frame of this run must remain (`leave`'s test).
    if n <= vm.entry_depth + 1 {
        return None;
    }
    let frames = ctx.frames.as_mut_ptr();
    // SAFETY: `n >= 2`: elements `n - 1` (the callee) and `n - 2` (its
    // caller) exist; the length drops by one.
    let top = unsafe {
        vm.sp = (*frames.add(n - 1)).saved_sp;
        ctx.frames.set_len(n - 1);
        *frames.add(n - 2)
    };
    // SAFETY: frame records hold function indices of the module.
    let info = unsafe { vm.funcs.get_unchecked(top.func as usize) };
    vm.func = top.func;
    vm.info = info;
    vm.base = top.base as usize;
    vm.fp = top.fp;
    let start = Pc::start(info.code);
    // SAFETY: `resume` was recorded just past a validated call instruction,
    // which is never the last one of a body; the caller's window was
    // allocated when it was entered.
    unsafe {
        Some((
            Pc::at(start, top.resume),
            Regs::new(&mut ctx.regs, top.base as usize),
            start,
        ))
    }
}

/// On-stack replacement: the interpreted activation of `vm.func` standing
/// at offset `off` (every module register in its window) continues in the
/// function's tier-up code, to its return, which is completed as the
/// interpreted `ret` does; then the same for the caller it returned to.
/// `None`: no tier-up code for it or no entry at `off` (keep
/// interpreting); `Some(Ok(()))`: continue with the state in `vm.pc`,
/// `vm.regs`, `vm.start`; `Some(Err(e))`: stop with `e`.
#[cfg(espb_jit)]
#[inline(never)]
fn tier_resume(vm: &mut Vm<'_, '_>, mut off: u32) -> Option<Result<(), Exit>> {
    let mut resumed = false;
    while jit_glue::stack_ok(vm) {
        match crate::jit::exec::run_osr(vm, off) {
            None => break,
            Some(false) => return Some(Err(Exit::Trap)),
            Some(true) => {
                resumed = true;
                if !leave(vm) {
                    return Some(Err(Exit::Done));
                }
                off = vm.pc.offset_from(vm.start);
            }
        }
    }
    resumed.then_some(Ok(()))
}

/// Returns from the running function. `Ok(true)`: the caller's state is in
/// `vm.pc`, `vm.regs`, `vm.start`; `Ok(false)`: the entry function returned.
#[inline(always)]
fn leave(vm: &mut Vm<'_, '_>) -> bool {
    if let Some(fr) = vm.ctx.frames.pop() {
        vm.sp = fr.saved_sp;
    }
    if vm.ctx.frames.len() <= vm.entry_depth {
        return false;
    }
    let Some(&top) = vm.ctx.frames.last() else {
        return false;
    };
    vm.func = top.func;
    let funcs = vm.funcs;
    vm.info = &funcs[top.func as usize];
    vm.base = top.base as usize;
    vm.fp = top.fp;
    vm.start = Pc::start(vm.info.code);
    // SAFETY: `resume` was recorded just past a validated call instruction,
    // which is never the last one of a body.
    vm.pc = unsafe { Pc::at(vm.start, top.resume) };
    // SAFETY: the caller's window was allocated when it was entered.
    vm.regs = unsafe { Regs::new(&mut vm.ctx.regs, vm.base) };
    true
}

/// Calls host import `imp` (or, for `u32::MAX`, the native-reference
/// handler with `callee`) with window base `b` from the call instruction at
/// `pc` (`len` bytes long). On success the state to continue with is in
/// `vm.pc`, `vm.regs`, `vm.start`.
#[inline(never)]
#[allow(clippy::too_many_arguments)]
fn host(
    vm: &mut Vm<'_, '_>,
    pc: Pc,
    start: Pc,
    imp: u32,
    sig: &FuncType,
    b: u8,
    len: usize,
    callee: Option<u64>,
) -> Result<(), Exit> {
    let off = pc.offset_from(start);
    if let Some(top) = vm.ctx.frames.last_mut() {
        top.call_at = off;
        top.resume = off + len as u32;
    }
    if let Some(e) = checkpoint(vm, pc, start) {
        return Err(e);
    }
    vm.ctx.sp = vm.sp;
    vm.ctx.reg_top = vm.base + vm.info.regs as usize;
    // The ticks so far go with the call (`Caller::take_ticks`).
    vm.ctx.ticks = vm.ctx.ticks.wrapping_add((vm.slice - vm.fuel) as u64);
    vm.slice = vm.fuel;
    if let Err(mut t) = host_call(vm.inst, vm.ctx, imp, sig, vm.base + b as usize, callee) {
        locate(vm.inst, vm.ctx, &mut t, vm.func, off);
        vm.trap = Some(t);
        return Err(Exit::Trap);
    }
    // SAFETY: the register stack may have grown (moved) during the host
    // call; it still holds this window.
    vm.regs = unsafe { Regs::new(&mut vm.ctx.regs, vm.base) };
    // SAFETY: a call is no terminator: the next instruction exists.
    vm.pc = unsafe { pc.skip(len) };
    vm.start = start;
    Ok(())
}

/// `call.indirect` at `pc` (out of line: its checks and trap values would
/// otherwise keep the handler from ending in a tail call). On success the
/// state to continue with is in `vm.pc`, `vm.regs`, `vm.start`.
///
/// SAFETY: the arguments satisfy `Handler`'s contract and `pc` holds a
/// `call.indirect`.
#[inline(never)]
unsafe fn call_indirect(vm: &mut Vm<'_, '_>, pc: Pc, regs: Regs, start: Pc) -> Result<(), Exit> {
    // SAFETY: operands of a validated `call.indirect` (see the contract).
    let (ty, callee, b) = unsafe {
        (
            pc.u32(at!(CallIndirect.ty)),
            rr(pc, regs, at!(CallIndirect.callee)) as u32,
            pc.u8(at!(CallIndirect.base)),
        )
    };
    let len = CALL_INDIRECT_LEN;
    let m = vm.inst.module;
    let fidx = callee.wrapping_sub(FUNC_REF_BASE);
    let iidx = callee.wrapping_sub(IMPORT_REF_BASE);
    if callee >= FUNC_REF_BASE && (fidx as usize) < vm.funcs.len() {
        if vm.funcs[fidx as usize].canon_ty != m.canon[ty as usize] {
            return Err(raise(
                vm,
                pc,
                start,
                TrapKind::IndirectCallSignature { value: callee },
            ));
        }
        enter(vm, pc, start, fidx, b, len)
    } else if callee >= IMPORT_REF_BASE && (iidx as usize) < m.m.imports.len() {
        let ity = m.m.imports[iidx as usize].ty;
        if m.canon[ity as usize] == m.canon[ty as usize] {
            return host(vm, pc, start, iidx, &m.m.types[ity as usize], b, len, None);
        }
        // A variadic import through a pointer: the translator passes the
        // call site's exact types, as `call.import.var` does.
        let (it, site) = (&m.m.types[ity as usize], &m.m.types[ty as usize]);
        if it.variadic
            && !site.variadic
            && site.result == it.result
            && site.params.starts_with(&it.params)
        {
            return host(vm, pc, start, iidx, site, b, len, None);
        }
        Err(raise(
            vm,
            pc,
            start,
            TrapKind::IndirectCallSignature { value: callee },
        ))
    } else if (NATIVE_REF_BASE..IMPORT_REF_BASE).contains(&callee)
        && vm.inst.native_indirect.is_some()
    {
        host(
            vm,
            pc,
            start,
            u32::MAX,
            &m.m.types[ty as usize],
            b,
            len,
            Some(callee as u64),
        )
    } else {
        Err(raise(
            vm,
            pc,
            start,
            TrapKind::IndirectCallNonFunction { value: callee },
        ))
    }
}

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
type SlowOp = unsafe fn(&LinearMemory, Pc, Regs) -> Result<usize, TrapKind>;

/// Runs slow path `op` and continues after the instruction or traps: the
/// one place the dispatch state is kept around a slow path's work (a slow
/// handler is a tail call to here).
///
/// SAFETY: `Handler`'s contract, and `op` is the slow path of the
/// instruction at `pc`.
#[cold]
#[inline(never)]
unsafe fn slow_op(
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
                        return apply::<{ unary!($read) }, { narrow_result(O::$name) }>(
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

/// A simple instruction's operation (`h::PURE`).
pub(crate) type PureFn = extern "C" fn(u64, u64) -> u64;

/// Where floating point is emulated in software (RV32 without the `F`/`D`
/// extensions), an `f32`/`f64` handler is mostly a call of a libgcc routine,
/// and each such handler saved and restored the dispatch state around it
/// (about 100 bytes of its typical 130). Those handlers run out of line
/// instead (`simple!`'s `[OUT]` rows): one shared `apply` keeps the state
/// around the call of the operation's `pure_fns` function. `OUT_W64`: the
/// 64-bit operations that expand to calls or long sequences on a 32-bit
/// core (bit counts, high multiplies).
const OUT_F32: bool = cfg!(all(target_arch = "riscv32", not(espb_ilp32f)));
const OUT_F64: bool = cfg!(target_arch = "riscv32");
const OUT_W64: bool = cfg!(target_arch = "riscv32");

/// The unsigned conversions between integers and soft floats through the
/// signed ones (`OUT_F32`/`OUT_F64` rows): on RV32 each unsigned libgcc
/// routine (`__floatundidf`, `__fixunsdfdi`, ...: 1.6 KB together) would be
/// linked for one opcode alone, the signed ones are needed anyway. Each
/// gives what Rust's `as` gives (saturating, NaN to 0, one rounding).
mod conv {
    /// 2^63, exact in both formats.
    const TWO63: f64 = 9_223_372_036_854_775_808.0;

    pub(super) fn u32_of_f32(x: f32) -> u32 {
        (x as i64).clamp(0, u32::MAX as i64) as u32
    }

    pub(super) fn u32_of_f64(x: f64) -> u32 {
        (x as i64).clamp(0, u32::MAX as i64) as u32
    }

    // `!(x >= 2^63)`, not `x < 2^63`: NaN takes the first branch.
    #[allow(clippy::neg_cmp_op_on_partial_ord)]
    pub(super) fn u64_of_f64(x: f64) -> u64 {
        // Below 2^63 (and NaN): the signed conversion, negatives to 0.
        if !(x >= TWO63) {
            (x as i64).max(0) as u64
        } else {
            // `x - 2^63` is exact (Sterbenz); 2^64 and above saturate.
            ((x - TWO63) as i64 as u64).saturating_add(1 << 63)
        }
    }

    // `!(x >= 2^63)`, not `x < 2^63`: NaN takes the first branch.
    #[allow(clippy::neg_cmp_op_on_partial_ord)]
    pub(super) fn u64_of_f32(x: f32) -> u64 {
        if !(x >= TWO63 as f32) {
            (x as i64).max(0) as u64
        } else {
            ((x - TWO63 as f32) as i64 as u64).saturating_add(1 << 63)
        }
    }

    /// The signed conversion of a number the compiler must not know to be
    /// non-negative (it would turn the conversion back into the unsigned
    /// routine).
    fn signed(x: u64) -> i64 {
        core::hint::black_box(x as i64)
    }

    /// Halving with the lost bit kept as a sticky bit rounds as the whole
    /// number would; doubling back is exact.
    pub(super) fn f64_of_u64(x: u64) -> f64 {
        if (x as i64) >= 0 {
            signed(x) as f64
        } else {
            (signed(x >> 1 | x & 1) as f64) * 2.0
        }
    }

    pub(super) fn f32_of_u64(x: u64) -> f32 {
        if (x as i64) >= 0 {
            signed(x) as f32
        } else {
            (signed(x >> 1 | x & 1) as f32) * 2.0
        }
    }

    pub(super) fn f64_of_u32(x: u32) -> f64 {
        signed(x.into()) as f64
    }

    pub(super) fn f32_of_u32(x: u32) -> f32 {
        signed(x.into()) as f32
    }
}

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
const fn apply_layout(op: O, unary: bool) -> bool {
    op.offset_of("dst") == 1
        && op.offset_of("a") == 2
        && (unary || op.offset_of("b") == 3)
        && op.fixed_size() == 4
}

/// The out-of-line handler body of a `simple!` row (`UNARY`: operand `a`
/// only; `NARROW`: an `i32`/`f32` result): `dst = f(a, b)`, then the next
/// instruction. The row's handler checked the layout (`apply_layout`).
///
/// SAFETY: `Handler`'s contract, for an instruction laid out as
/// `apply_layout` says.
#[inline(never)]
unsafe fn apply<const UNARY: bool, const NARROW: bool>(
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
        let v = f(a, b);
        if NARROW {
            wr32(pc, regs, 1, v as u32)
        } else {
            wr(pc, regs, 1, v)
        }
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

/// `h::PURE` for compiled code (indexed by opcode byte; `None` is a null
/// word in the C layout of `Option<fn>`).
#[cfg(espb_jit)]
pub(crate) fn pure_table() -> *const Option<PureFn> {
    h::PURE.as_ptr()
}

/// The function computing `op` for compiled code, if it is one of the
/// simple register-operand instructions.
#[cfg(feature = "jit-riscv")]
pub(crate) fn pure_fn(op: O) -> Option<PureFn> {
    if op.code() > 0xff {
        return None;
    }
    h::PURE[op.code() as usize]
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
const fn slow_mem_layout() -> bool {
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
unsafe fn slow_mem(vm: &mut Vm<'_, '_>, pc: Pc, regs: Regs, start: Pc, mem: Mem, tbl: Tbl) -> Exit {
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
            let r = match k / 2 {
                0 => m.load8(ea).map(u64::from),
                1 => m.load16(ea).map(u64::from),
                2 => m.load32(ea).map(u64::from),
                _ => m.load64(ea),
            };
            let v = match r {
                Ok(v) => v,
                Err(e) => return raise(vm, pc, start, e),
            };
            let v = if k.is_multiple_of(2) && k < 6 {
                let shift = 64 - (8 << (k / 2));
                ((v << shift) as i64 >> shift) as u64
            } else {
                v
            };
            wr(pc, regs, 1, v);
        } else {
            let v = rr(pc, regs, 2);
            let r = match k - 7 {
                0 => m.store8(ea, v as u8),
                1 => m.store16(ea, v as u16),
                2 => m.store32(ea, v as u32),
                _ => m.store64(ea, v),
            };
            if let Err(e) = r {
                return raise(vm, pc, start, e);
            }
        }
        next(vm, pc.skip(8), regs, start, mem, tbl)
    }
}

macro_rules! divs {
    ($( $name:ident |$a:ident, $b:ident| $read:ident => $e:expr; )*) => {$(
        handlers! {
            fn $name(vm, pc, regs, start, mem, tbl) {
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

/// The trap of a division whose `$e` gave no result.
fn div_trap(by_zero: bool) -> TrapKind {
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
fn div_s64(a: i64, b: i64) -> Option<i64> {
    if OUT_W64 {
        div_s64_unsigned(a, b)
    } else {
        a.checked_div(b)
    }
}

/// `i64` remainder, with the sign of the dividend (`None`: a zero divisor;
/// `i64::MIN % -1` is 0); see `div_s64`.
fn rem_s64(a: i64, b: i64) -> Option<i64> {
    if OUT_W64 {
        rem_s64_unsigned(a, b)
    } else {
        (b != 0).then(|| a.wrapping_rem(b))
    }
}

/// `div_s64` through unsigned division.
fn div_s64_unsigned(a: i64, b: i64) -> Option<i64> {
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
fn rem_s64_unsigned(a: i64, b: i64) -> Option<i64> {
    if b == 0 {
        return None;
    }
    let r = (a.unsigned_abs() % b.unsigned_abs()) as i64;
    Some(if a < 0 { r.wrapping_neg() } else { r })
}

fn cmp_u(c: bool) -> u64 {
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
        const fn handler_table() -> [Handler; 512] {
            let mut t: [Handler; 512] = [h::Invalid as Handler; 512];
            $( if $code <= 0xff { t[$code & 0xff] = h::$name; } else { t[256 + ($code & 0xff)] = h::$name; } )*
            t[espb_format::opcodes::ESCAPE as usize] = h::Escape;
            t
        }
        static HANDLERS: [Handler; 512] = handler_table();
        /// `Tbl::jit`'s table: the calls' general paths.
        #[cfg(all(espb_jit, espb_table_arg))]
        static HANDLERS_JIT: [Handler; 512] = {
            let mut t = handler_table();
            t[O::Call.code() as usize] = h::CallGeneral;
            t[O::CallIndirect.code() as usize] = h::CallIndirectGeneral;
            t
        };
    };
}
espb_format::for_each_opcode!(handler_table);

/// Rare instructions whose work is a call (software `fma`, the atomics
/// through `LinearMemory`): written as slow paths, so that the dispatch
/// state is kept around that call in `slow_op` only, not in each.
mod rare {
    use super::*;
    slow_handlers! {
        fn F32Fma(m, pc, regs) {
            let (a, b, c) = (f32_of(rr(pc, regs, at!(F32Fma.a))), f32_of(rr(pc, regs, at!(F32Fma.b))), f32_of(rr(pc, regs, at!(F32Fma.c))));
            wr(pc, regs, at!(F32Fma.dst), bf32(libm::fmaf(a, b, c)));
            Ok(const { O::F32Fma.fixed_size() })
        }
        fn F64Fma(m, pc, regs) {
            let (a, b, c) = (f64_of(rr(pc, regs, at!(F64Fma.a))), f64_of(rr(pc, regs, at!(F64Fma.b))), f64_of(rr(pc, regs, at!(F64Fma.c))));
            wr(pc, regs, at!(F64Fma.dst), bf64(libm::fma(a, b, c)));
            Ok(const { O::F64Fma.fixed_size() })
        }
        fn AtomicLoad(m, pc, regs) {
            let v = m.atomic_load(rr(pc, regs, at!(AtomicLoad.addr)) as u32, pc.u8(at!(AtomicLoad.width)))?;
            wr(pc, regs, at!(AtomicLoad.dst), v);
            Ok(const { O::AtomicLoad.fixed_size() })
        }
        fn AtomicStore(m, pc, regs) {
            m.atomic_store(rr(pc, regs, at!(AtomicStore.addr)) as u32, pc.u8(at!(AtomicStore.width)), rr(pc, regs, at!(AtomicStore.src)))?;
            Ok(const { O::AtomicStore.fixed_size() })
        }
        fn AtomicRmw(m, pc, regs) {
            let kind = pc.u8(at!(AtomicRmw.kind));
            // The validator proved the operation field is a known AtomicOp.
            let aop = AtomicOp::from_u8(kind >> 2).unwrap_or(AtomicOp::Xchg);
            let v = m.atomic_rmw(rr(pc, regs, at!(AtomicRmw.addr)) as u32, kind & 3, aop, rr(pc, regs, at!(AtomicRmw.src)))?;
            wr(pc, regs, at!(AtomicRmw.dst), v);
            Ok(const { O::AtomicRmw.fixed_size() })
        }
        fn AtomicCmpxchg(m, pc, regs) {
            let v = m.atomic_cmpxchg(rr(pc, regs, at!(AtomicCmpxchg.addr)) as u32, pc.u8(at!(AtomicCmpxchg.width)), rr(pc, regs, at!(AtomicCmpxchg.expected)), rr(pc, regs, at!(AtomicCmpxchg.new)))?;
            wr(pc, regs, at!(AtomicCmpxchg.dst), v);
            Ok(const { O::AtomicCmpxchg.fixed_size() })
        }
    }
}
/// The handlers, named after the opcodes.
mod h {
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
            tbl.handlers()[256 + pc.u8(1) as usize](vm, pc, regs, start, mem, tbl)
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

    pub(super) use super::rare::{
        AtomicCmpxchg, AtomicLoad, AtomicRmw, AtomicStore, F32Fma, F64Fma,
    };

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
        BrEq64 |a, b| b64x2 => a == b;
        BrNe64 |a, b| b64x2 => a != b;
        BrLtS64 |a, b| b64x2 => (a as i64) < (b as i64);
        BrLtU64 |a, b| b64x2 => a < b;
        BrLeS64 |a, b| b64x2 => (a as i64) <= (b as i64);
        BrLeU64 |a, b| b64x2 => a <= b;
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
        I32Clz |a, b| r64 => (a as u32).leading_zeros() as u64;
        I32Ctz |a, b| r64 => (a as u32).trailing_zeros() as u64;
        I32Popcnt |a, b| r64 => (a as u32).count_ones() as u64;
        I32Bswap |a, b| r64 => (a as u32).swap_bytes() as u64;
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
        I64Shl |a, b| r64x2 => a.wrapping_shl(b as u32);
        I64ShrS |a, b| r64x2 => (a as i64).wrapping_shr(b as u32) as u64;
        I64ShrU |a, b| r64x2 => a.wrapping_shr(b as u32);
        I64Rotl |a, b| r64x2 => a.rotate_left((b & 63) as u32);
        I64Rotr |a, b| r64x2 => a.rotate_right((b & 63) as u32);
        I64Eq |a, b| r64x2 => cmp_u(a == b);
        I64Ne |a, b| r64x2 => cmp_u(a != b);
        I64LtS |a, b| r64x2 => cmp_u((a as i64) < (b as i64));
        I64LtU |a, b| r64x2 => cmp_u(a < b);
        I64LeS |a, b| r64x2 => cmp_u((a as i64) <= (b as i64));
        I64LeU |a, b| r64x2 => cmp_u(a <= b);
        I64GtS |a, b| r64x2 => cmp_u((a as i64) > (b as i64));
        I64GtU |a, b| r64x2 => cmp_u(a > b);
        I64GeS |a, b| r64x2 => cmp_u((a as i64) >= (b as i64));
        I64GeU |a, b| r64x2 => cmp_u(a >= b);
        I64Clz [OUT_W64] |a, b| r64 => a.leading_zeros() as u64;
        I64Ctz [OUT_W64] |a, b| r64 => a.trailing_zeros() as u64;
        I64Popcnt [OUT_W64] |a, b| r64 => a.count_ones() as u64;
        I64Bswap |a, b| r64 => a.swap_bytes();
        I64Eqz |a, b| r64 => cmp_u(a == 0);
        I64Sext8 |a, b| r64 => a as u8 as i8 as i64 as u64;
        I64Sext16 |a, b| r64 => a as u16 as i16 as i64 as u64;
        I64Sext32 |a, b| r64 => a as u32 as i32 as i64 as u64;
        I64Zext32 |a, b| r64 => a as u32 as u64;
        I64MulHS [OUT_W64] |a, b| r64x2 => ((a as i64 as i128 * b as i64 as i128) >> 64) as u64;
        I64MulHU [OUT_W64] |a, b| r64x2 => ((a as u128 * b as u128) >> 64) as u64;
        I64AddI |a, b| r64i => a.wrapping_add(b as i32 as i64 as u64);
        I64ShlI |a, b| r64i => a.wrapping_shl(b);
        I64ShrSI |a, b| r64i => (a as i64).wrapping_shr(b) as u64;
        I64ShrUI |a, b| r64i => a.wrapping_shr(b);

        F32Add |a, b| rf32x2 => bf32(a + b);
        F32Sub |a, b| rf32x2 => bf32(a - b);
        F32Mul |a, b| rf32x2 => bf32(a * b);
        F32Div |a, b| rf32x2 => bf32(a / b);
        F32Min [OUT_F32] |a, b| rf32x2 => bf32(libm::fminf(a, b));
        F32Max [OUT_F32] |a, b| rf32x2 => bf32(libm::fmaxf(a, b));
        F32Copysign |a, b| rf32x2 => bf32(libm::copysignf(a, b));
        F32Abs |a, b| r64 => ((a as u32) & 0x7fff_ffff) as u64;
        F32Neg |a, b| r64 => ((a as u32) ^ 0x8000_0000) as u64;
        F32Sqrt |a, b| r64 => bf32(libm::sqrtf(f32_of(a)));
        F32Floor [OUT_F32] |a, b| r64 => bf32(libm::floorf(f32_of(a)));
        F32Ceil [OUT_F32] |a, b| r64 => bf32(libm::ceilf(f32_of(a)));
        F32Trunc [OUT_F32] |a, b| r64 => bf32(libm::truncf(f32_of(a)));
        F32Nearest [OUT_F32] |a, b| r64 => bf32(libm::rintf(f32_of(a)));
        F32Round [OUT_F32] |a, b| r64 => bf32(libm::roundf(f32_of(a)));
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

        F64Add |a, b| rf64x2 => bf64(a + b);
        F64Sub |a, b| rf64x2 => bf64(a - b);
        F64Mul |a, b| rf64x2 => bf64(a * b);
        F64Div |a, b| rf64x2 => bf64(a / b);
        F64Min [OUT_F64] |a, b| rf64x2 => bf64(libm::fmin(a, b));
        F64Max [OUT_F64] |a, b| rf64x2 => bf64(libm::fmax(a, b));
        F64Copysign |a, b| rf64x2 => bf64(libm::copysign(a, b));
        F64Abs |a, b| r64 => a & 0x7fff_ffff_ffff_ffff;
        F64Neg |a, b| r64 => a ^ 0x8000_0000_0000_0000;
        F64Sqrt |a, b| r64 => bf64(libm::sqrt(f64_of(a)));
        F64Floor [OUT_F64] |a, b| r64 => bf64(libm::floor(f64_of(a)));
        F64Ceil [OUT_F64] |a, b| r64 => bf64(libm::ceil(f64_of(a)));
        F64Trunc [OUT_F64] |a, b| r64 => bf64(libm::trunc(f64_of(a)));
        F64Nearest [OUT_F64] |a, b| r64 => bf64(libm::rint(f64_of(a)));
        F64Round [OUT_F64] |a, b| r64 => bf64(libm::round(f64_of(a)));
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
        I32TruncF32S [OUT_F32] |a, b| r64 => f32_of(a) as i32 as u32 as u64;
        I32TruncF32U [OUT_F32] |a, b| r64 => if OUT_F32 { conv::u32_of_f32(f32_of(a)) } else { f32_of(a) as u32 } as u64;
        I32TruncF64S [OUT_F64] |a, b| r64 => f64_of(a) as i32 as u32 as u64;
        I32TruncF64U [OUT_F64] |a, b| r64 => if OUT_F64 { conv::u32_of_f64(f64_of(a)) } else { f64_of(a) as u32 } as u64;
        I64TruncF32S [OUT_F32] |a, b| r64 => f32_of(a) as i64 as u64;
        I64TruncF32U [OUT_F32] |a, b| r64 => if OUT_F32 { conv::u64_of_f32(f32_of(a)) } else { f32_of(a) as u64 };
        I64TruncF64S [OUT_F64] |a, b| r64 => f64_of(a) as i64 as u64;
        I64TruncF64U [OUT_F64] |a, b| r64 => if OUT_F64 { conv::u64_of_f64(f64_of(a)) } else { f64_of(a) as u64 };
        F32FromI32S [OUT_F32] |a, b| r64 => bf32(a as u32 as i32 as f32);
        F32FromI32U [OUT_F32] |a, b| r64 => bf32(if OUT_F32 { conv::f32_of_u32(a as u32) } else { a as u32 as f32 });
        F32FromI64S [OUT_F32] |a, b| r64 => bf32(a as i64 as f32);
        F32FromI64U [OUT_F32] |a, b| r64 => bf32(if OUT_F32 { conv::f32_of_u64(a) } else { a as f32 });
        F64FromI32S [OUT_F64] |a, b| r64 => bf64(a as u32 as i32 as f64);
        F64FromI32U [OUT_F64] |a, b| r64 => bf64(if OUT_F64 { conv::f64_of_u32(a as u32) } else { a as u32 as f64 });
        F64FromI64S [OUT_F64] |a, b| r64 => bf64(a as i64 as f64);
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
        I64DivS |a, b| r64x2 => div_s64(a as i64, b as i64).map(|v| v as u64);
        I64DivU |a, b| r64x2 => a.checked_div(b);
        I64RemS |a, b| r64x2 => rem_s64(a as i64, b as i64).map(|v| v as u64);
        I64RemU |a, b| r64x2 => a.checked_rem(b);
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
}

fn run(
    inst: &Inner<'_>,
    ctx: &mut ExecContext,
    entry: u32,
    entry_base: usize,
    fuel: &mut u64,
) -> Result<(), Trap> {
    let funcs: &[FuncInfo<'_>] = &inst.module.funcs;
    let info = &funcs[entry as usize];
    let sp = ctx.sp;
    let stack_lo = ctx.stack_lo;
    if ctx.frames.len() >= ctx.max_depth {
        return Err(Trap::new(TrapKind::StackOverflow(StackKind::CallDepth)));
    }
    let Some(fp) = frame_alloc(sp, info, stack_lo) else {
        return Err(Trap::new(TrapKind::StackOverflow(StackKind::Shadow)));
    };
    ctx.push_frame(CallFrame {
        func: entry,
        base: entry_base as u32,
        fp,
        saved_sp: sp,
        call_at: 0,
        resume: 0,
    });
    let start = Pc::start(info.code);
    // SAFETY: call_nested made `regs[base..base + info.regs]` exist.
    let regs = unsafe { Regs::new(&mut ctx.regs, entry_base) };
    let entry_depth = ctx.frames.len() - 1;
    let mut vm = Vm {
        inst,
        ctx,
        funcs,
        canon: &inst.module.canon,
        #[cfg(espb_jit)]
        jit_on: inst.config.jit != crate::JitMode::Off,
        func: entry,
        info,
        base: entry_base,
        fp,
        sp: fp,
        stack_lo,
        entry_depth,
        fuel: split_fuel(*fuel).0,
        slice: split_fuel(*fuel).0,
        reserve: split_fuel(*fuel).1,
        interrupt: &inst.interrupt,
        trap: None,
        pc: start,
        regs,
        start,
        #[cfg(espb_jit)]
        single_step: false,
    };
    #[cfg(espb_jit)]
    let outermost = jit_glue::set_stack_floor(&mut vm);
    #[cfg(espb_jit)]
    let exit = match inst.jit.entry(entry) {
        Some(code) if jit_glue::stack_ok(&vm) => {
            if crate::jit::exec::run(&mut vm, code) {
                leave(&mut vm);
                Exit::Done
            } else {
                Exit::Trap
            }
        }
        // SAFETY: offset 0 of a validated body, the entry function's window.
        _ => {
            let tbl = if vm.jit_on { Tbl::jit() } else { Tbl::new() };
            // SAFETY: as above.
            unsafe { execute(&mut vm, start, regs, start, Mem::new(&inst.mem), tbl) }
        }
    };
    #[cfg(espb_jit)]
    if outermost {
        vm.ctx.jit_floor = 0;
    }
    #[cfg(not(espb_jit))]
    // SAFETY: offset 0 of a validated body, the entry function's window.
    let exit = unsafe { execute(&mut vm, start, regs, start, Mem::new(&inst.mem), Tbl::new()) };
    *fuel = (vm.fuel as u64).saturating_add(vm.reserve);
    if let Some(hook) = &inst.safepoint {
        let ticks = vm.slice.saturating_sub(vm.fuel) as u64;
        let ticks = ticks.wrapping_add(core::mem::take(&mut vm.ctx.ticks));
        // Only a report: the run ends here whatever the hook says.
        let _ = hook(Safepoint::Leave, ticks);
    }
    match exit {
        Exit::Done => Ok(()),
        _ => Err(vm
            .trap
            .take()
            .unwrap_or_else(|| Trap::host("interpreter stopped without a trap"))),
    }
}

#[cfg(all(test, feature = "std"))]
mod tests {
    use crate::{Config, Imports, Instance, Module, TrapKind, Value};

    /// The fused instructions do what their two parts do, in order
    /// (including when a later part reads what an earlier one wrote), on the
    /// inline path and the out-of-line (misaligned, out-of-bounds) one.
    #[test]
    fn fused_instructions() {
        const SRC: &str = r#"
.type (i32, i32) -> i32
.memory data_end 0x1010 heap 0 stack 0x1000
.data 0x1000 "0102030405060708"
.func ty0 regs 8 frame 0 align 0
    mov2 r2, r1, r3, r2
    i32.shladd r4, r5, r0, r3, 2
    ld32_u.add r6, r7, r0, r5, 0
    ld8_u.add r1, r7, r7, r3, 1
    i32.add r6, r6, r1
    i32.add r6, r6, r4
    i32.add r6, r6, r7
    ret r6
.end
.func ty0 regs 4 frame 0 align 0
    ld32_u.add r2, r3, r0, r1, 0
    i32.add r2, r2, r3
    ret r2
.end
.func ty0 regs 4 frame 0 align 0
    ld32_u.shl r2, r1, r1, 2, 0x1000
    i32.add r2, r2, r1
    ret r2
.end
.func ty0 regs 4 frame 0 align 0
    i32.rotl.c r2, r0, r1, 8
    i32.rotl.c r3, r0, r0, 4
    i32.add r2, r2, r3
    ret r2
.end
.func ty0 regs 4 frame 0 align 0
    st8.c r2, r0, 0x1ab, 0x1000
    ld32_u r3, r0, 0x1000
    i32.add r3, r3, r2
    ret r3
.end
.func ty0 regs 4 frame 0 align 0
    ld32_u.mul r2, r0, r0, r1, 0x1000
    i32.shr_u.xor r3, r1, r2, r1, 8
    i32.add r3, r3, r1
    ret r3
.end
.export "seq" f0
.export "load" f1
.export "shl" f2
.export "rotc" f3
.export "st8c" f4
.export "mulxor" f5
"#;
        let bytes = espb_format::AlignedBytes::from(
            espb_format::text::assemble(SRC)
                .expect("assemble")
                .to_bytes(),
        );
        let m = Module::parse(&bytes).expect("parse");
        let inst = Instance::new(&m, &Imports::new(), Config::default()).expect("instance");
        let call = |f: &str, a: i32, b: i32| inst.call(f, &[Value::I32(a), Value::I32(b)]);
        // r2 = 1, r3 = 1, r5 = 4, r4 = 0x1004, r7 = 0x1004 then 0x1005,
        // r6 = 0x08070605, r1 = mem8[0x1006] = 7.
        let want = 0x0807_0605u32 + 7 + 0x1004 + 0x1005;
        assert_eq!(
            call("seq", 0x1000, 1).unwrap(),
            Some(Value::I32(want as i32))
        );
        // Aligned, misaligned (byte-wise path), out of bounds.
        assert_eq!(
            call("load", 0x1000, 4).unwrap(),
            Some(Value::I32(0x0807_0605 + 0x1004))
        );
        assert_eq!(
            call("load", 0x1000, 1).unwrap(),
            Some(Value::I32(0x0504_0302 + 0x1001))
        );
        // ld32_u.shl: r1 = r1 << 2 (written), r2 = mem32[r1 + 0x1000].
        assert_eq!(
            call("shl", 0, 1).unwrap(),
            Some(Value::I32(0x0807_0605 + 4))
        );
        let t = call("shl", 0, -1024).unwrap_err();
        assert_eq!(
            t.kind,
            TrapKind::OutOfBounds {
                addr: 0x1000u32.wrapping_sub(4096),
                size: 4
            }
        );
        // i32.rotl.c: r0 = 8 (written), r2 = rotl(r1, 8); then r0 = 4 is
        // read back as the rotated operand: rotl(4, 4).
        assert_eq!(
            call("rotc", 0, 0x8000_0001u32 as i32).unwrap(),
            Some(Value::I32(0x180 + 0x40))
        );
        // ld32_u.mul: r0 = mem32[r0 + 0x1000] (written), r2 = r0 * r1;
        // i32.shr_u.xor: r1 = r2 >> 8 (written), r3 = r1 ^ r1 = 0.
        // Then misaligned (slow path) and out of bounds.
        let m = 0x0807_0605u32.wrapping_mul(3);
        assert_eq!(
            call("mulxor", 4, 3).unwrap(),
            Some(Value::I32((m >> 8) as i32))
        );
        let m = 0x0605_0403u32.wrapping_mul(3);
        assert_eq!(
            call("mulxor", 2, 3).unwrap(),
            Some(Value::I32((m >> 8) as i32))
        );
        let t = call("mulxor", -0x1000, 3).unwrap_err();
        assert_eq!(t.kind, TrapKind::OutOfBounds { addr: 0, size: 4 });
        let t = call("load", 0x0ffc, 0).unwrap_err();
        assert_eq!(
            t.kind,
            TrapKind::OutOfBounds {
                addr: 0x0ffc,
                size: 4
            }
        );
        // st8.c (last: it writes memory): r2 = 0x1ab (written),
        // mem8[r0 + 0x1000] = 0xab; out of bounds traps.
        assert_eq!(
            call("st8c", 0, 0).unwrap(),
            Some(Value::I32(0x0403_02ab + 0x1ab))
        );
        let t = call("st8c", -0x1000, 0).unwrap_err();
        assert_eq!(t.kind, TrapKind::OutOfBounds { addr: 0, size: 1 });
    }

    /// Every kind of dispatch (straight-line, branches, module, indirect and
    /// host calls, returns, memory) in a loop run on a thread with a small
    /// native stack: if a handler's dispatch were a real call instead of a
    /// jump (tail dispatch, `cargo test --release`), the stack would grow
    /// per instruction and overflow long before the end.
    #[test]
    fn unsigned_conversions_through_signed_ones_match_as() {
        use super::conv;
        let ints: Vec<u64> = [
            0u64,
            1,
            2,
            3,
            0x7f,
            0xff,
            0xffff_ffff,
            0x1_0000_0000,
            0x1234_5678_9abc_def0,
            (1 << 53) - 1,
            1 << 53,
            (1 << 53) + 1,
            (1 << 24) + 1,
            i64::MAX as u64,
            1 << 63,
            (1 << 63) + 1,
            (1 << 63) + (1 << 40) + 1,
            u64::MAX - 1,
            u64::MAX,
            0xffff_ffff_ffff_f800,
            0xffff_ff80_0000_0001,
            0x8000_0080_0000_0001,
        ]
        .into_iter()
        .chain((0..64).flat_map(|k| [1u64 << k, (1u64 << k) - 1, (1u64 << k) | 1, !(1u64 << k)]))
        .collect();
        for &x in &ints {
            let y = x as u32;
            assert_eq!(
                conv::f64_of_u32(y).to_bits(),
                (y as f64).to_bits(),
                "{y:#x}"
            );
            assert_eq!(
                conv::f32_of_u32(y).to_bits(),
                (y as f32).to_bits(),
                "{y:#x}"
            );
            assert_eq!(
                conv::f64_of_u64(x).to_bits(),
                (x as f64).to_bits(),
                "{x:#x}"
            );
            assert_eq!(
                conv::f32_of_u64(x).to_bits(),
                (x as f32).to_bits(),
                "{x:#x}"
            );
        }
        let floats: Vec<f64> = [
            0.0,
            -0.0,
            0.5,
            -0.5,
            0.999,
            -0.999,
            1.0,
            -1.0,
            1.5,
            4294967295.0,
            4294967295.5,
            4294967296.0,
            -4294967296.0,
            9.2e18,
            9223372036854775807.0,
            9223372036854775808.0,
            9223372036854777856.0,
            18_446_744_073_709_549_568.0,
            18446744073709551616.0,
            1e30,
            -1e30,
            f64::MAX,
            f64::MIN,
            f64::INFINITY,
            f64::NEG_INFINITY,
            f64::NAN,
            -f64::NAN,
            f64::MIN_POSITIVE,
            123456789.75,
        ]
        .into_iter()
        .chain((0..70).map(|k| 2f64.powi(k)))
        .chain((0..70).map(|k| 2f64.powi(k) - 1.0))
        .collect();
        for &x in &floats {
            assert_eq!(conv::u64_of_f64(x), x as u64, "{x}");
            assert_eq!(conv::u32_of_f64(x), x as u32, "{x}");
            let y = x as f32;
            assert_eq!(conv::u64_of_f32(y), y as u64, "{y}");
            assert_eq!(conv::u32_of_f32(y), y as u32, "{y}");
        }
    }

    #[test]
    fn signed_division_through_unsigned_matches_the_signed_operations() {
        let vals = [
            0i64,
            1,
            -1,
            2,
            -2,
            3,
            -3,
            7,
            -7,
            10,
            -10,
            1 << 32,
            -(1 << 32),
            0x1234_5678_9abc_def0,
            -0x1234_5678_9abc_def0,
            i64::MAX,
            i64::MIN,
            i64::MAX - 1,
            i64::MIN + 1,
        ];
        for &a in &vals {
            for &b in &vals {
                assert_eq!(super::div_s64_unsigned(a, b), a.checked_div(b), "{a} / {b}");
                let rem = (b != 0).then(|| a.wrapping_rem(b));
                assert_eq!(super::rem_s64_unsigned(a, b), rem, "{a} % {b}");
            }
        }
    }

    #[test]
    fn native_stack_does_not_grow_per_instruction() {
        const SRC: &str = r#"
.type (i32) -> i32
.type (i32, i32) -> i32
.type (f64) -> f64
.import "fabs" ty2
.memory data_end 0x1000 heap 0 stack 0x10000
.func ty0 regs 8 frame 16 align 3
    const32 r1, 0
    func.addr r2, f1
loop:
    mov r4, r0
    mov r5, r1
    call.indirect ty1, r2, r4
    mov r5, r4
    mov r4, r0
    call f1, r4
    mov r1, r4
    frame.addr r3, 0
    st32 r3, r1, 0
    ld32_u r1, r3, 0
    const64 r4, 0
    call.import imp0, r4
    i32.addi r0, r0, -1
    br.nei.i32 r0, 0, loop
    ret r1
.end
.func ty1 regs 3 frame 0 align 0
    i32.add r2, r0, r1
    ret r2
.end
.export "spin" f0
"#;
        let run = || {
            let bytes = espb_format::AlignedBytes::from(
                espb_format::text::assemble(SRC)
                    .expect("assemble")
                    .to_bytes(),
            );
            let m = Module::parse(&bytes).expect("parse");
            let inst = Instance::new(&m, &Imports::new(), Config::default()).expect("instance");
            let n = 20_000u32;
            let r = inst.call("spin", &[Value::I32(n as i32)]).expect("run");
            // r1 += 2 * i for i = n..1
            let want = (1..=n).fold(0u32, |s, i| s.wrapping_add(2 * i));
            assert_eq!(r, Some(Value::I32(want as i32)));
        };
        std::thread::Builder::new()
            .stack_size(256 * 1024)
            .spawn(run)
            .expect("spawn")
            .join()
            .expect("ran without overflowing its stack");
    }
}
