//! One native call: module values to native ones, the call through the
//! machine's backend, copy-back and the result. The same code on the host
//! and on every chip.
//!
//! Pointer arguments are zero-copy: after a bounds check of the bytes the
//! metadata declares, the native gets their host address in linear memory.
//! Only handle arrays (whose values are translated) and structs rebuilt
//! with translated fields go through native copies, copied back (handle
//! arrays) after the call.

use alloc::string::String;
use alloc::vec;
use alloc::vec::Vec;
use espb_format::text;

use espb_format::{
    Direction, FuncType, PtrMeta, SizeSpec, ValType, FUNC_REF_BASE, IMPORT_REF_BASE,
};

use crate::imports::Caller;
use crate::sync::Arc;
use crate::trap::Trap;

use super::active::Region;
use super::handles::is_handle;
use super::plan::{FieldKind, ParamKind, Plan};
use super::translate::{to_module, to_native_value, Back};
use super::{backend, callback_ptr, FfiState};

/// Longest string argument looked at (a bound, not a C limit).
const MAX_STR: u32 = 1 << 20;
const PTR: usize = core::mem::size_of::<usize>();
/// Arguments marshalled without allocating.
const INLINE_ARGS: usize = 4;

/// A native copy of module bytes: a handle array (each 4-byte module value
/// a pointer-sized native one) or a struct rebuilt with translated fields.
struct Copy {
    addr: u32,
    len: u32,
    dir: Direction,
    /// 8-aligned storage (natives may read `double`s and pointers from it).
    buf: Vec<u64>,
    handles: bool,
}

impl Copy {
    /// Keeps the copy for the call; returns its native address (the heap
    /// buffer's, which the move into `copies` leaves in place). One
    /// out-of-line push for handle arrays and structs.
    #[inline(never)]
    fn keep(mut self, copies: &mut Vec<Copy>) -> usize {
        let p = self.buf.as_mut_ptr() as usize;
        copies.push(self);
        p
    }
}

fn trap(plan: &Plan, msg: String) -> Trap {
    trap!(plan, "{}", &msg)
}

/// Translates a pointer argument that is not user data or a callback.
#[allow(clippy::too_many_arguments)]
fn pointer_arg(
    st: &FfiState,
    c: &Caller<'_>,
    plan: &Plan,
    i: usize,
    v: u32,
    meta: Option<&PtrMeta>,
    args: &[u64],
    copies: &mut Vec<Copy>,
) -> Result<usize, Trap> {
    if v == 0 {
        return Ok(0);
    }
    if let Some(p) = st.native_ref(v) {
        return Ok(p);
    }
    if is_handle(v) {
        return Err(trap!(
            plan,
            "argument {} is {x8}, not a live native handle",
            i,
            v
        ));
    }
    if (IMPORT_REF_BASE..FUNC_REF_BASE).contains(&v) {
        let imp = v - IMPORT_REF_BASE;
        return Err(trap!(
            plan,
            "argument {}: import {} is not a native function",
            i,
            imp
        ));
    }
    if v >= FUNC_REF_BASE {
        return Err(trap!(
            plan,
            "argument {} is a module function but has no callback metadata (add a `cb {}` hint)",
            i,
            i
        ));
    }
    let (len, dir, handles) = match meta {
        Some(m) => {
            let len = match m.size {
                SizeSpec::Const(n) => n,
                SizeSpec::Param { param, scale } => {
                    let n = (args.get(param as usize).copied().unwrap_or(0) as u32 as u64)
                        * scale as u64;
                    u32::try_from(n)
                        .map_err(|_| {
                            trap!(plan, "argument {}: size {} is too large", i, n)
                        })?
                }
                SizeSpec::StrLen => str_len(c, plan, i, v)?,
            };
            (len, m.dir, m.handles)
        }
        // Variadic pointers (printf's %s) are C strings.
        None if i >= plan.ty.params.len() => (str_len(c, plan, i, v)?, Direction::In, false),
        None => {
            return Err(trap!(plan, "argument {} points into module memory but has no size metadata (add an `in/out {} size ...` hint)",
                    i,
                    i))
        }
    };
    if !handles {
        // Zero-copy: the native reads and writes the module's own bytes
        // (bounds-checked for the whole described size).
        return Ok(c.memory().host_ptr(v, len).map_err(Trap::new)? as usize);
    }
    // A handle array: each 4-byte module value becomes a pointer-sized
    // native value in a copy, translated back after the call.
    c.memory().check(v, len.max(1)).map_err(Trap::new)?;
    if len % 4 != 0 {
        return Err(trap!(
            plan,
            "argument {}: a handle array of {} bytes is not a multiple of 4",
            i,
            len
        ));
    }
    let mut b = Copy {
        addr: v,
        len,
        dir,
        buf: vec![0u64; (len as usize / 4 * PTR).div_ceil(8).max(1)],
        handles,
    };
    if dir != Direction::Out {
        for k in 0..len / 4 {
            let nv = to_native_value(st, c.read_u32(v + 4 * k)?);
            write_usize(&mut b.buf, k as usize * PTR, nv);
        }
    }
    Ok(b.keep(copies))
}

/// Bytes of the string at `v` including its NUL.
fn str_len(c: &Caller<'_>, plan: &Plan, i: usize, v: u32) -> Result<u32, Trap> {
    match c.memory().strlen(v, MAX_STR).map_err(Trap::new)? {
        Some(n) => Ok(n + 1),
        None => Err(trap!(
            plan,
            "argument {}: string at {x} is not NUL-terminated within {} bytes",
            i,
            v,
            MAX_STR
        )),
    }
}

// Bytes in the 8-aligned `u64` buffers, each in its word's little-endian
// byte array (a byte access, not 64-bit shifts and masks on a 32-bit chip).
fn write_bytes(buf: &mut [u64], off: usize, bytes: &[u8]) {
    for (k, b) in bytes.iter().enumerate() {
        let at = off + k;
        let mut w = buf[at / 8].to_le_bytes();
        w[at % 8] = *b;
        buf[at / 8] = u64::from_le_bytes(w);
    }
}

fn read_bytes(buf: &[u64], off: usize, out: &mut [u8]) {
    for (k, b) in out.iter_mut().enumerate() {
        let at = off + k;
        *b = buf[at / 8].to_le_bytes()[at % 8];
    }
}

fn write_usize(buf: &mut [u64], off: usize, v: usize) {
    write_bytes(buf, off, &v.to_le_bytes());
}

fn read_usize(buf: &[u64], off: usize) -> usize {
    let mut b = [0u8; PTR];
    read_bytes(buf, off, &mut b);
    usize::from_le_bytes(b)
}

/// A pointer, callback or user-data word, an argument or a struct field.
#[allow(clippy::too_many_arguments)]
fn word_arg(
    st: &Arc<FfiState>,
    c: &Caller<'_>,
    plan: &Plan,
    i: usize,
    v: u32,
    kind: &FieldKind,
    args: &[u64],
    copies: &mut Vec<Copy>,
) -> Result<usize, Trap> {
    match kind {
        FieldKind::Callback(t) => callback_ptr(st, c, plan, i, v, t),
        FieldKind::UserData => {
            st.note_user_data(v);
            Ok(v as usize)
        }
        FieldKind::Ptr(meta) => pointer_arg(st, c, plan, i, v, meta.as_ref(), args, copies),
    }
}

/// Builds the native-layout copy of a struct whose callback, user-data and
/// pointer fields are known: those become pointer-sized (and aligned)
/// fields, every other 4-byte word is copied as a 32-bit field. On a 32-bit
/// chip this is the module's own layout. The copy's range goes to
/// `regions` (native pointers into it map back to module addresses).
#[allow(clippy::too_many_arguments)]
#[inline(never)]
fn struct_arg(
    st: &Arc<FfiState>,
    c: &mut Caller<'_>,
    plan: &Plan,
    i: usize,
    v: u32,
    size: u32,
    fields: &[(u32, FieldKind)],
    args: &[u64],
    copies: &mut Vec<Copy>,
    regions: &mut Vec<Region>,
) -> Result<usize, Trap> {
    if v == 0 {
        return Ok(0);
    }
    let mut bytes = vec![0u8; size as usize];
    c.read(v, &mut bytes)?;
    // Widening at most doubles the struct: a pointer field grows 4 → 8
    // bytes, and its alignment padding (4) only follows a plain 4-byte word.
    let mut buf = vec![0u64; (size as usize * 2).div_ceil(8) + 1];
    let mut off = 0usize;
    // Word by word (the last one perhaps shorter): no index into `bytes`.
    for (at, word) in (0u32..).step_by(4).zip(bytes.chunks(4)) {
        match fields.iter().find(|f| f.0 == at) {
            Some((_, kind)) => {
                off = off.next_multiple_of(PTR);
                // A field lies inside the struct (`set_place`): a whole word.
                let mut w = [0u8; 4];
                w[..word.len()].copy_from_slice(word);
                let mv = u32::from_le_bytes(w);
                let nv = word_arg(st, c, plan, i, mv, kind, args, copies)?;
                write_usize(&mut buf, off, nv);
                off += PTR;
            }
            None => {
                write_bytes(&mut buf, off, word);
                off += word.len();
            }
        }
    }
    let p = Copy {
        addr: v,
        len: off as u32,
        dir: Direction::In,
        buf,
        handles: false,
    }
    .keep(copies);
    regions.push(Region {
        start: p,
        len: off,
        addr: v,
    });
    Ok(p)
}

/// The body of every native import.
pub(crate) fn call(
    st: &Arc<FfiState>,
    c: &mut Caller<'_>,
    args: &[u64],
) -> Result<Option<u64>, Trap> {
    let imp = c.import_index();
    let plan = st
        .plans
        .get(imp as usize)
        .and_then(|p| p.as_ref())
        .ok_or_else(|| {
            Trap::host(text!(
                "{}: no native call plan for import {}",
                c.import_name(),
                imp
            ))
        })?;
    st.bind_memory(c);
    if plan.deletes_task && args.first().is_some_and(|&a| a as u32 == 0) {
        st.request_task_end(plan.addr);
        return Err(trap!(
            plan,
            "the task deletes itself (the runtime ends it once its module code has unwound)"
        ));
    }
    let site: &FuncType = c.signature();
    let result = site.result;
    let n = site.params.len();
    let sig = plan.sig_for(site).map_err(|m| trap(plan, m))?;
    let mut inline = [0u64; INLINE_ARGS];
    let mut spill: Vec<u64>;
    let vals: &mut [u64] = if n <= INLINE_ARGS {
        &mut inline[..n]
    } else {
        spill = vec![0; n];
        &mut spill
    };
    let mut copies: Vec<Copy> = Vec::new();
    let mut regions: Vec<Region> = Vec::new();
    for (i, (slot, &t)) in vals.iter_mut().zip(&site.params).enumerate() {
        let raw = args.get(i).copied().unwrap_or(0);
        let kind = plan.params.get(i).unwrap_or(if t == ValType::Ptr {
            &ParamKind::Word(FieldKind::Ptr(None))
        } else {
            &ParamKind::Value
        });
        *slot = match kind {
            ParamKind::Value => match t {
                // Sign-extended so a native reading a wider register sees C's value.
                ValType::I32 => raw as u32 as i32 as i64 as u64,
                ValType::F32 => raw & 0xffff_ffff,
                _ => raw,
            },
            ParamKind::Word(kind) => {
                word_arg(st, c, plan, i, raw as u32, kind, args, &mut copies)? as u64
            }
            ParamKind::Struct { size, fields } => struct_arg(
                st,
                c,
                plan,
                i,
                raw as u32,
                *size,
                fields,
                args,
                &mut copies,
                &mut regions,
            )? as u64,
        };
    }
    let task = crate::task::current();
    super::task_end::call_gate();
    st.active.begin(task, regions);
    // SAFETY: `plan.addr` is the address the embedder registered (under the
    // contract of `Natives::add`) for a C function with the signature `sig`
    // was prepared for (the import's, or this call site's for a variadic
    // native); `vals` holds one value of each parameter's type (pointers
    // point into bounds-checked linear memory or live native copies, or are
    // native handles the native side itself returned).
    let ret = unsafe { backend::call(&sig, plan.addr, vals) };
    let pending = st.active.end(task);
    let result = match result {
        None => None,
        Some(ValType::I32 | ValType::F32) => Some(ret & 0xffff_ffff),
        Some(ValType::I64 | ValType::F64) => Some(ret),
        Some(ValType::Ptr) => Some(to_module(st, ret as usize, Back::Pointer) as u64),
    };
    if let Some(t) = pending {
        return Err(*t);
    }
    for b in &copies {
        if !b.handles || b.dir == Direction::In {
            continue;
        }
        for k in 0..b.len / 4 {
            let nv = read_usize(&b.buf, k as usize * PTR);
            c.write_u32(b.addr + 4 * k, to_module(st, nv, Back::Pointer))?;
        }
    }
    Ok(result)
}
