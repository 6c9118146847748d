//! Leading zeros shared out of line: a core without Zbb (none of the
//! RISC-V targets espb builds for has it) counts them in about 45
//! instructions, which `i32.clz`, `i64.clz` and the soft `fma` would each
//! inline otherwise. Elsewhere the count is one instruction, inlined.
//! (`ctz` and `popcnt` stay inline: their handlers would save more state
//! around a call than the call saves.)

#[cfg(all(target_arch = "riscv32", not(target_feature = "zbb")))]
extern "C" {
    /// libgcc's count (or compiler-builtins' where no libgcc is linked):
    /// a table lookup, which the C library on these chips links anyway
    /// (picolibc and newlib use it). Undefined for 0.
    fn __clzdi2(a: u64) -> i32;
}

#[cfg(all(target_arch = "riscv32", not(target_feature = "zbb")))]
#[inline(never)]
pub(crate) fn leading_zeros64(v: u64) -> u32 {
    if v == 0 {
        return 64;
    }
    // SAFETY: a pure function of its argument, which is not 0.
    unsafe { __clzdi2(v) as u32 }
}

#[cfg(any(not(target_arch = "riscv32"), target_feature = "zbb"))]
#[inline]
pub(crate) fn leading_zeros64(v: u64) -> u32 {
    v.leading_zeros()
}
