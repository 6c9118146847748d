//! Complex multiplication and division helpers clang calls for `_Complex`
//! operands that may be infinite or NaN (C99 Annex G), as compiler-rt
//! defines them. `float` results come back as two `float` bit patterns in
//! one 64-bit register (real in the low half: clang's riscv32 `[2 x i32]`
//! return); `double` results are written through the hidden result pointer.

use super::{a32, a64, Builtin, R};
use crate::imports::Caller;

macro_rules! annex_g {
    ($mul:ident, $div:ident, $t:ty, $logb:path, $scalbn:path, $fmax:path) => {
        fn $mul(mut a: $t, mut b: $t, mut c: $t, mut d: $t) -> ($t, $t) {
            let (ac, bd, ad, bc) = (a * c, b * d, a * d, b * c);
            let (mut re, mut im) = (ac - bd, ad + bc);
            if re.is_nan() && im.is_nan() {
                let unit = |x: $t| (if x.is_infinite() { 1.0 as $t } else { 0.0 }).copysign(x);
                let zero_nan = |x: $t| {
                    if x.is_nan() {
                        (0.0 as $t).copysign(x)
                    } else {
                        x
                    }
                };
                let mut recalc = false;
                if a.is_infinite() || b.is_infinite() {
                    a = unit(a);
                    b = unit(b);
                    c = zero_nan(c);
                    d = zero_nan(d);
                    recalc = true;
                }
                if c.is_infinite() || d.is_infinite() {
                    c = unit(c);
                    d = unit(d);
                    a = zero_nan(a);
                    b = zero_nan(b);
                    recalc = true;
                }
                if !recalc
                    && (ac.is_infinite()
                        || bd.is_infinite()
                        || ad.is_infinite()
                        || bc.is_infinite())
                {
                    a = zero_nan(a);
                    b = zero_nan(b);
                    c = zero_nan(c);
                    d = zero_nan(d);
                    recalc = true;
                }
                if recalc {
                    re = <$t>::INFINITY * (a * c - b * d);
                    im = <$t>::INFINITY * (a * d + b * c);
                }
            }
            (re, im)
        }

        fn $div(mut a: $t, mut b: $t, mut c: $t, mut d: $t) -> ($t, $t) {
            let mut ilogbw = 0i32;
            let logbw = $logb($fmax(c.abs(), d.abs()));
            if logbw.is_finite() {
                ilogbw = logbw as i32;
                c = $scalbn(c, -ilogbw);
                d = $scalbn(d, -ilogbw);
            }
            let denom = c * c + d * d;
            let mut re = $scalbn((a * c + b * d) / denom, -ilogbw);
            let mut im = $scalbn((b * c - a * d) / denom, -ilogbw);
            if re.is_nan() && im.is_nan() {
                let unit = |x: $t| (if x.is_infinite() { 1.0 as $t } else { 0.0 }).copysign(x);
                if denom == 0.0 && (!a.is_nan() || !b.is_nan()) {
                    re = <$t>::INFINITY.copysign(c) * a;
                    im = <$t>::INFINITY.copysign(c) * b;
                } else if (a.is_infinite() || b.is_infinite()) && c.is_finite() && d.is_finite() {
                    a = unit(a);
                    b = unit(b);
                    re = <$t>::INFINITY * (a * c + b * d);
                    im = <$t>::INFINITY * (b * c - a * d);
                } else if logbw.is_infinite() && logbw > 0.0 && a.is_finite() && b.is_finite() {
                    c = unit(c);
                    d = unit(d);
                    re = 0.0 * (a * c + b * d);
                    im = 0.0 * (b * c - a * d);
                }
            }
            (re, im)
        }
    };
}

/// C's `logb`: the unbiased exponent, with C's special cases.
fn logb(x: f64) -> f64 {
    if x == 0.0 {
        f64::NEG_INFINITY
    } else if !x.is_finite() {
        x * x
    } else {
        libm::ilogb(x) as f64
    }
}

fn logbf(x: f32) -> f32 {
    if x == 0.0 {
        f32::NEG_INFINITY
    } else if !x.is_finite() {
        x * x
    } else {
        libm::ilogbf(x) as f32
    }
}

annex_g!(mul_f32, div_f32, f32, logbf, libm::scalbnf, libm::fmaxf);
annex_g!(mul_f64, div_f64, f64, logb, libm::scalbn, libm::fmax);

fn f(a: &[u64], i: usize) -> f32 {
    f32::from_bits(a32(a, i))
}

fn d(a: &[u64], i: usize) -> f64 {
    f64::from_bits(a64(a, i))
}

fn pack(z: (f32, f32)) -> R {
    Ok(Some(z.0.to_bits() as u64 | (z.1.to_bits() as u64) << 32))
}

fn store(c: &Caller<'_>, at: u32, z: (f64, f64)) -> R {
    c.write(at, &z.0.to_le_bytes())?;
    c.write(at.wrapping_add(8), &z.1.to_le_bytes())?;
    Ok(None)
}

fn mulsc3(_: &mut Caller<'_>, a: &[u64]) -> R {
    pack(mul_f32(f(a, 0), f(a, 1), f(a, 2), f(a, 3)))
}

fn divsc3(_: &mut Caller<'_>, a: &[u64]) -> R {
    pack(div_f32(f(a, 0), f(a, 1), f(a, 2), f(a, 3)))
}

fn muldc3(c: &mut Caller<'_>, a: &[u64]) -> R {
    store(c, a32(a, 0), mul_f64(d(a, 1), d(a, 2), d(a, 3), d(a, 4)))
}

fn divdc3(c: &mut Caller<'_>, a: &[u64]) -> R {
    store(c, a32(a, 0), div_f64(d(a, 1), d(a, 2), d(a, 3), d(a, 4)))
}

pub(super) static BUILTINS: &[Builtin] = &[
    Builtin {
        name: "__mulsc3",
        sig: "(f32, f32, f32, f32) -> i64",
        f: mulsc3,
    },
    Builtin {
        name: "__divsc3",
        sig: "(f32, f32, f32, f32) -> i64",
        f: divsc3,
    },
    Builtin {
        name: "__muldc3",
        sig: "(ptr, f64, f64, f64, f64) -> void",
        f: muldc3,
    },
    Builtin {
        name: "__divdc3",
        sig: "(ptr, f64, f64, f64, f64) -> void",
        f: divdc3,
    },
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finite_operands_give_the_textbook_results() {
        assert_eq!(mul_f64(1.0, 2.0, 3.0, 4.0), (-5.0, 10.0));
        assert_eq!(div_f64(-5.0, 10.0, 3.0, 4.0), (1.0, 2.0));
        assert_eq!(div_f32(-5.0, 10.0, 3.0, 4.0), (1.0, 2.0));
    }

    #[test]
    fn infinities_survive_as_annex_g_requires() {
        let (re, im) = mul_f64(f64::INFINITY, f64::NAN, 1.0, 0.0);
        assert!(re.is_infinite() || im.is_infinite());
        let (re, _) = div_f64(1.0, 1.0, 0.0, 0.0);
        assert!(re.is_infinite());
    }
}
