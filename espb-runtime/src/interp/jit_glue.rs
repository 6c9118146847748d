//! What compiled code (`jit::exec`) needs of the interpreter: its state, one
//! instruction run by the interpreter's own handler (calls, traps, floating
//! point, anything the backend emits as a helper call), and the poll of
//! backward branches. Everything here is the interpreter's code path, so
//! compiled code traps, calls and polls exactly as interpreted code does.

use super::*;
use crate::code::copy_pc;

/// The instance's compiled code.
pub(crate) fn code<'v>(vm: &Vm<'v, '_>) -> &'v crate::jit::exec::Code {
    &vm.inst.jit
}

/// The running function's register window.
pub(crate) fn window(vm: &mut Vm<'_, '_>) -> *mut u64 {
    vm.ctx.regs.as_mut_ptr().wrapping_add(vm.base)
}

pub(crate) fn frame_pointer(vm: &Vm<'_, '_>) -> u32 {
    vm.fp
}

/// The fuel countdown (at most `POLL_TICKS`).
pub(crate) fn fuel(vm: &Vm<'_, '_>) -> u32 {
    vm.fuel
}

pub(crate) fn set_fuel(vm: &mut Vm<'_, '_>, f: u32) {
    vm.fuel = f;
}

/// The native stack pointer. Read from the register: taking a local's
/// address would give the handlers that inline `stack_ok` a stack object
/// and cost them their tail calls (the native stack would grow per call).
#[inline(always)]
fn stack_here() -> usize {
    let sp: usize;
    // SAFETY: reads the stack pointer register; no memory access.
    unsafe { core::arch::asm!("mv {}, sp", out(reg) sp, options(nomem, nostack, preserves_flags)) };
    sp
}

/// Sets the context's native stack floor if no module code runs on it yet;
/// `true` if this call set it (and must clear it).
pub(crate) fn set_stack_floor(vm: &mut Vm<'_, '_>) -> bool {
    if vm.ctx.jit_floor != 0 {
        return false;
    }
    let budget = vm.inst.config.jit_stack_budget as usize;
    vm.ctx.jit_floor = stack_here().saturating_sub(budget).max(1);
    true
}

/// Native stack bytes above the JIT's floor here (0 if none).
pub(crate) fn stack_room(vm: &Vm<'_, '_>) -> usize {
    stack_here().saturating_sub(vm.ctx.jit_floor)
}

/// One past the last slot of the register stack.
pub(crate) fn regs_end(vm: &mut Vm<'_, '_>) -> *mut u64 {
    let n = vm.ctx.regs.len();
    vm.ctx.regs.as_mut_ptr().wrapping_add(n)
}

/// Frames that may still be pushed before a call overflows the call depth.
pub(crate) fn depth_left(vm: &Vm<'_, '_>) -> usize {
    vm.ctx.max_depth.saturating_sub(vm.ctx.frames.len())
}

/// Makes the frame of a direct call between compiled functions: `call
/// callee, b` at offset `off` of the running function, as the
/// interpreter's `enter` makes it (the running function records the call,
/// the callee's frame starts at the shadow stack pointer: its frame size is
/// 0), without the checks compiled code made before the call.
///
/// SAFETY: `off` is the offset of a validated `call callee, b` of the
/// running function, the callee's frame size is 0 and its alignment 1, the
/// call depth allows one more frame, and the register stack holds the
/// callee's window.
pub(crate) unsafe fn push_direct(vm: &mut Vm<'_, '_>, callee: u32, b: u32, off: u32) {
    let funcs = vm.funcs;
    let cinfo = &funcs[callee as usize];
    if let Some(top) = vm.ctx.frames.last_mut() {
        top.call_at = off;
        top.resume = off + CALL_LEN as u32;
    }
    let nbase = vm.base + b as usize;
    vm.ctx.frames.push(CallFrame {
        func: callee,
        base: nbase as u32,
        fp: vm.sp,
        saved_sp: vm.sp,
        call_at: 0,
        resume: 0,
    });
    vm.func = callee;
    vm.info = cinfo;
    vm.base = nbase;
    vm.fp = vm.sp;
    vm.start = Pc::start(cinfo.code);
}

/// A direct callee whose frame `push_direct` made returned: pop it, as
/// `leave` does, back to its compiled caller.
pub(crate) fn pop_direct(vm: &mut Vm<'_, '_>) {
    if let Some(fr) = vm.ctx.frames.pop() {
        vm.sp = fr.saved_sp;
    }
    let Some(&top) = vm.ctx.frames.last() else {
        return;
    };
    vm.func = top.func;
    let funcs = vm.funcs;
    vm.info = &funcs[top.func as usize];
    vm.base = top.base as usize;
    vm.fp = top.fp;
    vm.start = Pc::start(vm.info.code);
}

/// Whether compiled code may be entered here (else the callee is
/// interpreted, which takes no native stack per call).
#[inline(always)]
pub(crate) fn stack_ok(vm: &Vm<'_, '_>) -> bool {
    stack_here() > vm.ctx.jit_floor
}

/// Runs the instruction copy at `copy` as the interpreter would in the
/// running function (a call runs its callee to its return). `false`: it
/// trapped (the trap is in `vm.trap`).
///
/// SAFETY: `copy` is an instruction copy (`code::copy_pc`) the compiler
/// made from the body of `vm.func`, whose frame is the innermost one.
pub(crate) unsafe fn exec_one(vm: &mut Vm<'_, '_>, copy: *const u8) -> bool {
    // SAFETY: see the function contract.
    let (pc, start) = unsafe { copy_pc(copy) };
    let saved = (
        vm.func,
        vm.info,
        vm.base,
        vm.fp,
        vm.entry_depth,
        vm.single_step,
    );
    // A callee's return ends the run at this frame; so does the sentinel.
    vm.entry_depth = vm.ctx.frames.len();
    vm.single_step = true;
    // SAFETY: the running function's window was allocated when it was
    // entered and the register stack has not moved since (`Regs::new` is
    // taken afresh here).
    let regs = unsafe { Regs::new(&mut vm.ctx.regs, vm.base) };
    let mem = Mem::new(&vm.inst.mem);
    // SAFETY: `pc` is a complete validated instruction (a copy) followed by
    // the sentinel, `regs` the running function's window.
    let exit = unsafe { execute(vm, pc, regs, start, mem, Tbl::jit()) };
    (
        vm.func,
        vm.info,
        vm.base,
        vm.fp,
        vm.entry_depth,
        vm.single_step,
    ) = saved;
    vm.start = Pc::start(vm.info.code);
    exit == Exit::Done
}

/// The fuel countdown ran out at the backward branch at offset `off`:
/// look at the interrupt flag and refill, as `poll` does. `false`: trapped.
pub(crate) fn poll_at(vm: &mut Vm<'_, '_>, off: u32) -> bool {
    let start = Pc::start(vm.info.code);
    // SAFETY: `off` is the offset of a validated branch instruction of the
    // running body (compiled code passes its own).
    let pc = unsafe { Pc::at(start, off) };
    poll(vm, pc, start).is_none()
}

/// `call callee, b` at offset `off` of the running function, as the
/// interpreter's `call` handler does it, run to the callee's return.
/// `false`: it trapped.
///
/// SAFETY: `off` is the offset of a validated `call callee, b` of the
/// running function, whose frame is the innermost one.
pub(crate) unsafe fn call(vm: &mut Vm<'_, '_>, callee: u32, b: u8, off: u32) -> bool {
    let start = Pc::start(vm.info.code);
    // SAFETY: see the function contract.
    let pc = unsafe { Pc::at(start, off) };
    let saved = (vm.func, vm.info, vm.base, vm.fp, vm.entry_depth);
    // The callee's return ends the run here.
    vm.entry_depth = vm.ctx.frames.len();
    let ok = match enter(vm, pc, start, callee, b, CALL_LEN) {
        // A compiled callee ran to its return (or trapped).
        Err(e) => e == Exit::Done,
        Ok(()) => {
            let mem = Mem::new(&vm.inst.mem);
            // SAFETY: `enter` left the callee's start and window in `vm`.
            unsafe { execute(vm, vm.pc, vm.regs, vm.start, mem, Tbl::jit()) == Exit::Done }
        }
    };
    (vm.func, vm.info, vm.base, vm.fp, vm.entry_depth) = saved;
    vm.start = start;
    ok
}

/// The running function.
pub(crate) fn func(vm: &Vm<'_, '_>) -> u32 {
    vm.func
}

/// Frames a poll looks through for the innermost interpreted function.
const SAMPLE_DEPTH: usize = 8;

/// Tier-up's profile (a poll passed): the innermost interpreted function
/// on the frame stack — the running one, or the caller of compiled code —
/// is where the time since the last poll went (it, or compiled code it
/// called), so it is counted, and tiered up past `Config::jit_tier_up`.
/// Compiling runs here, on this thread's native stack, so only within the
/// JIT's stack budget.
#[cold]
#[inline(never)]
pub(crate) fn sample(vm: &mut Vm<'_, '_>) {
    let code = code(vm);
    let func = core::iter::once(vm.func)
        .chain(vm.ctx.frames.iter().rev().skip(1).map(|f| f.func))
        .take(SAMPLE_DEPTH)
        .find(|&f| code.entry(f).is_none());
    if let Some(f) = func {
        if stack_ok(vm) {
            code.sample(&vm.inst.module.m, f);
        }
    }
}
