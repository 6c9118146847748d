//! string.h on linear memory. Every byte goes through the bounds-checked
//! accessors, so a runaway string traps instead of escaping the sandbox.

use alloc::vec;

use super::{a32, ret32, Builtin, R};
use crate::imports::Caller;

/// Length of the C string at `p` (traps if it runs off linear memory).
pub(crate) fn c_strlen(c: &Caller<'_>, p: u32) -> Result<u32, crate::Trap> {
    Ok(c.memory().strlen(p, u32::MAX)?.unwrap_or(u32::MAX))
}

fn memcpy(c: &mut Caller<'_>, a: &[u64]) -> R {
    c.memory().copy(a32(a, 0), a32(a, 1), a32(a, 2))?;
    ret32(a32(a, 0))
}

fn memset(c: &mut Caller<'_>, a: &[u64]) -> R {
    c.memory().fill(a32(a, 0), a32(a, 1) as u8, a32(a, 2))?;
    ret32(a32(a, 0))
}

fn memcmp(c: &mut Caller<'_>, a: &[u64]) -> R {
    let (p, q, n) = (a32(a, 0), a32(a, 1), a32(a, 2));
    for i in 0..n {
        let (x, y) = (c.read_u8(p.wrapping_add(i))?, c.read_u8(q.wrapping_add(i))?);
        if x != y {
            return ret32((x as i32 - y as i32) as u32);
        }
    }
    ret32(0)
}

fn memchr(c: &mut Caller<'_>, a: &[u64]) -> R {
    let (p, ch, n) = (a32(a, 0), a32(a, 1) as u8, a32(a, 2));
    for i in 0..n {
        if c.read_u8(p.wrapping_add(i))? == ch {
            return ret32(p.wrapping_add(i));
        }
    }
    ret32(0)
}

fn strlen(c: &mut Caller<'_>, a: &[u64]) -> R {
    ret32(c_strlen(c, a32(a, 0))?)
}

fn strnlen(c: &mut Caller<'_>, a: &[u64]) -> R {
    let max = a32(a, 1);
    ret32(c.memory().strlen(a32(a, 0), max)?.unwrap_or(max))
}

fn cmp(c: &Caller<'_>, p: u32, q: u32, n: u32, fold: bool) -> Result<u32, crate::Trap> {
    for i in 0..n {
        let (mut x, mut y) = (c.read_u8(p.wrapping_add(i))?, c.read_u8(q.wrapping_add(i))?);
        if fold {
            x = x.to_ascii_lowercase();
            y = y.to_ascii_lowercase();
        }
        if x != y || x == 0 {
            return Ok((x as i32 - y as i32) as u32);
        }
    }
    Ok(0)
}

fn strcmp(c: &mut Caller<'_>, a: &[u64]) -> R {
    ret32(cmp(c, a32(a, 0), a32(a, 1), u32::MAX, false)?)
}

fn strncmp(c: &mut Caller<'_>, a: &[u64]) -> R {
    ret32(cmp(c, a32(a, 0), a32(a, 1), a32(a, 2), false)?)
}

fn strcasecmp(c: &mut Caller<'_>, a: &[u64]) -> R {
    ret32(cmp(c, a32(a, 0), a32(a, 1), u32::MAX, true)?)
}

fn strncasecmp(c: &mut Caller<'_>, a: &[u64]) -> R {
    ret32(cmp(c, a32(a, 0), a32(a, 1), a32(a, 2), true)?)
}

fn strcpy(c: &mut Caller<'_>, a: &[u64]) -> R {
    let (d, s) = (a32(a, 0), a32(a, 1));
    let n = c_strlen(c, s)?;
    c.memory().copy(d, s, n.saturating_add(1))?;
    ret32(d)
}

fn strncpy(c: &mut Caller<'_>, a: &[u64]) -> R {
    let (d, s, n) = (a32(a, 0), a32(a, 1), a32(a, 2));
    let len = c.memory().strlen(s, n)?.unwrap_or(n);
    c.memory().copy(d, s, len)?;
    c.memory().fill(d.wrapping_add(len), 0, n - len)?;
    ret32(d)
}

fn strcat(c: &mut Caller<'_>, a: &[u64]) -> R {
    let (d, s) = (a32(a, 0), a32(a, 1));
    let end = d.wrapping_add(c_strlen(c, d)?);
    let n = c_strlen(c, s)?;
    c.memory().copy(end, s, n.saturating_add(1))?;
    ret32(d)
}

fn strncat(c: &mut Caller<'_>, a: &[u64]) -> R {
    let (d, s, n) = (a32(a, 0), a32(a, 1), a32(a, 2));
    let end = d.wrapping_add(c_strlen(c, d)?);
    let len = c.memory().strlen(s, n)?.unwrap_or(n);
    c.memory().copy(end, s, len)?;
    c.write_u8(end.wrapping_add(len), 0)?;
    ret32(d)
}

fn strchr(c: &mut Caller<'_>, a: &[u64]) -> R {
    let (mut p, ch) = (a32(a, 0), a32(a, 1) as u8);
    loop {
        let b = c.read_u8(p)?;
        if b == ch {
            return ret32(p);
        }
        if b == 0 {
            return ret32(0);
        }
        p = p.wrapping_add(1);
    }
}

fn strrchr(c: &mut Caller<'_>, a: &[u64]) -> R {
    let (mut p, ch) = (a32(a, 0), a32(a, 1) as u8);
    let mut found = 0;
    loop {
        let b = c.read_u8(p)?;
        if b == ch {
            found = p;
        }
        if b == 0 {
            return ret32(found);
        }
        p = p.wrapping_add(1);
    }
}

fn strstr(c: &mut Caller<'_>, a: &[u64]) -> R {
    let (h, n) = (a32(a, 0), a32(a, 1));
    let needle = c.read_cstr(n, u32::MAX)?;
    let hlen = c_strlen(c, h)?;
    if needle.is_empty() {
        return ret32(h);
    }
    let mut hay = vec![0u8; hlen as usize];
    c.read(h, &mut hay)?;
    Ok(Some(
        hay.windows(needle.len())
            .position(|w| w == &needle[..])
            .map_or(0, |i| h + i as u32) as u64,
    ))
}

fn strdup(c: &mut Caller<'_>, a: &[u64]) -> R {
    let s = a32(a, 0);
    let n = c_strlen(c, s)?.saturating_add(1);
    let p = c.malloc(n);
    if p != 0 {
        c.memory().copy(p, s, n)?;
    }
    ret32(p)
}

fn strspn_impl(c: &Caller<'_>, s: u32, set: u32, accept: bool) -> Result<u32, crate::Trap> {
    let set = c.read_cstr(set, u32::MAX)?;
    let mut i = 0u32;
    loop {
        let b = c.read_u8(s.wrapping_add(i))?;
        if b == 0 || set.contains(&b) != accept {
            return Ok(i);
        }
        i += 1;
    }
}

fn strspn(c: &mut Caller<'_>, a: &[u64]) -> R {
    ret32(strspn_impl(c, a32(a, 0), a32(a, 1), true)?)
}

fn strcspn(c: &mut Caller<'_>, a: &[u64]) -> R {
    ret32(strspn_impl(c, a32(a, 0), a32(a, 1), false)?)
}

/// One `strtok_r` step: skips leading delimiters from `s` (or from the saved
/// position when `s` is NULL), NUL-terminates the token and returns it with the
/// position to continue from (0 when the string is exhausted).
fn strtok_step(c: &Caller<'_>, s: u32, saved: u32, delim: u32) -> Result<(u32, u32), crate::Trap> {
    let start = if s != 0 { s } else { saved };
    if start == 0 {
        return Ok((0, 0));
    }
    let start = start.wrapping_add(strspn_impl(c, start, delim, true)?);
    if c.read_u8(start)? == 0 {
        return Ok((0, 0));
    }
    let end = start.wrapping_add(strspn_impl(c, start, delim, false)?);
    if c.read_u8(end)? == 0 {
        return Ok((start, 0));
    }
    c.write_u8(end, 0)?;
    Ok((start, end.wrapping_add(1)))
}

fn strtok_r(c: &mut Caller<'_>, a: &[u64]) -> R {
    let save = a32(a, 2);
    let (tok, next) = strtok_step(c, a32(a, 0), c.read_u32(save)?, a32(a, 1))?;
    c.write_u32(save, next)?;
    ret32(tok)
}

fn strtok(c: &mut Caller<'_>, a: &[u64]) -> R {
    let saved = c
        .inner()
        .strtok_save
        .load(core::sync::atomic::Ordering::Relaxed);
    let (tok, next) = strtok_step(c, a32(a, 0), saved, a32(a, 1))?;
    c.inner()
        .strtok_save
        .store(next, core::sync::atomic::Ordering::Relaxed);
    ret32(tok)
}

pub(super) static BUILTINS: &[Builtin] = &[
    Builtin {
        name: "strtok",
        sig: "(ptr, ptr) -> ptr",
        f: strtok,
    },
    Builtin {
        name: "strtok_r",
        sig: "(ptr, ptr, ptr) -> ptr",
        f: strtok_r,
    },
    Builtin {
        name: "memcpy",
        sig: "(ptr, ptr, i32) -> ptr",
        f: memcpy,
    },
    Builtin {
        name: "memmove",
        sig: "(ptr, ptr, i32) -> ptr",
        f: memcpy,
    },
    Builtin {
        name: "memset",
        sig: "(ptr, i32, i32) -> ptr",
        f: memset,
    },
    Builtin {
        name: "memcmp",
        sig: "(ptr, ptr, i32) -> i32",
        f: memcmp,
    },
    Builtin {
        name: "memchr",
        sig: "(ptr, i32, i32) -> ptr",
        f: memchr,
    },
    Builtin {
        name: "strlen",
        sig: "(ptr) -> i32",
        f: strlen,
    },
    Builtin {
        name: "strnlen",
        sig: "(ptr, i32) -> i32",
        f: strnlen,
    },
    Builtin {
        name: "strcmp",
        sig: "(ptr, ptr) -> i32",
        f: strcmp,
    },
    Builtin {
        name: "strncmp",
        sig: "(ptr, ptr, i32) -> i32",
        f: strncmp,
    },
    Builtin {
        name: "strcasecmp",
        sig: "(ptr, ptr) -> i32",
        f: strcasecmp,
    },
    Builtin {
        name: "strncasecmp",
        sig: "(ptr, ptr, i32) -> i32",
        f: strncasecmp,
    },
    Builtin {
        name: "strcpy",
        sig: "(ptr, ptr) -> ptr",
        f: strcpy,
    },
    Builtin {
        name: "strncpy",
        sig: "(ptr, ptr, i32) -> ptr",
        f: strncpy,
    },
    Builtin {
        name: "strcat",
        sig: "(ptr, ptr) -> ptr",
        f: strcat,
    },
    Builtin {
        name: "strncat",
        sig: "(ptr, ptr, i32) -> ptr",
        f: strncat,
    },
    Builtin {
        name: "strchr",
        sig: "(ptr, i32) -> ptr",
        f: strchr,
    },
    Builtin {
        name: "strrchr",
        sig: "(ptr, i32) -> ptr",
        f: strrchr,
    },
    Builtin {
        name: "strstr",
        sig: "(ptr, ptr) -> ptr",
        f: strstr,
    },
    Builtin {
        name: "strdup",
        sig: "(ptr) -> ptr",
        f: strdup,
    },
    Builtin {
        name: "strspn",
        sig: "(ptr, ptr) -> i32",
        f: strspn,
    },
    Builtin {
        name: "strcspn",
        sig: "(ptr, ptr) -> i32",
        f: strcspn,
    },
];
