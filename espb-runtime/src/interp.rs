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
    let Some(info) =
        (inst.module.funcs.get(func as usize)).filter(|info| args.len() == info.params as usize)
    else {
        return Err(bad_call(inst, func, args.len()));
    };
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

/// The trap of a call of `func` with `given` arguments that `call_nested`
/// refused: no such function, or another number of parameters (cold, one
/// call site for both).
#[cold]
#[inline(never)]
fn bad_call(inst: &Inner<'_>, func: u32, given: usize) -> Trap {
    Trap::host(match inst.module.funcs.get(func as usize) {
        None => crate::instance::no_function(func),
        Some(info) => espb_format::text!(
            "function f{} takes {} argument(s), {} given",
            func,
            info.params,
            given
        ),
    })
}

/// Stops the run with trap `t`, given the location `offset` in the
/// running function and the backtrace of the context unless it has one
/// (raised by a host function, it has none). One copy of the store into
/// `Vm::trap` for every trap site.
#[cold]
#[inline(never)]
fn stop_with(vm: &mut Vm<'_, '_>, mut t: Trap, offset: u32) -> Exit {
    locate(vm.inst, vm.ctx, &mut t, vm.func, offset);
    vm.trap = Some(t);
    Exit::Trap
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
        func_name: boxed(m.func_name(func)),
        offset,
        source: m
            .source_line(func, offset)
            .and_then(|(f, l)| Some((boxed(Some(f))?, l))),
    };
    // The innermost record is the trapping function itself, then its
    // callers at their calls (one loop: one inlined copy of `frame`); the
    // trap's own location is a copy of the first frame (one lookup of name
    // and line).
    let callers = ctx.frames.iter().rev().skip(1).take(63);
    let mut bt: Vec<Frame> = Vec::with_capacity(ctx.frames.len().min(64));
    for (f, o) in core::iter::once((func, offset)).chain(callers.map(|fr| (fr.func, fr.call_at))) {
        bt.push(frame(f, o));
    }
    if let Some(inner) = bt.first() {
        t.func_name = boxed(inner.func_name.as_deref());
        t.source = (inner.source.as_ref()).and_then(|(f, l)| Some((boxed(Some(f))?, *l)));
    }
    t.func = Some(func);
    t.offset = offset;
    t.backtrace = bt;
}

/// A name's own copy (one out-of-line copy of the allocation for the
/// frames' and the trap's names).
#[inline(never)]
fn boxed(s: Option<&str>) -> Option<alloc::boxed::Box<str>> {
    s.map(Into::into)
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
// Every opcode has its own handler function (`handlers::*`, one per row of the
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
struct Tbl(#[cfg(espb_table_arg)] &'static [Handler; O::TABLE_LEN]);

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
    fn handlers(self) -> &'static [Handler; O::TABLE_LEN] {
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

// Macro modules first: `macro_rules!` scope is textual.
#[macro_use]
mod operands;
#[macro_use]
mod families;
mod calls;
mod conv;
mod dispatch;
mod fmath;
mod handlers;
mod mem;
mod rare;
#[cfg(all(test, feature = "std"))]
mod tests;

use calls::*;
use dispatch::*;
#[cfg(feature = "jit-riscv")]
pub(crate) use families::pure_fn;
use families::*;
#[cfg(espb_jit)]
pub(crate) use families::{pure_table, PureFn};
use mem::*;
use operands::*;

espb_format::for_each_opcode!(handler_table);

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
