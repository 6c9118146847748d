//! Dispatch: fetching the next handler, tail calls or the loop, traps,
//! fuel polls and branches.

use super::*;

/// The handler of the instruction at `pc`.
///
/// SAFETY: `pc` is an instruction start of a validated body.
#[inline(always)]
pub(super) unsafe fn fetch(pc: Pc, tbl: Tbl) -> Handler {
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
pub(super) type Next = Handler;
#[cfg(not(espb_prefetch))]
pub(super) type Next = Later;

/// "Look the next handler up when dispatching."
#[cfg(not(espb_prefetch))]
#[derive(Clone, Copy)]
pub(super) struct Later;

/// SAFETY: `pc` is an instruction start of a validated body.
#[inline(always)]
pub(super) unsafe fn prefetch(pc: Pc, tbl: Tbl) -> Next {
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
pub(super) unsafe fn go(
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
pub(super) unsafe fn next(
    vm: &mut Vm<'_, '_>,
    pc: Pc,
    regs: Regs,
    start: Pc,
    mem: Mem,
    tbl: Tbl,
) -> Exit {
    // SAFETY: see the function contract.
    unsafe { go(prefetch(pc, tbl), vm, pc, regs, start, mem, tbl) }
}

/// Runs from `pc` until the entry function returns or a trap.
///
/// SAFETY: the arguments satisfy `Handler`'s contract.
pub(super) unsafe fn execute(
    vm: &mut Vm<'_, '_>,
    pc: Pc,
    regs: Regs,
    start: Pc,
    mem: Mem,
    tbl: Tbl,
) -> Exit {
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
pub(super) fn raise(vm: &mut Vm<'_, '_>, pc: Pc, start: Pc, kind: TrapKind) -> Exit {
    stop_with(vm, Trap::new(kind), pc.offset_from(start))
}

/// Calls and backward branches between two looks at the interrupt flag (and
/// at the instance's fuel budget). Counting down in `Vm::fuel` keeps the hot
/// path of a backward branch to one decrement; an interrupt is seen within
/// this many ticks (microseconds).
pub(super) const POLL_TICKS: u32 = 1024;

/// Splits a fuel budget into the countdown to the next poll and the rest.
pub(super) fn split_fuel(budget: u64) -> (u32, u64) {
    let now = budget.min(POLL_TICKS as u64);
    (now as u32, budget - now)
}

/// The countdown reached zero: look at the interrupt flag, then count down
/// again from the reserve, taking more fuel from the instance when it is
/// empty (or trap).
#[cold]
#[inline(never)]
pub(super) fn poll(vm: &mut Vm<'_, '_>, pc: Pc, start: Pc) -> Option<Exit> {
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
pub(super) fn checkpoint(vm: &mut Vm<'_, '_>, pc: Pc, start: Pc) -> Option<Exit> {
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
pub(super) unsafe fn jump(
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
pub(super) unsafe fn back_edge(
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
