//! Imports the runtime provides itself, by name: the module heap, string.h,
//! stdlib, stdio formatting and libm — all operating on linear memory, so a
//! module runs on the host and on a device with the same results.
//!
//! The heap and `errno`/`exit`/`abort` are always there. The rest of the C
//! library (feature `libc`) and libm (feature `libm`) can be left out of a
//! firmware whose own newlib serves them as natives (`docs/runtime.md`,
//! "Footprint").

use alloc::vec::Vec;

use espb_format::{FuncType, ValType};

use crate::imports::{Caller, HostFunc};
use crate::trap::Trap;

#[cfg(feature = "libc")]
mod complex;
#[cfg(feature = "libc")]
mod ctype;
#[cfg(feature = "libc")]
mod decimal;
#[cfg(feature = "libc")]
pub(crate) mod format;
mod frames;
mod heap;
#[cfg(feature = "libm")]
mod math;
mod process;
#[cfg(feature = "libc")]
mod stdio;
#[cfg(feature = "libc")]
mod stdlib;
#[cfg(feature = "libc")]
pub(crate) mod stream;
#[cfg(feature = "libc")]
mod string;
#[cfg(feature = "wide")]
mod wide;

#[cfg(feature = "libc")]
pub use format::{format, ArgSource};

/// The result of a builtin: the result register, if any.
pub(crate) type R = Result<Option<u64>, Trap>;

/// A builtin's implementation.
pub(crate) type Imp = fn(&mut Caller<'_>, &[u64]) -> R;

/// One builtin: its C name, signature (in the `.espbs` type syntax) and code.
pub(crate) struct Builtin {
    pub name: &'static str,
    pub sig: &'static str,
    pub f: Imp,
}

fn parse_sig(s: &str) -> FuncType {
    // "(i32, ptr, ...) -> i32"; the table below is static and tested (each
    // signature reads back as `type_text` writes it). Each word is known by
    // its first byte (and an `i`/`f` type's width by its second): no word
    // splitting or name comparison on every device build.
    let b = s.as_bytes();
    let mut t = FuncType::default();
    let mut result = false;
    let mut word_start = true;
    for (k, &c) in b.iter().enumerate() {
        if matches!(c, b' ' | b'(' | b')' | b',') {
            word_start = true;
            continue;
        }
        if !word_start {
            continue;
        }
        word_start = false;
        let wide = b.get(k + 1) == Some(&b'6');
        let v = match c {
            b'-' => {
                result = true;
                continue;
            }
            b'.' => {
                t.variadic = true;
                continue;
            }
            b'i' if wide => ValType::I64,
            b'i' => ValType::I32,
            b'f' if wide => ValType::F64,
            b'f' => ValType::F32,
            b'p' => ValType::Ptr,
            // `void`
            _ => continue,
        };
        if result {
            t.result = Some(v);
        } else {
            t.params.push(v);
        }
    }
    t
}

/// Every builtin table of this build.
static TABLES: &[&[Builtin]] = &[
    heap::BUILTINS,
    process::BUILTINS,
    #[cfg(feature = "libc")]
    string::BUILTINS,
    #[cfg(feature = "libc")]
    stdlib::BUILTINS,
    #[cfg(feature = "libc")]
    stdio::BUILTINS,
    #[cfg(feature = "libm")]
    math::BUILTINS,
    #[cfg(feature = "libc")]
    ctype::BUILTINS,
    #[cfg(feature = "libc")]
    stream::BUILTINS,
    #[cfg(feature = "libc")]
    complex::BUILTINS,
    frames::BUILTINS,
    #[cfg(feature = "wide")]
    wide::BUILTINS,
];

fn all() -> impl Iterator<Item = &'static Builtin> {
    TABLES.iter().flat_map(|t| t.iter())
}

/// The builtin named `name`, if the runtime provides one.
pub fn lookup(name: &str) -> Option<HostFunc> {
    // Two plain loops (a flattened iterator's state machine is larger).
    for table in TABLES {
        for b in *table {
            if b.name == name {
                return Some(HostFunc::typed(parse_sig(b.sig), b.f));
            }
        }
    }
    None
}

/// Names of every builtin (for diagnostics and docs).
pub fn names() -> Vec<&'static str> {
    all().map(|b| b.name).collect()
}

/// Argument `i` as an i32/ptr.
#[inline]
pub(crate) fn a32(args: &[u64], i: usize) -> u32 {
    args.get(i).copied().unwrap_or(0) as u32
}

#[inline]
#[cfg_attr(not(any(feature = "libc", feature = "libm")), allow(dead_code))]
pub(crate) fn a64(args: &[u64], i: usize) -> u64 {
    args.get(i).copied().unwrap_or(0)
}

#[inline]
pub(crate) fn ret32(v: u32) -> R {
    Ok(Some(v as u64))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_signature_parses_and_names_are_unique() {
        let mut seen = alloc::collections::BTreeSet::new();
        for b in all() {
            assert!(seen.insert(b.name), "duplicate builtin {}", b.name);
            let t = parse_sig(b.sig);
            let text = b.sig.replace(' ', "");
            let n = text.matches(',').count() + usize::from(!text.starts_with("()"));
            assert_eq!(
                t.params.len() + t.variadic as usize,
                n,
                "{}: {}",
                b.name,
                b.sig
            );
            assert_eq!(t.result.is_none(), text.ends_with("void"), "{}", b.name);
            assert_eq!(crate::instance::type_text(&t), b.sig, "{}", b.name);
        }
    }
}
