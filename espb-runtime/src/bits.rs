//! Leading zeros shared out of line: a core without Zbb (none of the
//! RISC-V targets espb builds for has it) counts them in about 45
//! instructions, which `i32.clz`, `i64.clz` and the soft `fma` would each
//! inline otherwise. Elsewhere the count is one instruction, inlined.
//! (`ctz` and `popcnt` stay inline: their handlers would save more state
//! around a call than the call saves.)

#[cfg_attr(
    all(target_arch = "riscv32", not(target_feature = "zbb")),
    inline(never)
)]
#[cfg_attr(any(not(target_arch = "riscv32"), target_feature = "zbb"), inline)]
pub(crate) fn leading_zeros64(v: u64) -> u32 {
    v.leading_zeros()
}
