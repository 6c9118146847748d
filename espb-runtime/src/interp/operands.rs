//! Reading and writing instruction operands: offsets from the opcode
//! table, register operands, narrow results.

use super::*;

/// Byte offset of operand `field` in an instruction `op` (evaluated at
/// compile time from the opcode table's layout; a misspelt field does not
/// compile).
macro_rules! at {
    ($op:ident . $field:ident) => {
        const { O::$op.offset_of(stringify!($field)) }
    };
}

/// Register operand `k` of the instruction at `pc`.
///
/// SAFETY: `pc` is an instruction start of the running function's validated
/// body whose operand `k` is a register; `regs` is its window.
#[inline(always)]
pub(super) unsafe fn rr(pc: Pc, regs: Regs, k: usize) -> u64 {
    // SAFETY: see the function contract.
    unsafe { regs.get(pc.u8(k)) }
}

/// Writes `v` to register operand `k` (same contract as `rr`).
#[inline(always)]
pub(super) unsafe fn wr(pc: Pc, regs: Regs, k: usize, v: u64) {
    // SAFETY: see the function contract.
    unsafe { regs.set(pc.u8(k), v) }
}

/// Writes the `i32`/`f32`/`ptr` result `v` to register operand `k` (same
/// contract as `rr`): only its low 32 bits are defined (`Regs::set32`).
#[inline(always)]
pub(super) unsafe fn wr32(pc: Pc, regs: Regs, k: usize, v: u32) {
    // SAFETY: see the function contract.
    unsafe { regs.set32(pc.u8(k), v) }
}

/// Whether `op`'s one result is an `i32`, `f32` or `ptr` (its types end in
/// `-> i32`, `-> f32` or `-> ptr`), which `wr32` may write.
pub(super) const fn narrow_result(op: O) -> bool {
    let t = op.types().as_bytes();
    let n = t.len();
    if n < 6 {
        return false;
    }
    let mut k = 0;
    let tail = b"-> ";
    while k < 3 {
        if t[n - 6 + k] != tail[k] {
            return false;
        }
        k += 1;
    }
    matches!(
        (t[n - 3], t[n - 2], t[n - 1]),
        (b'i', b'3', b'2') | (b'f', b'3', b'2') | (b'p', b't', b'r')
    )
}

/// Writes the result `v` of a one-result instruction `$op` to its `dst`:
/// `wr32` for a narrow result, else the whole slot.
macro_rules! wr_dst {
    ($op:ident, $pc:ident, $regs:ident, $v:expr) => {
        if const { narrow_result(O::$op) } {
            wr32($pc, $regs, at!($op.dst), ($v) as u32)
        } else {
            wr($pc, $regs, at!($op.dst), $v)
        }
    };
}
