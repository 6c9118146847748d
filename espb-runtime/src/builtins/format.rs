//! The printf engine: C format strings rendered in Rust, reading arguments
//! either from a variadic call site's registers or from a `va_list` in linear
//! memory (riscv32 ilp32 layout: 4-byte slots, 8-byte values 8-aligned).
//!
//! Integer lengths follow ilp32: `int`, `long`, `size_t` are 32 bits; `ll`,
//! `j`, `q` are 64. `%a` is not supported (printed verbatim). `%Lf`, `%Le`,
//! `%Lg` read a binary128 `long double` and print its exact decimal value.

use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;

use crate::imports::Caller;
use crate::trap::Trap;

/// Where the values for the conversions come from.
pub trait ArgSource {
    /// The next integer argument; `wide`: a 64-bit one.
    fn int(&mut self, c: &Caller<'_>, wide: bool) -> Result<u64, Trap>;
    /// The next `double` argument.
    fn double(&mut self, c: &Caller<'_>) -> Result<f64, Trap>;
    /// The next `long double` argument's bits (binary128, passed by
    /// reference on riscv32).
    fn long_double(&mut self, c: &Caller<'_>) -> Result<u128, Trap> {
        let p = self.int(c, false)? as u32;
        let mut b = [0u8; 16];
        c.read(p, &mut b)?;
        Ok(u128::from_le_bytes(b))
    }
}

/// Arguments of a variadic call site: one register each (after C promotion
/// a float arrives as a double; missing arguments read as 0).
pub struct RegArgs<'a> {
    pub args: &'a [u64],
    pub next: usize,
}

impl ArgSource for RegArgs<'_> {
    fn int(&mut self, _: &Caller<'_>, wide: bool) -> Result<u64, Trap> {
        let v = self.args.get(self.next).copied().unwrap_or(0);
        self.next += 1;
        Ok(if wide { v } else { v as u32 as u64 })
    }
    fn double(&mut self, _: &Caller<'_>) -> Result<f64, Trap> {
        let v = self.args.get(self.next).copied().unwrap_or(0);
        self.next += 1;
        Ok(f64::from_bits(v))
    }
}

/// A riscv32 `va_list`: a pointer into the caller's packed argument area.
pub struct VaArgs {
    pub ptr: u32,
}

impl ArgSource for VaArgs {
    fn int(&mut self, c: &Caller<'_>, wide: bool) -> Result<u64, Trap> {
        if wide {
            self.ptr = (self.ptr + 7) & !7;
            let v = c.read_u64(self.ptr)?;
            self.ptr = self.ptr.wrapping_add(8);
            Ok(v)
        } else {
            let v = c.read_u32(self.ptr)?;
            self.ptr = self.ptr.wrapping_add(4);
            Ok(v as u64)
        }
    }
    fn double(&mut self, c: &Caller<'_>) -> Result<f64, Trap> {
        Ok(f64::from_bits(self.int(c, true)?))
    }
}

#[derive(Default, Clone, Copy)]
struct Spec {
    left: bool,
    plus: bool,
    space: bool,
    alt: bool,
    zero: bool,
    width: usize,
    prec: Option<usize>,
}

/// Longest format string and `%s` argument read (a bound, not a C limit).
const MAX_STR: u32 = 1 << 20;

/// Largest field width or precision rendered.
const MAX_FIELD: usize = 1 << 16;

/// Renders the format string at `fmt` with `args`.
pub fn format(c: &Caller<'_>, fmt: u32, args: &mut dyn ArgSource) -> Result<Vec<u8>, Trap> {
    let f = c.read_cstr(fmt, MAX_STR)?;
    let mut out = Vec::with_capacity(f.len() + 16);
    let mut i = 0;
    while i < f.len() {
        let ch = f[i];
        i += 1;
        if ch != b'%' {
            out.push(ch);
            continue;
        }
        let conv_start = i - 1;
        let mut s = Spec::default();
        while let Some(&b) = f.get(i) {
            match b {
                b'-' => s.left = true,
                b'+' => s.plus = true,
                b' ' => s.space = true,
                b'#' => s.alt = true,
                b'0' => s.zero = true,
                _ => break,
            }
            i += 1;
        }
        if f.get(i) == Some(&b'*') {
            i += 1;
            let w = args.int(c, false)? as u32 as i32;
            if w < 0 {
                s.left = true;
            }
            s.width = w.unsigned_abs() as usize;
        } else {
            while let Some(d) = f.get(i).filter(|b| b.is_ascii_digit()) {
                s.width = s
                    .width
                    .saturating_mul(10)
                    .saturating_add((d - b'0') as usize);
                i += 1;
            }
        }
        if f.get(i) == Some(&b'.') {
            i += 1;
            if f.get(i) == Some(&b'*') {
                i += 1;
                let p = args.int(c, false)? as u32 as i32;
                s.prec = if p < 0 { None } else { Some(p as usize) };
            } else {
                let mut p = 0usize;
                while let Some(d) = f.get(i).filter(|b| b.is_ascii_digit()) {
                    p = p.saturating_mul(10).saturating_add((d - b'0') as usize);
                    i += 1;
                }
                s.prec = Some(p);
            }
        }
        // Length modifier: bits of the integer argument.
        let mut bits = 32;
        let mut narrow = 0;
        let mut long_double = false;
        match f.get(i) {
            Some(b'h') => {
                i += 1;
                narrow = 16;
                if f.get(i) == Some(&b'h') {
                    i += 1;
                    narrow = 8;
                }
            }
            Some(b'l') => {
                i += 1;
                if f.get(i) == Some(&b'l') {
                    i += 1;
                    bits = 64;
                }
            }
            Some(b'j' | b'q') => {
                i += 1;
                bits = 64;
            }
            Some(b'L') => {
                i += 1;
                long_double = true;
            }
            Some(b'z' | b't') => i += 1,
            _ => {}
        }
        // A huge field would make the host allocate it; C programs never
        // mean that, so it is refused rather than rendered.
        if s.width > MAX_FIELD || s.prec.is_some_and(|p| p > MAX_FIELD) {
            return Err(Trap::host(alloc::format!(
                "printf: field width or precision above {MAX_FIELD} in conversion {}",
                String::from_utf8_lossy(&f[conv_start..(i + 1).min(f.len())])
            )));
        }
        let Some(&conv) = f.get(i) else {
            out.extend_from_slice(&f[conv_start..]);
            break;
        };
        i += 1;
        let wide = bits == 64;
        match conv {
            b'%' => out.push(b'%'),
            b'd' | b'i' => {
                let raw = args.int(c, wide)?;
                let v: i64 = match (wide, narrow) {
                    (true, _) => raw as i64,
                    (false, 8) => raw as u8 as i8 as i64,
                    (false, 16) => raw as u16 as i16 as i64,
                    _ => raw as u32 as i32 as i64,
                };
                let sign = if v < 0 {
                    "-"
                } else if s.plus {
                    "+"
                } else if s.space {
                    " "
                } else {
                    ""
                };
                int_field(&mut out, &s, sign, "", v.unsigned_abs(), 10, false);
            }
            b'u' | b'x' | b'X' | b'o' => {
                let raw = args.int(c, wide)?;
                let v = match (wide, narrow) {
                    (true, _) => raw,
                    (false, 8) => raw as u8 as u64,
                    (false, 16) => raw as u16 as u64,
                    _ => raw as u32 as u64,
                };
                let (base, upper) = match conv {
                    b'x' => (16, false),
                    b'X' => (16, true),
                    b'o' => (8, false),
                    _ => (10, false),
                };
                let prefix = match conv {
                    b'x' if s.alt && v != 0 => "0x",
                    b'X' if s.alt && v != 0 => "0X",
                    _ => "",
                };
                int_field(&mut out, &s, "", prefix, v, base, upper);
            }
            b'p' => {
                let v = args.int(c, false)?;
                let s2 = Spec { alt: false, ..s };
                int_field(&mut out, &s2, "", "0x", v, 16, false);
            }
            b'c' => {
                let v = args.int(c, false)? as u8;
                pad(&mut out, &s, &[v]);
            }
            b's' => {
                let p = args.int(c, false)? as u32;
                let bytes = if p == 0 {
                    b"(null)".to_vec()
                } else {
                    match s.prec {
                        // With a precision the array need not be terminated.
                        Some(n) => {
                            let len = c
                                .memory()
                                .strlen(p, n.min(MAX_STR as usize) as u32)?
                                .unwrap_or(n as u32);
                            let mut v = alloc::vec![0u8; len as usize];
                            c.read(p, &mut v)?;
                            v
                        }
                        None => c.read_cstr(p, MAX_STR)?,
                    }
                };
                pad(&mut out, &Spec { zero: false, ..s }, &bytes);
            }
            b'n' => {
                let p = args.int(c, false)? as u32;
                c.write_u32(p, out.len() as u32)?;
            }
            b'f' | b'F' | b'e' | b'E' | b'g' | b'G' => {
                let v = if long_double {
                    Num::Quad(args.long_double(c)?)
                } else {
                    Num::Double(args.double(c)?)
                };
                float_field(&mut out, &s, conv, v);
            }
            _ => out.extend_from_slice(&f[conv_start..i]),
        }
    }
    Ok(out)
}

fn pad(out: &mut Vec<u8>, s: &Spec, body: &[u8]) {
    let fill = s.width.saturating_sub(body.len());
    if !s.left {
        out.resize(out.len() + fill, b' ');
    }
    out.extend_from_slice(body);
    if s.left {
        out.resize(out.len() + fill, b' ');
    }
}

/// Emits sign + prefix + zero-extended digits, padded to the width.
fn int_field(
    out: &mut Vec<u8>,
    s: &Spec,
    sign: &str,
    prefix: &str,
    v: u64,
    base: u32,
    upper: bool,
) {
    let mut digits = match (base, upper) {
        (16, false) => format!("{v:x}"),
        (16, true) => format!("{v:X}"),
        (8, _) => format!("{v:o}"),
        _ => format!("{v}"),
    };
    if let Some(p) = s.prec {
        if p == 0 && v == 0 {
            digits.clear();
        }
        while digits.len() < p {
            digits.insert(0, '0');
        }
    }
    if base == 8 && s.alt && !digits.starts_with('0') {
        digits.insert(0, '0');
    }
    let head_len = sign.len() + prefix.len();
    let mut body = String::with_capacity(s.width.max(head_len + digits.len()));
    body.push_str(sign);
    body.push_str(prefix);
    if s.zero && !s.left && s.prec.is_none() {
        for _ in head_len + digits.len()..s.width {
            body.push('0');
        }
    }
    body.push_str(&digits);
    pad(out, s, body.as_bytes());
}

/// `%e` digits of |v| with `prec` decimals: mantissa text and exponent.
fn exp_parts(v: f64, prec: usize) -> (String, i32) {
    let t = format!("{:.*e}", prec, v);
    let (m, e) = t.split_once('e').unwrap_or((&t, "0"));
    (m.into(), e.parse().unwrap_or(0))
}

fn exp_text(m: &str, e: i32, upper: bool) -> String {
    let sign = if e < 0 { '-' } else { '+' };
    format!(
        "{m}{}{sign}{:02}",
        if upper { 'E' } else { 'e' },
        e.unsigned_abs()
    )
}

fn strip_zeros(t: &mut String) {
    if t.contains('.') {
        while t.ends_with('0') {
            t.pop();
        }
        if t.ends_with('.') {
            t.pop();
        }
    }
}

/// A floating-point argument: a `double`, or a `long double`'s binary128
/// bits (printed exactly, `decimal.rs`).
#[derive(Clone, Copy)]
enum Num {
    Double(f64),
    Quad(u128),
}

impl Num {
    fn is_sign_negative(self) -> bool {
        match self {
            Num::Double(v) => v.is_sign_negative(),
            Num::Quad(b) => b >> 127 != 0,
        }
    }
    fn is_nan(self) -> bool {
        match self {
            Num::Double(v) => v.is_nan(),
            Num::Quad(b) => (b >> 112) & 0x7fff == 0x7fff && b & ((1 << 112) - 1) != 0,
        }
    }
    fn is_finite(self) -> bool {
        match self {
            Num::Double(v) => v.is_finite(),
            Num::Quad(b) => (b >> 112) & 0x7fff != 0x7fff,
        }
    }
    /// `%.{prec}f` of the magnitude.
    fn fixed(self, prec: usize) -> String {
        match self {
            Num::Double(v) => format!("{:.*}", prec, v.abs()),
            Num::Quad(b) => super::decimal::Decimal::from_binary128(b).fixed(prec),
        }
    }
    /// `%.{prec}e` of the magnitude as (mantissa, exponent).
    fn exp_parts(self, prec: usize) -> (String, i32) {
        match self {
            Num::Double(v) => exp_parts(v.abs(), prec),
            Num::Quad(b) => super::decimal::Decimal::from_binary128(b).exp_parts(prec),
        }
    }
}

fn float_field(out: &mut Vec<u8>, s: &Spec, conv: u8, v: Num) {
    let upper = conv.is_ascii_uppercase();
    let sign = if v.is_sign_negative() && !v.is_nan() {
        "-"
    } else if s.plus {
        "+"
    } else if s.space {
        " "
    } else {
        ""
    };
    if !v.is_finite() {
        let t = match (v.is_nan(), upper) {
            (true, false) => "nan",
            (true, true) => "NAN",
            (false, false) => "inf",
            (false, true) => "INF",
        };
        let mut body = String::from(sign);
        body.push_str(t);
        pad(out, &Spec { zero: false, ..*s }, body.as_bytes());
        return;
    }
    let prec = s.prec.unwrap_or(6);
    let mut digits = match conv.to_ascii_lowercase() {
        b'f' => {
            let mut t = v.fixed(prec);
            if s.alt && prec == 0 {
                t.push('.');
            }
            t
        }
        b'e' => {
            let (mut m, e) = v.exp_parts(prec);
            if s.alt && prec == 0 {
                m.push('.');
            }
            exp_text(&m, e, upper)
        }
        _ => {
            let p = if prec == 0 { 1 } else { prec };
            let (_, x) = v.exp_parts(p - 1);
            if (x as i64) < p as i64 && x >= -4 {
                let mut t = v.fixed((p as i64 - 1 - x as i64) as usize);
                if !s.alt {
                    strip_zeros(&mut t);
                }
                t
            } else {
                let (mut m, e) = v.exp_parts(p - 1);
                if !s.alt {
                    strip_zeros(&mut m);
                }
                exp_text(&m, e, upper)
            }
        }
    };
    let head = sign.len();
    if s.zero && !s.left {
        while head + digits.len() < s.width {
            digits.insert(0, '0');
        }
    }
    let mut body = String::from(sign);
    body.push_str(&digits);
    pad(out, s, body.as_bytes());
}
