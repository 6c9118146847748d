//! The square roots and `f32.floor` of the float handlers.
//!
//! On the chip (a `no_std` RISC-V build) they are the C library's: the
//! firmware links its C library's libm (ESP-IDF's newlib, the qemu
//! runner's picolibc) and a module's own `sqrt` import resolves to that
//! same function, so the runtime taking them from there (as wasm3 does)
//! saves the `libm` crate's copies (about 1 KB). The rule: a function comes
//! from C only where it is correctly rounded (square roots) or exact
//! (`floorf`), and checked bit for bit against the crate on the targets'
//! C library (benches/RESULTS.md, branch size-interp3): the same results,
//! NaN payloads aside (C's `floorf` returns the canonical NaN for a NaN
//! input, the crate that input; WebAssembly allows either). Not from C:
//! `floor` (picolibc 1.8's gets the carry wrong for some negative inputs:
//! `floor(-4503599627370495.5)` is `-4503597479886848`), and `ceil`,
//! `trunc`, `rint`, `round`, `fmin`, `fmax`, whose C versions are larger
//! than the crate's where the firmware does not link them anyway. The host
//! build uses the crate for all of them.

#[cfg(all(target_arch = "riscv32", not(feature = "std")))]
mod c {
    unsafe extern "C" {
        pub(in crate::interp) safe fn sqrt(x: f64) -> f64;
        pub(in crate::interp) safe fn sqrtf(x: f32) -> f32;
        pub(in crate::interp) safe fn floorf(x: f32) -> f32;
    }
}

#[cfg(all(target_arch = "riscv32", not(feature = "std")))]
pub(super) use c::{floorf, sqrt, sqrtf};

#[cfg(not(all(target_arch = "riscv32", not(feature = "std"))))]
pub(super) use libm::{floorf, sqrt, sqrtf};
