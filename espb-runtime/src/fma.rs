//! `f64` fused multiply-add without a hardware FMA: the exact `x * y + z`
//! on 128-bit integers, rounded once to nearest-even. `f64.fma` and the
//! `fma` builtin use it on every target, so the host and the chips agree
//! bit for bit. (libm's generic `fma` gives the same results; on RV32 it is
//! twice the size and links libgcc's `__floatdidf` for itself alone.)

use crate::bits::leading_zeros64;

/// Sign, significand with its top bit at bit 52 (subnormals normalised)
/// and exponent: `|x| = m * 2^e`. `x` is finite and not zero. (Out of
/// line: three operands.)
#[inline(never)]
fn parts(b: u64) -> (bool, u64, i32) {
    let field = (b >> 52) as i32 & 0x7ff;
    let frac = b & ((1 << 52) - 1);
    let (m, e) = if field == 0 {
        (frac, -1074)
    } else {
        (frac | 1 << 52, field - 1075)
    };
    let k = leading_zeros64(m) as i32 - 11;
    (b >> 63 != 0, m << k, e - k)
}

/// `v / 2^d` with the bits shifted out kept as a sticky last bit. (A
/// shift of 127 leaves the top bit, and the sticky bit the rest: `v != 0`
/// as any larger shift gives, so larger ones shift by 127.)
#[inline(never)]
fn shr_sticky(v: u128, d: u32) -> u128 {
    let d = d.min(127);
    let r = v >> d;
    r | (r << d != v) as u128
}

pub fn fma(x: f64, y: f64, z: f64) -> f64 {
    fused(x, y, z, false)
}

/// `f32` fused multiply-add through the same core: the `f32` operands are
/// exact as doubles, the exact sum is rounded to a double by rounding to
/// odd (truncating, the last bit set when anything was cut), and that to
/// `f32` once more: with 29 bits to spare, to-odd then to-nearest gives
/// the sum's own nearest `f32` (no double-rounding error). The special
/// cases' `x * y + z` and `x * y` are exact or one rounding as doubles for
/// `f32` operands. (libm's `fmaf` is a second copy of such a core.)
pub fn fmaf(x: f32, y: f32, z: f32) -> f32 {
    fused(x.into(), y.into(), z.into(), true) as f32
}

/// `x * y + z` rounded once: to nearest-even, or to odd for `fmaf`. Out of
/// line: `f64.fma` and `f32.fma` share it.
#[inline(never)]
fn fused(x: f64, y: f64, z: f64, odd: bool) -> f64 {
    // On the bits (a float comparison is a libgcc call on these cores):
    // the magnitude is not 0 and the exponent field not all ones.
    let finite_nonzero = |v: f64| {
        let m = v.to_bits() << 1;
        m != 0 && m >> 53 != 0x7ff
    };
    if !finite_nonzero(x) || !finite_nonzero(y) {
        // The product is exactly 0, an infinity or NaN: nothing to fuse.
        return x * y + z;
    }
    if !finite_nonzero(z) {
        // `x * y + (-0.0)` would round a tiny negative product to -0 and
        // then add +0: the product alone is the fused result.
        return if z.to_bits() << 1 == 0 { x * y } else { z };
    }
    let (xn, mx, ex) = parts(x.to_bits());
    let (yn, my, ey) = parts(y.to_bits());
    let (zn, mz, ez) = parts(z.to_bits());
    // Both operands with their top bit at bit 125: the product (105 or 106
    // bits, exact) and the addend; a sum of the two fits with a bit to spare.
    let p = mx as u128 * my as u128;
    let (p, ep) = if p >> 105 != 0 {
        (p << 20, ex + ey - 20)
    } else {
        (p << 21, ex + ey - 21)
    };
    let (zm, ez) = ((mz as u128) << 73, ez - 73);
    // The operand of the larger magnitude, then the other one shifted to
    // its exponent. Only a shift of 2 or more drops bits (both operands end
    // in zeros), and then the sum keeps at least 124 bits: the sticky bit
    // lies far below the rounding point. Cancellation is exact.
    let ((big, neg, e), (small, small_neg, small_e)) = if (ep, p) >= (ez, zm) {
        ((p, xn != yn, ep), (zm, zn, ez))
    } else {
        ((zm, zn, ez), (p, xn != yn, ep))
    };
    let small = shr_sticky(small, (e - small_e) as u32);
    let r = if neg == small_neg {
        big + small
    } else {
        big - small
    };
    if r == 0 {
        // An exact zero rounds to +0.
        return 0.0;
    }
    // Top bit to bit 127: `|result| = r * 2^e`, biased exponent `e + 1150`.
    let (hi, lo) = ((r >> 64) as u64, r as u64);
    let k = if hi != 0 {
        leading_zeros64(hi)
    } else {
        64 + leading_zeros64(lo)
    };
    let (mut r, mut field) = (r << k, e - k as i32 + 1150);
    let sign = (neg as u64) << 63;
    if field >= 0x7ff {
        return f64::from_bits(sign | 0x7ff << 52);
    }
    if field <= 0 {
        // Subnormal: the last bit weighs 2^-1074, `1 - field` places lower.
        r = shr_sticky(r, (1 - field) as u32);
        field = 1;
    }
    // 53 bits (the top one the hidden bit, for normal numbers), the round
    // bit, then the sticky bits: nearest, ties to even.
    let (hi, lo) = ((r >> 64) as u64, r as u64);
    let m = hi >> 11;
    let (m, up) = if odd {
        // No overflow or subnormal can reach here from `f32` operands.
        (m | (hi & 0x7ff != 0 || lo != 0) as u64, false)
    } else {
        (
            m,
            hi >> 10 & 1 == 1 && (hi & 0x3ff != 0 || lo != 0 || m & 1 == 1),
        )
    };
    // Adding `m` with its hidden bit to `field - 1` gives the exponent
    // field; a carry out of the significand (rounding up) raises it, up to
    // infinity, and lifts the largest subnormal to the smallest normal.
    f64::from_bits(sign | ((((field - 1) as u64) << 52) + m + up as u64))
}

#[cfg(test)]
mod tests {
    use super::{fma, fmaf};

    fn check(x: f64, y: f64, z: f64) {
        let (got, want) = (fma(x, y, z), libm::fma(x, y, z));
        assert!(
            got.to_bits() == want.to_bits() || (got.is_nan() && want.is_nan()),
            "fma({x:e}, {y:e}, {z:e}) = {got:e} ({:#x}), libm {want:e} ({:#x})",
            got.to_bits(),
            want.to_bits()
        );
    }

    #[test]
    fn special_values_match_libm() {
        let vals = [
            0.0,
            -0.0,
            1.0,
            -1.0,
            0.5,
            3.0,
            1.0 + f64::EPSILON,
            1.0 - f64::EPSILON / 2.0,
            f64::MIN_POSITIVE,
            -f64::MIN_POSITIVE,
            f64::MIN_POSITIVE / 2.0,
            5e-324,
            -5e-324,
            f64::MAX,
            f64::MIN,
            f64::INFINITY,
            f64::NEG_INFINITY,
            f64::NAN,
            1e308,
            1e-308,
            2f64.powi(-537),
            2f64.powi(512),
            123.456,
        ];
        for &x in &vals {
            for &y in &vals {
                for &z in &vals {
                    check(x, y, z);
                }
            }
        }
    }

    #[test]
    fn random_operands_match_libm() {
        let mut r = 0x2545_f491_4f6c_dd1du64;
        let mut next = || {
            r ^= r << 13;
            r ^= r >> 7;
            r ^= r << 17;
            r
        };
        for i in 0..3_000_000u32 {
            let (a, b, c) = (next(), next(), next());
            // Exponents over the whole range, then near each other (close
            // products and addends: cancellation, ties, carries), then
            // around the subnormal and overflow edges.
            let (x, y, z) = match i % 4 {
                0 => (f64::from_bits(a), f64::from_bits(b), f64::from_bits(c)),
                1 => {
                    let x = f64::from_bits(a & !(0x7ff << 52) | 0x3ff << 52);
                    let y = f64::from_bits(b & !(0x7ff << 52) | 0x3ff << 52);
                    let z = f64::from_bits(c & !(0x7ff << 52) | (0x3fe + (c >> 62)) << 52);
                    // Opposite signs half the time: cancellation.
                    let z = if a & 1 == 0 { z } else { -z };
                    (x, y, z * (x * y).signum())
                }
                2 => {
                    let e = |v: u64, base: u64| (v & !(0x7ff << 52)) | ((base + (v >> 58)) << 52);
                    (
                        f64::from_bits(e(a, 0x1c0)),
                        f64::from_bits(e(b, 0x1c0)),
                        f64::from_bits(c >> 10),
                    )
                }
                _ => {
                    let e = |v: u64, base: u64| (v & !(0x7ff << 52)) | ((base + (v >> 59)) << 52);
                    (
                        f64::from_bits(e(a, 0x5f0)),
                        f64::from_bits(e(b, 0x5f0)),
                        -f64::from_bits(e(c, 0x7e0)),
                    )
                }
            };
            check(x, y, z);
        }
    }

    fn check_f32(x: f32, y: f32, z: f32) {
        let (got, want) = (fmaf(x, y, z), libm::fmaf(x, y, z));
        assert!(
            got.to_bits() == want.to_bits() || (got.is_nan() && want.is_nan()),
            "fmaf({x:e}, {y:e}, {z:e}) = {got:e} ({:#x}), libm {want:e} ({:#x})",
            got.to_bits(),
            want.to_bits()
        );
    }

    #[test]
    fn fmaf_special_values_match_libm() {
        let vals = [
            0.0f32,
            -0.0,
            1.0,
            -1.0,
            0.5,
            3.0,
            1.0 + f32::EPSILON,
            1.0 - f32::EPSILON / 2.0,
            f32::MIN_POSITIVE,
            -f32::MIN_POSITIVE,
            f32::MIN_POSITIVE / 2.0,
            1e-45,
            -1e-45,
            f32::MAX,
            f32::MIN,
            f32::INFINITY,
            f32::NEG_INFINITY,
            f32::NAN,
            1e38,
            1e-38,
            2f32.powi(-70),
            2f32.powi(64),
            123.456,
        ];
        for &x in &vals {
            for &y in &vals {
                for &z in &vals {
                    check_f32(x, y, z);
                }
            }
        }
    }

    /// Random operands, then products and addends close in magnitude (ties
    /// and near-ties of the `f32` rounding, where a double rounding would
    /// go wrong), then around the subnormal and overflow edges.
    #[test]
    fn fmaf_random_operands_match_libm() {
        let mut r = 0x9e37_79b9_7f4a_7c15u64;
        let mut next = || {
            r ^= r << 13;
            r ^= r >> 7;
            r ^= r << 17;
            r
        };
        for i in 0..3_000_000u32 {
            let v = next();
            let (a, b, c) = (v as u32, (v >> 32) as u32, next() as u32);
            let e =
                |v: u32, base: u32| f32::from_bits(v & !(0xff << 23) | (base + (v >> 29)) << 23);
            let (x, y, z) = match i % 4 {
                0 => (f32::from_bits(a), f32::from_bits(b), f32::from_bits(c)),
                1 => {
                    // A multiplicand of two significant bits: the product's
                    // bits below the `f32` rounding point are often an exact
                    // tie, which an addend far below it (beyond a double's
                    // precision) breaks — where a double rounding goes wrong.
                    let x = f32::from_bits((126 + (a >> 30)) << 23 | (a & 3) << 21);
                    let y = e(b, 127);
                    let z = f32::from_bits((c & 0x7f_ffff) | (127 - 26 - (c >> 27 & 31)) << 23);
                    (x, y, if a & 4 == 0 { z } else { -z })
                }
                2 => (e(a, 20), e(b, 20), f32::from_bits(c >> 8)),
                _ => (e(a, 190), e(b, 190), -e(c, 247)),
            };
            check_f32(x, y, z);
        }
    }
}
