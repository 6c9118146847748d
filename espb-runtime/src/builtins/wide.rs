//! Values wider than a register, as the translator lowers them: `long double`
//! (IEEE binary128, riscv32's `long double`) in software, and integers of
//! 65..128 bits (bit-field containers, `__builtin_mul_overflow` on mixed
//! types). A 128-bit operand arrives as two `i64` halves (low first); a
//! 128-bit result is written through the leading `ptr`, 16 bytes little
//! endian. The names are espb's own (`__espb_…`), not compiler-rt's: the
//! calling convention is not the C ABI's, so a firmware's libgcc
//! `__addtf3` must never be picked up in their place.
//!
//! Arithmetic is LLVM's APFloat (`rustc_apfloat`), correctly rounded to
//! nearest-even like the soft-float library a riscv32 firmware links.

use rustc_apfloat::ieee::{Double, Quad, Single};
use rustc_apfloat::{Float, FloatConvert, StatusAnd};

use super::{a32, a64, Builtin, R};
use crate::imports::Caller;
use crate::trap::{Trap, TrapKind};

fn wide(a: &[u64], i: usize) -> u128 {
    a64(a, i) as u128 | (a64(a, i + 1) as u128) << 64
}

fn quad(a: &[u64], i: usize) -> Quad {
    Quad::from_bits(wide(a, i))
}

fn put(c: &Caller<'_>, at: u32, v: u128) -> R {
    c.write(at, &v.to_le_bytes())?;
    Ok(None)
}

fn arith(c: &Caller<'_>, a: &[u64], f: fn(Quad, Quad) -> StatusAnd<Quad>) -> R {
    put(c, a32(a, 0), f(quad(a, 1), quad(a, 3)).value.to_bits())
}

fn add(c: &mut Caller<'_>, a: &[u64]) -> R {
    arith(c, a, |x, y| x + y)
}

fn sub(c: &mut Caller<'_>, a: &[u64]) -> R {
    arith(c, a, |x, y| x - y)
}

fn mul(c: &mut Caller<'_>, a: &[u64]) -> R {
    arith(c, a, |x, y| x * y)
}

fn div(c: &mut Caller<'_>, a: &[u64]) -> R {
    arith(c, a, |x, y| x / y)
}

/// C's `fmodl` (LLVM's `frem`): the remainder of the truncated quotient.
fn rem(c: &mut Caller<'_>, a: &[u64]) -> R {
    arith(c, a, |x, y| x.c_fmod(y))
}

/// The relation of two values as LLVM's `fcmp` predicate bits: 1 equal,
/// 2 greater, 4 less, 8 unordered. A predicate holds when its own bits
/// and this one share one.
fn cmp(_: &mut Caller<'_>, a: &[u64]) -> R {
    use core::cmp::Ordering::*;
    let bits = match quad(a, 0).partial_cmp(&quad(a, 2)) {
        Some(Equal) => 1,
        Some(Greater) => 2,
        Some(Less) => 4,
        None => 8,
    };
    Ok(Some(bits))
}

fn from_f64(c: &mut Caller<'_>, a: &[u64]) -> R {
    let d = Double::from_bits(a64(a, 1) as u128);
    let q: StatusAnd<Quad> = d.convert(&mut false);
    put(c, a32(a, 0), q.value.to_bits())
}

fn to_f64(_: &mut Caller<'_>, a: &[u64]) -> R {
    let d: StatusAnd<Double> = quad(a, 0).convert(&mut false);
    Ok(Some(d.value.to_bits() as u64))
}

fn to_f32(_: &mut Caller<'_>, a: &[u64]) -> R {
    let s: StatusAnd<Single> = quad(a, 0).convert(&mut false);
    Ok(Some(s.value.to_bits() as u64))
}

/// From a 128-bit integer, signed when the last argument is non-zero.
fn from_int(c: &mut Caller<'_>, a: &[u64]) -> R {
    let v = wide(a, 1);
    let q = if a32(a, 3) != 0 {
        Quad::from_i128(v as i128)
    } else {
        Quad::from_u128(v)
    };
    put(c, a32(a, 0), q.value.to_bits())
}

/// To an integer of `bits` (low byte of the last argument; bit 8: signed),
/// truncating toward zero; out-of-range values (undefined in C) saturate.
fn to_int(c: &mut Caller<'_>, a: &[u64]) -> R {
    let flags = a32(a, 3);
    let bits = (flags & 0xff).clamp(1, 128) as usize;
    let x = quad(a, 1);
    let v = if flags & 0x100 != 0 {
        x.to_i128(bits).value as u128
    } else {
        x.to_u128(bits).value
    };
    put(c, a32(a, 0), v)
}

fn i128_mul(c: &mut Caller<'_>, a: &[u64]) -> R {
    put(c, a32(a, 0), wide(a, 1).wrapping_mul(wide(a, 3)))
}

fn divisor(a: &[u64]) -> Result<u128, Trap> {
    match wide(a, 3) {
        0 => Err(Trap::new(TrapKind::DivByZero)),
        d => Ok(d),
    }
}

fn i128_divu(c: &mut Caller<'_>, a: &[u64]) -> R {
    let d = divisor(a)?;
    put(c, a32(a, 0), wide(a, 1) / d)
}

fn i128_remu(c: &mut Caller<'_>, a: &[u64]) -> R {
    let d = divisor(a)?;
    put(c, a32(a, 0), wide(a, 1) % d)
}

fn i128_divs(c: &mut Caller<'_>, a: &[u64]) -> R {
    let d = divisor(a)? as i128;
    let q = (wide(a, 1) as i128)
        .checked_div(d)
        .ok_or(Trap::new(TrapKind::IntOverflow))?;
    put(c, a32(a, 0), q as u128)
}

fn i128_rems(c: &mut Caller<'_>, a: &[u64]) -> R {
    let d = divisor(a)? as i128;
    put(c, a32(a, 0), (wide(a, 1) as i128).wrapping_rem(d) as u128)
}

/// Multiplication of two `bits`-bit integers (low byte of the last argument;
/// bit 8: signed) given extended to 128 bits: writes the product wrapped to
/// 128 bits and returns whether it does not fit in `bits`.
fn i128_mulo(c: &mut Caller<'_>, a: &[u64]) -> R {
    let flags = a32(a, 5);
    let bits = (flags & 0xff).clamp(1, 128);
    let (x, y) = (wide(a, 1), wide(a, 3));
    let overflow = if flags & 0x100 != 0 {
        match (x as i128).checked_mul(y as i128) {
            None => true,
            Some(p) => bits < 128 && (p >> (bits - 1) != 0 && p >> (bits - 1) != -1),
        }
    } else {
        match x.checked_mul(y) {
            None => true,
            Some(p) => bits < 128 && p >> bits != 0,
        }
    };
    put(c, a32(a, 0), x.wrapping_mul(y))?;
    Ok(Some(overflow as u64))
}

pub(super) static BUILTINS: &[Builtin] = &[
    Builtin {
        name: "__espb_f128_add",
        sig: "(ptr, i64, i64, i64, i64) -> void",
        f: add,
    },
    Builtin {
        name: "__espb_f128_sub",
        sig: "(ptr, i64, i64, i64, i64) -> void",
        f: sub,
    },
    Builtin {
        name: "__espb_f128_mul",
        sig: "(ptr, i64, i64, i64, i64) -> void",
        f: mul,
    },
    Builtin {
        name: "__espb_f128_div",
        sig: "(ptr, i64, i64, i64, i64) -> void",
        f: div,
    },
    Builtin {
        name: "__espb_f128_rem",
        sig: "(ptr, i64, i64, i64, i64) -> void",
        f: rem,
    },
    Builtin {
        name: "__espb_f128_cmp",
        sig: "(i64, i64, i64, i64) -> i32",
        f: cmp,
    },
    Builtin {
        name: "__espb_f128_from_f64",
        sig: "(ptr, f64) -> void",
        f: from_f64,
    },
    Builtin {
        name: "__espb_f128_to_f64",
        sig: "(i64, i64) -> f64",
        f: to_f64,
    },
    Builtin {
        name: "__espb_f128_to_f32",
        sig: "(i64, i64) -> f32",
        f: to_f32,
    },
    Builtin {
        name: "__espb_f128_from_int",
        sig: "(ptr, i64, i64, i32) -> void",
        f: from_int,
    },
    Builtin {
        name: "__espb_f128_to_int",
        sig: "(ptr, i64, i64, i32) -> void",
        f: to_int,
    },
    Builtin {
        name: "__espb_i128_mul",
        sig: "(ptr, i64, i64, i64, i64) -> void",
        f: i128_mul,
    },
    Builtin {
        name: "__espb_i128_divu",
        sig: "(ptr, i64, i64, i64, i64) -> void",
        f: i128_divu,
    },
    Builtin {
        name: "__espb_i128_divs",
        sig: "(ptr, i64, i64, i64, i64) -> void",
        f: i128_divs,
    },
    Builtin {
        name: "__espb_i128_remu",
        sig: "(ptr, i64, i64, i64, i64) -> void",
        f: i128_remu,
    },
    Builtin {
        name: "__espb_i128_rems",
        sig: "(ptr, i64, i64, i64, i64) -> void",
        f: i128_rems,
    },
    Builtin {
        name: "__espb_i128_mulo",
        sig: "(ptr, i64, i64, i64, i64, i32) -> i32",
        f: i128_mulo,
    },
];

#[cfg(test)]
mod tests {
    use super::*;

    fn q(x: f64) -> Quad {
        Double::from_bits(x.to_bits() as u128)
            .convert(&mut false)
            .value
    }

    #[test]
    fn binary128_layout_and_rounding() {
        // 1.5L as clang writes it: 0x3FFF8000_00000000 in the high half.
        assert_eq!(q(1.5).to_bits(), 0x3fff_8000_0000_0000u128 << 64);
        // 1/3 keeps 113 bits: converting back to double rounds.
        let third = (q(1.0) / q(3.0)).value;
        let back: StatusAnd<Double> = third.convert(&mut false);
        assert_eq!(f64::from_bits(back.value.to_bits() as u64), 1.0 / 3.0);
        assert_ne!(third.to_bits(), q(1.0 / 3.0).to_bits());
        // (2^-1074)^16 = 2^-17184 is below binary128's smallest subnormal.
        let mut tiny = q(f64::from_bits(1));
        for _ in 0..4 {
            tiny = (tiny * tiny).value;
        }
        assert!(tiny.is_zero());
    }
}
