//! Execution contexts: the register stack and shadow stack of one thread of
//! module execution. An instance keeps a pool of them; an entry from the host
//! takes an idle one (creating it on first need, up to `Config::max_contexts`)
//! and gives it back on return, so a thread that keeps calling in reuses the
//! same stacks and never allocates after warm-up. A host function that calls
//! back into the module (`Caller::call`) continues on the caller's context,
//! above its frames.

use alloc::vec;
use alloc::vec::Vec;

use crate::trap::{StackKind, TrapKind};

/// The saved state of one active module function.
#[derive(Debug, Clone, Copy)]
pub(crate) struct CallFrame {
    pub func: u32,
    /// Absolute index of the function's `r0` in the register stack.
    pub base: u32,
    pub fp: u32,
    /// The shadow-stack pointer on entry (restored on return).
    pub saved_sp: u32,
    /// Offset of the call instruction this function is executing (valid
    /// while it is not the innermost frame), and where to resume after it.
    pub call_at: u32,
    pub resume: u32,
}

pub(crate) struct ExecContext {
    pub regs: Vec<u64>,
    pub max_regs: usize,
    /// First register slot a nested entry may use.
    pub reg_top: usize,
    pub frames: Vec<CallFrame>,
    pub max_depth: usize,
    /// `max_depth.min(frames.capacity())`, as of the last push that grew
    /// `frames` (`push_frame`; capacity only grows, so never more than it
    /// is): the interpreter's inline call path pushes below it without a
    /// capacity or depth check of its own.
    pub frame_cap: usize,
    /// Activations of the interpreter on this context (nested through host
    /// functions), and their limit.
    pub nesting: u32,
    pub max_nesting: u32,
    /// Bottom of this context's shadow stack (it grows down from `sp`'s
    /// initial value).
    pub stack_lo: u32,
    /// Stack pointer a nested entry starts from.
    pub sp: u32,
    /// Ticks executed up to the last host call and not yet reported to the
    /// safepoint hook (or taken by a host function, `Caller::take_ticks`).
    pub ticks: u64,
    /// Lowest native stack address compiled code may call into on this
    /// context (0: no module code running).
    #[cfg(espb_jit)]
    pub jit_floor: usize,
}

impl ExecContext {
    pub fn new(
        initial_regs: usize,
        max_regs: usize,
        max_depth: usize,
        max_nesting: u32,
        stack_lo: u32,
        stack_hi: u32,
    ) -> ExecContext {
        let frames = Vec::with_capacity(max_depth.min(64));
        ExecContext {
            regs: vec![0; initial_regs.min(max_regs)],
            max_regs,
            reg_top: 0,
            frame_cap: max_depth.min(frames.capacity()),
            frames,
            max_depth,
            nesting: 0,
            max_nesting,
            stack_lo,
            sp: stack_hi,
            ticks: 0,
            #[cfg(espb_jit)]
            jit_floor: 0,
        }
    }

    /// Pushes a frame record, refreshing `frame_cap` when that grew
    /// `frames` (growth out of line: each inlined `push` carried it).
    #[inline]
    pub fn push_frame(&mut self, f: CallFrame) {
        let n = self.frames.len();
        if n == self.frames.capacity() {
            self.grow_frames();
        }
        // SAFETY: `n < capacity` (grown above): element `n` is spare
        // capacity, written before the length covers it.
        unsafe {
            self.frames.as_mut_ptr().add(n).write(f);
            self.frames.set_len(n + 1);
        }
    }

    #[cold]
    #[inline(never)]
    fn grow_frames(&mut self) {
        self.frames.reserve(1);
        self.frame_cap = self.max_depth.min(self.frames.capacity());
    }

    /// Makes sure slots `[0, need)` exist, growing geometrically.
    #[inline]
    pub fn ensure_regs(&mut self, need: usize) -> Result<(), TrapKind> {
        if need <= self.regs.len() {
            return Ok(());
        }
        self.grow_regs(need)
    }

    #[cold]
    fn grow_regs(&mut self, need: usize) -> Result<(), TrapKind> {
        if need > self.max_regs {
            return Err(TrapKind::StackOverflow(StackKind::Registers));
        }
        let new_len = (self.regs.len() * 2).clamp(need, self.max_regs);
        self.regs.resize(new_len, 0);
        Ok(())
    }

    /// Bytes this context holds outside linear memory.
    pub fn footprint(&self) -> usize {
        self.regs.capacity() * 8 + self.frames.capacity() * core::mem::size_of::<CallFrame>()
    }
}
