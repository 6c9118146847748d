//! The C embedding API (`include/espb.h`). Every entry point catches panics
//! and reports errors through `espb_last_error`.

use std::cell::RefCell;
use std::ffi::{c_char, c_int, c_void, CStr, CString};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::Mutex;

use crate::{
    Config, HostFunc, Imports, Instance, InstanceHandle, Module, SymbolTable, Trap, TrapKind, Value,
};

#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EspbStatus {
    Ok = 0,
    ErrArg = 1,
    ErrParse = 2,
    ErrInstantiate = 3,
    ErrTrap = 4,
    Exit = 5,
}

#[repr(C)]
#[derive(Clone, Copy)]
pub union EspbRaw {
    i32: i32,
    i64: i64,
    f32: f32,
    f64: f64,
}

#[repr(C)]
#[derive(Clone, Copy)]
pub struct EspbValue {
    ty: u32,
    v: EspbRaw,
}

pub type EspbNativeFn =
    Option<unsafe extern "C" fn(*mut c_void, *const u64, usize, *mut u64) -> c_int>;

#[repr(C)]
pub struct EspbSymbol {
    name: *const c_char,
    func: EspbNativeFn,
    user: *mut c_void,
}

#[repr(C)]
pub struct EspbConfig {
    fuel: u64,
    heap_size: u32,
    stack_size: u32,
    max_contexts: u32,
    max_call_depth: u32,
}

/// A loaded module and its instance. The instance borrows the module, which
/// borrows the caller's bytes; `espb_unload` drops them in that order.
pub struct EspbInstance {
    /// Calls go through the handle, so `espb_unload` waits for calls already
    /// running on other threads before freeing anything.
    handle: InstanceHandle,
    inst: Option<Instance<'static>>,
    module: *mut Module<'static>,
}

thread_local! {
    static LAST_ERROR: RefCell<CString> = RefCell::new(CString::default());
}

fn set_error(msg: impl Into<String>) {
    let s = msg.into().replace('\0', " ");
    LAST_ERROR.with(|e| *e.borrow_mut() = CString::new(s).unwrap_or_default());
}

/// Natives registered for modules loaded afterwards.
static NATIVES: Mutex<Vec<(String, HostFunc)>> = Mutex::new(Vec::new());
static TABLES: Mutex<Vec<SymbolTable>> = Mutex::new(Vec::new());

/// A `void *` the embedder promised to be usable from any thread.
#[derive(Clone, Copy)]
struct UserPtr(*mut c_void);
// SAFETY: the C API documents that natives may be called from any thread;
// the pointer is only handed back to the embedder's own function.
unsafe impl Send for UserPtr {}
// SAFETY: as above.
unsafe impl Sync for UserPtr {}

fn native(
    f: unsafe extern "C" fn(*mut c_void, *const u64, usize, *mut u64) -> c_int,
    user: *mut c_void,
) -> HostFunc {
    let user = UserPtr(user);
    HostFunc::new(move |caller, args| {
        let mut out = 0u64;
        let u = user;
        // SAFETY: calling the embedder's function with a valid argument array
        // and result slot, as espb.h documents.
        let rc = unsafe { f(u.0, args.as_ptr(), args.len(), &mut out) };
        if rc != 0 {
            return Err(Trap::host(format!(
                "native `{}` returned {rc}",
                caller.import_name()
            )));
        }
        Ok(Some(out))
    })
}

fn guard<T>(fallback: T, f: impl FnOnce() -> T) -> T {
    catch_unwind(AssertUnwindSafe(f)).unwrap_or_else(|_| {
        set_error("internal error (panic) in the espb runtime");
        fallback
    })
}

/// # Safety
/// `bytes` must point to `len` readable bytes that stay valid and unchanged
/// until `espb_unload`; `config` is NULL or points to an `espb_config`.
#[no_mangle]
pub unsafe extern "C" fn espb_load(
    bytes: *const u8,
    len: usize,
    config: *const EspbConfig,
) -> *mut EspbInstance {
    guard(std::ptr::null_mut(), || {
        if bytes.is_null() {
            set_error("espb_load: bytes is NULL");
            return std::ptr::null_mut();
        }
        // SAFETY: the caller guarantees `bytes[..len]` outlives the instance.
        let bytes: &'static [u8] = unsafe { std::slice::from_raw_parts(bytes, len) };
        let mut cfg = Config::default();
        // SAFETY: NULL or a valid espb_config (caller contract).
        if let Some(c) = unsafe { config.as_ref() } {
            cfg.fuel = (c.fuel != 0).then_some(c.fuel);
            cfg.heap_size = (c.heap_size != 0).then_some(c.heap_size);
            cfg.context_stack_size = (c.stack_size != 0).then_some(c.stack_size);
            if c.max_contexts != 0 {
                cfg.max_contexts = c.max_contexts;
            }
            if c.max_call_depth != 0 {
                cfg.max_call_depth = c.max_call_depth;
            }
        }
        let module = match Module::parse(bytes) {
            Ok(m) => Box::into_raw(Box::new(m)),
            Err(e) => {
                set_error(format!("{e}"));
                return std::ptr::null_mut();
            }
        };
        let mut imports = Imports::new();
        for (name, f) in NATIVES.lock().unwrap_or_else(|e| e.into_inner()).iter() {
            imports.register(name.clone(), f.clone());
        }
        for t in TABLES.lock().unwrap_or_else(|e| e.into_inner()).iter() {
            imports.register_table(t.clone());
        }
        // SAFETY: `module` is a leaked box freed only in espb_unload, after
        // the instance that borrows it.
        let mref: &'static Module<'static> = unsafe { &*module };
        match Instance::new(mref, &imports, cfg) {
            Ok(inst) => Box::into_raw(Box::new(EspbInstance {
                handle: inst.handle(),
                inst: Some(inst),
                module,
            })),
            Err(e) => {
                set_error(e.to_string());
                // SAFETY: nothing borrows the module any more.
                drop(unsafe { Box::from_raw(module) });
                std::ptr::null_mut()
            }
        }
    })
}

/// # Safety
/// `inst` is NULL or was returned by `espb_load` and not yet unloaded.
#[no_mangle]
pub unsafe extern "C" fn espb_unload(inst: *mut EspbInstance) {
    guard((), || {
        if inst.is_null() {
            return;
        }
        // SAFETY: caller contract: a live instance from espb_load.
        let mut b = unsafe { Box::from_raw(inst) };
        drop(b.inst.take());
        // SAFETY: the instance borrowing the module is gone.
        drop(unsafe { Box::from_raw(b.module) });
    })
}

/// # Safety
/// `inst` is a live instance, `name` a NUL-terminated string, `args` points to
/// `nargs` values (or is NULL when `nargs` is 0), `result` is NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn espb_call_by_name(
    inst: *mut EspbInstance,
    name: *const c_char,
    args: *const EspbValue,
    nargs: usize,
    result: *mut EspbValue,
) -> EspbStatus {
    guard(EspbStatus::ErrTrap, || {
        // SAFETY: caller contract.
        let Some(handle) = (unsafe { inst.as_ref() }).map(|i| i.handle.clone()) else {
            set_error("espb_call_by_name: instance is NULL");
            return EspbStatus::ErrArg;
        };
        if name.is_null() || (args.is_null() && nargs != 0) {
            set_error("espb_call_by_name: NULL argument");
            return EspbStatus::ErrArg;
        }
        // SAFETY: caller contract: NUL-terminated.
        let Ok(name) = unsafe { CStr::from_ptr(name) }.to_str() else {
            set_error("espb_call_by_name: name is not UTF-8");
            return EspbStatus::ErrArg;
        };
        let raw: &[EspbValue] = if nargs == 0 {
            &[]
        } else {
            // SAFETY: caller contract: `nargs` values.
            unsafe { std::slice::from_raw_parts(args, nargs) }
        };
        let mut vals = Vec::with_capacity(nargs);
        for (k, a) in raw.iter().enumerate() {
            // SAFETY: reading the union member the tag names.
            vals.push(unsafe {
                match a.ty {
                    0 => Value::I32(a.v.i32),
                    1 => Value::I64(a.v.i64),
                    2 => Value::F32(a.v.f32),
                    3 => Value::F64(a.v.f64),
                    t => {
                        set_error(format!("espb_call_by_name: argument {k} has bad type {t}"));
                        return EspbStatus::ErrArg;
                    }
                }
            });
        }
        let write = |v: EspbValue| {
            if !result.is_null() {
                // SAFETY: caller contract: writable.
                unsafe { *result = v };
            }
        };
        match handle.call_export(name, &vals) {
            Ok(r) => {
                write(match r {
                    None => EspbValue {
                        ty: 4,
                        v: EspbRaw { i64: 0 },
                    },
                    Some(Value::I32(v)) => EspbValue {
                        ty: 0,
                        v: EspbRaw { i32: v },
                    },
                    Some(Value::I64(v)) => EspbValue {
                        ty: 1,
                        v: EspbRaw { i64: v },
                    },
                    Some(Value::F32(v)) => EspbValue {
                        ty: 2,
                        v: EspbRaw { f32: v },
                    },
                    Some(Value::F64(v)) => EspbValue {
                        ty: 3,
                        v: EspbRaw { f64: v },
                    },
                });
                EspbStatus::Ok
            }
            Err(t) => {
                set_error(t.to_string());
                if let TrapKind::Exit(code) = t.kind {
                    write(EspbValue {
                        ty: 0,
                        v: EspbRaw { i32: code },
                    });
                    return EspbStatus::Exit;
                }
                if let (TrapKind::Host(msg), None) = (&t.kind, t.func) {
                    // Refused before any module code ran: a bad call, not a trap.
                    set_error(msg.clone());
                    return EspbStatus::ErrArg;
                }
                EspbStatus::ErrTrap
            }
        }
    })
}

#[no_mangle]
pub extern "C" fn espb_last_error() -> *const c_char {
    LAST_ERROR.with(|e| e.borrow().as_ptr())
}

unsafe fn cstr(p: *const c_char) -> Option<String> {
    if p.is_null() {
        return None;
    }
    // SAFETY: caller contract: NUL-terminated.
    unsafe { CStr::from_ptr(p) }.to_str().ok().map(String::from)
}

/// # Safety
/// `table` is a NUL-terminated string; `entries` points to `count` symbols
/// whose names are NULL or NUL-terminated.
#[no_mangle]
pub unsafe extern "C" fn espb_register_symbol_table(
    table: *const c_char,
    hash: u64,
    entries: *const EspbSymbol,
    count: usize,
) -> EspbStatus {
    guard(EspbStatus::ErrArg, || {
        // SAFETY: caller contract.
        let Some(name) = (unsafe { cstr(table) }) else {
            set_error("espb_register_symbol_table: bad table name");
            return EspbStatus::ErrArg;
        };
        if entries.is_null() && count != 0 {
            set_error("espb_register_symbol_table: entries is NULL");
            return EspbStatus::ErrArg;
        }
        let syms: &[EspbSymbol] = if count == 0 {
            &[]
        } else {
            // SAFETY: caller contract: `count` entries.
            unsafe { std::slice::from_raw_parts(entries, count) }
        };
        let mut out = Vec::with_capacity(count);
        for s in syms {
            // SAFETY: caller contract.
            let entry = match (unsafe { cstr(s.name) }, s.func) {
                (Some(n), Some(f)) => Some((n, native(f, s.user))),
                _ => None,
            };
            out.push(entry);
        }
        let mut tables = TABLES.lock().unwrap_or_else(|e| e.into_inner());
        tables.retain(|t| t.name != name);
        tables.push(SymbolTable {
            name,
            hash,
            entries: out,
        });
        EspbStatus::Ok
    })
}

/// # Safety
/// `name` is a NUL-terminated string; `f` is callable from any thread.
#[no_mangle]
pub unsafe extern "C" fn espb_register_native(
    name: *const c_char,
    f: EspbNativeFn,
    user: *mut c_void,
) -> EspbStatus {
    guard(EspbStatus::ErrArg, || {
        // SAFETY: caller contract.
        let (Some(name), Some(f)) = (unsafe { cstr(name) }, f) else {
            set_error("espb_register_native: bad name or NULL function");
            return EspbStatus::ErrArg;
        };
        let mut n = NATIVES.lock().unwrap_or_else(|e| e.into_inner());
        n.retain(|(k, _)| *k != name);
        n.push((name, native(f, user)));
        EspbStatus::Ok
    })
}
