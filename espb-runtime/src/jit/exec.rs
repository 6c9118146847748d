//! Running compiled code (riscv32 with `jit-riscv`): executable memory from
//! the platform, the entry glue, and the helpers compiled code calls back.
//!
//! The platform supplies executable memory through two C functions (the
//! only platform interface of the JIT):
//!
//! ```c
//! // `size` bytes that can be written, then executed. Returns the address
//! // to execute at and stores the address to write through in `*write`
//! // (the same on chips whose buses share one mapping); NULL if none.
//! void *espb_jit_exec_alloc(size_t size, void **write);
//! void espb_jit_exec_free(void *exec, size_t size);
//! ```
//!
//! On ESP-IDF: `heap_caps_malloc(size, MALLOC_CAP_EXEC)`, which needs
//! memory protection off (`docs/runtime.md`); in the qemu runner an
//! anonymous RWX `mmap`.

use alloc::boxed::Box;
use alloc::vec::Vec;
use core::ffi::c_void;
use core::sync::atomic::Ordering::{Acquire, Relaxed, Release};

use crate::sync::{AtomicPtr, AtomicU32, AtomicUsize};

use super::{compile_module, Plan};
use crate::config::JitMode;
use crate::interp::{jit_glue, Vm};
use crate::memory::LinearMemory;

extern "C" {
    fn espb_jit_exec_alloc(size: usize, write: *mut *mut u8) -> *mut u8;
    fn espb_jit_exec_free(exec: *mut u8, size: usize);
}

/// The compiled functions of one instance: those compiled when it was
/// built, in one executable block, and those tiered up while it runs
/// (`tier_up`), each in a block of its own.
pub(crate) struct Code {
    exec: *mut u8,
    size: usize,
    /// Entry address per function, 0 for none; bit 0 set for a function
    /// tiered up while running (another thread wrote it: `run` makes its
    /// fetches see the code first), bit 1 for one that makes direct calls
    /// (its entry works out their room).
    entries: Vec<AtomicUsize>,
    /// Direct-call entry per function (`jit::compile`'s calling convention
    /// between compiled functions), 0 for none: only functions compiled
    /// when the instance was built (immutable after `build`, so no thread
    /// can see code its instruction fetches do not); a call of any other
    /// function from compiled code takes the interpreter's call path.
    direct: Vec<usize>,
    /// Host address of module address `NULL_GUARD` and the fast-path bound
    /// (linear memory never moves).
    mem: *mut u8,
    lim: u32,
    pub plan: Vec<Plan>,
    /// Tier-up (`Config::jit_tier_up`): polls counted per function, its
    /// state, and the function's code once tiered up.
    tier_after: u32,
    tier_budget: usize,
    tier_used: AtomicUsize,
    polls: Vec<AtomicU32>,
    state: Vec<AtomicU32>,
    tiered: Vec<AtomicPtr<Tiered>>,
}

/// A function's tier-up state (`Code::state`).
const IDLE: u32 = 0;
const BUSY: u32 = 1;
const READY: u32 = 2;
/// The backend refused it, or the budget or the platform had no
/// executable memory for it: interpreted for good (tried once).
const REFUSED: u32 = 3;

/// A function compiled while the instance runs.
pub(crate) struct Tiered {
    exec: *mut u8,
    size: usize,
    /// The on-stack-replacement entry and, by bytecode offset, where it
    /// resumes (`jit::compile::compile_osr`).
    osr_entry: usize,
    osr: Vec<(u32, u32)>,
    bytes: usize,
    stats: super::Stats,
}

impl Tiered {
    /// The code address to resume an activation standing at bytecode
    /// offset `off` at.
    fn resume(&self, off: u32) -> Option<usize> {
        let k = self.osr.binary_search_by_key(&off, |&(o, _)| o).ok()?;
        Some(self.exec as usize + self.osr[k].1 as usize)
    }
}

// SAFETY: the blocks are written once (in `build`, or by the one thread
// that tiers a function up, before publishing it with `Release`) and only
// executed after; every thread may run them.
unsafe impl Send for Code {}
// SAFETY: as above.
unsafe impl Sync for Code {}

impl Drop for Code {
    fn drop(&mut self) {
        if !self.exec.is_null() {
            // SAFETY: allocated by `espb_jit_exec_alloc` with this size, and
            // no thread runs module code once the instance is dropped.
            unsafe { espb_jit_exec_free(self.exec, self.size) }
        }
        for t in &self.tiered {
            let p = t.load(Acquire);
            if !p.is_null() {
                // SAFETY: `p` came from `Box::into_raw` in `tier_up` and is
                // dropped once, here; its block was allocated with its size
                // and no module code runs any more.
                unsafe {
                    let t = Box::from_raw(p);
                    espb_jit_exec_free(t.exec, t.size);
                }
            }
        }
    }
}

/// Why no executable memory could be had.
pub(crate) struct NoExecMemory(pub usize);

/// Places `image` in a new executable block; `None` if the platform has
/// no memory for it.
fn place(image: &[u8]) -> Option<(*mut u8, usize)> {
    let size = image.len().next_multiple_of(16);
    let mut write: *mut u8 = core::ptr::null_mut();
    // SAFETY: a plain call of the platform hook.
    let exec = unsafe { espb_jit_exec_alloc(size, &mut write) };
    if exec.is_null() {
        return None;
    }
    if write.is_null() || !(exec as usize).is_multiple_of(4) || !(write as usize).is_multiple_of(4)
    {
        // SAFETY: just allocated with this size, never used.
        unsafe { espb_jit_exec_free(exec, size) };
        return None;
    }
    // SAFETY: `write` is `size` writable bytes, 4-aligned.
    unsafe { write_words(write, image) };
    fence_i();
    Some((exec, size))
}

/// Writes `image` at `write` with 32-bit stores (instruction RAM takes no
/// narrower ones).
///
/// # Safety
/// `write` is 4-aligned with `image.len()` rounded up to 4 writable bytes.
unsafe fn write_words(write: *mut u8, image: &[u8]) {
    for (k, w) in image.chunks(4).enumerate() {
        let mut word = [0u8; 4];
        word[..w.len()].copy_from_slice(w);
        // SAFETY: the function contract.
        unsafe { (write.add(4 * k) as *mut u32).write_volatile(u32::from_le_bytes(word)) };
    }
}

/// `fence.i`: instruction fetches on this core see the stores before it.
fn fence_i() {
    // SAFETY: `fence.i` (Zifencei, encoded as a word for assemblers without
    // the extension) only orders instruction fetches after earlier stores.
    unsafe { core::arch::asm!(".4byte 0x0000100f", options(nostack)) };
}

impl Code {
    /// Compiles what `mode` selects and places it in executable memory.
    pub fn build(
        m: &espb_format::Module<'_>,
        config: &crate::Config,
        mem: &LinearMemory,
    ) -> Result<Code, NoExecMemory> {
        let mode = config.jit;
        let n = m.functions.len();
        let mut code = Code {
            exec: core::ptr::null_mut(),
            size: 0,
            entries: Vec::new(),
            direct: Vec::new(),
            mem: core::ptr::null_mut(),
            lim: 0,
            plan: Vec::new(),
            tier_after: 0,
            tier_budget: 0,
            tier_used: AtomicUsize::new(0),
            polls: Vec::new(),
            state: Vec::new(),
            tiered: Vec::new(),
        };
        // Compiled code needs room for its fast-path bound (8 bytes).
        let lim = mem.len().saturating_sub(espb_format::NULL_GUARD);
        let lo = match mem.host_ptr(espb_format::NULL_GUARD, lim) {
            Ok(p) if lim >= 8 => p,
            _ => return Ok(code),
        };
        (code.mem, code.lim) = (lo, lim - 8);
        let compiled = compile_module(m, mode);
        let mut size = 0usize;
        for c in &compiled {
            code.plan.push(match c {
                None => Plan::Interpreted,
                Some(Ok(c)) => {
                    size += c.image.len().next_multiple_of(16);
                    Plan::Compiled {
                        bytes: c.image.len(),
                        stats: c.stats,
                    }
                }
                Some(Err(r)) => Plan::Refused(r.clone()),
            });
        }
        code.entries = (0..n).map(|_| AtomicUsize::new(0)).collect();
        code.direct = alloc::vec![0; n];
        if mode != JitMode::Off && config.jit_tier_up > 0 {
            code.tier_after = config.jit_tier_up;
            code.tier_budget = config.jit_tier_up_bytes as usize;
            code.polls = (0..n).map(|_| AtomicU32::new(0)).collect();
            // Compiled or refused already: never tiered up.
            code.state = compiled
                .iter()
                .map(|c| AtomicU32::new(if c.is_some() { REFUSED } else { IDLE }))
                .collect();
            code.tiered = (0..n)
                .map(|_| AtomicPtr::new(core::ptr::null_mut()))
                .collect();
        }
        if size == 0 {
            return Ok(code);
        }
        let mut write: *mut u8 = core::ptr::null_mut();
        // SAFETY: a plain call of the platform hook.
        let exec = unsafe { espb_jit_exec_alloc(size, &mut write) };
        if exec.is_null()
            || write.is_null()
            || !(exec as usize).is_multiple_of(4)
            || !(write as usize).is_multiple_of(4)
        {
            return Err(NoExecMemory(size));
        }
        (code.exec, code.size) = (exec, size);
        let mut at = 0usize;
        for (f, c) in compiled.iter().enumerate() {
            if let Some(Ok(c)) = c {
                // SAFETY: `at + len <= size` (the block holds every image
                // rounded up to 16 bytes), `write + at` 4-aligned.
                unsafe { write_words(write.add(at), &c.image) };
                let calls = if c.stats.direct > 0 { 2 } else { 0 };
                code.entries[f].store(exec as usize + at + calls, Relaxed);
                code.direct[f] = exec as usize + at + c.direct_entry;
                at += c.image.len().next_multiple_of(16);
            }
        }
        fence_i();
        Ok(code)
    }

    #[inline(always)]
    pub fn entry(&self, func: u32) -> Option<usize> {
        match self.entries.get(func as usize)?.load(Relaxed) {
            0 => None,
            e => Some(e),
        }
    }

    /// Whether tier-up is on.
    #[inline(always)]
    pub fn tiering(&self) -> bool {
        self.tier_after != 0
    }

    /// A poll found `func` the innermost interpreted function: count it,
    /// and tier it up when it has been found `Config::jit_tier_up` times.
    pub fn sample(&self, m: &espb_format::Module<'_>, func: u32) {
        let (Some(p), Some(s)) = (self.polls.get(func as usize), self.state.get(func as usize))
        else {
            return;
        };
        if s.load(Relaxed) != IDLE {
            return;
        }
        // A racy count (a lost increment only delays the tier-up).
        let n = p.load(Relaxed).saturating_add(1);
        p.store(n, Relaxed);
        if n >= self.tier_after {
            self.tier_up(m, func);
        }
    }

    /// Compiles `func` (once: the first thread to get here does it) and
    /// publishes its code; on a refusal or no executable memory it stays
    /// interpreted.
    fn tier_up(&self, m: &espb_format::Module<'_>, func: u32) {
        let s = &self.state[func as usize];
        if s.compare_exchange(IDLE, BUSY, Acquire, Relaxed).is_err() {
            return;
        }
        let done = match super::compile::compile_osr(m, func) {
            Ok(c) => self.publish(func, c),
            Err(_) => false,
        };
        s.store(if done { READY } else { REFUSED }, Release);
    }

    fn publish(&self, func: u32, c: super::Compiled) -> bool {
        let size = c.image.len().next_multiple_of(16);
        // Reserve the bytes in the budget first.
        let mut used = self.tier_used.load(Relaxed);
        loop {
            if used + size > self.tier_budget {
                return false;
            }
            match self
                .tier_used
                .compare_exchange(used, used + size, Relaxed, Relaxed)
            {
                Ok(_) => break,
                Err(u) => used = u,
            }
        }
        let Some((exec, size)) = place(&c.image) else {
            self.tier_used.fetch_sub(size, Relaxed);
            return false;
        };
        let t = Box::new(Tiered {
            exec,
            size,
            osr_entry: exec as usize + c.osr_entry.unwrap_or(0),
            osr: c.osr,
            bytes: c.image.len(),
            stats: c.stats,
        });
        self.tiered[func as usize].store(Box::into_raw(t), Release);
        self.entries[func as usize].store(exec as usize | 1, Release);
        true
    }

    /// `func`'s tier-up code, if it has been tiered up.
    #[inline]
    pub fn tiered(&self, func: u32) -> Option<&Tiered> {
        let p = self.tiered.get(func as usize)?.load(Acquire);
        // SAFETY: published by `publish`, freed only when `self` drops.
        unsafe { p.as_ref() }
    }

    /// The functions tiered up so far: index, machine-code bytes,
    /// statistics.
    pub fn tiered_up(&self) -> Vec<(u32, usize, super::Stats)> {
        (0..self.tiered.len() as u32)
            .filter_map(|f| self.tiered(f).map(|t| (f, t.bytes, t.stats)))
            .collect()
    }
}

/// Direct calls a compiled function can have pending (entered, their
/// interpreter frames not made yet) per entry of compiled code; a deeper
/// call takes the interpreter's call path (which enters compiled code
/// afresh, with room for as many again).
pub(crate) const SITES: usize = 32;

/// What compiled code sees (`jit::compile::env` has the offsets). One per
/// entry of compiled code from the interpreter (`run`); the direct calls
/// between compiled functions (`jit::compile`, "direct calls") share it.
#[repr(C)]
pub(crate) struct Env {
    /// The window of the innermost activation whose frame is made (set by
    /// `enter` and after every helper).
    regs: *mut u64,
    mem: *mut u8,
    lim: u32,
    fuel: u32,
    fp: u32,
    exec: extern "C" fn(*mut Env, *const u8) -> u32,
    poll: extern "C" fn(*mut Env, u32) -> u32,
    call: extern "C" fn(*mut Env, u32, u32, u32) -> u32,
    /// `interp::PURE`, by opcode byte.
    pure: *const Option<crate::interp::PureFn>,
    vm: *mut c_void,
    /// Where an on-stack-replacement entry continues (`run_osr`).
    resume: usize,
    /// End of the register stack (a direct call's callee window must end
    /// below it; the interpreter's call path grows the stack).
    regs_end: *mut u64,
    /// The direct calls entered and not returned: `sites[..]` up to `top`
    /// (exclusive), each the address of its call site's descriptor
    /// (`[callee, window base, bytecode offset]` words in the caller's
    /// image). Those below `mat` have their interpreter frames made
    /// (`sync`); `end` bounds `top` by `SITES` and the call depth left.
    top: *mut usize,
    end: *mut usize,
    mat: *mut usize,
    /// `Code::direct`.
    table: *const usize,
    /// The direct callee whose frame was made returned (`helper_ret`).
    ret: extern "C" fn(*mut Env),
    sites: [core::mem::MaybeUninit<usize>; SITES],
}

const _: () = {
    use super::compile::env;
    assert!(core::mem::offset_of!(Env, regs) == env::REGS as usize);
    assert!(core::mem::offset_of!(Env, mem) == env::MEM as usize);
    assert!(core::mem::offset_of!(Env, lim) == env::LIM as usize);
    assert!(core::mem::offset_of!(Env, fuel) == env::FUEL as usize);
    assert!(core::mem::offset_of!(Env, fp) == env::FP as usize);
    assert!(core::mem::offset_of!(Env, exec) == env::EXEC as usize);
    assert!(core::mem::offset_of!(Env, poll) == env::POLL as usize);
    assert!(core::mem::offset_of!(Env, call) == env::CALL as usize);
    assert!(core::mem::offset_of!(Env, pure) == env::PURE as usize);
    assert!(core::mem::offset_of!(Env, resume) == env::RESUME as usize);
    assert!(core::mem::offset_of!(Env, regs_end) == env::REGS_END as usize);
    assert!(core::mem::offset_of!(Env, top) == env::TOP as usize);
    assert!(core::mem::offset_of!(Env, end) == env::END as usize);
    assert!(core::mem::offset_of!(Env, mat) == env::MAT as usize);
    assert!(core::mem::offset_of!(Env, table) == env::TABLE as usize);
    assert!(core::mem::offset_of!(Env, ret) == env::RET as usize);
};

/// Runs the compiled code at `entry` for the function `vm` has just
/// entered (its frame pushed, its window allocated). `true`: it returned;
/// `false`: it trapped (the trap is in `vm.trap`). Never inlined: the
/// interpreter's call handlers must keep no stack object (`env`) of their
/// own, or they lose their tail calls.
#[inline(never)]
pub(crate) fn run(vm: &mut Vm<'_, '_>, entry: usize) -> bool {
    enter(vm, entry, 0)
}

/// Continues the activation of `vm.func` standing at bytecode offset `off`
/// (its window holds every module register) in `func`'s tier-up code, to
/// its return. `None`: no such code or no entry at `off` (keep
/// interpreting); else as `run`.
#[inline(never)]
pub(crate) fn run_osr(vm: &mut Vm<'_, '_>, off: u32) -> Option<bool> {
    let t = jit_glue::code(vm).tiered(jit_glue::func(vm))?;
    let resume = t.resume(off)?;
    let entry = t.osr_entry;
    Some(enter(vm, entry | 1, resume))
}

#[inline(always)]
fn enter(vm: &mut Vm<'_, '_>, entry: usize, resume: usize) -> bool {
    if entry & 1 != 0 {
        // Tiered up, perhaps by another thread: see its stores, then make
        // this core's instruction fetches see them.
        core::sync::atomic::fence(Acquire);
        fence_i();
    }
    let code = jit_glue::code(vm);
    let mut env = Env {
        regs: jit_glue::window(vm),
        mem: code.mem,
        lim: code.lim,
        fuel: jit_glue::fuel(vm),
        fp: jit_glue::frame_pointer(vm),
        exec: helper_exec,
        poll: helper_poll,
        call: helper_call,
        pure: crate::interp::pure_table(),
        vm: vm as *mut Vm<'_, '_> as *mut c_void,
        resume,
        regs_end: core::ptr::null_mut(),
        top: core::ptr::null_mut(),
        end: core::ptr::null_mut(),
        mat: core::ptr::null_mut(),
        table: code.direct.as_ptr(),
        ret: helper_ret,
        sites: [const { core::mem::MaybeUninit::uninit() }; SITES],
    };
    let sites = env.sites.as_mut_ptr() as *mut usize;
    env.top = sites;
    env.mat = sites;
    env.end = sites;
    // Code that makes direct calls (tier-up code: perhaps) gets room for
    // them: within the call depth left and the JIT's native stack budget
    // (`DIRECT_FRAME` each, below this frame). Other code keeps none (a
    // callee's window then never needs checking either).
    if entry & 3 != 0 {
        let stack = jit_glue::stack_room(vm) / super::compile::DIRECT_FRAME;
        let room = jit_glue::depth_left(vm).min(SITES).min(stack);
        env.regs_end = jit_glue::regs_end(vm);
        // `room <= SITES`: one past the end at most.
        env.end = sites.wrapping_add(room);
    }
    // SAFETY: `entry & !3` is the start of a function compiled by
    // `jit::compile` into executable memory that lives as long as the
    // instance (or its on-stack-replacement entry, which continues at
    // `resume`, a label of the same code for the offset the activation
    // stands at); it follows the C calling convention with `env` as its
    // only argument and reads and writes only: the windows (`regs`, the
    // running function's, which the caller allocated, and those of its
    // direct callees, each checked against `regs_end` first), linear
    // memory inside the bounds it checks, and `env` (`sites` only between
    // `env.sites` and `env.end`). Everything else goes through the
    // helpers below.
    let status = unsafe {
        let f: extern "C" fn(*mut Env) -> u32 = core::mem::transmute(entry & !3);
        f(&mut env)
    };
    jit_glue::set_fuel(vm, env.fuel);
    status == 0
}

/// # Safety
/// `env` is the `Env` of a running `run` (compiled code passes its own).
unsafe fn vm_of<'e>(env: *mut Env) -> (&'e mut Env, &'e mut Vm<'e, 'e>) {
    // SAFETY: see the function contract: `env.vm` is the `Vm` that `run`
    // borrowed mutably and does not touch while compiled code runs.
    unsafe {
        let env = &mut *env;
        let vm = &mut *(env.vm as *mut Vm<'e, 'e>);
        (env, vm)
    }
}

/// Makes the interpreter frames of the direct calls entered since the
/// last helper (as the interpreter's `call` would have made them), so that
/// the innermost compiled activation is `vm`'s running function, and hands
/// the fuel to `vm`.
#[inline(always)]
fn sync(env: &mut Env, vm: &mut Vm<'_, '_>) {
    jit_glue::set_fuel(vm, env.fuel);
    if env.mat < env.top {
        make_frames(env, vm);
    }
}

/// `sync`'s frames (out of line: most helpers have none to make).
#[cold]
#[inline(never)]
fn make_frames(env: &mut Env, vm: &mut Vm<'_, '_>) {
    while env.mat < env.top {
        // SAFETY: `sites <= mat < top <= end` (compiled code writes a site
        // below `end` only), and each site is the address of a descriptor
        // the compiler placed in the caller's image: three words, the
        // callee (a module function of frame size 0), the window base and
        // the offset of a validated `call` of the function `vm` runs.
        let (func, base, off) = unsafe {
            let d = *env.mat as *const u32;
            (d.read(), d.add(1).read(), d.add(2).read())
        };
        // SAFETY: see above; the compiled caller made the checks the
        // interpreter's `call` makes (fuel, call depth, register stack).
        unsafe { jit_glue::push_direct(vm, func, base, off) };
        env.mat = env.mat.wrapping_add(1);
    }
}

/// After a helper: what it may have changed (fuel; the register stack may
/// have moved).
fn resync(env: &mut Env, vm: &mut Vm<'_, '_>) {
    env.fuel = jit_glue::fuel(vm);
    env.regs = jit_glue::window(vm);
    // Only code that makes direct calls reads it (`enter` set it then).
    if !env.regs_end.is_null() {
        env.regs_end = jit_glue::regs_end(vm);
    }
}

/// Runs the instruction copy at `copy` through the interpreter.
extern "C" fn helper_exec(env: *mut Env, copy: *const u8) -> u32 {
    // SAFETY: compiled code passes its `Env`.
    let (env, vm) = unsafe { vm_of(env) };
    sync(env, vm);
    // SAFETY: `copy` is an instruction copy the compiler made from the
    // running function's validated body (offset, instruction, sentinel).
    let ok = unsafe { jit_glue::exec_one(vm, copy) };
    resync(env, vm);
    !ok as u32
}

/// The fuel countdown ran out at the backward branch at `off`.
extern "C" fn helper_poll(env: *mut Env, off: u32) -> u32 {
    // SAFETY: compiled code passes its `Env`.
    let (env, vm) = unsafe { vm_of(env) };
    sync(env, vm);
    let ok = jit_glue::poll_at(vm, off);
    resync(env, vm);
    !ok as u32
}

/// `call func, base` at offset `off` of the running function.
extern "C" fn helper_call(env: *mut Env, func: u32, base: u32, off: u32) -> u32 {
    // SAFETY: compiled code passes its `Env`.
    let (env, vm) = unsafe { vm_of(env) };
    sync(env, vm);
    // SAFETY: the compiler passes the operands of a validated `call` of the
    // running function and its offset.
    let ok = unsafe { jit_glue::call(vm, func, base as u8, off) };
    resync(env, vm);
    !ok as u32
}

/// A direct callee returned whose frame a helper had made: pop it, as the
/// interpreter's `ret` does (compiled code has already taken its site off).
extern "C" fn helper_ret(env: *mut Env) {
    // SAFETY: compiled code passes its `Env`.
    let (env, vm) = unsafe { vm_of(env) };
    jit_glue::pop_direct(vm);
    env.mat = env.top;
    env.regs = jit_glue::window(vm);
}
