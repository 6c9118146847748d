//! What every module needs from the C library whatever else the firmware
//! provides: `errno`, `exit`, `abort` and `assert`'s failure hook.

use alloc::string::String;
use core::sync::atomic::Ordering::Relaxed;

use super::{a32, ret32, Builtin, R};
use crate::imports::Caller;
use crate::trap::{Trap, TrapKind};

/// The address of this instance's `errno`, allocated on first use.
pub(crate) fn errno_addr(c: &Caller<'_>) -> Result<u32, Trap> {
    let inst = c.inner();
    let a = inst.errno_addr.load(Relaxed);
    if a != 0 {
        return Ok(a);
    }
    let p = inst.heap_alloc(4, 4);
    if p == 0 {
        return Err(Trap::host("out of module heap for errno"));
    }
    match inst.errno_addr.compare_exchange(0, p, Relaxed, Relaxed) {
        Ok(_) => Ok(p),
        Err(other) => {
            inst.heap_free(p)?;
            Ok(other)
        }
    }
}

#[cfg_attr(not(feature = "libc"), allow(dead_code))]
pub(crate) fn set_errno(c: &Caller<'_>, v: u32) -> Result<(), Trap> {
    let a = errno_addr(c)?;
    c.write_u32(a, v)
}

fn errno(c: &mut Caller<'_>, _: &[u64]) -> R {
    ret32(errno_addr(c)?)
}

fn exit(_: &mut Caller<'_>, a: &[u64]) -> R {
    Err(Trap::new(TrapKind::Exit(a32(a, 0) as i32)))
}

fn abort(_: &mut Caller<'_>, _: &[u64]) -> R {
    Err(Trap::new(TrapKind::Abort(String::new())))
}

/// newlib's `assert` failure hook: `(file, line, func, expr)`.
fn assert_func(c: &mut Caller<'_>, a: &[u64]) -> R {
    let (file, line, func, expr) = (
        c_text(c, a32(a, 0)),
        a32(a, 1),
        c_text(c, a32(a, 2)),
        c_text(c, a32(a, 3)),
    );
    // The function's part as two more arguments (not appended: each
    // append inlined its growth check and copy).
    let sep = if func.is_empty() { "" } else { ", function: " };
    let text = espb_format::text!(
        "assertion \"{}\" failed: file \"{}\", line {}{}{}",
        &expr,
        &file,
        line,
        sep,
        &func
    );
    Err(Trap::new(TrapKind::Abort(text)))
}

/// The C string at `p` (lossily decoded; empty for NULL, an unreadable or
/// an over-long one). Out of line: `assert_func` reads three. (Not through
/// `Caller::read_cstr`: its trap would be made only to be dropped.)
#[inline(never)]
fn c_text(c: &Caller<'_>, p: u32) -> String {
    let mem = c.memory();
    let Ok(Some(len)) = mem.strlen(p, 4096) else {
        return String::new();
    };
    let mut bytes = alloc::vec![0u8; len as usize];
    if p == 0 || mem.read(p, &mut bytes).is_err() {
        return String::new();
    }
    espb_format::msg::lossy(&bytes)
}

pub(super) static BUILTINS: &[Builtin] = &[
    Builtin {
        name: "__errno",
        sig: "() -> ptr",
        f: errno,
    },
    Builtin {
        name: "exit",
        sig: "(i32) -> void",
        f: exit,
    },
    Builtin {
        name: "_exit",
        sig: "(i32) -> void",
        f: exit,
    },
    Builtin {
        name: "abort",
        sig: "() -> void",
        f: abort,
    },
    Builtin {
        name: "__assert_func",
        sig: "(ptr, i32, ptr, ptr) -> void",
        f: assert_func,
    },
];
