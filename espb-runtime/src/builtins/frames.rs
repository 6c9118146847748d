//! `__builtin_return_address(n)` and `__builtin_frame_address(n)`, read from
//! the calling task's frame records. A module has no machine code, so a
//! return address is a code *position*: `CODE_POS_BASE` plus the byte offset,
//! across the module's functions in index order, of the instruction after
//! the call — the same value every time that call site returns, different
//! for every other one, and never a valid data pointer or function
//! reference. A frame address is the frame's base in the shadow stack.
//! Asking beyond the outermost module frame gives 0, as GCC documents for
//! frames it cannot see.

use super::{a32, Builtin, R};
use crate::imports::Caller;

/// Where code positions start (above linear memory and label values, below
/// native references).
const CODE_POS_BASE: u32 = 0x7000_0000;

fn return_address(c: &mut Caller<'_>, a: &[u64]) -> R {
    let level = a32(a, 0) as usize;
    let frames = &c.ctx.frames;
    // The last record is the function that asked; its caller's record
    // holds where execution resumes when it returns.
    // (`level` is the module's: a huge one asks beyond the outermost frame,
    // without an overflow.)
    let Some(fr) = level
        .checked_add(2)
        .and_then(|n| frames.len().checked_sub(n))
        .and_then(|at| frames.get(at))
    else {
        return Ok(Some(0));
    };
    let m = &c.inst.module.m;
    let before: usize = m
        .functions
        .iter()
        .take(fr.func as usize)
        .map(|f| f.code.len())
        .sum();
    let pos = (before as u64 + fr.resume as u64).min((0x8000_0000 - CODE_POS_BASE - 1) as u64);
    Ok(Some(CODE_POS_BASE as u64 + pos))
}

fn frame_address(c: &mut Caller<'_>, a: &[u64]) -> R {
    let level = a32(a, 0) as usize;
    let frames = &c.ctx.frames;
    Ok(Some(
        level
            .checked_add(1)
            .and_then(|n| frames.len().checked_sub(n))
            .and_then(|at| frames.get(at))
            .map_or(0, |f| f.fp as u64),
    ))
}

pub(super) static BUILTINS: &[Builtin] = &[
    Builtin {
        name: "__espb_return_address",
        sig: "(i32) -> ptr",
        f: return_address,
    },
    Builtin {
        name: "__espb_frame_address",
        sig: "(i32) -> ptr",
        f: frame_address,
    },
];
