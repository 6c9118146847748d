//! One native call: module values to native ones, `ffi_call`, copy-back.
//!
//! Pointer arguments are zero-copy: after a bounds check of the bytes the
//! metadata declares, the native gets their host address in linear memory
//! (as on the device). Only handle arrays (whose values change width) and
//! structs rebuilt in native layout go through native copies ("bounce"
//! buffers), copied back after the call. A native pointer that comes back (a
//! result, a callback argument) into one of the call's regions is mapped to
//! the module address it designates.

use std::cell::RefCell;
use std::ffi::c_void;

use espb_format::{
    Direction, FuncType, SizeSpec, ValType, FUNC_REF_BASE, IMPORT_REF_BASE, NATIVE_REF_BASE,
};
use libffi::raw::ffi_call;

use crate::imports::Caller;
use crate::memory::LinearMemory;
use crate::trap::Trap;

use super::plan::{FieldKind, ParamKind, Plan};
use super::FfiState;

/// Longest string argument copied (a bound, not a C limit).
const MAX_STR: u32 = 1 << 20;
const PTR: usize = std::mem::size_of::<usize>();

/// What the native sees for module bytes `[addr, addr + len)`: the bytes
/// themselves in linear memory (`direct`), or a native copy (handle arrays,
/// which change width, and structs rebuilt in native layout).
struct Bounce {
    addr: u32,
    len: u32,
    dir: Direction,
    /// 8-aligned storage (natives may read `double`s and pointers from it).
    buf: Vec<u64>,
    /// Pointer-sized native values mirroring 4-byte module values.
    handles: bool,
    /// Zero-copy: the host address of `addr` in linear memory (null: `buf`).
    direct: *mut u8,
}

impl Bounce {
    fn ptr(&mut self) -> *mut c_void {
        if self.direct.is_null() {
            self.buf.as_mut_ptr() as *mut c_void
        } else {
            self.direct as *mut c_void
        }
    }
    fn native_len(&self) -> usize {
        if self.handles {
            self.len as usize / 4 * PTR
        } else {
            self.len as usize
        }
    }
}

std::thread_local! {
    /// Bounce regions of the native calls in progress on this thread.
    static ACTIVE: RefCell<Vec<Region>> = const { RefCell::new(Vec::new()) };
    /// A trap raised by a callback that native code called on this thread,
    /// delivered when the native call returns.
    pub(crate) static PENDING: RefCell<Option<Trap>> = const { RefCell::new(None) };
}

std::thread_local! {
    /// Native calls in progress on this thread.
    static DEPTH: std::cell::Cell<u32> = const { std::cell::Cell::new(0) };
    /// `vTaskDelete(NULL)` called by module code on this thread, not made
    /// yet: the address of the native. See [`end_task_if_requested`].
    static TASK_END: std::cell::Cell<Option<usize>> = const { std::cell::Cell::new(None) };
}

/// The native that deletes the calling task when given NULL. Module code
/// cannot call it in place: the task would never come back (a device) or be
/// cancelled by unwinding through the interpreter (ESP-IDF's linux target),
/// leaving its execution context taken and the instance's entry count up.
/// So the call ends the module code on this thread with a trap, and the
/// outermost entry (a callback trampoline, or the embedder through
/// [`end_task_if_requested`]) makes it once nothing of the runtime is left on
/// the stack.
const TASK_DELETE: &str = "vTaskDelete";

/// Called before every native call, when set (see [`set_call_gate`]).
static CALL_GATE: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);

/// Sets a function the runtime calls before every native call a module
/// makes (`None`: none). A firmware whose scheduler lets a task that was
/// switched out keep running until its next kernel call — ESP-IDF's linux
/// target, where tasks are threads — uses it to wait until the calling task
/// is the scheduled one again, as it always is on a chip: otherwise FreeRTOS'
/// own checks (`vTaskDelay` asserting the scheduler is not suspended) can
/// trip while another task holds the scheduler.
///
/// # Safety
/// `gate` must be callable from any thread that runs module code, at any
/// time module code makes a native call.
pub unsafe fn set_call_gate(gate: Option<unsafe extern "C" fn()>) {
    CALL_GATE.store(
        gate.map_or(0, |g| g as usize),
        std::sync::atomic::Ordering::Release,
    );
}

fn call_gate() {
    let g = CALL_GATE.load(std::sync::atomic::Ordering::Acquire);
    if g != 0 {
        // SAFETY: stored by `set_call_gate` from a `unsafe extern "C" fn()`
        // under its contract.
        unsafe { std::mem::transmute::<usize, unsafe extern "C" fn()>(g)() };
    }
}

/// Whether a `vTaskDelete(NULL)` of module code on this thread waits for
/// the outermost entry.
pub(crate) fn task_end_pending() -> bool {
    TASK_END.with(|t| t.get().is_some())
}

/// Whether module code on this thread asked to delete its own task
/// (`vTaskDelete(NULL)`) and is unwound: the caller, holding nothing of the
/// instance, must then end the task. Calls the native (which does not return
/// on a device; on ESP-IDF's linux target it cancels the thread, unwinding
/// through the caller, which must therefore be `extern "C-unwind"` frames
/// without destructors pending). Returns when no deletion is pending.
///
/// # Safety
/// Nothing of the runtime's state (locks, execution contexts) may be held by
/// the caller's frames, and they must allow the forced unwind described
/// above.
pub unsafe fn end_task_if_requested() {
    if in_native_call() {
        // Still inside a native call made by module code: the outer entry
        // will do it.
        return;
    }
    if let Some(addr) = TASK_END.with(|t| t.take()) {
        call_gate();
        // SAFETY: `addr` is the registered `vTaskDelete` (contract of
        // `Natives::add`): `void vTaskDelete(TaskHandle_t)`, called with NULL.
        let f: unsafe extern "C-unwind" fn(*mut c_void) =
            unsafe { std::mem::transmute::<usize, unsafe extern "C-unwind" fn(*mut c_void)>(addr) };
        unsafe { f(std::ptr::null_mut()) };
    }
}

/// Whether this thread is inside a native call made by a module.
pub(crate) fn in_native_call() -> bool {
    DEPTH.with(|d| d.get() > 0)
}

/// A bounce buffer of a native call in progress on this thread.
#[derive(Clone, Copy)]
struct Region {
    start: usize,
    len: usize,
    addr: u32,
    /// Mirrored both ways around callbacks (`out`/`inout` byte buffers).
    sync: bool,
    handles: bool,
    /// The linear memory the bytes mirror. Valid while the region is listed:
    /// it is removed before the host call that owns the memory's `Caller`
    /// returns.
    mem: *const LinearMemory,
}

/// Around a callback into the module: the native may have changed the
/// buffers it was given (e.g. `qsort` moving elements), so their bytes are
/// copied into linear memory first (`to_module == true`) and back after the
/// callback, which may have written through the pointers it got.
pub(crate) fn sync_regions(to_module: bool) {
    ACTIVE.with(|a| {
        for r in a.borrow().iter().filter(|r| r.sync) {
            // SAFETY: see `Region::mem`; the region's native bytes are the
            // live bounce buffer of a call still in progress on this thread.
            let (mem, native) = unsafe {
                (
                    &*r.mem,
                    std::slice::from_raw_parts_mut(r.start as *mut u8, r.len),
                )
            };
            // The range was bounds-checked when the buffer was made.
            let _ = if to_module {
                mem.write(r.addr, native)
            } else {
                mem.read(r.addr, native)
            };
        }
    });
}

/// How a native pointer-sized value coming back is read.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Back {
    /// A result or an out-parameter: a native pointer.
    Pointer,
    /// A callback argument: may also be user data the module passed, which
    /// travels raw; `linear_end` bounds the module addresses it can be.
    CallbackArg { linear_end: u32 },
}

/// Maps a native pointer-sized value back to a module value: into a bounce
/// buffer of a call in progress → the module address it mirrors; a known
/// handle → that handle; for a callback argument, a value that looks like a
/// module value (below `linear_end`, or a native/import/function reference)
/// → itself, since user data travels raw; a value the module passed as user
/// data → itself (a native handing it back, `pvTimerGetTimerID`); any other
/// pointer → a new handle.
pub(crate) fn to_module(st: &FfiState, p: usize, how: Back) -> u32 {
    if p == 0 {
        return 0;
    }
    let mirrored = ACTIVE.with(|a| {
        a.borrow().iter().rev().find_map(|r| {
            (p >= r.start && p < r.start + r.len && !r.handles)
                .then(|| r.addr + (p - r.start) as u32)
        })
    });
    if let Some(a) = mirrored {
        return a;
    }
    if let Ok(v) = u32::try_from(p) {
        if st
            .user_data
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .contains(&v)
        {
            return v;
        }
    }
    let mut h = st.handles.lock().unwrap_or_else(|e| e.into_inner());
    if let Some(v) = h.knows(p) {
        return v;
    }
    if let Back::CallbackArg { linear_end } = how {
        if let Ok(v) = u32::try_from(p) {
            if v < linear_end || v >= NATIVE_REF_BASE {
                return v;
            }
        }
    }
    h.intern(p).unwrap_or(0)
}

/// A module value (4-byte slot of an out/inout handle array or a callback
/// result) as a native pointer-sized value.
pub(crate) fn to_native_value(st: &FfiState, v: u32) -> usize {
    if (NATIVE_REF_BASE..NATIVE_REF_BASE + super::handles::MAX_SLOTS).contains(&v) {
        if let Some(p) = st
            .handles
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .native(v)
        {
            return p;
        }
    }
    v as usize
}

fn remember_user_data(st: &FfiState, v: u32) {
    if v != 0 {
        st.user_data
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(v);
    }
}

fn trap(plan: &Plan, msg: String) -> Trap {
    Trap::host(format!("{}: {msg}", plan.name))
}

/// Translates a pointer argument that is not user data or a callback.
#[allow(clippy::too_many_arguments)]
fn pointer_arg(
    st: &FfiState,
    c: &Caller<'_>,
    plan: &Plan,
    i: usize,
    v: u32,
    meta: Option<&espb_format::PtrMeta>,
    args: &[u64],
    bounces: &mut Vec<Bounce>,
) -> Result<usize, Trap> {
    if v == 0 {
        return Ok(0);
    }
    if (NATIVE_REF_BASE..NATIVE_REF_BASE + super::handles::MAX_SLOTS).contains(&v) {
        return st
            .handles
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .native(v)
            .ok_or_else(|| {
                trap(
                    plan,
                    format!("argument {i} is {v:#010x}, not a live native handle"),
                )
            });
    }
    if (IMPORT_REF_BASE..FUNC_REF_BASE).contains(&v) {
        let imp = v - IMPORT_REF_BASE;
        return st
            .plans
            .get(imp as usize)
            .and_then(|p| p.as_ref())
            .map(|p| p.addr)
            .ok_or_else(|| {
                trap(
                    plan,
                    format!("argument {i}: import {imp} is not a native function"),
                )
            });
    }
    if v >= FUNC_REF_BASE {
        return Err(trap(
            plan,
            format!("argument {i} is a module function but has no callback metadata (add a `cb {i}` hint)"),
        ));
    }
    let (len, dir, handles) = match meta {
        Some(m) => {
            let len = match m.size {
                SizeSpec::Const(n) => n,
                SizeSpec::Param { param, scale } => {
                    let n = (args.get(param as usize).copied().unwrap_or(0) as u32 as u64) * scale as u64;
                    u32::try_from(n).map_err(|_| trap(plan, format!("argument {i}: size {n} is too large")))?
                }
                SizeSpec::StrLen => str_len(c, plan, i, v)?,
            };
            (len, m.dir, m.handles)
        }
        // Variadic pointers (printf's %s) are C strings.
        None if i >= plan.ty.params.len() => (str_len(c, plan, i, v)?, Direction::In, false),
        None => {
            return Err(trap(
                plan,
                format!("argument {i} points into module memory but has no size metadata (add an `in/out {i} size ...` hint)"),
            ))
        }
    };
    if !handles {
        // Zero-copy: the native reads and writes the module's own bytes
        // (bounds-checked for the whole described size), as on the device.
        let direct = c.memory().host_ptr(v, len).map_err(Trap::new)?;
        bounces.push(Bounce {
            addr: v,
            len,
            dir,
            buf: Vec::new(),
            handles,
            direct,
        });
        return Ok(direct as usize);
    }
    // A handle array: each 4-byte module value becomes a pointer-sized
    // native value in a copy, translated back after the call.
    c.memory().check(v, len.max(1)).map_err(Trap::new)?;
    if len % 4 != 0 {
        return Err(trap(
            plan,
            format!("argument {i}: a handle array of {len} bytes is not a multiple of 4"),
        ));
    }
    let native_len = len as usize / 4 * PTR;
    let mut b = Bounce {
        addr: v,
        len,
        dir,
        buf: vec![0u64; native_len.div_ceil(8).max(1)],
        handles,
        direct: std::ptr::null_mut(),
    };
    if dir != Direction::Out {
        let mut bytes = vec![0u8; len as usize];
        c.read(v, &mut bytes)?;
        for (k, w) in bytes.chunks_exact(4).enumerate() {
            let nv = to_native_value(st, u32::from_le_bytes([w[0], w[1], w[2], w[3]]));
            write_usize(&mut b.buf, k * PTR, nv);
        }
    }
    let p = b.ptr() as usize;
    bounces.push(b);
    Ok(p)
}

/// Bytes of the string at `v` including its NUL.
fn str_len(c: &Caller<'_>, plan: &Plan, i: usize, v: u32) -> Result<u32, Trap> {
    match c.memory().strlen(v, MAX_STR).map_err(Trap::new)? {
        Some(n) => Ok(n + 1),
        None => Err(trap(
            plan,
            format!("argument {i}: string at {v:#x} is not NUL-terminated within {MAX_STR} bytes"),
        )),
    }
}

fn write_bytes(buf: &mut [u64], off: usize, bytes: &[u8]) {
    for (k, b) in bytes.iter().enumerate() {
        let at = off + k;
        let w = &mut buf[at / 8];
        let sh = (at % 8) * 8;
        *w = (*w & !(0xff << sh)) | ((*b as u64) << sh);
    }
}

fn read_bytes(buf: &[u64], off: usize, out: &mut [u8]) {
    for (k, b) in out.iter_mut().enumerate() {
        let at = off + k;
        *b = (buf[at / 8] >> ((at % 8) * 8)) as u8;
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

/// Builds the native-layout copy of a struct whose callback and user-data
/// fields are known: those become pointer-sized (and aligned) fields, every
/// other 4-byte word is copied as a 32-bit field. On a 32-bit native target
/// this is the module's own layout.
#[allow(clippy::too_many_arguments)]
fn struct_arg(
    st: &FfiState,
    c: &mut Caller<'_>,
    plan: &Plan,
    i: usize,
    v: u32,
    size: u32,
    fields: &[(u32, FieldKind)],
    args: &[u64],
    bounces: &mut Vec<Bounce>,
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
    let mut at = 0u32;
    while at < size {
        let field = fields.iter().find(|f| f.0 == at);
        let end = (at + 4).min(size);
        let word = &bytes[at as usize..end as usize];
        match field {
            Some((_, kind)) => {
                off = off.next_multiple_of(PTR);
                let mv = u32::from_le_bytes([word[0], word[1], word[2], word[3]]);
                let nv = match kind {
                    FieldKind::Callback(t) => st.callback_ptr(c, plan, i, mv, t)?,
                    FieldKind::UserData => {
                        remember_user_data(st, mv);
                        mv as usize
                    }
                    // Marshalled like a pointer argument (zero-copy, bounds-checked).
                    FieldKind::Ptr(meta) => {
                        pointer_arg(st, c, plan, i, mv, Some(meta), args, bounces)?
                    }
                };
                write_usize(&mut buf, off, nv);
                off += PTR;
            }
            None => {
                write_bytes(&mut buf, off, word);
                off += word.len();
            }
        }
        at = end;
    }
    let mut b = Bounce {
        addr: v,
        len: 0,
        dir: Direction::In,
        buf,
        handles: false,
        direct: std::ptr::null_mut(),
    };
    let p = b.ptr() as usize;
    bounces.push(b);
    Ok(p)
}

/// The body of every native import.
pub(crate) fn call(st: &FfiState, c: &mut Caller<'_>, args: &[u64]) -> Result<Option<u64>, Trap> {
    let imp = c.import_index();
    let plan = st
        .plans
        .get(imp as usize)
        .and_then(|p| p.as_ref())
        .ok_or_else(|| {
            Trap::host(format!(
                "{}: no native call plan for import {imp}",
                c.import_name()
            ))
        })?;
    if plan.name == TASK_DELETE && args.first().is_some_and(|&a| a as u32 == 0) {
        TASK_END.with(|t| t.set(Some(plan.addr)));
        return Err(trap(
            plan,
            "the task deleted itself (the runtime ends it once its module code has unwound)".into(),
        ));
    }
    let site: FuncType = c.signature().clone();
    let cif = plan.cif_for(&site).map_err(|m| trap(plan, m))?;
    let mut vals: Vec<u64> = vec![0; site.params.len()];
    let mut bounces: Vec<Bounce> = Vec::new();
    for (i, t) in site.params.iter().enumerate() {
        let raw = args.get(i).copied().unwrap_or(0);
        let kind = plan
            .params
            .get(i)
            .cloned()
            .unwrap_or(if *t == ValType::Ptr {
                ParamKind::Ptr(None)
            } else {
                ParamKind::Value
            });
        vals[i] = match kind {
            ParamKind::Value => match t {
                // Sign-extended so a native reading a wider register sees C's value.
                ValType::I32 => raw as u32 as i32 as i64 as u64,
                ValType::F32 => raw & 0xffff_ffff,
                _ => raw,
            },
            ParamKind::UserData => {
                remember_user_data(st, raw as u32);
                raw as u32 as u64
            }
            ParamKind::Callback(ref cty) => st.callback_ptr(c, plan, i, raw as u32, cty)? as u64,
            ParamKind::Ptr(meta) => pointer_arg(
                st,
                c,
                plan,
                i,
                raw as u32,
                meta.as_ref(),
                args,
                &mut bounces,
            )? as u64,
            ParamKind::Struct { size, ref fields } => {
                struct_arg(st, c, plan, i, raw as u32, size, fields, args, &mut bounces)? as u64
            }
        };
    }
    let mut ptrs: Vec<*mut c_void> = vals
        .iter_mut()
        .map(|v| v as *mut u64 as *mut c_void)
        .collect();
    let mut ret = [0u64; 2];
    let mem: *const LinearMemory = c.memory();
    let regions: Vec<Region> = bounces
        .iter_mut()
        .map(|b| Region {
            start: b.ptr() as usize,
            len: b.native_len(),
            addr: b.addr,
            // Direct regions are the module's bytes: nothing to mirror.
            sync: b.dir != Direction::In && !b.handles && b.len > 0 && b.direct.is_null(),
            handles: b.handles,
            mem,
        })
        .collect();
    let depth = ACTIVE.with(|a| {
        let mut a = a.borrow_mut();
        let d = a.len();
        a.extend(regions);
        d
    });
    call_gate();
    DEPTH.with(|d| d.set(d.get() + 1));
    // SAFETY: `plan.addr` is the address the embedder registered (under the
    // contract of `Natives::add`) for a C function with the signature `cif`
    // was prepared for; every argument slot is a live u64 holding a value of
    // the cif's type (pointers point into live bounce buffers or are native
    // handles the native itself returned); `ret` has room for any scalar.
    unsafe {
        let f: unsafe extern "C" fn() =
            std::mem::transmute::<usize, unsafe extern "C" fn()>(plan.addr);
        ffi_call(
            cif.as_ptr(),
            Some(f),
            ret.as_mut_ptr() as *mut c_void,
            ptrs.as_mut_ptr(),
        );
    }
    DEPTH.with(|d| d.set(d.get() - 1));
    let result = match site.result {
        None => None,
        Some(ValType::I32) => Some(ret[0] & 0xffff_ffff),
        Some(ValType::F32) => Some(ret[0] & 0xffff_ffff),
        Some(ValType::I64 | ValType::F64) => Some(ret[0]),
        Some(ValType::Ptr) => Some(match c.memory().module_addr(ret[0] as usize) {
            // A module buffer the native kept and hands back (a timer's name).
            Some(a) => a as u64,
            _ => to_module(st, ret[0] as usize, Back::Pointer) as u64,
        }),
    };
    ACTIVE.with(|a| a.borrow_mut().truncate(depth));
    if let Some(t) = PENDING.with(|p| p.borrow_mut().take()) {
        return Err(t);
    }
    for b in &bounces {
        if b.dir == Direction::In || b.len == 0 || !b.direct.is_null() {
            continue;
        }
        if b.handles {
            for k in 0..(b.len / 4) as usize {
                let nv = read_usize(&b.buf, k * PTR);
                c.write_u32(b.addr + 4 * k as u32, to_module(st, nv, Back::Pointer))?;
            }
        } else {
            let mut bytes = vec![0u8; b.len as usize];
            read_bytes(&b.buf, 0, &mut bytes);
            c.write(b.addr, &bytes)?;
        }
    }
    Ok(result)
}
