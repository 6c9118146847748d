//! The square roots and the rounding (`floor`, `ceil`, `trunc`, `round`)
//! of the float handlers.
//!
//! On the chip (a `no_std` RISC-V build) `sqrt`, `sqrtf` and `floorf` are
//! the C library's: the firmware links its C library's libm (ESP-IDF's
//! newlib, the qemu runner's picolibc) and a module's own `sqrt` import
//! resolves to that same function, so the runtime taking them from there
//! (as wasm3 does) saves the `libm` crate's copies (about 1 KB). The rule: a function comes
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
//!
//! Where floats are soft (`OUT_F64`, `OUT_F32`), `ceil`, `trunc` and
//! `round` are derived from the one `floor` (`ceil_by` and others: exact
//! identities, and the crate's own `round` formula), so one copy of the
//! bit manipulation serves four instructions; the tests check them bit for
//! bit against the crate's.

#[cfg(all(target_arch = "riscv32", not(feature = "std")))]
mod c {
    unsafe extern "C" {
        pub(in crate::interp) safe fn sqrt(x: f64) -> f64;
        pub(in crate::interp) safe fn sqrtf(x: f32) -> f32;
        pub(super) safe fn floorf(x: f32) -> f32;
    }
}

#[cfg(all(target_arch = "riscv32", not(feature = "std")))]
pub(super) use c::{sqrt, sqrtf};

/// `f32.floor` (a Rust function: `ceilf` and others take it as one).
#[cfg(all(target_arch = "riscv32", not(feature = "std")))]
#[inline(always)]
pub(super) fn floorf(x: f32) -> f32 {
    c::floorf(x)
}

#[cfg(not(all(target_arch = "riscv32", not(feature = "std"))))]
pub(super) use libm::{floorf, sqrt, sqrtf};

/// `floor` shared out of line where `ceil`, `trunc` and `round` are
/// derived from it (`OUT_F64`: a soft-float core, where the crate's
/// inlined copies of each were 114-210 bytes).
#[inline(never)]
fn floor_shared(x: f64) -> f64 {
    libm::floor(x)
}

/// `f64.floor`.
pub(super) fn floor(x: f64) -> f64 {
    if super::OUT_F64 {
        floor_shared(x)
    } else {
        libm::floor(x)
    }
}

/// `f64.ceil`.
pub(super) fn ceil(x: f64) -> f64 {
    if super::OUT_F64 {
        ceil_by(x, floor_shared)
    } else {
        libm::ceil(x)
    }
}

/// `f64.trunc`.
pub(super) fn trunc(x: f64) -> f64 {
    if super::OUT_F64 {
        trunc_by(x, floor_shared)
    } else {
        libm::trunc(x)
    }
}

/// `f64.round` (ties away from zero).
pub(super) fn round(x: f64) -> f64 {
    if super::OUT_F64 {
        round_by(x, floor_shared)
    } else {
        libm::round(x)
    }
}

/// `f32.ceil` (`OUT_F32`: soft-float `f32`, derived from `floorf`).
pub(super) fn ceilf(x: f32) -> f32 {
    if super::OUT_F32 {
        ceilf_by(x, floorf)
    } else {
        libm::ceilf(x)
    }
}

/// `f32.trunc`.
pub(super) fn truncf(x: f32) -> f32 {
    if super::OUT_F32 {
        truncf_by(x, floorf)
    } else {
        libm::truncf(x)
    }
}

/// `f32.round`.
pub(super) fn roundf(x: f32) -> f32 {
    if super::OUT_F32 {
        roundf_by(x, floorf)
    } else {
        libm::roundf(x)
    }
}

const SIGN64: u64 = 1 << 63;
const SIGN32: u32 = 1 << 31;

/// `ceil(x)` as `-floor(-x)`: exact (a negation is a sign flip; a NaN
/// comes back with the bits `floor` gives it, sign restored).
#[inline(always)]
fn ceil_by(x: f64, floor: impl Fn(f64) -> f64) -> f64 {
    -floor(-x)
}

/// `trunc(x)`: the floor of the magnitude with `x`'s sign, exact.
#[inline(always)]
fn trunc_by(x: f64, floor: impl Fn(f64) -> f64) -> f64 {
    let b = x.to_bits();
    f64::from_bits(floor(f64::from_bits(b & !SIGN64)).to_bits() | (b & SIGN64))
}

/// `round(x)`: the `libm` crate's own formula, `trunc(x ± (0.5 - 2^-54))`
/// (the addend keeps `0.5 - ulp/2` from rounding up to 1), with `trunc_by`.
#[inline(always)]
fn round_by(x: f64, floor: impl Fn(f64) -> f64) -> f64 {
    let half = f64::from_bits(0x3fdf_ffff_ffff_ffff | (x.to_bits() & SIGN64));
    trunc_by(x + half, floor)
}

/// `ceil_by` for `f32`.
#[inline(always)]
fn ceilf_by(x: f32, floor: impl Fn(f32) -> f32) -> f32 {
    -floor(-x)
}

/// `trunc_by` for `f32`.
#[inline(always)]
fn truncf_by(x: f32, floor: impl Fn(f32) -> f32) -> f32 {
    let b = x.to_bits();
    f32::from_bits(floor(f32::from_bits(b & !SIGN32)).to_bits() | (b & SIGN32))
}

/// `round_by` for `f32`: `truncf(x ± (0.5 - 2^-25))`.
#[inline(always)]
fn roundf_by(x: f32, floor: impl Fn(f32) -> f32) -> f32 {
    let half = f32::from_bits(0x3eff_ffff | (x.to_bits() & SIGN32));
    truncf_by(x + half, floor)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Special values, then `n` random bit patterns and `n` random values
    /// around the integers (exponents -4..60).
    fn inputs64(n: usize) -> impl Iterator<Item = f64> {
        let special = [
            0.0,
            -0.0,
            0.5,
            -0.5,
            1.0,
            -1.0,
            1.5,
            -1.5,
            2.5,
            -2.5,
            0.49999999999999994,
            -0.49999999999999994,
            4503599627370495.5,
            -4503599627370495.5,
            4503599627370496.0,
            -4503599627370497.0,
            9007199254740993.0,
            f64::MAX,
            f64::MIN,
            f64::MIN_POSITIVE,
            f64::INFINITY,
            f64::NEG_INFINITY,
            5e-324,
            -5e-324,
        ];
        let nans = [
            0x7ff8_0000_0000_0000u64,
            0xfff8_0000_0000_0000,
            0x7ff0_0000_0000_0001,
            0xfff4_0000_0000_0123,
        ];
        let mut s = 0x9e37_79b9_7f4a_7c15u64;
        let mut next = move || {
            s ^= s << 13;
            s ^= s >> 7;
            s ^= s << 17;
            s
        };
        let random: Vec<f64> = (0..2 * n)
            .map(|i| {
                let b = next();
                if i % 2 == 0 {
                    f64::from_bits(b)
                } else {
                    f64::from_bits((b & 0x800f_ffff_ffff_ffff) | ((1023 - 4 + (b >> 58)) << 52))
                }
            })
            .collect();
        special
            .into_iter()
            .chain(nans.map(f64::from_bits))
            .chain(random)
    }

    #[test]
    fn derived_f64_rounding_matches_the_crate() {
        for x in inputs64(1_000_000) {
            assert_eq!(
                ceil_by(x, libm::floor).to_bits(),
                libm::ceil(x).to_bits(),
                "ceil {x:e}"
            );
            assert_eq!(
                trunc_by(x, libm::floor).to_bits(),
                libm::trunc(x).to_bits(),
                "trunc {x:e}"
            );
            assert_eq!(
                round_by(x, libm::floor).to_bits(),
                libm::round(x).to_bits(),
                "round {x:e}"
            );
        }
    }

    #[test]
    fn derived_f32_rounding_matches_the_crate() {
        // Every 241st bit pattern (17.8 million), both signs, every NaN kind.
        for b in
            (0..=u32::MAX)
                .step_by(241)
                .chain([0x3eff_ffff, 0xbeff_ffff, 0x4b7f_ffff, 0xcb7f_ffff])
        {
            let x = f32::from_bits(b);
            assert_eq!(
                ceilf_by(x, libm::floorf).to_bits(),
                libm::ceilf(x).to_bits(),
                "ceilf {b:#x}"
            );
            assert_eq!(
                truncf_by(x, libm::floorf).to_bits(),
                libm::truncf(x).to_bits(),
                "truncf {b:#x}"
            );
            assert_eq!(
                roundf_by(x, libm::floorf).to_bits(),
                libm::roundf(x).to_bits(),
                "roundf {b:#x}"
            );
        }
    }
}
