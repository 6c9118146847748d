//! Exact decimal text of an IEEE binary128 value (`long double`), for
//! `printf("%Lf")`, `%Le`, `%Lg`: every binary fraction has a finite decimal
//! expansion, computed here with a small big integer, then rounded to the
//! requested digits half-to-even as a C library does.

use alloc::string::String;
use alloc::vec::Vec;

/// A finite non-negative value as decimal digits: `0.d₀d₁… × 10^point`.
pub struct Decimal {
    /// Digits, most significant first, without leading zeros (empty: zero).
    digits: Vec<u8>,
    point: i32,
}

const LIMB: u64 = 1_000_000_000;

/// Multiplies little-endian base-1e9 `limbs` by `k` (below 2^32).
fn mul_small(limbs: &mut Vec<u64>, k: u64) {
    let mut carry = 0u64;
    for l in limbs.iter_mut() {
        let v = *l * k + carry;
        *l = v % LIMB;
        carry = v / LIMB;
    }
    while carry > 0 {
        limbs.push(carry % LIMB);
        carry /= LIMB;
    }
}

fn to_digits(limbs: &[u64]) -> Vec<u8> {
    let mut out = Vec::new();
    for (i, &l) in limbs.iter().rev().enumerate() {
        let mut chunk = [0u8; 9];
        let mut v = l;
        for d in chunk.iter_mut().rev() {
            *d = (v % 10) as u8;
            v /= 10;
        }
        if i == 0 {
            let first = chunk.iter().position(|&d| d != 0).unwrap_or(9);
            out.extend_from_slice(&chunk[first..]);
        } else {
            out.extend_from_slice(&chunk);
        }
    }
    out
}

impl Decimal {
    /// The magnitude of binary128 `bits` (finite; the sign is ignored).
    pub fn from_binary128(bits: u128) -> Decimal {
        let exp = ((bits >> 112) & 0x7fff) as i32;
        let frac = bits & ((1u128 << 112) - 1);
        let (m, e) = if exp == 0 {
            (frac, -16494)
        } else {
            (frac | 1 << 112, exp - 16383 - 112)
        };
        if m == 0 {
            return Decimal {
                digits: Vec::new(),
                point: 1,
            };
        }
        let mut limbs = Vec::new();
        let mut v = m;
        while v > 0 {
            limbs.push((v % LIMB as u128) as u64);
            v /= LIMB as u128;
        }
        // m × 2^e: an integer when e >= 0; m × 5^-e × 10^e otherwise.
        let (factor, step, n) = if e >= 0 {
            (2u64, 1u64 << 29, e as u32)
        } else {
            (5u64, 1_220_703_125, (-e) as u32)
        };
        let per = if e >= 0 { 29 } else { 13 };
        for _ in 0..n / per {
            mul_small(&mut limbs, step);
        }
        for _ in 0..n % per {
            mul_small(&mut limbs, factor);
        }
        let mut digits = to_digits(&limbs);
        let len = digits.len() as i32;
        let point = if e >= 0 { len } else { len + e };
        while digits.last() == Some(&0) {
            digits.pop();
        }
        Decimal { digits, point }
    }

    /// Digit `i` of the expansion (0 beyond it).
    fn digit(&self, i: i64) -> u8 {
        if i < 0 {
            0
        } else {
            self.digits.get(i as usize).copied().unwrap_or(0)
        }
    }

    /// The first `keep` digits (counted from digit 0, which may be before
    /// the first stored one when `keep` reaches left of it: offset `from`),
    /// rounded half to even; returns them and whether rounding carried into
    /// a new leading digit.
    fn rounded(&self, from: i64, keep: i64) -> (Vec<u8>, bool) {
        let mut out: Vec<u8> = (from..from + keep.max(0)).map(|i| self.digit(i)).collect();
        let cut = from + keep.max(0);
        let next = self.digit(cut);
        let rest_nonzero = (cut + 1..self.digits.len() as i64).any(|i| self.digit(i) != 0);
        let last_odd = out.last().is_some_and(|d| d % 2 == 1);
        let up = next > 5 || (next == 5 && (rest_nonzero || last_odd));
        if !up {
            return (out, false);
        }
        for d in out.iter_mut().rev() {
            if *d == 9 {
                *d = 0;
            } else {
                *d += 1;
                return (out, false);
            }
        }
        out.insert(0, 1);
        (out, true)
    }

    /// `%.{prec}f` of the magnitude.
    pub fn fixed(&self, prec: usize) -> String {
        let int_digits = self.point.max(0) as i64;
        // Digit i weighs 10^(point - 1 - i): keep from the first integer
        // digit (or the first after the point) down to 10^-prec.
        let from = if self.point > 0 { 0 } else { self.point as i64 };
        let keep = self.point as i64 + prec as i64 - from;
        let (mut d, carried) = self.rounded(from, keep);
        let int_len = (int_digits + carried as i64) as usize;
        let mut s = String::new();
        if int_len == 0 {
            s.push('0');
        }
        for (i, x) in d.drain(..).enumerate() {
            if i == int_len {
                s.push('.');
            }
            s.push((b'0' + x) as char);
        }
        s
    }

    /// `%.{prec}e` of the magnitude: mantissa text and decimal exponent.
    pub fn exp_parts(&self, prec: usize) -> (String, i32) {
        if self.digits.is_empty() {
            let mut m = String::from("0");
            if prec > 0 {
                m.push('.');
                m.extend(core::iter::repeat_n('0', prec));
            }
            return (m, 0);
        }
        let (d, carried) = self.rounded(0, prec as i64 + 1);
        let x = self.point - 1 + carried as i32;
        let mut m = String::new();
        for (i, v) in d.iter().take(prec + 1).enumerate() {
            if i == 1 {
                m.push('.');
            }
            m.push((b'0' + v) as char);
        }
        (m, x)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// binary128 bits of a double (exact).
    fn q(x: f64) -> u128 {
        let b = x.to_bits();
        let exp = ((b >> 52) & 0x7ff) as u128;
        let frac = (b & ((1 << 52) - 1)) as u128;
        assert!(exp != 0 && exp != 0x7ff);
        ((exp + 16383 - 1023) << 112) | (frac << 60)
    }

    #[test]
    fn fixed_and_exponent_forms_round_half_even() {
        let d = Decimal::from_binary128(q(2.5));
        assert_eq!(d.fixed(0), "2");
        assert_eq!(d.fixed(2), "2.50");
        assert_eq!(Decimal::from_binary128(q(3.5)).fixed(0), "4");
        assert_eq!(Decimal::from_binary128(q(0.125)).fixed(2), "0.12");
        assert_eq!(Decimal::from_binary128(q(9.96)).fixed(1), "10.0");
        assert_eq!(Decimal::from_binary128(q(0.0009765625)).fixed(3), "0.001");
        assert_eq!(
            Decimal::from_binary128(q(1234.5)).exp_parts(2),
            ("1.23".into(), 3)
        );
        assert_eq!(
            Decimal::from_binary128(q(9.999)).exp_parts(1),
            ("1.0".into(), 1)
        );
        assert_eq!(Decimal::from_binary128(0).fixed(3), "0.000");
        assert_eq!(
            Decimal::from_binary128(q(1e300)).exp_parts(3),
            ("1.000".into(), 300)
        );
    }

    #[test]
    fn binary128_third_has_its_own_digits() {
        // 1/3 rounded to 113 bits: 0.3333333333333333333333333333333333 (34 digits).
        let third = (0x3ffd_5555_5555_5555u128 << 64) | 0x5555_5555_5555_5555;
        assert_eq!(
            Decimal::from_binary128(third).fixed(20),
            "0.33333333333333333333"
        );
    }
}
