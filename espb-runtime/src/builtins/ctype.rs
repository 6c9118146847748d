//! `<ctype.h>` as functions, in the "C" locale (newlib's headers make most
//! of them macros over `_ctype_`, which the translator provides; these serve
//! calls to the functions themselves, e.g. `(isprint)(c)` or old C without
//! the header).

use super::{a32, ret32, Builtin, R};
use crate::imports::Caller;

/// The argument as C passes it: an `int` holding `unsigned char` or EOF.
fn ch(a: &[u64]) -> Option<u8> {
    u8::try_from(a32(a, 0) as i32).ok()
}

macro_rules! class {
    ($($name:ident => $test:expr;)*) => {
        $(
            fn $name(_: &mut Caller<'_>, a: &[u64]) -> R {
                let f: fn(u8) -> bool = $test;
                ret32(ch(a).is_some_and(f) as u32)
            }
        )*
    };
}

class! {
    isalpha => |c| c.is_ascii_alphabetic();
    isdigit => |c| c.is_ascii_digit();
    isalnum => |c| c.is_ascii_alphanumeric();
    isspace => |c| matches!(c, b' ' | b'\t' | b'\n' | 0x0b | 0x0c | b'\r');
    isupper => |c| c.is_ascii_uppercase();
    islower => |c| c.is_ascii_lowercase();
    isxdigit => |c| c.is_ascii_hexdigit();
    ispunct => |c| c.is_ascii_punctuation();
    iscntrl => |c| c.is_ascii_control();
    isgraph => |c| c.is_ascii_graphic();
    isprint => |c| c.is_ascii_graphic() || c == b' ';
    isblank => |c| c == b' ' || c == b'\t';
}

fn isascii(_: &mut Caller<'_>, a: &[u64]) -> R {
    ret32((a32(a, 0) < 128) as u32)
}

fn toascii(_: &mut Caller<'_>, a: &[u64]) -> R {
    ret32(a32(a, 0) & 0x7f)
}

fn toupper(_: &mut Caller<'_>, a: &[u64]) -> R {
    ret32(match ch(a) {
        Some(c) => c.to_ascii_uppercase() as u32,
        None => a32(a, 0),
    })
}

fn tolower(_: &mut Caller<'_>, a: &[u64]) -> R {
    ret32(match ch(a) {
        Some(c) => c.to_ascii_lowercase() as u32,
        None => a32(a, 0),
    })
}

macro_rules! table {
    ($($name:ident),*) => {
        pub(super) static BUILTINS: &[Builtin] = &[
            $(Builtin { name: stringify!($name), sig: "(i32) -> i32", f: $name },)*
        ];
    };
}

table!(
    isalpha, isdigit, isalnum, isspace, isupper, islower, isxdigit, ispunct, iscntrl, isgraph,
    isprint, isblank, isascii, toascii, toupper, tolower
);
