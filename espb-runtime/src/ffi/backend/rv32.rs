//! The RISC-V chips' backend: a small call layer for `ilp32`/`ilp32f` and a
//! pool of callback trampolines compiled into the image.
//!
//! * Calls: `rv32_abi::Layout` places each argument word in `a0..a7`,
//!   `fa0..fa7` or the outgoing stack area; `espb_rv32_call` (assembly
//!   below) loads them, calls, and stores `a0`/`a1`/`fa0` back.
//! * Callbacks: ESP32 data RAM is not executable under the default memory
//!   protection, so a module function cannot become code written at run
//!   time. The image carries `SLOTS` fixed 8-byte trampolines (set with
//!   `ESPB_CALLBACK_SLOTS` at build time, default 32). Slot `k` saves the
//!   argument registers and calls `slot_entry(k, …)`, which looks up the
//!   (instance, function, signature) bound to `k`. A slot is bound once per
//!   (function, signature) per instance and becomes free when its instance
//!   is unloaded; a native calling a free slot gets 0 back and nothing runs.

use alloc::string::String;
use alloc::vec;
use alloc::vec::Vec;
use core::arch::global_asm;

use espb_format::FuncType;

use super::rv32_abi::{Layout, Place, Ret, REG_WORDS};
use crate::ffi::callback::{enter, Target};
use crate::sync::{Arc, Lock};

/// The `ilp32f` ABI: Rust's riscv32 targets with the F extension use it.
const HARD_FLOAT: bool = cfg!(espb_ilp32f);

pub(crate) struct Sig {
    layout: Layout,
}

impl Sig {
    pub fn new(ty: &FuncType, fixed: Option<usize>) -> Result<Sig, String> {
        Ok(Sig {
            layout: Layout::new(ty, fixed, HARD_FLOAT)?,
        })
    }
}

/// What `espb_rv32_call` reads and writes (offsets fixed by the assembly).
#[repr(C)]
struct Frame {
    /// `a0..a7`, then `fa0..fa7`.
    regs: [u32; REG_WORDS],
    stack: *const u32,
    stack_words: u32,
    ret: [u32; 2],
    fret: u32,
}

extern "C" {
    fn espb_rv32_call(frame: *mut Frame, f: usize);
}

fn put(frame: &mut Frame, stack: &mut [u32], place: Place, w: u32) {
    let i = place.0 as usize;
    match frame.regs.get_mut(i) {
        Some(r) => *r = w,
        None => stack[i - REG_WORDS] = w,
    }
}

/// # Safety
/// `addr` is a C function of the signature `sig` was prepared for, and
/// `args` holds one valid value per parameter.
pub(crate) unsafe fn call(sig: &Sig, addr: usize, args: &mut [u64]) -> u64 {
    let l = &sig.layout;
    let words = l.stack_words as usize;
    let mut small = [0u32; 4];
    let mut big: Vec<u32>;
    let stack: &mut [u32] = if words <= small.len() {
        &mut small[..words]
    } else {
        big = vec![0; words];
        &mut big
    };
    let mut frame = Frame {
        regs: [0; REG_WORDS],
        stack: core::ptr::null(),
        stack_words: words as u32,
        ret: [0; 2],
        fret: 0,
    };
    for (&(lo, hi), &v) in l.args.iter().zip(args.iter()) {
        put(&mut frame, stack, lo, v as u32);
        if let Some(hi) = hi {
            put(&mut frame, stack, hi, (v >> 32) as u32);
        }
    }
    frame.stack = stack.as_ptr();
    // SAFETY: the caller's contract; `frame` is a valid `Frame` whose stack
    // pointer covers `stack_words` words.
    unsafe { espb_rv32_call(&mut frame, addr) };
    match l.ret {
        Ret::Void => 0,
        Ret::Word => frame.ret[0] as i32 as i64 as u64,
        Ret::Pair => frame.ret[0] as u64 | (frame.ret[1] as u64) << 32,
        Ret::Float => frame.fret as u64,
    }
}

/// The call layer and the trampolines, with the FP register moves only
/// where the ABI has FP argument registers.
macro_rules! rv32_asm {
    ([$($load_fa:literal,)*] [$($store_fa:literal,)*] [$($save_fa:literal,)*] [$($restore_fa:literal,)*]) => {
        global_asm!(
            ".section .text.espb_rv32_call,\"ax\",@progbits",
            ".globl espb_rv32_call",
            ".type espb_rv32_call,@function",
            ".p2align 2",
            "espb_rv32_call:",
            "addi sp, sp, -16",
            "sw ra, 12(sp)",
            "sw s0, 8(sp)",
            "sw s1, 4(sp)",
            "mv s0, a0",
            "mv s1, sp",
            "mv t5, a1",
            // Outgoing stack arguments: a 16-aligned area at the new sp.
            "lw t0, 68(s0)",
            "slli t1, t0, 2",
            "addi t1, t1, 15",
            "andi t1, t1, -16",
            "sub sp, sp, t1",
            "lw t1, 64(s0)",
            "mv t2, sp",
            "1:",
            "beqz t0, 2f",
            "lw t3, 0(t1)",
            "sw t3, 0(t2)",
            "addi t1, t1, 4",
            "addi t2, t2, 4",
            "addi t0, t0, -1",
            "j 1b",
            "2:",
            $($load_fa,)*
            "lw a0, 0(s0)",
            "lw a1, 4(s0)",
            "lw a2, 8(s0)",
            "lw a3, 12(s0)",
            "lw a4, 16(s0)",
            "lw a5, 20(s0)",
            "lw a6, 24(s0)",
            "lw a7, 28(s0)",
            "jalr t5",
            "sw a0, 72(s0)",
            "sw a1, 76(s0)",
            $($store_fa,)*
            "mv sp, s1",
            "lw s1, 4(sp)",
            "lw s0, 8(sp)",
            "lw ra, 12(sp)",
            "addi sp, sp, 16",
            "ret",
            ".size espb_rv32_call, .-espb_rv32_call",
            // Each trampoline is 8 bytes: `auipc t0, 0` (its own address)
            // and a jump to the common part, which derives the slot number
            // from t0 and calls `slot_entry(k, saved registers, caller's
            // stack arguments)`.
            ".section .text.espb_rv32_cb_pool,\"ax\",@progbits",
            ".globl espb_rv32_cb_pool",
            ".p2align 3",
            "espb_rv32_cb_pool:",
            ".option push",
            ".option norvc",
            ".rept {slots}",
            "auipc t0, 0",
            "j 3f",
            ".endr",
            ".option pop",
            "3:",
            // The argument registers are saved at 16(sp)..80(sp), right
            // below the caller's stack arguments (at 80(sp), the entry
            // sp): one array of words in the order of `Place`.
            "addi sp, sp, -80",
            "sw ra, 12(sp)",
            "sw a0, 16(sp)",
            "sw a1, 20(sp)",
            "sw a2, 24(sp)",
            "sw a3, 28(sp)",
            "sw a4, 32(sp)",
            "sw a5, 36(sp)",
            "sw a6, 40(sp)",
            "sw a7, 44(sp)",
            $($save_fa,)*
            "la t1, espb_rv32_cb_pool",
            "sub a0, t0, t1",
            "srli a0, a0, 3",
            "addi a1, sp, 16",
            "call {entry}",
            "lw a0, 16(sp)",
            "lw a1, 20(sp)",
            $($restore_fa,)*
            "lw ra, 12(sp)",
            "addi sp, sp, 80",
            "ret",
            slots = const SLOTS,
            entry = sym slot_entry,
        );
    };
}

// The assembler is told about F locally: rustc does not pass the target's
// `f` feature to global_asm.
#[cfg(espb_ilp32f)]
rv32_asm!(
    [
        ".option push", ".option arch, +f",
        "flw fa0, 32(s0)", "flw fa1, 36(s0)", "flw fa2, 40(s0)", "flw fa3, 44(s0)",
        "flw fa4, 48(s0)", "flw fa5, 52(s0)", "flw fa6, 56(s0)", "flw fa7, 60(s0)",
        ".option pop",
    ]
    [".option push", ".option arch, +f", "fsw fa0, 80(s0)", ".option pop",]
    [
        ".option push", ".option arch, +f",
        "fsw fa0, 48(sp)", "fsw fa1, 52(sp)", "fsw fa2, 56(sp)", "fsw fa3, 60(sp)",
        "fsw fa4, 64(sp)", "fsw fa5, 68(sp)", "fsw fa6, 72(sp)", "fsw fa7, 76(sp)",
        ".option pop",
    ]
    [".option push", ".option arch, +f", "flw fa0, 48(sp)", ".option pop",]
);

#[cfg(not(espb_ilp32f))]
rv32_asm!([][][][]);

// ---- callbacks ------------------------------------------------------------

/// Trampolines in the image (`ESPB_CALLBACK_SLOTS` at build time).
pub(crate) const SLOTS: usize = parse_slots(env!("ESPB_CALLBACK_SLOTS"));

const fn parse_slots(s: &str) -> usize {
    let b = s.as_bytes();
    let mut i = 0;
    let mut n = 0usize;
    while i < b.len() {
        n = n * 10 + (b[i] - b'0') as usize;
        i += 1;
    }
    n
}

struct Slot {
    target: Target,
    layout: Layout,
}

struct Pool {
    slots: [Option<Arc<Slot>>; SLOTS],
    /// Where the next search for a free slot starts: freed slots are reused
    /// last, so a stale pointer a native kept rarely meets a new binding.
    cursor: usize,
}

static POOL: Lock<Pool> = Lock::new(Pool {
    slots: [const { None }; SLOTS],
    cursor: 0,
});

extern "C" {
    static espb_rv32_cb_pool: u8;
}

/// Binds a free trampoline to `target`; returns its address.
pub(crate) fn callback_code(target: Target) -> Result<usize, String> {
    let layout = Layout::new(&target.ty, None, HARD_FLOAT)?;
    let slot = Arc::new(Slot { target, layout });
    let mut pool = POOL.lock();
    let start = pool.cursor;
    let free = (0..SLOTS)
        .map(|k| (start + k) % SLOTS)
        .find(|&k| match &pool.slots[k] {
            None => true,
            Some(s) => !s.target.inst.is_alive(),
        })
        .ok_or_else(|| {
            espb_format::text!(
                "all {} callback trampolines are in use (raise ESPB_CALLBACK_SLOTS when building the runtime)",
                SLOTS
            )
        })?;
    pool.slots[free] = Some(slot);
    pool.cursor = (free + 1) % SLOTS;
    drop(pool);
    // Only the address of the pool symbol is taken.
    let base = core::ptr::addr_of!(espb_rv32_cb_pool) as usize;
    Ok(base + 8 * free)
}

/// Trampolines bound so far (live or not yet reclaimed).
#[allow(dead_code)]
pub(crate) fn slots_in_use() -> usize {
    POOL.lock().slots.iter().filter(|s| s.is_some()).count()
}

/// Entered from trampoline `k` with `words`: the saved argument registers
/// (`a0..a7`, then `fa0..fa7`), followed in memory by the caller's stack
/// arguments, each word at the index of its `Place`.
extern "C" fn slot_entry(k: u32, words: *mut u32) {
    // SAFETY: `words` starts with the 16 saved register words, which the
    // trampoline reloads into a0, a1 and fa0 (`i` is 0, 1 or 8).
    let set = |i: usize, w: u32| unsafe { words.add(i).write(w) };
    let slot = POOL.lock().slots.get(k as usize).cloned().flatten();
    let Some(slot) = slot else {
        set(0, 0);
        set(1, 0);
        set(8, 0);
        return;
    };
    // SAFETY: every place of the slot's layout lies in the saved registers
    // or in the caller's stack arguments, which a caller of a function of
    // this signature passes.
    let word = |p: Place| unsafe { words.add(p.0 as usize).read() } as u64;
    // One list per callback, converted in place by `enter`.
    let mut args: Vec<u64> = slot
        .layout
        .args
        .iter()
        .map(|&(lo, hi)| word(lo) | hi.map_or(0, |hi| word(hi) << 32))
        .collect();
    let v = enter(&slot.target, &mut args);
    match slot.layout.ret {
        Ret::Void => {}
        Ret::Word => set(0, v as u32),
        Ret::Pair => {
            set(0, v as u32);
            set(1, (v >> 32) as u32);
        }
        Ret::Float => set(8, v as u32),
    }
    // The module code deleted its own task: end it now that nothing of the
    // runtime is in use (the call does not return; this frame is abandoned).
    let end = slot.target.state.take_task_end();
    drop(args);
    drop(slot);
    if let Some(end) = end {
        // SAFETY: everything this entry held is dropped; a chip does not
        // unwind, the task simply never runs again.
        unsafe { end.run() };
    }
}
