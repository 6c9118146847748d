//! Calls and returns: entering module functions, host and native
//! imports, indirect calls.

use super::*;

/// Reserves the frame of a function entered with stack pointer `sp`.
#[inline(always)]
pub(super) fn frame_alloc(sp: u32, info: &FuncInfo<'_>, stack_lo: u32) -> Option<u32> {
    let fp = sp.checked_sub(info.frame_size)? & !info.frame_mask;
    if fp < stack_lo {
        None
    } else {
        Some(fp)
    }
}

/// Calls host import `import` with the window at absolute register `abs`.
#[inline(never)]
pub(super) fn host_call(
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
pub(super) fn finish_host(
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

/// Enters module function `callee` with window base `b` from the call
/// instruction at `pc` (`len` bytes long). On success the callee's state is
/// in `vm.pc`, `vm.regs`, `vm.start`. Out of line: one copy for the slow
/// paths of `call` and `call.indirect` (their common case is `enter_fast`).
/// Inline where the JIT is built: compiled code sends every
/// `call.indirect` through `call_indirect` (sort executed 2.5 % more
/// instructions with one copy).
#[cfg_attr(not(espb_jit), inline(never))]
#[cfg_attr(espb_jit, inline(always))]
pub(super) fn enter(
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
pub(super) unsafe fn enter_fast(
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
pub(super) fn leave_fast(vm: &mut Vm<'_, '_>) -> Option<(Pc, Regs, Pc)> {
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
pub(super) fn tier_resume(vm: &mut Vm<'_, '_>, mut off: u32) -> Option<Result<(), Exit>> {
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
pub(super) fn leave(vm: &mut Vm<'_, '_>) -> bool {
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
pub(super) fn host(
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
    if let Err(t) = host_call(vm.inst, vm.ctx, imp, sig, vm.base + b as usize, callee) {
        return Err(stop_with(vm, t, off));
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
pub(super) unsafe fn call_indirect(
    vm: &mut Vm<'_, '_>,
    pc: Pc,
    regs: Regs,
    start: Pc,
) -> Result<(), Exit> {
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
    let mismatch = TrapKind::IndirectCallSignature { value: callee };
    // The host function to call (import, signature, native callee), or
    // the trap: one `host` call and one `raise` for every case.
    let target = if callee >= FUNC_REF_BASE && (fidx as usize) < vm.funcs.len() {
        if vm.funcs[fidx as usize].canon_ty == m.canon[ty as usize] {
            return enter(vm, pc, start, fidx, b, len);
        }
        Err(mismatch)
    } else if callee >= IMPORT_REF_BASE && (iidx as usize) < m.m.imports.len() {
        let ity = m.m.imports[iidx as usize].ty;
        let (it, site) = (&m.m.types[ity as usize], &m.m.types[ty as usize]);
        if m.canon[ity as usize] == m.canon[ty as usize] {
            Ok((iidx, it, None))
        } else if it.variadic
            && !site.variadic
            && site.result == it.result
            && site.params.starts_with(&it.params)
        {
            // A variadic import through a pointer: the translator passes
            // the call site's exact types, as `call.import.var` does.
            Ok((iidx, site, None))
        } else {
            Err(mismatch)
        }
    } else if (NATIVE_REF_BASE..IMPORT_REF_BASE).contains(&callee)
        && vm.inst.native_indirect.is_some()
    {
        Ok((u32::MAX, &m.m.types[ty as usize], Some(callee as u64)))
    } else {
        Err(TrapKind::IndirectCallNonFunction { value: callee })
    };
    match target {
        Ok((imp, sig, native)) => host(vm, pc, start, imp, sig, b, len, native),
        Err(k) => Err(raise(vm, pc, start, k)),
    }
}
