//! Files of the PC for modules run on the host platform: the `fopen` family
//! on real files, `remove`/`rename`, `tmpnam`/`tmpfile`, and `signal`/`raise`.
//! A device has no file system behind stdio, so these exist only here; the
//! standard streams keep the runtime's builtins (`builtins/stream.rs`),
//! which these functions hand them to.
//!
//! An open file is a newlib `FILE` in the module heap whose `_file` is its
//! descriptor (3 and up): newlib's `feof`/`ferror`/`clearerr` macros read and
//! clear the `__SEOF`/`__SERR` bits of its `_flags` directly, so those bits
//! are kept in the module's copy. Paths are the PC's, relative to the
//! working directory of `cargo espb run`.

use std::collections::BTreeMap;
use std::fs::{File, OpenOptions};
use std::io::{Read, Seek, SeekFrom, Write};

use crate::builtins::format::{RegArgs, VaArgs};
use crate::builtins::{format, stream};
use crate::imports::Caller;
use crate::trap::Trap;

use super::api::{a32, ret, Imp, R};
use super::kernel::Kernel;

pub(crate) const TABLE: &[(&str, &str, Imp)] = &[
    ("fopen", "(ptr, ptr) -> ptr", fopen),
    ("fclose", "(ptr) -> i32", fclose),
    ("fread", "(ptr, i32, i32, ptr) -> i32", fread),
    ("fwrite", "(ptr, i32, i32, ptr) -> i32", fwrite),
    ("fputs", "(ptr, ptr) -> i32", fputs),
    ("fputc", "(i32, ptr) -> i32", fputc),
    ("putc", "(i32, ptr) -> i32", fputc),
    ("fprintf", "(ptr, ptr, ...) -> i32", fprintf),
    ("fiprintf", "(ptr, ptr, ...) -> i32", fprintf),
    ("vfprintf", "(ptr, ptr, ptr) -> i32", vfprintf),
    ("vfiprintf", "(ptr, ptr, ptr) -> i32", vfprintf),
    ("fgets", "(ptr, i32, ptr) -> ptr", fgets),
    ("fgetc", "(ptr) -> i32", fgetc),
    ("getc", "(ptr) -> i32", fgetc),
    ("ungetc", "(i32, ptr) -> i32", ungetc),
    ("fflush", "(ptr) -> i32", fflush),
    ("feof", "(ptr) -> i32", feof),
    ("ferror", "(ptr) -> i32", ferror),
    ("clearerr", "(ptr)", clearerr),
    ("fseek", "(ptr, i32, i32) -> i32", fseek),
    ("ftell", "(ptr) -> i32", ftell),
    ("rewind", "(ptr)", rewind),
    ("remove", "(ptr) -> i32", remove),
    ("unlink", "(ptr) -> i32", remove),
    ("rename", "(ptr, ptr) -> i32", rename),
    ("tmpnam", "(ptr) -> ptr", tmpnam),
    ("tmpfile", "() -> ptr", tmpfile),
    ("signal", "(i32, ptr) -> ptr", signal),
    ("raise", "(i32) -> i32", raise),
];

const EOF: u32 = -1i32 as u32;
/// Size of newlib's 32-bit `struct __sFILE`.
const FILE_SIZE: u32 = 104;
/// `_flags` and its bits (newlib `sys/reent.h`).
const FILE_FLAGS: u32 = 12;
const SEOF: u16 = 0x0020;
const SERR: u16 = 0x0040;
/// Most files open at once.
const MAX_OPEN: usize = 64;
/// Longest path read.
const MAX_PATH: u32 = 4096;
/// newlib's `L_tmpnam` (`FILENAME_MAX`).
const L_TMPNAM: usize = 1024;
/// `SIG_DFL`, `SIG_IGN`, `SIG_ERR` as newlib defines them.
const SIG_DFL: u32 = 0;
const SIG_IGN: u32 = 1;
const SIG_ERR: u32 = -1i32 as u32;
const NSIG: u32 = 32;

/// An open file of the PC.
#[derive(Debug)]
pub(crate) struct OpenFile {
    file: File,
    /// Where the module's `FILE` is.
    at: u32,
    /// A byte pushed back by `ungetc`.
    unget: Option<u8>,
    /// Removed when closed (`tmpfile`).
    temp: Option<std::path::PathBuf>,
}

/// Files, signal handlers and names handed out during one run.
#[derive(Debug, Default)]
pub(crate) struct Files {
    open: BTreeMap<i16, OpenFile>,
    handlers: BTreeMap<u32, u32>,
    tmp_counter: u32,
    /// `tmpnam(NULL)`'s buffer in the module heap.
    tmpnam_buf: u32,
}

fn set_flag(c: &Caller<'_>, file: u32, bit: u16, on: bool) -> Result<(), Trap> {
    let at = file.wrapping_add(FILE_FLAGS);
    let f = c.read_u16(at)?;
    c.write_u16(at, if on { f | bit } else { f & !bit })
}

/// The descriptor of `file` when it is one of this module's open files.
fn opened(k: &Kernel, c: &Caller<'_>, file: u32) -> Result<Option<i16>, Trap> {
    let fd = stream::fd_of(c, file)?;
    if fd <= 2 {
        return Ok(None);
    }
    let (g, _) = k.enter()?;
    Ok(g.ext.files.open.contains_key(&fd).then_some(fd))
}

/// Runs `f` on the open file `fd`.
fn with_file<T>(
    k: &Kernel,
    fd: i16,
    f: impl FnOnce(&mut OpenFile) -> T,
) -> Result<Option<T>, Trap> {
    let (mut g, _) = k.enter()?;
    Ok(g.ext.files.open.get_mut(&fd).map(f))
}

fn path_arg(c: &Caller<'_>, p: u32) -> Result<String, Trap> {
    if p == 0 {
        return Err(Trap::host("NULL path passed to a file function"));
    }
    Ok(String::from_utf8_lossy(&c.read_cstr(p, MAX_PATH)?).into_owned())
}

fn open_options(mode: &[u8]) -> Option<OpenOptions> {
    let mut o = OpenOptions::new();
    let plus = mode.contains(&b'+');
    match mode.first()? {
        b'r' => o.read(true).write(plus),
        b'w' => o.write(true).create(true).truncate(true).read(plus),
        b'a' => o.append(true).create(true).read(plus),
        _ => return None,
    };
    Some(o)
}

/// Registers `file` as a new `FILE` in the module heap.
fn new_stream(k: &Kernel, c: &Caller<'_>, file: File, temp: Option<std::path::PathBuf>) -> R {
    let (mut g, _) = k.enter()?;
    let files = &mut g.ext.files;
    if files.open.len() >= MAX_OPEN {
        return ret(0);
    }
    let fd = (3..).find(|fd| !files.open.contains_key(fd)).unwrap_or(3);
    let at = c.malloc(FILE_SIZE);
    if at == 0 {
        return ret(0);
    }
    c.write(at, &[0u8; FILE_SIZE as usize])?;
    c.write_u16(at.wrapping_add(stream::FILE_FD), fd as u16)?;
    files.open.insert(
        fd,
        OpenFile {
            file,
            at,
            unget: None,
            temp,
        },
    );
    ret(at)
}

fn fopen(k: &Kernel, c: &mut Caller<'_>, a: &[u64]) -> R {
    let path = path_arg(c, a32(a, 0))?;
    let mode = c.read_cstr(a32(a, 1), 16)?;
    let Some(opts) = open_options(&mode) else {
        return ret(0);
    };
    match opts.open(&path) {
        Ok(f) => new_stream(k, c, f, None),
        Err(_) => ret(0),
    }
}

fn fclose(k: &Kernel, c: &mut Caller<'_>, a: &[u64]) -> R {
    let file = a32(a, 0);
    let Some(fd) = opened(k, c, file)? else {
        // The standard streams stay open.
        stream::fd_of(c, file)?;
        return ret(0);
    };
    let closed = {
        let (mut g, _) = k.enter()?;
        g.ext.files.open.remove(&fd)
    };
    if let Some(f) = closed {
        drop(f.file);
        if let Some(p) = f.temp {
            let _ = std::fs::remove_file(p);
        }
        c.free(f.at)?;
    }
    ret(0)
}

fn fread(k: &Kernel, c: &mut Caller<'_>, a: &[u64]) -> R {
    let (ptr, size, n, file) = (a32(a, 0), a32(a, 1), a32(a, 2), a32(a, 3));
    let Some(fd) = opened(k, c, file)? else {
        stream::fd_of(c, file)?;
        return ret(0);
    };
    let Some(total) = size.checked_mul(n).filter(|&t| t <= 1 << 24) else {
        return Err(Trap::host("fread of more than 16 MiB at once"));
    };
    let mut buf = vec![0u8; total as usize];
    let got = with_file(k, fd, |f| {
        let mut got = 0;
        if let (Some(b), Some(first)) = (f.unget.take(), buf.first_mut()) {
            *first = b;
            got = 1;
        }
        while got < buf.len() {
            match f.file.read(&mut buf[got..]) {
                Ok(0) => break,
                Ok(k) => got += k,
                Err(_) => return Err(got),
            }
        }
        Ok(got)
    })?
    .unwrap_or(Ok(0));
    let (got, err) = match got {
        Ok(g) => (g, false),
        Err(g) => (g, true),
    };
    c.write(ptr, &buf[..got])?;
    if got < buf.len() {
        set_flag(c, file, if err { SERR } else { SEOF }, true)?;
    }
    ret((got as u32).checked_div(size).unwrap_or(0))
}

fn write_to(k: &Kernel, c: &Caller<'_>, fd: i16, file: u32, bytes: &[u8]) -> Result<bool, Trap> {
    let ok = with_file(k, fd, |f| f.file.write_all(bytes).is_ok())?.unwrap_or(false);
    if !ok {
        set_flag(c, file, SERR, true)?;
    }
    Ok(ok)
}

fn fwrite(k: &Kernel, c: &mut Caller<'_>, a: &[u64]) -> R {
    let file = a32(a, 3);
    let Some(fd) = opened(k, c, file)? else {
        return stream::fwrite(c, a);
    };
    let (ptr, size, n) = (a32(a, 0), a32(a, 1), a32(a, 2));
    let Some(total) = size.checked_mul(n).filter(|&t| t <= 1 << 24) else {
        return Err(Trap::host("fwrite of more than 16 MiB at once"));
    };
    let mut buf = vec![0u8; total as usize];
    c.read(ptr, &mut buf)?;
    let ok = write_to(k, c, fd, file, &buf)?;
    ret(if ok && size != 0 { n } else { 0 })
}

fn fputs(k: &Kernel, c: &mut Caller<'_>, a: &[u64]) -> R {
    let file = a32(a, 1);
    let Some(fd) = opened(k, c, file)? else {
        return stream::fputs(c, a);
    };
    let s = c.read_cstr(a32(a, 0), 1 << 20)?;
    ret(if write_to(k, c, fd, file, &s)? {
        0
    } else {
        EOF
    })
}

fn fputc(k: &Kernel, c: &mut Caller<'_>, a: &[u64]) -> R {
    let file = a32(a, 1);
    let Some(fd) = opened(k, c, file)? else {
        return stream::fputc(c, a);
    };
    let ch = a32(a, 0) as u8;
    ret(if write_to(k, c, fd, file, &[ch])? {
        ch as u32
    } else {
        EOF
    })
}

fn fprintf(k: &Kernel, c: &mut Caller<'_>, a: &[u64]) -> R {
    let file = a32(a, 0);
    let Some(fd) = opened(k, c, file)? else {
        return stream::fprintf(c, a);
    };
    let out = format(c, a32(a, 1), &mut RegArgs { args: a, next: 2 })?;
    ret(if write_to(k, c, fd, file, &out)? {
        out.len() as u32
    } else {
        EOF
    })
}

fn vfprintf(k: &Kernel, c: &mut Caller<'_>, a: &[u64]) -> R {
    let file = a32(a, 0);
    let Some(fd) = opened(k, c, file)? else {
        return stream::vfprintf(c, a);
    };
    let out = format(c, a32(a, 1), &mut VaArgs { ptr: a32(a, 2) })?;
    ret(if write_to(k, c, fd, file, &out)? {
        out.len() as u32
    } else {
        EOF
    })
}

/// One byte of `fd`, or `None` at the end; `Err` on a read error.
fn read_byte(k: &Kernel, fd: i16) -> Result<Result<Option<u8>, ()>, Trap> {
    Ok(with_file(k, fd, |f| {
        if let Some(b) = f.unget.take() {
            return Ok(Some(b));
        }
        let mut b = [0u8; 1];
        match f.file.read(&mut b) {
            Ok(0) => Ok(None),
            Ok(_) => Ok(Some(b[0])),
            Err(_) => Err(()),
        }
    })?
    .unwrap_or(Ok(None)))
}

fn fgetc(k: &Kernel, c: &mut Caller<'_>, a: &[u64]) -> R {
    let file = a32(a, 0);
    let Some(fd) = opened(k, c, file)? else {
        return stream::fgetc(c, a);
    };
    match read_byte(k, fd)? {
        Ok(Some(b)) => ret(b as u32),
        Ok(None) => {
            set_flag(c, file, SEOF, true)?;
            ret(EOF)
        }
        Err(()) => {
            set_flag(c, file, SERR, true)?;
            ret(EOF)
        }
    }
}

fn fgets(k: &Kernel, c: &mut Caller<'_>, a: &[u64]) -> R {
    let (buf, n, file) = (a32(a, 0), a32(a, 1) as i32, a32(a, 2));
    let Some(fd) = opened(k, c, file)? else {
        stream::fd_of(c, file)?;
        return ret(0);
    };
    if n <= 0 {
        return ret(0);
    }
    let mut line = Vec::new();
    while line.len() + 1 < n as usize {
        match read_byte(k, fd)? {
            Ok(Some(b)) => {
                line.push(b);
                if b == b'\n' {
                    break;
                }
            }
            Ok(None) => {
                set_flag(c, file, SEOF, true)?;
                break;
            }
            Err(()) => {
                set_flag(c, file, SERR, true)?;
                return ret(0);
            }
        }
    }
    if line.is_empty() {
        return ret(0);
    }
    line.push(0);
    c.write(buf, &line)?;
    ret(buf)
}

fn ungetc(k: &Kernel, c: &mut Caller<'_>, a: &[u64]) -> R {
    let (ch, file) = (a32(a, 0), a32(a, 1));
    let Some(fd) = opened(k, c, file)? else {
        stream::fd_of(c, file)?;
        return ret(EOF);
    };
    if ch == EOF {
        return ret(EOF);
    }
    let ok = with_file(k, fd, |f| f.unget.replace(ch as u8).is_none())?.unwrap_or(false);
    if !ok {
        return ret(EOF);
    }
    set_flag(c, file, SEOF, false)?;
    ret(ch & 0xff)
}

fn fflush(k: &Kernel, c: &mut Caller<'_>, a: &[u64]) -> R {
    let file = a32(a, 0);
    if file == 0 {
        let (mut g, _) = k.enter()?;
        for f in g.ext.files.open.values_mut() {
            let _ = f.file.flush();
        }
        return ret(0);
    }
    let Some(fd) = opened(k, c, file)? else {
        return stream::fflush(c, a);
    };
    let ok = with_file(k, fd, |f| f.file.flush().is_ok())?.unwrap_or(false);
    ret(if ok { 0 } else { EOF })
}

fn flag(c: &Caller<'_>, file: u32, bit: u16) -> R {
    stream::fd_of(c, file)?;
    let f = c.read_u16(file.wrapping_add(FILE_FLAGS))?;
    ret((f & bit != 0) as u32)
}

fn feof(k: &Kernel, c: &mut Caller<'_>, a: &[u64]) -> R {
    let file = a32(a, 0);
    if opened(k, c, file)?.is_none() {
        return stream::feof(c, a);
    }
    flag(c, file, SEOF)
}

fn ferror(k: &Kernel, c: &mut Caller<'_>, a: &[u64]) -> R {
    let file = a32(a, 0);
    if opened(k, c, file)?.is_none() {
        return stream::ferror(c, a);
    }
    flag(c, file, SERR)
}

fn clearerr(_k: &Kernel, c: &mut Caller<'_>, a: &[u64]) -> R {
    let file = a32(a, 0);
    stream::fd_of(c, file)?;
    set_flag(c, file, SEOF | SERR, false)?;
    Ok(None)
}

fn fseek(k: &Kernel, c: &mut Caller<'_>, a: &[u64]) -> R {
    let (file, off, whence) = (a32(a, 0), a32(a, 1) as i32 as i64, a32(a, 2));
    let Some(fd) = opened(k, c, file)? else {
        stream::fd_of(c, file)?;
        return ret(-1i32 as u32);
    };
    let pos = match whence {
        0 if off >= 0 => SeekFrom::Start(off as u64),
        1 => SeekFrom::Current(off),
        2 => SeekFrom::End(off),
        _ => return ret(-1i32 as u32),
    };
    let ok = with_file(k, fd, |f| {
        // A pushed-back byte is forgotten; a relative seek counts from
        // before it, as C requires.
        let back = f.unget.take().is_some() as i64;
        let pos = match pos {
            SeekFrom::Current(o) => SeekFrom::Current(o - back),
            p => p,
        };
        f.file.seek(pos).is_ok()
    })?
    .unwrap_or(false);
    if !ok {
        return ret(-1i32 as u32);
    }
    set_flag(c, file, SEOF, false)?;
    ret(0)
}

fn ftell(k: &Kernel, c: &mut Caller<'_>, a: &[u64]) -> R {
    let file = a32(a, 0);
    let Some(fd) = opened(k, c, file)? else {
        stream::fd_of(c, file)?;
        return ret(-1i32 as u32);
    };
    let pos = with_file(k, fd, |f| {
        let back = f.unget.is_some() as u64;
        f.file
            .stream_position()
            .ok()
            .map(|p| p.saturating_sub(back))
    })?
    .flatten();
    match pos {
        Some(p) if p <= i32::MAX as u64 => ret(p as u32),
        _ => ret(-1i32 as u32),
    }
}

fn rewind(k: &Kernel, c: &mut Caller<'_>, a: &[u64]) -> R {
    let file = a32(a, 0);
    if let Some(fd) = opened(k, c, file)? {
        with_file(k, fd, |f| {
            f.unget = None;
            let _ = f.file.seek(SeekFrom::Start(0));
        })?;
        set_flag(c, file, SEOF | SERR, false)?;
    }
    Ok(None)
}

fn remove(k: &Kernel, c: &mut Caller<'_>, a: &[u64]) -> R {
    drop(k.enter()?);
    let p = path_arg(c, a32(a, 0))?;
    let ok = std::fs::remove_file(&p).is_ok() || std::fs::remove_dir(&p).is_ok();
    ret(if ok { 0 } else { -1i32 as u32 })
}

fn rename(k: &Kernel, c: &mut Caller<'_>, a: &[u64]) -> R {
    drop(k.enter()?);
    let (from, to) = (path_arg(c, a32(a, 0))?, path_arg(c, a32(a, 1))?);
    ret(if std::fs::rename(from, to).is_ok() {
        0
    } else {
        -1i32 as u32
    })
}

/// A name no file has yet, in the PC's temporary directory.
fn fresh_name(k: &Kernel) -> Result<std::path::PathBuf, Trap> {
    loop {
        let n = {
            let (mut g, _) = k.enter()?;
            g.ext.files.tmp_counter += 1;
            g.ext.files.tmp_counter
        };
        let p = std::env::temp_dir().join(format!("espb-{}-{n}", std::process::id()));
        if !p.exists() {
            return Ok(p);
        }
    }
}

fn tmpnam(k: &Kernel, c: &mut Caller<'_>, a: &[u64]) -> R {
    let name = fresh_name(k)?;
    let mut bytes = name.to_string_lossy().into_owned().into_bytes();
    if bytes.len() + 1 > L_TMPNAM {
        return ret(0);
    }
    bytes.push(0);
    let mut buf = a32(a, 0);
    if buf == 0 {
        let (mut g, _) = k.enter()?;
        if g.ext.files.tmpnam_buf == 0 {
            g.ext.files.tmpnam_buf = c.malloc(L_TMPNAM as u32);
        }
        buf = g.ext.files.tmpnam_buf;
        if buf == 0 {
            return ret(0);
        }
    }
    c.write(buf, &bytes)?;
    ret(buf)
}

fn tmpfile(k: &Kernel, c: &mut Caller<'_>, _a: &[u64]) -> R {
    let name = fresh_name(k)?;
    match OpenOptions::new()
        .read(true)
        .write(true)
        .create_new(true)
        .open(&name)
    {
        Ok(f) => new_stream(k, c, f, Some(name)),
        Err(_) => ret(0),
    }
}

/// Records `handler` (a module function, `SIG_DFL` or `SIG_IGN`) for `sig`
/// and returns the previous one. Signals reach a module only through
/// `raise`: the PC's own signals stay `cargo espb`'s.
fn signal(k: &Kernel, _c: &mut Caller<'_>, a: &[u64]) -> R {
    let (sig, handler) = (a32(a, 0), a32(a, 1));
    if sig == 0 || sig >= NSIG {
        return ret(SIG_ERR);
    }
    let (mut g, _) = k.enter()?;
    let old = g.ext.files.handlers.insert(sig, handler).unwrap_or(SIG_DFL);
    ret(old)
}

/// Delivers `sig`: a handler runs (reset to `SIG_DFL` first, as C allows),
/// `SIG_IGN` does nothing, the default action ends the run like `abort()`.
fn raise(k: &Kernel, c: &mut Caller<'_>, a: &[u64]) -> R {
    let sig = a32(a, 0);
    if sig == 0 || sig >= NSIG {
        return ret(-1i32 as u32);
    }
    let handler = {
        let (mut g, _) = k.enter()?;
        let h = g.ext.files.handlers.get(&sig).copied().unwrap_or(SIG_DFL);
        if h != SIG_IGN {
            g.ext.files.handlers.insert(sig, SIG_DFL);
        }
        h
    };
    match handler {
        SIG_IGN => ret(0),
        SIG_DFL => Err(Trap::new(crate::trap::TrapKind::Abort(format!(
            "signal {sig} raised with its default action"
        )))),
        f => {
            c.call_ref(f, &[sig as u64])?;
            ret(0)
        }
    }
}
