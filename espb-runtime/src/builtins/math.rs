//! libm: the C math functions, double and float variants, via the `libm`
//! crate (pure Rust, so results are identical on host and device).

use super::{a32, a64, Builtin, R};
use crate::imports::Caller;

fn d(a: &[u64], i: usize) -> f64 {
    f64::from_bits(a64(a, i))
}
fn f(a: &[u64], i: usize) -> f32 {
    f32::from_bits(a32(a, i))
}
fn rd(v: f64) -> R {
    Ok(Some(v.to_bits()))
}
fn rf(v: f32) -> R {
    Ok(Some(v.to_bits() as u64))
}

macro_rules! unary {
    ($($name:ident => $imp:path, $fname:ident => $fimp:path;)*) => {
        $(
            fn $name(_: &mut Caller<'_>, a: &[u64]) -> R { rd($imp(d(a, 0))) }
            fn $fname(_: &mut Caller<'_>, a: &[u64]) -> R { rf($fimp(f(a, 0))) }
        )*
    };
}
macro_rules! binary {
    ($($name:ident => $imp:path, $fname:ident => $fimp:path;)*) => {
        $(
            fn $name(_: &mut Caller<'_>, a: &[u64]) -> R { rd($imp(d(a, 0), d(a, 1))) }
            fn $fname(_: &mut Caller<'_>, a: &[u64]) -> R { rf($fimp(f(a, 0), f(a, 1))) }
        )*
    };
}

unary! {
    sin => libm::sin, sinf => libm::sinf;
    cos => libm::cos, cosf => libm::cosf;
    tan => libm::tan, tanf => libm::tanf;
    asin => libm::asin, asinf => libm::asinf;
    acos => libm::acos, acosf => libm::acosf;
    atan => libm::atan, atanf => libm::atanf;
    sinh => libm::sinh, sinhf => libm::sinhf;
    cosh => libm::cosh, coshf => libm::coshf;
    tanh => libm::tanh, tanhf => libm::tanhf;
    exp => libm::exp, expf => libm::expf;
    exp2 => libm::exp2, exp2f => libm::exp2f;
    expm1 => libm::expm1, expm1f => libm::expm1f;
    log => libm::log, logf => libm::logf;
    log2 => libm::log2, log2f => libm::log2f;
    log10 => libm::log10, log10f => libm::log10f;
    log1p => libm::log1p, log1pf => libm::log1pf;
    sqrt => libm::sqrt, sqrtf => libm::sqrtf;
    cbrt => libm::cbrt, cbrtf => libm::cbrtf;
    fabs => libm::fabs, fabsf => libm::fabsf;
    floor => libm::floor, floorf => libm::floorf;
    ceil => libm::ceil, ceilf => libm::ceilf;
    round => libm::round, roundf => libm::roundf;
    trunc => libm::trunc, truncf => libm::truncf;
    rint => libm::rint, rintf => libm::rintf;
    nearbyint => libm::rint, nearbyintf => libm::rintf;
}

binary! {
    pow => libm::pow, powf => libm::powf;
    atan2 => libm::atan2, atan2f => libm::atan2f;
    fmod => libm::fmod, fmodf => libm::fmodf;
    fmin => libm::fmin, fminf => libm::fminf;
    fmax => libm::fmax, fmaxf => libm::fmaxf;
    hypot => libm::hypot, hypotf => libm::hypotf;
    copysign => libm::copysign, copysignf => libm::copysignf;
    fdim => libm::fdim, fdimf => libm::fdimf;
    remainder => libm::remainder, remainderf => libm::remainderf;
}

/// newlib's classification (`FP_NAN` 0, `FP_INFINITE` 1, `FP_ZERO` 2,
/// `FP_SUBNORMAL` 3, `FP_NORMAL` 4), which its `isnan`/`isinf`/`fpclassify`
/// macros call as `__fpclassifyd`/`__fpclassifyf`.
fn newlib_class(c: core::num::FpCategory) -> u32 {
    match c {
        core::num::FpCategory::Nan => 0,
        core::num::FpCategory::Infinite => 1,
        core::num::FpCategory::Zero => 2,
        core::num::FpCategory::Subnormal => 3,
        core::num::FpCategory::Normal => 4,
    }
}
fn __fpclassifyd(_: &mut Caller<'_>, a: &[u64]) -> R {
    Ok(Some(newlib_class(d(a, 0).classify()) as u64))
}
fn __fpclassifyf(_: &mut Caller<'_>, a: &[u64]) -> R {
    Ok(Some(newlib_class(f(a, 0).classify()) as u64))
}
fn __isnand(_: &mut Caller<'_>, a: &[u64]) -> R {
    Ok(Some(d(a, 0).is_nan() as u64))
}
fn __isnanf(_: &mut Caller<'_>, a: &[u64]) -> R {
    Ok(Some(f(a, 0).is_nan() as u64))
}
fn __isinfd(_: &mut Caller<'_>, a: &[u64]) -> R {
    Ok(Some(d(a, 0).is_infinite() as u64))
}
fn __isinff(_: &mut Caller<'_>, a: &[u64]) -> R {
    Ok(Some(f(a, 0).is_infinite() as u64))
}

fn fma(_: &mut Caller<'_>, a: &[u64]) -> R {
    rd(crate::fma::fma(d(a, 0), d(a, 1), d(a, 2)))
}
fn fmaf(_: &mut Caller<'_>, a: &[u64]) -> R {
    rf(libm::fmaf(f(a, 0), f(a, 1), f(a, 2)))
}
fn ldexp(_: &mut Caller<'_>, a: &[u64]) -> R {
    rd(libm::ldexp(d(a, 0), a32(a, 1) as i32))
}
fn ldexpf(_: &mut Caller<'_>, a: &[u64]) -> R {
    rf(libm::ldexpf(f(a, 0), a32(a, 1) as i32))
}
/// `double frexp(double, int *exp)`.
fn frexp(c: &mut Caller<'_>, a: &[u64]) -> R {
    let (m, e) = libm::frexp(d(a, 0));
    c.write_u32(a32(a, 1), e as u32)?;
    rd(m)
}
fn frexpf(c: &mut Caller<'_>, a: &[u64]) -> R {
    let (m, e) = libm::frexpf(f(a, 0));
    c.write_u32(a32(a, 1), e as u32)?;
    rf(m)
}
/// `double modf(double, double *ipart)`.
fn modf(c: &mut Caller<'_>, a: &[u64]) -> R {
    let (frac, int) = libm::modf(d(a, 0));
    c.write_u64(a32(a, 1), int.to_bits())?;
    rd(frac)
}
fn modff(c: &mut Caller<'_>, a: &[u64]) -> R {
    let (frac, int) = libm::modff(f(a, 0));
    c.write_u32(a32(a, 1), int.to_bits())?;
    rf(frac)
}
fn lround(_: &mut Caller<'_>, a: &[u64]) -> R {
    Ok(Some(libm::round(d(a, 0)) as i32 as u32 as u64))
}
fn lroundf(_: &mut Caller<'_>, a: &[u64]) -> R {
    Ok(Some(libm::roundf(f(a, 0)) as i32 as u32 as u64))
}
fn llround(_: &mut Caller<'_>, a: &[u64]) -> R {
    Ok(Some(libm::round(d(a, 0)) as i64 as u64))
}
fn lrint(_: &mut Caller<'_>, a: &[u64]) -> R {
    Ok(Some(libm::rint(d(a, 0)) as i32 as u32 as u64))
}

macro_rules! table {
    ($($name:ident: $sig:literal),* $(,)?) => {
        pub(super) static BUILTINS: &[Builtin] = &[
            $(Builtin { name: stringify!($name), sig: $sig, f: $name },)*
        ];
    };
}

table! {
    __fpclassifyd: "(f64) -> i32", __fpclassifyf: "(f32) -> i32", __isnand: "(f64) -> i32", __isnanf: "(f32) -> i32",
    __isinfd: "(f64) -> i32", __isinff: "(f32) -> i32",
    sin: "(f64) -> f64", sinf: "(f32) -> f32", cos: "(f64) -> f64", cosf: "(f32) -> f32",
    tan: "(f64) -> f64", tanf: "(f32) -> f32", asin: "(f64) -> f64", asinf: "(f32) -> f32",
    acos: "(f64) -> f64", acosf: "(f32) -> f32", atan: "(f64) -> f64", atanf: "(f32) -> f32",
    sinh: "(f64) -> f64", sinhf: "(f32) -> f32", cosh: "(f64) -> f64", coshf: "(f32) -> f32",
    tanh: "(f64) -> f64", tanhf: "(f32) -> f32", exp: "(f64) -> f64", expf: "(f32) -> f32",
    exp2: "(f64) -> f64", exp2f: "(f32) -> f32", expm1: "(f64) -> f64", expm1f: "(f32) -> f32",
    log: "(f64) -> f64", logf: "(f32) -> f32", log2: "(f64) -> f64", log2f: "(f32) -> f32",
    log10: "(f64) -> f64", log10f: "(f32) -> f32", log1p: "(f64) -> f64", log1pf: "(f32) -> f32",
    sqrt: "(f64) -> f64", sqrtf: "(f32) -> f32", cbrt: "(f64) -> f64", cbrtf: "(f32) -> f32",
    fabs: "(f64) -> f64", fabsf: "(f32) -> f32", floor: "(f64) -> f64", floorf: "(f32) -> f32",
    ceil: "(f64) -> f64", ceilf: "(f32) -> f32", round: "(f64) -> f64", roundf: "(f32) -> f32",
    trunc: "(f64) -> f64", truncf: "(f32) -> f32", rint: "(f64) -> f64", rintf: "(f32) -> f32",
    nearbyint: "(f64) -> f64", nearbyintf: "(f32) -> f32",
    pow: "(f64, f64) -> f64", powf: "(f32, f32) -> f32", atan2: "(f64, f64) -> f64",
    atan2f: "(f32, f32) -> f32", fmod: "(f64, f64) -> f64", fmodf: "(f32, f32) -> f32",
    fmin: "(f64, f64) -> f64", fminf: "(f32, f32) -> f32", fmax: "(f64, f64) -> f64",
    fmaxf: "(f32, f32) -> f32", hypot: "(f64, f64) -> f64", hypotf: "(f32, f32) -> f32",
    copysign: "(f64, f64) -> f64", copysignf: "(f32, f32) -> f32", fdim: "(f64, f64) -> f64",
    fdimf: "(f32, f32) -> f32", remainder: "(f64, f64) -> f64", remainderf: "(f32, f32) -> f32",
    fma: "(f64, f64, f64) -> f64", fmaf: "(f32, f32, f32) -> f32",
    ldexp: "(f64, i32) -> f64", ldexpf: "(f32, i32) -> f32",
    frexp: "(f64, ptr) -> f64", frexpf: "(f32, ptr) -> f32",
    modf: "(f64, ptr) -> f64", modff: "(f32, ptr) -> f32",
    lround: "(f64) -> i32", lroundf: "(f32) -> i32", llround: "(f64) -> i64", lrint: "(f64) -> i32",
}
