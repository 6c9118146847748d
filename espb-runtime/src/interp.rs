//! The interpreter: executes validated bytecode in place.
//!
//! The hot loop keeps the program counter, the register window, the frame
//! and stack pointers in locals, reads operands straight from the code bytes
//! (`code::Pc`) and registers without bounds checks (`code::Regs`) — both
//! proved in range by the validator — and dispatches with one `match` on the
//! opcode. Module-to-module calls do not recurse on the native stack: frames
//! are records in the context's frame stack and windows in its register
//! stack. Fuel and the interrupt flag are checked at calls and at backward
//! branches only.

use alloc::vec::Vec;
use core::cmp::Ordering::{Equal, Greater, Less};
use core::sync::atomic::Ordering::Relaxed;

use espb_format::{
    AtomicOp, FuncType, Opcode as O, FUNC_REF_BASE, IMPORT_REF_BASE, NATIVE_REF_BASE,
};

use crate::code::{Pc, Regs};
use crate::context::{CallFrame, ExecContext};
use crate::imports::Caller;
use crate::instance::Inner;
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
    let mut small = [0u64; 16];
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
    let f = match inst.imports.get(import as usize) {
        Some(f) => f.f.clone(),
        None => match &inst.native_indirect {
            Some(f) => f.f.clone(),
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

fn run(
    inst: &Inner<'_>,
    ctx: &mut ExecContext,
    entry: u32,
    entry_base: usize,
    fuel_out: &mut u64,
) -> Result<(), Trap> {
    let module = inst.module;
    let funcs: &[FuncInfo<'_>] = &module.funcs;
    let canon: &[u32] = &module.canon;
    let mem = &inst.mem;
    let stack_lo = ctx.stack_lo;
    // Kept in a register; written back wherever `run` returns.
    let mut fuel = *fuel_out;
    let interrupt: &core::sync::atomic::AtomicBool = &inst.interrupt;
    let entry_depth = ctx.frames.len();

    let mut func = entry;
    let mut info = &funcs[func as usize];
    let mut base = entry_base;
    let mut sp = ctx.sp;
    if ctx.frames.len() >= ctx.max_depth {
        return Err(Trap::new(TrapKind::StackOverflow(StackKind::CallDepth)));
    }
    let Some(mut fp) = frame_alloc(sp, info, stack_lo) else {
        return Err(Trap::new(TrapKind::StackOverflow(StackKind::Shadow)));
    };
    ctx.frames.push(CallFrame {
        func,
        base: base as u32,
        fp,
        saved_sp: sp,
        call_at: 0,
        resume: 0,
    });
    sp = fp;
    let mut start = Pc::start(info.code);
    let mut pc = start;
    // SAFETY: call_nested made `regs[base..base + info.regs]` exist.
    let mut regs = unsafe { Regs::new(&mut ctx.regs, base) };

    // Operand access. SAFETY (all of them): `pc` is an instruction start of a
    // validated body, so every operand offset used below lies inside the
    // instruction, and register operands are below the function's `regs`,
    // which the current window holds (see `code`).
    macro_rules! u8_at {
        ($k:expr) => {
            unsafe { pc.u8($k) }
        };
    }
    macro_rules! u32_at {
        ($k:expr) => {
            unsafe { pc.u32($k) }
        };
    }
    macro_rules! i32_at {
        ($k:expr) => {
            unsafe { pc.u32($k) as i32 }
        };
    }
    macro_rules! rd {
        ($k:expr) => {
            unsafe { regs.get(pc.u8($k)) }
        };
    }
    macro_rules! wr {
        ($k:expr, $v:expr) => {{
            let v: u64 = $v;
            unsafe { regs.set(pc.u8($k), v) }
        }};
    }
    macro_rules! next {
        ($op:ident) => {{
            pc = unsafe { pc.skip(const { O::$op.fixed_size() }) };
            continue;
        }};
    }
    macro_rules! here {
        () => {
            pc.offset_from(start)
        };
    }
    macro_rules! trap {
        ($kind:expr) => {{
            *fuel_out = fuel;
            return Err(trap_at(inst, ctx, $kind, func, here!()));
        }};
    }
    macro_rules! try_mem {
        ($e:expr) => {
            match $e {
                Ok(v) => v,
                Err(k) => trap!(k),
            }
        };
    }
    macro_rules! checkpoint {
        () => {{
            if interrupt.load(Relaxed) {
                trap!(TrapKind::Interrupted);
            }
            fuel -= 1;
            if fuel == 0 {
                match inst.take_fuel() {
                    Some(f) => fuel = f,
                    None => trap!(TrapKind::OutOfFuel),
                }
            }
        }};
    }
    // Jump to body offset `$t` (a validated branch target).
    macro_rules! jump {
        ($t:expr) => {{
            let t: u32 = $t;
            let target = unsafe { Pc::at(start, t) };
            if target.not_after(pc) {
                checkpoint!();
            }
            pc = target;
            continue;
        }};
    }
    macro_rules! bin32 {
        ($op:ident, |$a:ident, $b:ident| $e:expr) => {{
            let $a = rd!(2) as u32;
            let $b = rd!(3) as u32;
            wr!(1, ($e) as u64);
            next!($op)
        }};
    }
    macro_rules! imm32 {
        ($op:ident, |$a:ident, $b:ident| $e:expr) => {{
            let $a = rd!(2) as u32;
            let $b = u32_at!(3);
            wr!(1, ($e) as u64);
            next!($op)
        }};
    }
    macro_rules! bin64 {
        ($op:ident, |$a:ident, $b:ident| $e:expr) => {{
            let $a = rd!(2);
            let $b = rd!(3);
            wr!(1, ($e) as u64);
            next!($op)
        }};
    }
    macro_rules! un {
        ($op:ident, |$a:ident| $e:expr) => {{
            let $a = rd!(2);
            wr!(1, ($e) as u64);
            next!($op)
        }};
    }
    macro_rules! binf32 {
        ($op:ident, |$a:ident, $b:ident| $e:expr) => {{
            let $a = f32_of(rd!(2));
            let $b = f32_of(rd!(3));
            wr!(1, bf32($e));
            next!($op)
        }};
    }
    macro_rules! binf64 {
        ($op:ident, |$a:ident, $b:ident| $e:expr) => {{
            let $a = f64_of(rd!(2));
            let $b = f64_of(rd!(3));
            wr!(1, bf64($e));
            next!($op)
        }};
    }
    macro_rules! cmpf32 {
        ($op:ident, |$a:ident, $b:ident| $e:expr) => {{
            let $a = f32_of(rd!(2));
            let $b = f32_of(rd!(3));
            wr!(1, ($e) as u64);
            next!($op)
        }};
    }
    macro_rules! cmpf64 {
        ($op:ident, |$a:ident, $b:ident| $e:expr) => {{
            let $a = f64_of(rd!(2));
            let $b = f64_of(rd!(3));
            wr!(1, ($e) as u64);
            next!($op)
        }};
    }
    macro_rules! br2 {
        (|$a:ident, $b:ident| $e:expr, $op:ident, $t:ty) => {{
            let $a = rd!(1) as $t;
            let $b = rd!(2) as $t;
            if $e {
                jump!(u32_at!(3))
            }
            next!($op)
        }};
    }
    macro_rules! bri {
        (|$a:ident, $b:ident| $e:expr, $op:ident, $t:ty) => {{
            let $a = rd!(1) as u32 as $t;
            let $b = u32_at!(2) as $t;
            if $e {
                jump!(u32_at!(6))
            }
            next!($op)
        }};
    }
    macro_rules! ea {
        () => {
            (rd!(2) as u32).wrapping_add(u32_at!(3))
        };
    }
    // Enter module function `$callee` with window base `$b`; the current
    // instruction is `$len` bytes long.
    macro_rules! enter {
        ($callee:expr, $b:expr, $len:expr) => {{
            let callee: u32 = $callee;
            let cinfo = &funcs[callee as usize];
            let nbase = base + $b as usize;
            let off = here!();
            if let Some(top) = ctx.frames.last_mut() {
                top.call_at = off;
                top.resume = off + $len as u32;
            }
            checkpoint!();
            if let Err(k) = ctx.ensure_regs(nbase + cinfo.regs as usize) {
                trap!(k);
            }
            if ctx.frames.len() >= ctx.max_depth {
                trap!(TrapKind::StackOverflow(StackKind::CallDepth));
            }
            let Some(nfp) = frame_alloc(sp, cinfo, stack_lo) else {
                trap!(TrapKind::StackOverflow(StackKind::Shadow));
            };
            ctx.frames.push(CallFrame {
                func: callee,
                base: nbase as u32,
                fp: nfp,
                saved_sp: sp,
                call_at: 0,
                resume: 0,
            });
            func = callee;
            info = cinfo;
            base = nbase;
            fp = nfp;
            sp = nfp;
            start = Pc::start(info.code);
            pc = start;
            // SAFETY: ensure_regs made `regs[base..base + info.regs]` exist.
            regs = unsafe { Regs::new(&mut ctx.regs, base) };
            continue;
        }};
    }
    // Call host import `$imp` with signature `$sig`, window `$b`.
    macro_rules! host {
        ($imp:expr, $sig:expr, $b:expr, $len:expr, $callee:expr) => {{
            let off = here!();
            if let Some(top) = ctx.frames.last_mut() {
                top.call_at = off;
                top.resume = off + $len as u32;
            }
            checkpoint!();
            ctx.sp = sp;
            ctx.reg_top = base + info.regs as usize;
            if let Err(mut t) = host_call(inst, ctx, $imp, $sig, base + $b as usize, $callee) {
                locate(inst, ctx, &mut t, func, off);
                *fuel_out = fuel;
                return Err(t);
            }
            // SAFETY: the register stack may have grown (moved) during the
            // host call; it still holds this window.
            regs = unsafe { Regs::new(&mut ctx.regs, base) };
            pc = unsafe { pc.skip($len) };
            continue;
        }};
    }

    loop {
        // SAFETY: `pc` is an instruction start of a validated body.
        let op = unsafe { pc.opcode() };
        match op {
            // ---- control ----------------------------------------------------
            O::Unreachable => trap!(TrapKind::Unreachable { code: None }),
            O::Trap => trap!(TrapKind::Unreachable {
                code: Some(u8_at!(1))
            }),
            O::Nop => next!(Nop),
            O::Br => jump!(u32_at!(1)),
            O::BrIf => {
                if rd!(1) as u32 != 0 {
                    jump!(u32_at!(2))
                }
                next!(BrIf)
            }
            O::BrIfNot => {
                if rd!(1) as u32 == 0 {
                    jump!(u32_at!(2))
                }
                next!(BrIfNot)
            }
            O::BrTable => {
                let i = rd!(1) as u32;
                let n = u32_at!(6);
                let t = if i < n {
                    u32_at!(10 + 4 * i as usize)
                } else {
                    u32_at!(2)
                };
                jump!(t)
            }
            O::Ret | O::RetVoid => {
                if op == O::Ret {
                    let v = rd!(1);
                    // SAFETY: r0 exists in every window (regs >= 1).
                    unsafe { regs.set(0, v) };
                }
                let done = ctx.frames.pop();
                if let Some(fr) = done {
                    sp = fr.saved_sp;
                }
                if ctx.frames.len() <= entry_depth {
                    *fuel_out = fuel;
                    return Ok(());
                }
                let Some(&top) = ctx.frames.last() else {
                    *fuel_out = fuel;
                    return Ok(());
                };
                func = top.func;
                info = &funcs[func as usize];
                base = top.base as usize;
                fp = top.fp;
                start = Pc::start(info.code);
                // SAFETY: `resume` was recorded just past a validated call
                // instruction, which is never the last one of a body.
                pc = unsafe { Pc::at(start, top.resume) };
                // SAFETY: the caller's window was allocated when it was entered.
                regs = unsafe { Regs::new(&mut ctx.regs, base) };
                continue;
            }
            O::Call => enter!(u32_at!(1), u8_at!(5), CALL_LEN),
            O::CallImport => {
                let imp = u32_at!(1);
                let sig = &module.m.types[module.m.imports[imp as usize].ty as usize];
                host!(imp, sig, u8_at!(5), CALL_IMPORT_LEN, None)
            }
            O::CallImportVar => {
                let imp = u32_at!(1);
                let sig = &module.m.types[u32_at!(5) as usize];
                host!(imp, sig, u8_at!(9), CALL_IMPORT_VAR_LEN, None)
            }
            O::CallIndirect => {
                let ty = u32_at!(1);
                let callee = rd!(5) as u32;
                let b = u8_at!(6);
                let len = CALL_INDIRECT_LEN;
                let fidx = callee.wrapping_sub(FUNC_REF_BASE);
                let iidx = callee.wrapping_sub(IMPORT_REF_BASE);
                if callee >= FUNC_REF_BASE && (fidx as usize) < funcs.len() {
                    if funcs[fidx as usize].canon_ty != canon[ty as usize] {
                        trap!(TrapKind::IndirectCallSignature { value: callee });
                    }
                    enter!(fidx, b, len)
                } else if callee >= IMPORT_REF_BASE && (iidx as usize) < module.m.imports.len() {
                    let ity = module.m.imports[iidx as usize].ty;
                    if canon[ity as usize] != canon[ty as usize] {
                        trap!(TrapKind::IndirectCallSignature { value: callee });
                    }
                    let sig = &module.m.types[ity as usize];
                    host!(iidx, sig, b, len, None)
                } else if (NATIVE_REF_BASE..IMPORT_REF_BASE).contains(&callee)
                    && inst.native_indirect.is_some()
                {
                    let sig = &module.m.types[ty as usize];
                    host!(u32::MAX, sig, b, len, Some(callee as u64))
                } else {
                    trap!(TrapKind::IndirectCallNonFunction { value: callee })
                }
            }
            O::Select => {
                let v = if rd!(2) as u32 != 0 { rd!(3) } else { rd!(4) };
                wr!(1, v);
                next!(Select)
            }
            O::Mov => {
                wr!(1, rd!(2));
                next!(Mov)
            }
            O::Const32 => {
                wr!(1, i32_at!(2) as i64 as u64);
                next!(Const32)
            }
            O::Const64 => {
                wr!(1, unsafe { pc.u64(2) });
                next!(Const64)
            }
            O::FrameAddr => {
                wr!(1, fp.wrapping_add(u32_at!(2)) as u64);
                next!(FrameAddr)
            }
            O::Alloca => {
                let size = rd!(2) as u32;
                let align = u32_at!(3);
                match sp.checked_sub(size) {
                    Some(v) if v & !(align - 1) >= stack_lo => sp = v & !(align - 1),
                    _ => trap!(TrapKind::StackOverflow(StackKind::Shadow)),
                }
                wr!(1, sp as u64);
                next!(Alloca)
            }
            O::StackSave => {
                wr!(1, sp as u64);
                next!(StackSave)
            }
            O::StackRestore => {
                let v = rd!(1) as u32;
                if v < stack_lo || v > fp {
                    trap!(TrapKind::BadStackRestore { addr: v });
                }
                sp = v;
                next!(StackRestore)
            }
            O::FuncAddr => {
                wr!(1, FUNC_REF_BASE.wrapping_add(u32_at!(2)) as u64);
                next!(FuncAddr)
            }
            O::ImportAddr => {
                wr!(1, IMPORT_REF_BASE.wrapping_add(u32_at!(2)) as u64);
                next!(ImportAddr)
            }

            // ---- fused compare-and-branch -----------------------------------
            O::BrEq32 => br2!(|a, b| a == b, BrEq32, u32),
            O::BrNe32 => br2!(|a, b| a != b, BrNe32, u32),
            O::BrLtS32 => br2!(|a, b| (a as i32) < (b as i32), BrLtS32, u32),
            O::BrLtU32 => br2!(|a, b| a < b, BrLtU32, u32),
            O::BrLeS32 => br2!(|a, b| (a as i32) <= (b as i32), BrLeS32, u32),
            O::BrLeU32 => br2!(|a, b| a <= b, BrLeU32, u32),
            O::BrEq64 => br2!(|a, b| a == b, BrEq64, u64),
            O::BrNe64 => br2!(|a, b| a != b, BrNe64, u64),
            O::BrLtS64 => br2!(|a, b| (a as i64) < (b as i64), BrLtS64, u64),
            O::BrLtU64 => br2!(|a, b| a < b, BrLtU64, u64),
            O::BrLeS64 => br2!(|a, b| (a as i64) <= (b as i64), BrLeS64, u64),
            O::BrLeU64 => br2!(|a, b| a <= b, BrLeU64, u64),
            O::BrEqI32 => bri!(|a, b| a == b, BrEqI32, u32),
            O::BrNeI32 => bri!(|a, b| a != b, BrNeI32, u32),
            O::BrLtSI32 => bri!(|a, b| a < b, BrLtSI32, i32),
            O::BrLtUI32 => bri!(|a, b| a < b, BrLtUI32, u32),
            O::BrGtSI32 => bri!(|a, b| a > b, BrGtSI32, i32),
            O::BrGtUI32 => bri!(|a, b| a > b, BrGtUI32, u32),
            O::BrLeSI32 => bri!(|a, b| a <= b, BrLeSI32, i32),
            O::BrLeUI32 => bri!(|a, b| a <= b, BrLeUI32, u32),
            O::BrGeSI32 => bri!(|a, b| a >= b, BrGeSI32, i32),
            O::BrGeUI32 => bri!(|a, b| a >= b, BrGeUI32, u32),

            // ---- i32 --------------------------------------------------------
            O::I32Add => bin32!(I32Add, |a, b| a.wrapping_add(b)),
            O::I32Sub => bin32!(I32Sub, |a, b| a.wrapping_sub(b)),
            O::I32Mul => bin32!(I32Mul, |a, b| a.wrapping_mul(b)),
            O::I32DivS => {
                let (a, b) = (rd!(2) as u32 as i32, rd!(3) as u32 as i32);
                if b == 0 {
                    trap!(TrapKind::DivByZero)
                }
                if a == i32::MIN && b == -1 {
                    trap!(TrapKind::IntOverflow)
                }
                wr!(1, (a / b) as u32 as u64);
                next!(I32DivS)
            }
            O::I32DivU => {
                let (a, b) = (rd!(2) as u32, rd!(3) as u32);
                if b == 0 {
                    trap!(TrapKind::DivByZero)
                }
                wr!(1, (a / b) as u64);
                next!(I32DivU)
            }
            O::I32RemS => {
                let (a, b) = (rd!(2) as u32 as i32, rd!(3) as u32 as i32);
                if b == 0 {
                    trap!(TrapKind::DivByZero)
                }
                wr!(1, a.wrapping_rem(b) as u32 as u64);
                next!(I32RemS)
            }
            O::I32RemU => {
                let (a, b) = (rd!(2) as u32, rd!(3) as u32);
                if b == 0 {
                    trap!(TrapKind::DivByZero)
                }
                wr!(1, (a % b) as u64);
                next!(I32RemU)
            }
            O::I32And => bin32!(I32And, |a, b| a & b),
            O::I32Or => bin32!(I32Or, |a, b| a | b),
            O::I32Xor => bin32!(I32Xor, |a, b| a ^ b),
            O::I32Shl => bin32!(I32Shl, |a, b| a.wrapping_shl(b)),
            O::I32ShrS => bin32!(I32ShrS, |a, b| (a as i32).wrapping_shr(b) as u32),
            O::I32ShrU => bin32!(I32ShrU, |a, b| a.wrapping_shr(b)),
            O::I32Rotl => bin32!(I32Rotl, |a, b| a.rotate_left(b & 31)),
            O::I32Rotr => bin32!(I32Rotr, |a, b| a.rotate_right(b & 31)),
            O::I32Eq => bin32!(I32Eq, |a, b| a == b),
            O::I32Ne => bin32!(I32Ne, |a, b| a != b),
            O::I32LtS => bin32!(I32LtS, |a, b| (a as i32) < (b as i32)),
            O::I32LtU => bin32!(I32LtU, |a, b| a < b),
            O::I32LeS => bin32!(I32LeS, |a, b| (a as i32) <= (b as i32)),
            O::I32LeU => bin32!(I32LeU, |a, b| a <= b),
            O::I32GtS => bin32!(I32GtS, |a, b| (a as i32) > (b as i32)),
            O::I32GtU => bin32!(I32GtU, |a, b| a > b),
            O::I32GeS => bin32!(I32GeS, |a, b| (a as i32) >= (b as i32)),
            O::I32GeU => bin32!(I32GeU, |a, b| a >= b),
            O::I32Clz => un!(I32Clz, |a| (a as u32).leading_zeros()),
            O::I32Ctz => un!(I32Ctz, |a| (a as u32).trailing_zeros()),
            O::I32Popcnt => un!(I32Popcnt, |a| (a as u32).count_ones()),
            O::I32Bswap => un!(I32Bswap, |a| (a as u32).swap_bytes()),
            O::I32Eqz => un!(I32Eqz, |a| a as u32 == 0),
            O::I32Sext8 => un!(I32Sext8, |a| a as u8 as i8 as i32 as u32),
            O::I32Sext16 => un!(I32Sext16, |a| a as u16 as i16 as i32 as u32),
            O::I32AddI => imm32!(I32AddI, |a, b| a.wrapping_add(b)),
            O::I32MulI => imm32!(I32MulI, |a, b| a.wrapping_mul(b)),
            O::I32AndI => imm32!(I32AndI, |a, b| a & b),
            O::I32OrI => imm32!(I32OrI, |a, b| a | b),
            O::I32XorI => imm32!(I32XorI, |a, b| a ^ b),
            O::I32ShlI => imm32!(I32ShlI, |a, b| a.wrapping_shl(b)),
            O::I32ShrSI => imm32!(I32ShrSI, |a, b| (a as i32).wrapping_shr(b) as u32),
            O::I32ShrUI => imm32!(I32ShrUI, |a, b| a.wrapping_shr(b)),
            O::I32EqI => imm32!(I32EqI, |a, b| a == b),
            O::I32NeI => imm32!(I32NeI, |a, b| a != b),
            O::I32LtSI => imm32!(I32LtSI, |a, b| (a as i32) < (b as i32)),
            O::I32LtUI => imm32!(I32LtUI, |a, b| a < b),
            O::I32GtSI => imm32!(I32GtSI, |a, b| (a as i32) > (b as i32)),
            O::I32GtUI => imm32!(I32GtUI, |a, b| a > b),
            O::I32SubIFrom => imm32!(I32SubIFrom, |a, b| b.wrapping_sub(a)),

            // ---- i64 --------------------------------------------------------
            O::I64Add => bin64!(I64Add, |a, b| a.wrapping_add(b)),
            O::I64Sub => bin64!(I64Sub, |a, b| a.wrapping_sub(b)),
            O::I64Mul => bin64!(I64Mul, |a, b| a.wrapping_mul(b)),
            O::I64DivS => {
                let (a, b) = (rd!(2) as i64, rd!(3) as i64);
                if b == 0 {
                    trap!(TrapKind::DivByZero)
                }
                if a == i64::MIN && b == -1 {
                    trap!(TrapKind::IntOverflow)
                }
                wr!(1, (a / b) as u64);
                next!(I64DivS)
            }
            O::I64DivU => {
                let (a, b) = (rd!(2), rd!(3));
                if b == 0 {
                    trap!(TrapKind::DivByZero)
                }
                wr!(1, a / b);
                next!(I64DivU)
            }
            O::I64RemS => {
                let (a, b) = (rd!(2) as i64, rd!(3) as i64);
                if b == 0 {
                    trap!(TrapKind::DivByZero)
                }
                wr!(1, a.wrapping_rem(b) as u64);
                next!(I64RemS)
            }
            O::I64RemU => {
                let (a, b) = (rd!(2), rd!(3));
                if b == 0 {
                    trap!(TrapKind::DivByZero)
                }
                wr!(1, a % b);
                next!(I64RemU)
            }
            O::I64And => bin64!(I64And, |a, b| a & b),
            O::I64Or => bin64!(I64Or, |a, b| a | b),
            O::I64Xor => bin64!(I64Xor, |a, b| a ^ b),
            O::I64Shl => bin64!(I64Shl, |a, b| a.wrapping_shl(b as u32)),
            O::I64ShrS => bin64!(I64ShrS, |a, b| (a as i64).wrapping_shr(b as u32)),
            O::I64ShrU => bin64!(I64ShrU, |a, b| a.wrapping_shr(b as u32)),
            O::I64Rotl => bin64!(I64Rotl, |a, b| a.rotate_left((b & 63) as u32)),
            O::I64Rotr => bin64!(I64Rotr, |a, b| a.rotate_right((b & 63) as u32)),
            O::I64Eq => bin64!(I64Eq, |a, b| a == b),
            O::I64Ne => bin64!(I64Ne, |a, b| a != b),
            O::I64LtS => bin64!(I64LtS, |a, b| (a as i64) < (b as i64)),
            O::I64LtU => bin64!(I64LtU, |a, b| a < b),
            O::I64LeS => bin64!(I64LeS, |a, b| (a as i64) <= (b as i64)),
            O::I64LeU => bin64!(I64LeU, |a, b| a <= b),
            O::I64GtS => bin64!(I64GtS, |a, b| (a as i64) > (b as i64)),
            O::I64GtU => bin64!(I64GtU, |a, b| a > b),
            O::I64GeS => bin64!(I64GeS, |a, b| (a as i64) >= (b as i64)),
            O::I64GeU => bin64!(I64GeU, |a, b| a >= b),
            O::I64Clz => un!(I64Clz, |a| a.leading_zeros()),
            O::I64Ctz => un!(I64Ctz, |a| a.trailing_zeros()),
            O::I64Popcnt => un!(I64Popcnt, |a| a.count_ones()),
            O::I64Bswap => un!(I64Bswap, |a| a.swap_bytes()),
            O::I64Eqz => un!(I64Eqz, |a| a == 0),
            O::I64Sext8 => un!(I64Sext8, |a| a as u8 as i8 as i64),
            O::I64Sext16 => un!(I64Sext16, |a| a as u16 as i16 as i64),
            O::I64Sext32 => un!(I64Sext32, |a| a as u32 as i32 as i64),
            O::I64Zext32 => un!(I64Zext32, |a| a as u32),
            O::I64MulHS => bin64!(
                I64MulHS,
                |a, b| ((a as i64 as i128 * b as i64 as i128) >> 64) as u64
            ),
            O::I64MulHU => bin64!(I64MulHU, |a, b| ((a as u128 * b as u128) >> 64) as u64),
            O::I64AddI => {
                wr!(1, rd!(2).wrapping_add(i32_at!(3) as i64 as u64));
                next!(I64AddI)
            }
            O::I64AndI => {
                wr!(1, rd!(2) & unsafe { pc.u64(3) });
                next!(I64AndI)
            }
            O::I64ShlI => {
                wr!(1, rd!(2).wrapping_shl(u32_at!(3)));
                next!(I64ShlI)
            }
            O::I64ShrSI => {
                wr!(1, (rd!(2) as i64).wrapping_shr(u32_at!(3)) as u64);
                next!(I64ShrSI)
            }
            O::I64ShrUI => {
                wr!(1, rd!(2).wrapping_shr(u32_at!(3)));
                next!(I64ShrUI)
            }

            // ---- f32 --------------------------------------------------------
            O::F32Add => binf32!(F32Add, |a, b| a + b),
            O::F32Sub => binf32!(F32Sub, |a, b| a - b),
            O::F32Mul => binf32!(F32Mul, |a, b| a * b),
            O::F32Div => binf32!(F32Div, |a, b| a / b),
            O::F32Min => binf32!(F32Min, |a, b| libm::fminf(a, b)),
            O::F32Max => binf32!(F32Max, |a, b| libm::fmaxf(a, b)),
            O::F32Copysign => binf32!(F32Copysign, |a, b| libm::copysignf(a, b)),
            O::F32Abs => un!(F32Abs, |a| (a as u32) & 0x7fff_ffff),
            O::F32Neg => un!(F32Neg, |a| (a as u32) ^ 0x8000_0000),
            O::F32Sqrt => un!(F32Sqrt, |a| bf32(libm::sqrtf(f32_of(a)))),
            O::F32Floor => un!(F32Floor, |a| bf32(libm::floorf(f32_of(a)))),
            O::F32Ceil => un!(F32Ceil, |a| bf32(libm::ceilf(f32_of(a)))),
            O::F32Trunc => un!(F32Trunc, |a| bf32(libm::truncf(f32_of(a)))),
            O::F32Nearest => un!(F32Nearest, |a| bf32(libm::rintf(f32_of(a)))),
            O::F32Round => un!(F32Round, |a| bf32(libm::roundf(f32_of(a)))),
            O::F32Fma => {
                let (a, b, c) = (f32_of(rd!(2)), f32_of(rd!(3)), f32_of(rd!(4)));
                wr!(1, bf32(libm::fmaf(a, b, c)));
                next!(F32Fma)
            }
            O::F32Eq => cmpf32!(F32Eq, |a, b| a == b),
            O::F32Ne => cmpf32!(F32Ne, |a, b| a != b),
            O::F32Lt => cmpf32!(F32Lt, |a, b| a < b),
            O::F32Le => cmpf32!(F32Le, |a, b| a <= b),
            O::F32Gt => cmpf32!(F32Gt, |a, b| a > b),
            O::F32Ge => cmpf32!(F32Ge, |a, b| a >= b),
            O::F32Uno => cmpf32!(F32Uno, |a, b| a.is_nan() || b.is_nan()),
            O::F32Ord => cmpf32!(F32Ord, |a, b| !a.is_nan() && !b.is_nan()),
            O::F32Ueq => cmpf32!(F32Ueq, |a, b| matches!(
                a.partial_cmp(&b),
                None | Some(Equal)
            )),
            O::F32One => cmpf32!(F32One, |a, b| matches!(
                a.partial_cmp(&b),
                Some(Less | Greater)
            )),
            O::F32Ult => cmpf32!(F32Ult, |a, b| matches!(
                a.partial_cmp(&b),
                None | Some(Less)
            )),
            O::F32Ule => cmpf32!(F32Ule, |a, b| matches!(
                a.partial_cmp(&b),
                None | Some(Less | Equal)
            )),
            O::F32Ugt => cmpf32!(F32Ugt, |a, b| matches!(
                a.partial_cmp(&b),
                None | Some(Greater)
            )),
            O::F32Uge => cmpf32!(F32Uge, |a, b| matches!(
                a.partial_cmp(&b),
                None | Some(Greater | Equal)
            )),

            // ---- f64 --------------------------------------------------------
            O::F64Add => binf64!(F64Add, |a, b| a + b),
            O::F64Sub => binf64!(F64Sub, |a, b| a - b),
            O::F64Mul => binf64!(F64Mul, |a, b| a * b),
            O::F64Div => binf64!(F64Div, |a, b| a / b),
            O::F64Min => binf64!(F64Min, |a, b| libm::fmin(a, b)),
            O::F64Max => binf64!(F64Max, |a, b| libm::fmax(a, b)),
            O::F64Copysign => binf64!(F64Copysign, |a, b| libm::copysign(a, b)),
            O::F64Abs => un!(F64Abs, |a| a & 0x7fff_ffff_ffff_ffff),
            O::F64Neg => un!(F64Neg, |a| a ^ 0x8000_0000_0000_0000),
            O::F64Sqrt => un!(F64Sqrt, |a| bf64(libm::sqrt(f64_of(a)))),
            O::F64Floor => un!(F64Floor, |a| bf64(libm::floor(f64_of(a)))),
            O::F64Ceil => un!(F64Ceil, |a| bf64(libm::ceil(f64_of(a)))),
            O::F64Trunc => un!(F64Trunc, |a| bf64(libm::trunc(f64_of(a)))),
            O::F64Nearest => un!(F64Nearest, |a| bf64(libm::rint(f64_of(a)))),
            O::F64Round => un!(F64Round, |a| bf64(libm::round(f64_of(a)))),
            O::F64Fma => {
                let (a, b, c) = (f64_of(rd!(2)), f64_of(rd!(3)), f64_of(rd!(4)));
                wr!(1, bf64(libm::fma(a, b, c)));
                next!(F64Fma)
            }
            O::F64Eq => cmpf64!(F64Eq, |a, b| a == b),
            O::F64Ne => cmpf64!(F64Ne, |a, b| a != b),
            O::F64Lt => cmpf64!(F64Lt, |a, b| a < b),
            O::F64Le => cmpf64!(F64Le, |a, b| a <= b),
            O::F64Gt => cmpf64!(F64Gt, |a, b| a > b),
            O::F64Ge => cmpf64!(F64Ge, |a, b| a >= b),
            O::F64Uno => cmpf64!(F64Uno, |a, b| a.is_nan() || b.is_nan()),
            O::F64Ord => cmpf64!(F64Ord, |a, b| !a.is_nan() && !b.is_nan()),
            O::F64Ueq => cmpf64!(F64Ueq, |a, b| matches!(
                a.partial_cmp(&b),
                None | Some(Equal)
            )),
            O::F64One => cmpf64!(F64One, |a, b| matches!(
                a.partial_cmp(&b),
                Some(Less | Greater)
            )),
            O::F64Ult => cmpf64!(F64Ult, |a, b| matches!(
                a.partial_cmp(&b),
                None | Some(Less)
            )),
            O::F64Ule => cmpf64!(F64Ule, |a, b| matches!(
                a.partial_cmp(&b),
                None | Some(Less | Equal)
            )),
            O::F64Ugt => cmpf64!(F64Ugt, |a, b| matches!(
                a.partial_cmp(&b),
                None | Some(Greater)
            )),
            O::F64Uge => cmpf64!(F64Uge, |a, b| matches!(
                a.partial_cmp(&b),
                None | Some(Greater | Equal)
            )),

            // ---- conversions (Rust `as` saturates and maps NaN to 0) --------
            O::I32TruncF32S => un!(I32TruncF32S, |a| f32_of(a) as i32 as u32),
            O::I32TruncF32U => un!(I32TruncF32U, |a| f32_of(a) as u32),
            O::I32TruncF64S => un!(I32TruncF64S, |a| f64_of(a) as i32 as u32),
            O::I32TruncF64U => un!(I32TruncF64U, |a| f64_of(a) as u32),
            O::I64TruncF32S => un!(I64TruncF32S, |a| f32_of(a) as i64),
            O::I64TruncF32U => un!(I64TruncF32U, |a| f32_of(a) as u64),
            O::I64TruncF64S => un!(I64TruncF64S, |a| f64_of(a) as i64),
            O::I64TruncF64U => un!(I64TruncF64U, |a| f64_of(a) as u64),
            O::F32FromI32S => un!(F32FromI32S, |a| bf32(a as u32 as i32 as f32)),
            O::F32FromI32U => un!(F32FromI32U, |a| bf32(a as u32 as f32)),
            O::F32FromI64S => un!(F32FromI64S, |a| bf32(a as i64 as f32)),
            O::F32FromI64U => un!(F32FromI64U, |a| bf32(a as f32)),
            O::F64FromI32S => un!(F64FromI32S, |a| bf64(a as u32 as i32 as f64)),
            O::F64FromI32U => un!(F64FromI32U, |a| bf64(a as u32 as f64)),
            O::F64FromI64S => un!(F64FromI64S, |a| bf64(a as i64 as f64)),
            O::F64FromI64U => un!(F64FromI64U, |a| bf64(a as f64)),
            O::F64PromoteF32 => un!(F64PromoteF32, |a| bf64(f32_of(a) as f64)),
            O::F32DemoteF64 => un!(F32DemoteF64, |a| bf32(f64_of(a) as f32)),

            // ---- memory -----------------------------------------------------
            O::Load8S => {
                let v = try_mem!(mem.load8(ea!()));
                wr!(1, v as i8 as i64 as u64);
                next!(Load8S)
            }
            O::Load8U => {
                let v = try_mem!(mem.load8(ea!()));
                wr!(1, v as u64);
                next!(Load8U)
            }
            O::Load16S => {
                let v = try_mem!(mem.load16(ea!()));
                wr!(1, v as i16 as i64 as u64);
                next!(Load16S)
            }
            O::Load16U => {
                let v = try_mem!(mem.load16(ea!()));
                wr!(1, v as u64);
                next!(Load16U)
            }
            O::Load32S => {
                let v = try_mem!(mem.load32(ea!()));
                wr!(1, v as i32 as i64 as u64);
                next!(Load32S)
            }
            O::Load32U => {
                let v = try_mem!(mem.load32(ea!()));
                wr!(1, v as u64);
                next!(Load32U)
            }
            O::Load64 => {
                let v = try_mem!(mem.load64(ea!()));
                wr!(1, v);
                next!(Load64)
            }
            O::Store8 => {
                let a = (rd!(1) as u32).wrapping_add(u32_at!(3));
                try_mem!(mem.store8(a, rd!(2) as u8));
                next!(Store8)
            }
            O::Store16 => {
                let a = (rd!(1) as u32).wrapping_add(u32_at!(3));
                try_mem!(mem.store16(a, rd!(2) as u16));
                next!(Store16)
            }
            O::Store32 => {
                let a = (rd!(1) as u32).wrapping_add(u32_at!(3));
                try_mem!(mem.store32(a, rd!(2) as u32));
                next!(Store32)
            }
            O::Store64 => {
                let a = (rd!(1) as u32).wrapping_add(u32_at!(3));
                try_mem!(mem.store64(a, rd!(2)));
                next!(Store64)
            }
            O::MemCopy | O::MemMove => {
                try_mem!(mem.copy(rd!(1) as u32, rd!(2) as u32, rd!(3) as u32));
                next!(MemCopy)
            }
            O::MemFill => {
                try_mem!(mem.fill(rd!(1) as u32, rd!(2) as u8, rd!(3) as u32));
                next!(MemFill)
            }

            // ---- atomics ----------------------------------------------------
            O::AtomicLoad => {
                let v = try_mem!(mem.atomic_load(rd!(2) as u32, u8_at!(3)));
                wr!(1, v);
                next!(AtomicLoad)
            }
            O::AtomicStore => {
                try_mem!(mem.atomic_store(rd!(1) as u32, u8_at!(3), rd!(2)));
                next!(AtomicStore)
            }
            O::AtomicRmw => {
                let kind = u8_at!(4);
                // The validator proved the operation field is a known AtomicOp.
                let aop = AtomicOp::from_u8(kind >> 2).unwrap_or(AtomicOp::Xchg);
                let v = try_mem!(mem.atomic_rmw(rd!(2) as u32, kind & 3, aop, rd!(3)));
                wr!(1, v);
                next!(AtomicRmw)
            }
            O::AtomicCmpxchg => {
                let v = try_mem!(mem.atomic_cmpxchg(rd!(2) as u32, u8_at!(5), rd!(3), rd!(4)));
                wr!(1, v);
                next!(AtomicCmpxchg)
            }
            O::Fence => {
                core::sync::atomic::fence(core::sync::atomic::Ordering::SeqCst);
                next!(Fence)
            }
        }
    }
}
