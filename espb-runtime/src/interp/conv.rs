//! Conversions between integers and soft floats (`OUT_F32`/`OUT_F64` rows)
//! through the few libgcc routines that are linked anyway: the 32-bit
//! signed ones, `f64 <-> f32`; the 64-bit truncations on the bits. On RV32 each other routine
//! (`__floatundidf`, `__fixunsdfdi`, `__floatdidf`, `__floatdisf`,
//! `__fixsfdi`, ...: 0.2 to 0.5 KB each) would be linked for one opcode
//! alone. Each gives what Rust's `as` gives (saturating, NaN to 0, one
//! rounding).

/// 2^32.
const TWO32: f64 = 4_294_967_296.0;

// Every `f32` is exact as an `f64`: the `f32` conversions to integers are
// the `f64` ones.

pub(super) fn u32_of_f32(x: f32) -> u32 {
    u32_of_f64(x.into())
}

pub(super) fn i64_of_f32(x: f32) -> i64 {
    i64_of_f64(x.into())
}

pub(super) fn u64_of_f32(x: f32) -> u64 {
    u64_of_f64(x.into())
}

/// The signed 32-bit truncations through the 64-bit one, clamped (Rust's
/// `as i32` wraps libgcc's conversion in three soft-float comparisons).
pub(super) fn i32_of_f64(x: f64) -> i32 {
    i64_of_f64(x).clamp(i32::MIN as i64, i32::MAX as i64) as i32
}

pub(super) fn i32_of_f32(x: f32) -> i32 {
    i32_of_f64(x.into())
}

/// Through the 64-bit conversion, clamped: one copy of the range tests
/// for the four unsigned truncations (each rare).
pub(super) fn u32_of_f64(x: f64) -> u32 {
    u64_of_f64(x).min(u32::MAX as u64) as u32
}

/// The biased exponent field of `f64` bits.
fn exponent(b: u64) -> u32 {
    (b >> 52) as u32 & 0x7ff
}

/// Whether `f64` bits are a NaN (on the bits: a float comparison is a
/// libgcc call here).
fn is_nan(b: u64) -> bool {
    b << 1 > 0x7ff << 53
}

/// `|x|` truncated to an integer, from its bits, for `|x| < 2^64`: the
/// significand shifted to its place. Rust's saturating `as` wraps libgcc's
/// `__fixdfdi` in three float comparisons (each a libgcc call); the range
/// tests here are on the exponent field instead. (Out of line: the
/// signed and unsigned truncations share it.)
#[inline(never)]
fn trunc_magnitude(b: u64) -> u64 {
    let e = exponent(b);
    if e < 1023 {
        return 0;
    }
    let m = b & ((1 << 52) - 1) | 1 << 52;
    if e >= 1075 {
        m << (e - 1075)
    } else {
        m >> (1075 - e)
    }
}

/// `x as i64` (saturating, NaN to 0). Out of line: the signed and
/// `f32` truncations share it.
#[inline(never)]
pub(super) fn i64_of_f64(x: f64) -> i64 {
    let b = x.to_bits();
    let neg = b >> 63 != 0;
    if exponent(b) >= 1023 + 63 {
        // `|x| >= 2^63`, infinities and NaN (`-2^63` itself is `MIN`).
        return if is_nan(b) {
            0
        } else if neg {
            i64::MIN
        } else {
            i64::MAX
        };
    }
    let m = trunc_magnitude(b) as i64;
    if neg {
        -m
    } else {
        m
    }
}

/// `x as u64` (saturating, negatives and NaN to 0). Out of line:
/// `u32_of_f64`, `u32_of_f32` and `u64_of_f32` share it.
#[inline(never)]
pub(super) fn u64_of_f64(x: f64) -> u64 {
    let b = x.to_bits();
    if b >> 63 != 0 || is_nan(b) {
        0
    } else if exponent(b) >= 1023 + 64 {
        u64::MAX
    } else {
        trunc_magnitude(b)
    }
}

/// The signed 32-bit conversion of bits the compiler must not see as an
/// unsigned number (it would turn the conversion back into the unsigned
/// routine).
fn signed32(x: u32) -> f64 {
    f64::from(core::hint::black_box(x as i32))
}

/// Exact: the signed conversion, plus 2^32 where the top bit was the sign.
pub(super) fn f64_of_u32(x: u32) -> f64 {
    let s = signed32(x);
    if (x as i32) < 0 {
        s + TWO32
    } else {
        s
    }
}

/// `hi * 2^32` and `lo` are both exact doubles: their sum is the one
/// rounding.
pub(super) fn f64_of_i64(x: i64) -> f64 {
    f64::from((x >> 32) as i32) * TWO32 + f64_of_u32(x as u32)
}

/// Halving with the lost bit kept as a sticky bit rounds as the whole
/// number would; doubling back is exact.
pub(super) fn f64_of_u64(x: u64) -> f64 {
    if (x as i64) >= 0 {
        f64_of_i64(x as i64)
    } else {
        f64_of_i64((x >> 1 | x & 1) as i64) * 2.0
    }
}

/// A magnitude below 2^53 is exact as a double, which then rounds once to
/// `f32`. Above, the 11 bits under the double's 53 collapse into a sticky
/// bit: `f32`'s rounding point lies far above them, so the rounding is the
/// whole number's.
fn f32_of_magnitude(a: u64) -> f32 {
    if a >> 53 == 0 {
        f64_of_i64(a as i64) as f32
    } else {
        (f64_of_i64((a >> 11 | u64::from(a & 0x7ff != 0)) as i64) * 2048.0) as f32
    }
}

pub(super) fn f32_of_i64(x: i64) -> f32 {
    let f = f32_of_magnitude(x.unsigned_abs());
    if x < 0 {
        -f
    } else {
        f
    }
}

pub(super) fn f32_of_u64(x: u64) -> f32 {
    f32_of_magnitude(x)
}

/// Exact as a double, then one rounding.
pub(super) fn f32_of_u32(x: u32) -> f32 {
    f64_of_u32(x) as f32
}
