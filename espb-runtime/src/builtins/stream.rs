//! `FILE`-based stdio for the standard streams: `fprintf(stderr, …)`,
//! `fputs(s, stdout)` and friends. A `FILE *` is newlib's structure in
//! linear memory (the translator defines `stdin`/`stdout`/`stderr` through
//! `_impure_ptr`); its `short _file` field says which stream it is, as in
//! newlib. Files beyond the standard three are the host platform's (it
//! registers its own versions of these functions, which win over builtins).

use super::format::{format, RegArgs, VaArgs};
use super::{a32, ret32, Builtin, R};
use crate::imports::Caller;
use crate::trap::Trap;

/// Offset of `short _file` in newlib's 32-bit `FILE`.
pub const FILE_FD: u32 = 14;
const EOF: u32 = -1i32 as u32;

/// The stream a `FILE *` names: 0, 1, 2 for the standard ones.
pub fn fd_of(c: &Caller<'_>, file: u32) -> Result<i16, Trap> {
    if file == 0 {
        return Err(Trap::host("NULL FILE * passed to a stdio function"));
    }
    Ok(c.read_u16(file.wrapping_add(FILE_FD))? as i16)
}

/// Writes `bytes` to stream `fd`; false when it is not an output stream.
fn write_fd(c: &Caller<'_>, fd: i16, bytes: &[u8]) -> bool {
    match fd {
        1 => c.output(bytes),
        2 => c.error_output(bytes),
        _ => return false,
    }
    true
}

fn write_file(c: &Caller<'_>, file: u32, bytes: &[u8], ok: u32) -> R {
    let fd = fd_of(c, file)?;
    ret32(if write_fd(c, fd, bytes) { ok } else { EOF })
}

pub(crate) fn fprintf(c: &mut Caller<'_>, a: &[u64]) -> R {
    let out = format(c, a32(a, 1), &mut RegArgs { args: a, next: 2 })?;
    write_file(c, a32(a, 0), &out, out.len() as u32)
}

pub(crate) fn vfprintf(c: &mut Caller<'_>, a: &[u64]) -> R {
    let out = format(c, a32(a, 1), &mut VaArgs { ptr: a32(a, 2) })?;
    write_file(c, a32(a, 0), &out, out.len() as u32)
}

/// glibc's fortified `__fprintf_chk(FILE *, int flag, const char *, ...)`.
fn fprintf_chk(c: &mut Caller<'_>, a: &[u64]) -> R {
    let out = format(c, a32(a, 2), &mut RegArgs { args: a, next: 3 })?;
    write_file(c, a32(a, 0), &out, out.len() as u32)
}

fn vfprintf_chk(c: &mut Caller<'_>, a: &[u64]) -> R {
    let out = format(c, a32(a, 2), &mut VaArgs { ptr: a32(a, 3) })?;
    write_file(c, a32(a, 0), &out, out.len() as u32)
}

pub(crate) fn fputs(c: &mut Caller<'_>, a: &[u64]) -> R {
    let s = c.read_cstr(a32(a, 0), 1 << 20)?;
    write_file(c, a32(a, 1), &s, 0)
}

pub(crate) fn fputc(c: &mut Caller<'_>, a: &[u64]) -> R {
    let ch = a32(a, 0) as u8;
    write_file(c, a32(a, 1), &[ch], ch as u32)
}

pub(crate) fn fwrite(c: &mut Caller<'_>, a: &[u64]) -> R {
    let (ptr, size, n) = (a32(a, 0), a32(a, 1), a32(a, 2));
    let Some(total) = size.checked_mul(n).filter(|&t| t <= 1 << 24) else {
        return Err(Trap::host("fwrite of more than 16 MiB at once"));
    };
    let mut buf = alloc::vec![0u8; total as usize];
    c.read(ptr, &mut buf)?;
    write_file(c, a32(a, 3), &buf, if size == 0 { 0 } else { n })
}

pub(crate) fn fflush(c: &mut Caller<'_>, a: &[u64]) -> R {
    // Output is unbuffered; NULL flushes every stream.
    let f = a32(a, 0);
    if f != 0 {
        fd_of(c, f)?;
    }
    ret32(0)
}

fn fileno(c: &mut Caller<'_>, a: &[u64]) -> R {
    ret32(fd_of(c, a32(a, 0))? as i32 as u32)
}

/// `ferror`, `feof`: the standard streams never fail or end here (reading
/// stdin is not supported: it is at its end).
pub(crate) fn ferror(c: &mut Caller<'_>, a: &[u64]) -> R {
    fd_of(c, a32(a, 0))?;
    ret32(0)
}

pub(crate) fn feof(c: &mut Caller<'_>, a: &[u64]) -> R {
    ret32((fd_of(c, a32(a, 0))? == 0) as u32)
}

pub(crate) fn fgetc(c: &mut Caller<'_>, a: &[u64]) -> R {
    fd_of(c, a32(a, 0))?;
    ret32(EOF)
}

fn getchar(_: &mut Caller<'_>, _: &[u64]) -> R {
    ret32(EOF)
}

pub(super) static BUILTINS: &[Builtin] = &[
    Builtin {
        name: "fprintf",
        sig: "(ptr, ptr, ...) -> i32",
        f: fprintf,
    },
    Builtin {
        name: "fiprintf",
        sig: "(ptr, ptr, ...) -> i32",
        f: fprintf,
    },
    Builtin {
        name: "vfprintf",
        sig: "(ptr, ptr, ptr) -> i32",
        f: vfprintf,
    },
    Builtin {
        name: "vfiprintf",
        sig: "(ptr, ptr, ptr) -> i32",
        f: vfprintf,
    },
    Builtin {
        name: "__fprintf_chk",
        sig: "(ptr, i32, ptr, ...) -> i32",
        f: fprintf_chk,
    },
    Builtin {
        name: "__vfprintf_chk",
        sig: "(ptr, i32, ptr, ptr) -> i32",
        f: vfprintf_chk,
    },
    Builtin {
        name: "fputs",
        sig: "(ptr, ptr) -> i32",
        f: fputs,
    },
    Builtin {
        name: "fputc",
        sig: "(i32, ptr) -> i32",
        f: fputc,
    },
    Builtin {
        name: "putc",
        sig: "(i32, ptr) -> i32",
        f: fputc,
    },
    Builtin {
        name: "fwrite",
        sig: "(ptr, i32, i32, ptr) -> i32",
        f: fwrite,
    },
    Builtin {
        name: "fflush",
        sig: "(ptr) -> i32",
        f: fflush,
    },
    Builtin {
        name: "fileno",
        sig: "(ptr) -> i32",
        f: fileno,
    },
    Builtin {
        name: "ferror",
        sig: "(ptr) -> i32",
        f: ferror,
    },
    Builtin {
        name: "feof",
        sig: "(ptr) -> i32",
        f: feof,
    },
    Builtin {
        name: "fgetc",
        sig: "(ptr) -> i32",
        f: fgetc,
    },
    Builtin {
        name: "getc",
        sig: "(ptr) -> i32",
        f: fgetc,
    },
    Builtin {
        name: "getchar",
        sig: "() -> i32",
        f: getchar,
    },
];
