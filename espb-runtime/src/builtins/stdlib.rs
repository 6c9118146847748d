//! stdlib.h: number parsing, sorting and searching with module comparators,
//! `rand` (`exit`, `abort` and `errno` are in `process`).

use alloc::string::String;
use alloc::vec;
use alloc::vec::Vec;

use super::process::set_errno;
use super::{a32, a64, ret32, Builtin, R};
use crate::imports::Caller;
use crate::trap::{Trap, TrapKind};

const ERANGE: u32 = 34;

/// Parses an integer like `strtol` does. Returns (negative, magnitude
/// saturated to u64::MAX, overflowed, end address).
fn parse_int(c: &Caller<'_>, s: u32, base: u32) -> Result<(bool, u64, bool, u32), Trap> {
    let mut p = s;
    while matches!(c.read_u8(p)?, b' ' | b'\t' | b'\n' | b'\r' | 0x0b | 0x0c) {
        p += 1;
    }
    let mut neg = false;
    match c.read_u8(p)? {
        b'-' => {
            neg = true;
            p += 1
        }
        b'+' => p += 1,
        _ => {}
    }
    let mut base = base;
    let hex_prefix = c.read_u8(p)? == b'0' && matches!(c.read_u8(p + 1)?, b'x' | b'X');
    if (base == 0 || base == 16) && hex_prefix && (c.read_u8(p + 2)? as char).is_ascii_hexdigit() {
        p += 2;
        base = 16;
    } else if base == 0 {
        base = if c.read_u8(p)? == b'0' { 8 } else { 10 };
    }
    if !(2..=36).contains(&base) {
        return Ok((false, 0, false, s));
    }
    let (mut v, mut over, mut any) = (0u64, false, false);
    loop {
        let d = match (c.read_u8(p)? as char).to_digit(36) {
            Some(d) if d < base => d as u64,
            _ => break,
        };
        any = true;
        match v.checked_mul(base as u64).and_then(|x| x.checked_add(d)) {
            Some(x) => v = x,
            None => {
                over = true;
                v = u64::MAX
            }
        }
        p += 1;
    }
    Ok(if any {
        (neg, v, over, p)
    } else {
        (false, 0, false, s)
    })
}

fn strto(c: &mut Caller<'_>, a: &[u64], signed: bool, bits: u32) -> Result<u64, Trap> {
    let (s, end, base) = (a32(a, 0), a32(a, 1), a32(a, 2));
    let (neg, mag, over, stop) = parse_int(c, s, base)?;
    if end != 0 {
        c.write_u32(end, stop)?;
    }
    let max_u = if bits == 64 {
        u64::MAX
    } else {
        (1u64 << bits) - 1
    };
    let (v, range) = if signed {
        let max = max_u >> 1;
        if neg {
            if over || mag > max + 1 {
                ((max + 1).wrapping_neg(), true)
            } else {
                (mag.wrapping_neg(), false)
            }
        } else if over || mag > max {
            (max, true)
        } else {
            (mag, false)
        }
    } else if over || mag > max_u {
        (max_u, true)
    } else if neg {
        (mag.wrapping_neg(), false)
    } else {
        (mag, false)
    };
    if range {
        set_errno(c, ERANGE)?;
    }
    Ok(if bits == 64 { v } else { v & max_u })
}

fn strtol(c: &mut Caller<'_>, a: &[u64]) -> R {
    Ok(Some(strto(c, a, true, 32)?))
}
fn strtoul(c: &mut Caller<'_>, a: &[u64]) -> R {
    Ok(Some(strto(c, a, false, 32)?))
}
fn strtoll(c: &mut Caller<'_>, a: &[u64]) -> R {
    Ok(Some(strto(c, a, true, 64)?))
}
fn strtoull(c: &mut Caller<'_>, a: &[u64]) -> R {
    Ok(Some(strto(c, a, false, 64)?))
}
fn atoi(c: &mut Caller<'_>, a: &[u64]) -> R {
    let (neg, mag, _, _) = parse_int(c, a32(a, 0), 10)?;
    let v = if neg { mag.wrapping_neg() } else { mag };
    ret32(v as u32)
}
fn atoll(c: &mut Caller<'_>, a: &[u64]) -> R {
    let (neg, mag, _, _) = parse_int(c, a32(a, 0), 10)?;
    Ok(Some(if neg { mag.wrapping_neg() } else { mag }))
}

/// `strtod`: the longest prefix that is a decimal float, `inf`/`infinity`
/// or `nan` (case-insensitive). Returns the value and the end address.
fn strtod_impl(c: &Caller<'_>, s: u32) -> Result<(f64, u32), Trap> {
    let mut p = s;
    while matches!(c.read_u8(p)?, b' ' | b'\t' | b'\n' | b'\r' | 0x0b | 0x0c) {
        p += 1;
    }
    let mut t = String::new();
    let sign = c.read_u8(p)?;
    if sign == b'-' || sign == b'+' {
        t.push(sign as char);
        p += 1;
    }
    let mut word = String::new();
    for i in 0..8 {
        let b = c.read_u8(p + i)?;
        if !b.is_ascii_alphabetic() {
            break;
        }
        word.push(b.to_ascii_lowercase() as char);
    }
    for (name, len) in [("infinity", 8u32), ("inf", 3), ("nan", 3)] {
        if word.starts_with(name) {
            t.push_str(&name[..3]);
            let v: f64 = t.replace("nan", "NaN").parse().unwrap_or(0.0);
            return Ok((v, p + len));
        }
    }
    let mut digits = 0;
    let mut push_digits = |p: &mut u32, t: &mut String| -> Result<(), Trap> {
        while c.read_u8(*p)?.is_ascii_digit() {
            t.push(c.read_u8(*p)? as char);
            *p += 1;
            digits += 1;
        }
        Ok(())
    };
    push_digits(&mut p, &mut t)?;
    if c.read_u8(p)? == b'.' {
        t.push('.');
        p += 1;
        push_digits(&mut p, &mut t)?;
    }
    if digits == 0 {
        return Ok((0.0, s));
    }
    if matches!(c.read_u8(p)?, b'e' | b'E') {
        let mut q = p + 1;
        let mut e = String::from("e");
        if matches!(c.read_u8(q)?, b'+' | b'-') {
            e.push(c.read_u8(q)? as char);
            q += 1;
        }
        let before = e.len();
        while c.read_u8(q)?.is_ascii_digit() {
            e.push(c.read_u8(q)? as char);
            q += 1;
        }
        if e.len() > before {
            t.push_str(&e);
            p = q;
        }
    }
    if t.ends_with('.') {
        t.push('0');
    }
    Ok((t.parse().unwrap_or(0.0), p))
}

fn strtod(c: &mut Caller<'_>, a: &[u64]) -> R {
    let (v, stop) = strtod_impl(c, a32(a, 0))?;
    if a32(a, 1) != 0 {
        c.write_u32(a32(a, 1), stop)?;
    }
    Ok(Some(v.to_bits()))
}
fn strtof(c: &mut Caller<'_>, a: &[u64]) -> R {
    let (v, stop) = strtod_impl(c, a32(a, 0))?;
    if a32(a, 1) != 0 {
        c.write_u32(a32(a, 1), stop)?;
    }
    Ok(Some((v as f32).to_bits() as u64))
}
fn atof(c: &mut Caller<'_>, a: &[u64]) -> R {
    Ok(Some(strtod_impl(c, a32(a, 0))?.0.to_bits()))
}

fn abs(_: &mut Caller<'_>, a: &[u64]) -> R {
    ret32((a32(a, 0) as i32).wrapping_abs() as u32)
}
fn llabs(_: &mut Caller<'_>, a: &[u64]) -> R {
    Ok(Some((a64(a, 0) as i64).wrapping_abs() as u64))
}

/// Sorts `idx` (element indices) with a fallible comparator: a merge sort,
/// because `slice::sort_by` may panic on an inconsistent comparator and
/// cannot stop at a trap.
fn merge_sort(
    idx: &mut [u32],
    tmp: &mut [u32],
    cmp: &mut dyn FnMut(u32, u32) -> Result<i32, Trap>,
) -> Result<(), Trap> {
    let n = idx.len();
    if n <= 1 {
        return Ok(());
    }
    let mid = n / 2;
    merge_sort(&mut idx[..mid], &mut tmp[..mid], cmp)?;
    merge_sort(&mut idx[mid..], &mut tmp[mid..], cmp)?;
    let (mut i, mut j, mut k) = (0, mid, 0);
    while i < mid && j < n {
        if cmp(idx[j], idx[i])? < 0 {
            tmp[k] = idx[j];
            j += 1;
        } else {
            tmp[k] = idx[i];
            i += 1;
        }
        k += 1;
    }
    tmp[k..k + mid - i].copy_from_slice(&idx[i..mid]);
    k += mid - i;
    tmp[k..k + n - j].copy_from_slice(&idx[j..n]);
    idx.copy_from_slice(&tmp[..n]);
    Ok(())
}

/// `void qsort(void *base, size_t n, size_t size, int (*cmp)(const void *, const void *))`.
fn qsort(c: &mut Caller<'_>, a: &[u64]) -> R {
    let (base, n, size, f) = (a32(a, 0), a32(a, 1), a32(a, 2), a32(a, 3));
    if n <= 1 || size == 0 {
        return Ok(None);
    }
    let total = n.checked_mul(size).ok_or(TrapKind::OutOfBounds {
        addr: base,
        size: u32::MAX,
    })?;
    c.memory().check(base, total)?;
    let mut idx: Vec<u32> = (0..n).collect();
    let mut tmp = vec![0u32; n as usize];
    // Elements stay in place while comparing; the permutation is applied after.
    merge_sort(&mut idx, &mut tmp, &mut |x, y| {
        let r = c.call_ref(f, &[(base + x * size) as u64, (base + y * size) as u64])?;
        Ok(r.unwrap_or(0) as u32 as i32)
    })?;
    let mut old = vec![0u8; total as usize];
    c.read(base, &mut old)?;
    let mut new = Vec::with_capacity(total as usize);
    for i in idx {
        new.extend_from_slice(&old[(i * size) as usize..((i + 1) * size) as usize]);
    }
    c.write(base, &new)?;
    Ok(None)
}

/// `void *bsearch(const void *key, const void *base, size_t n, size_t size, cmp)`.
fn bsearch(c: &mut Caller<'_>, a: &[u64]) -> R {
    let (key, base, n, size, f) = (a32(a, 0), a32(a, 1), a32(a, 2), a32(a, 3), a32(a, 4));
    let (mut lo, mut hi) = (0u32, n);
    while lo < hi {
        let mid = lo + (hi - lo) / 2;
        let p = base.wrapping_add(mid.wrapping_mul(size));
        let r = c.call_ref(f, &[key as u64, p as u64])?.unwrap_or(0) as u32 as i32;
        match r {
            0 => return ret32(p),
            r if r < 0 => hi = mid,
            _ => lo = mid + 1,
        }
    }
    ret32(0)
}

/// newlib's `rand`: a 64-bit LCG, so sequences match the device's libc.
fn rand(c: &mut Caller<'_>, _: &[u64]) -> R {
    let step = |v: u64| v.wrapping_mul(6364136223846793005).wrapping_add(1);
    let old = c.inner().rand_state.update(|v| Some(step(v))).unwrap_or(0);
    ret32(((step(old) >> 32) & 0x7fff_ffff) as u32)
}

fn srand(c: &mut Caller<'_>, a: &[u64]) -> R {
    c.inner().rand_state.store(a32(a, 0) as u64);
    Ok(None)
}

pub(super) static BUILTINS: &[Builtin] = &[
    Builtin {
        name: "strtol",
        sig: "(ptr, ptr, i32) -> i32",
        f: strtol,
    },
    Builtin {
        name: "strtoul",
        sig: "(ptr, ptr, i32) -> i32",
        f: strtoul,
    },
    Builtin {
        name: "strtoll",
        sig: "(ptr, ptr, i32) -> i64",
        f: strtoll,
    },
    Builtin {
        name: "strtoull",
        sig: "(ptr, ptr, i32) -> i64",
        f: strtoull,
    },
    Builtin {
        name: "atoi",
        sig: "(ptr) -> i32",
        f: atoi,
    },
    Builtin {
        name: "atol",
        sig: "(ptr) -> i32",
        f: atoi,
    },
    Builtin {
        name: "atoll",
        sig: "(ptr) -> i64",
        f: atoll,
    },
    Builtin {
        name: "strtod",
        sig: "(ptr, ptr) -> f64",
        f: strtod,
    },
    Builtin {
        name: "strtof",
        sig: "(ptr, ptr) -> f32",
        f: strtof,
    },
    Builtin {
        name: "atof",
        sig: "(ptr) -> f64",
        f: atof,
    },
    Builtin {
        name: "abs",
        sig: "(i32) -> i32",
        f: abs,
    },
    Builtin {
        name: "labs",
        sig: "(i32) -> i32",
        f: abs,
    },
    Builtin {
        name: "llabs",
        sig: "(i64) -> i64",
        f: llabs,
    },
    Builtin {
        name: "qsort",
        sig: "(ptr, i32, i32, ptr) -> void",
        f: qsort,
    },
    Builtin {
        name: "bsearch",
        sig: "(ptr, ptr, i32, i32, ptr) -> ptr",
        f: bsearch,
    },
    Builtin {
        name: "rand",
        sig: "() -> i32",
        f: rand,
    },
    Builtin {
        name: "srand",
        sig: "(i32) -> void",
        f: srand,
    },
];
