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

use alloc::vec::Vec;
use core::ffi::c_void;

use super::{compile_module, Plan};
use crate::config::JitMode;
use crate::interp::{jit_glue, Vm};
use crate::memory::LinearMemory;

extern "C" {
    fn espb_jit_exec_alloc(size: usize, write: *mut *mut u8) -> *mut u8;
    fn espb_jit_exec_free(exec: *mut u8, size: usize);
}

/// The compiled functions of one instance, in one executable block.
pub(crate) struct Code {
    exec: *mut u8,
    size: usize,
    /// Entry address per function.
    entries: Vec<Option<usize>>,
    /// Host address of module address `NULL_GUARD` and the fast-path bound
    /// (linear memory never moves).
    mem: *mut u8,
    lim: u32,
    pub plan: Vec<Plan>,
}

// SAFETY: the block is written once in `build` and only executed after;
// every thread may run it.
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
    }
}

/// Why no executable memory could be had.
pub(crate) struct NoExecMemory(pub usize);

impl Code {
    /// Compiles what `mode` selects and places it in executable memory.
    pub fn build(
        m: &espb_format::Module<'_>,
        mode: JitMode,
        mem: &LinearMemory,
    ) -> Result<Code, NoExecMemory> {
        let none = |plan| Code {
            exec: core::ptr::null_mut(),
            size: 0,
            entries: Vec::new(),
            mem: core::ptr::null_mut(),
            lim: 0,
            plan,
        };
        // Compiled code needs room for its fast-path bound (8 bytes).
        let lim = mem.len().saturating_sub(espb_format::NULL_GUARD);
        let lo = match mem.host_ptr(espb_format::NULL_GUARD, lim) {
            Ok(p) if lim >= 8 => p,
            _ => return Ok(none(Vec::new())),
        };
        let compiled = compile_module(m, mode);
        let mut plan = Vec::with_capacity(compiled.len());
        let mut size = 0usize;
        for c in &compiled {
            plan.push(match c {
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
        if size == 0 {
            return Ok(none(plan));
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
        let mut entries = Vec::with_capacity(compiled.len());
        let mut at = 0usize;
        for c in &compiled {
            match c {
                Some(Ok(c)) => {
                    for (k, w) in c.image.chunks(4).enumerate() {
                        let mut word = [0u8; 4];
                        word[..w.len()].copy_from_slice(w);
                        // SAFETY: `at + 4k + 4 <= size` (the block holds every
                        // image rounded up to 16 bytes); word writes suit
                        // memory that only takes 32-bit stores (IRAM).
                        unsafe {
                            (write.add(at + 4 * k) as *mut u32)
                                .write_volatile(u32::from_le_bytes(word))
                        };
                    }
                    entries.push(Some(exec as usize + at));
                    at += c.image.len().next_multiple_of(16);
                }
                _ => entries.push(None),
            }
        }
        // SAFETY: `fence.i` (Zifencei, encoded as a word for assemblers
        // without the extension) only orders instruction fetches after the
        // stores above.
        unsafe { core::arch::asm!(".4byte 0x0000100f", options(nostack)) };
        Ok(Code {
            exec,
            size,
            entries,
            mem: lo,
            lim: lim - 8,
            plan,
        })
    }

    #[inline(always)]
    pub fn entry(&self, func: u32) -> Option<usize> {
        self.entries.get(func as usize).copied().flatten()
    }
}

/// What compiled code sees (`jit::compile::env` has the offsets).
#[repr(C)]
pub(crate) struct Env {
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
};

/// Runs the compiled code at `entry` for the function `vm` has just
/// entered (its frame pushed, its window allocated). `true`: it returned;
/// `false`: it trapped (the trap is in `vm.trap`). Never inlined: the
/// interpreter's call handlers must keep no stack object (`env`) of their
/// own, or they lose their tail calls.
#[inline(never)]
pub(crate) fn run(vm: &mut Vm<'_, '_>, entry: usize) -> bool {
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
    };
    // SAFETY: `entry` is the start of a function compiled by
    // `jit::compile` into executable memory that lives as long as the
    // instance; it follows the C calling convention with `env` as its only
    // argument and reads and writes only: the window (`regs`, `regs` slots
    // of the running function, which the caller allocated), linear memory
    // inside the bounds it checks, and `env`. Everything else goes through
    // the helpers below.
    let status = unsafe {
        let f: extern "C" fn(*mut Env) -> u32 = core::mem::transmute(entry);
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

/// Runs the instruction copy at `copy` through the interpreter.
extern "C" fn helper_exec(env: *mut Env, copy: *const u8) -> u32 {
    // SAFETY: compiled code passes its `Env`.
    let (env, vm) = unsafe { vm_of(env) };
    jit_glue::set_fuel(vm, env.fuel);
    // SAFETY: `copy` is an instruction copy the compiler made from the
    // running function's validated body (offset, instruction, sentinel).
    let ok = unsafe { jit_glue::exec_one(vm, copy) };
    env.fuel = jit_glue::fuel(vm);
    env.regs = jit_glue::window(vm);
    !ok as u32
}

/// The fuel countdown ran out at the backward branch at `off`.
extern "C" fn helper_poll(env: *mut Env, off: u32) -> u32 {
    // SAFETY: compiled code passes its `Env`.
    let (env, vm) = unsafe { vm_of(env) };
    jit_glue::set_fuel(vm, env.fuel);
    let ok = jit_glue::poll_at(vm, off);
    env.fuel = jit_glue::fuel(vm);
    !ok as u32
}

/// `call func, base` at offset `off` of the running function.
extern "C" fn helper_call(env: *mut Env, func: u32, base: u32, off: u32) -> u32 {
    // SAFETY: compiled code passes its `Env`.
    let (env, vm) = unsafe { vm_of(env) };
    jit_glue::set_fuel(vm, env.fuel);
    // SAFETY: the compiler passes the operands of a validated `call` of the
    // running function and its offset.
    let ok = unsafe { jit_glue::call(vm, func, base as u8, off) };
    env.fuel = jit_glue::fuel(vm);
    env.regs = jit_glue::window(vm);
    !ok as u32
}
