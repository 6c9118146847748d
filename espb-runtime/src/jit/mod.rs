//! The RISC-V JIT (`jit-riscv` feature): functions compiled from their
//! validated bytecode to RV32IM machine code when the instance is built.
//!
//! * [`rv`]: instruction encodings; [`lower`]: what the backend compiles
//!   (fused instructions split into their parts, register widths);
//!   [`compile`]: the code generator. These are pure and run on any host
//!   (`cargo espb dump` reports what the backend does with each function).
//! * `exec` (riscv32 only): executable memory from the platform, entering
//!   compiled code, and the calls compiled code makes back into the
//!   interpreter (calls, traps, polls, instructions compiled as helper
//!   calls).
//!
//! Which functions are compiled is [`JitMode`](crate::JitMode): `hot` (the
//! default) compiles those marked `JIT_HOT`, `all` every function, `off`
//! none.

pub mod compile;
pub mod lower;
pub mod rv;

#[cfg(espb_jit)]
pub(crate) mod exec;

use alloc::vec::Vec;

pub use compile::{Compiled, Refusal, Stats};

use crate::config::JitMode;

/// The byte after an instruction copy: no opcode (the validator rejects it
/// in bodies), so the interpreter's handler for it ends a one-instruction
/// run (`interp::jit_glue`).
pub const SENTINEL: u8 = 0x17;

/// What happens to one function.
#[derive(Debug, Clone)]
pub enum Plan {
    /// Not selected by the mode: interpreted.
    Interpreted,
    /// Compiled (machine code and instruction-copy bytes, statistics).
    Compiled { bytes: usize, stats: Stats },
    /// Selected, but the backend refused it: interpreted.
    Refused(Refusal),
}

/// Whether `mode` selects a function with `flags`.
pub fn selects(mode: JitMode, flags: u8) -> bool {
    match mode {
        JitMode::Off => false,
        JitMode::Hot => flags & espb_format::func_flags::HOT != 0,
        JitMode::All => true,
    }
}

/// Compiles the functions `mode` selects; `None` for the others.
pub fn compile_module(
    m: &espb_format::Module<'_>,
    mode: JitMode,
) -> Vec<Option<Result<Compiled, Refusal>>> {
    (0..m.functions.len() as u32)
        .map(|f| {
            let flags = m.functions[f as usize].flags;
            selects(mode, flags).then(|| compile::compile(m, f))
        })
        .collect()
}

/// What the backend does with each function of `m` under `mode` (for
/// `cargo espb dump` and the JSON statistics).
pub fn plan(m: &espb_format::Module<'_>, mode: JitMode) -> Vec<Plan> {
    compile_module(m, mode)
        .into_iter()
        .map(|c| match c {
            None => Plan::Interpreted,
            Some(Ok(c)) => Plan::Compiled {
                bytes: c.image.len(),
                stats: c.stats,
            },
            Some(Err(r)) => Plan::Refused(r),
        })
        .collect()
}
