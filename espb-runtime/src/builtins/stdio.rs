//! stdio output: `printf` & co. write to the instance's output sink;
//! `sprintf` & co. write into linear memory.

use super::format::{format, RegArgs, VaArgs};
use super::{a32, ret32, Builtin, R};
use crate::imports::Caller;

fn printf(c: &mut Caller<'_>, a: &[u64]) -> R {
    let out = format(c, a32(a, 0), &mut RegArgs { args: a, next: 1 })?;
    c.output(&out);
    ret32(out.len() as u32)
}

fn vprintf(c: &mut Caller<'_>, a: &[u64]) -> R {
    let out = format(c, a32(a, 0), &mut VaArgs { ptr: a32(a, 1) })?;
    c.output(&out);
    ret32(out.len() as u32)
}

/// Stores `out` plus a NUL at `buf`, truncated to `cap` bytes in all.
fn store(c: &Caller<'_>, buf: u32, cap: Option<u32>, out: &[u8]) -> R {
    let n = match cap {
        None => out.len() as u32,
        Some(0) => return ret32(out.len() as u32),
        Some(cap) => (out.len() as u32).min(cap - 1),
    };
    c.write(buf, &out[..n as usize])?;
    c.write_u8(buf.wrapping_add(n), 0)?;
    ret32(out.len() as u32)
}

fn sprintf(c: &mut Caller<'_>, a: &[u64]) -> R {
    let out = format(c, a32(a, 1), &mut RegArgs { args: a, next: 2 })?;
    store(c, a32(a, 0), None, &out)
}

fn snprintf(c: &mut Caller<'_>, a: &[u64]) -> R {
    let out = format(c, a32(a, 2), &mut RegArgs { args: a, next: 3 })?;
    store(c, a32(a, 0), Some(a32(a, 1)), &out)
}

fn vsprintf(c: &mut Caller<'_>, a: &[u64]) -> R {
    let out = format(c, a32(a, 1), &mut VaArgs { ptr: a32(a, 2) })?;
    store(c, a32(a, 0), None, &out)
}

fn vsnprintf(c: &mut Caller<'_>, a: &[u64]) -> R {
    let out = format(c, a32(a, 2), &mut VaArgs { ptr: a32(a, 3) })?;
    store(c, a32(a, 0), Some(a32(a, 1)), &out)
}

fn puts(c: &mut Caller<'_>, a: &[u64]) -> R {
    let mut s = c.read_cstr(a32(a, 0), 1 << 20)?;
    s.push(b'\n');
    c.output(&s);
    ret32(s.len() as u32)
}

fn putchar(c: &mut Caller<'_>, a: &[u64]) -> R {
    let ch = a32(a, 0) as u8;
    c.output(&[ch]);
    ret32(ch as u32)
}

pub(super) static BUILTINS: &[Builtin] = &[
    Builtin {
        name: "printf",
        sig: "(ptr, ...) -> i32",
        f: printf,
    },
    Builtin {
        name: "iprintf",
        sig: "(ptr, ...) -> i32",
        f: printf,
    },
    Builtin {
        name: "vprintf",
        sig: "(ptr, ptr) -> i32",
        f: vprintf,
    },
    Builtin {
        name: "sprintf",
        sig: "(ptr, ptr, ...) -> i32",
        f: sprintf,
    },
    Builtin {
        name: "siprintf",
        sig: "(ptr, ptr, ...) -> i32",
        f: sprintf,
    },
    Builtin {
        name: "snprintf",
        sig: "(ptr, i32, ptr, ...) -> i32",
        f: snprintf,
    },
    Builtin {
        name: "sniprintf",
        sig: "(ptr, i32, ptr, ...) -> i32",
        f: snprintf,
    },
    Builtin {
        name: "vsprintf",
        sig: "(ptr, ptr, ptr) -> i32",
        f: vsprintf,
    },
    Builtin {
        name: "vsnprintf",
        sig: "(ptr, i32, ptr, ptr) -> i32",
        f: vsnprintf,
    },
    Builtin {
        name: "puts",
        sig: "(ptr) -> i32",
        f: puts,
    },
    Builtin {
        name: "putchar",
        sig: "(i32) -> i32",
        f: putchar,
    },
];
