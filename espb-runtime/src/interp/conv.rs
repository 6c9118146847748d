//! The unsigned conversions between integers and soft floats through the
//! signed ones (`OUT_F32`/`OUT_F64` rows): on RV32 each unsigned libgcc
//! routine (`__floatundidf`, `__fixunsdfdi`, ...: 1.6 KB together) would be
//! linked for one opcode alone, the signed ones are needed anyway. Each
//! gives what Rust's `as` gives (saturating, NaN to 0, one rounding).

/// 2^63, exact in both formats.
const TWO63: f64 = 9_223_372_036_854_775_808.0;

pub(super) fn u32_of_f32(x: f32) -> u32 {
    (x as i64).clamp(0, u32::MAX as i64) as u32
}

pub(super) fn u32_of_f64(x: f64) -> u32 {
    (x as i64).clamp(0, u32::MAX as i64) as u32
}

// `!(x >= 2^63)`, not `x < 2^63`: NaN takes the first branch.
#[allow(clippy::neg_cmp_op_on_partial_ord)]
pub(super) fn u64_of_f64(x: f64) -> u64 {
    // Below 2^63 (and NaN): the signed conversion, negatives to 0.
    if !(x >= TWO63) {
        (x as i64).max(0) as u64
    } else {
        // `x - 2^63` is exact (Sterbenz); 2^64 and above saturate.
        ((x - TWO63) as i64 as u64).saturating_add(1 << 63)
    }
}

// `!(x >= 2^63)`, not `x < 2^63`: NaN takes the first branch.
#[allow(clippy::neg_cmp_op_on_partial_ord)]
pub(super) fn u64_of_f32(x: f32) -> u64 {
    if !(x >= TWO63 as f32) {
        (x as i64).max(0) as u64
    } else {
        ((x - TWO63 as f32) as i64 as u64).saturating_add(1 << 63)
    }
}

/// The signed conversion of a number the compiler must not know to be
/// non-negative (it would turn the conversion back into the unsigned
/// routine).
fn signed(x: u64) -> i64 {
    core::hint::black_box(x as i64)
}

/// Halving with the lost bit kept as a sticky bit rounds as the whole
/// number would; doubling back is exact.
pub(super) fn f64_of_u64(x: u64) -> f64 {
    if (x as i64) >= 0 {
        signed(x) as f64
    } else {
        (signed(x >> 1 | x & 1) as f64) * 2.0
    }
}

pub(super) fn f32_of_u64(x: u64) -> f32 {
    if (x as i64) >= 0 {
        signed(x) as f32
    } else {
        (signed(x >> 1 | x & 1) as f32) * 2.0
    }
}

pub(super) fn f64_of_u32(x: u32) -> f64 {
    signed(x.into()) as f64
}

pub(super) fn f32_of_u32(x: u32) -> f32 {
    signed(x.into()) as f32
}
