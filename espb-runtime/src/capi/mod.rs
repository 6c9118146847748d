//! The C API for firmware (`include/espb_runtime.h`): load a module, bind its
//! imports to the firmware's own functions (with feature `ffi`), call it,
//! unload it. Every entry point catches panics, returns an `esp_err_t` and
//! leaves a message for `espb_last_error`.
//!
//! * `natives.rs`: the firmware's native tables and why an import is missing.
//! * `output.rs`: the module's stdout, written through C's stdio.
//! * `gate.rs`: the firmware's call gate (scheduling on ESP-IDF's linux target).

mod gate;
mod natives;
mod output;
mod traps;

use std::cell::RefCell;
use std::ffi::{c_char, c_int, CStr, CString};
use std::panic::{catch_unwind, AssertUnwindSafe};

use crate::{Config, Imports, Instance, InstanceHandle, InstantiateError, Module, TrapKind, Value};

pub use gate::EspbGateFn;
pub use natives::{EspbNative, EspbNativeTable, EspbRawNativeFn};
pub use output::EspbOutputFn;
pub use traps::EspbTrapFn;

/// ESP-IDF's `esp_err_t`.
pub type EspErr = c_int;

pub const ESP_OK: EspErr = 0;
pub const ESP_ERR_NO_MEM: EspErr = 0x101;
pub const ESP_ERR_INVALID_ARG: EspErr = 0x102;
pub const ESP_ERR_INVALID_STATE: EspErr = 0x103;
pub const ESP_ERR_NOT_FOUND: EspErr = 0x105;
pub const ESP_ERR_NOT_SUPPORTED: EspErr = 0x106;
/// espb's own codes (`ESPB_ERR_BASE` in the header).
pub const ESPB_ERR_BASE: EspErr = 0xE5B00;
pub const ESPB_ERR_INVALID_MODULE: EspErr = ESPB_ERR_BASE + 1;
pub const ESPB_ERR_LINK: EspErr = ESPB_ERR_BASE + 2;
pub const ESPB_ERR_TRAP: EspErr = ESPB_ERR_BASE + 3;
pub const ESPB_ERR_EXIT: EspErr = ESPB_ERR_BASE + 4;

/// Tasks inside one module at once when the firmware does not say.
const DEFAULT_MAX_TASKS: u32 = 8;

#[repr(C)]
#[derive(Clone, Copy)]
pub union EspbRaw {
    i32: i32,
    i64: i64,
    f32: f32,
    f64: f64,
}

/// `espb_value_t`: a tag (`espb_type_t`) and the value.
#[repr(C)]
#[derive(Clone, Copy)]
pub struct EspbValue {
    ty: u32,
    v: EspbRaw,
}

impl EspbValue {
    fn from_value(v: Option<Value>) -> EspbValue {
        match v {
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
        }
    }

    fn to_value(self) -> Option<Value> {
        // SAFETY: reading the union member the tag names; every member is
        // plain data, so any bit pattern is a valid value of it.
        unsafe {
            match self.ty {
                0 => Some(Value::I32(self.v.i32)),
                1 => Some(Value::I64(self.v.i64)),
                2 => Some(Value::F32(self.v.f32)),
                3 => Some(Value::F64(self.v.f64)),
                _ => None,
            }
        }
    }
}

/// `espb_config_t`.
#[repr(C)]
pub struct EspbConfig {
    heap_size: u32,
    stack_size: u32,
    max_tasks: u32,
    max_call_depth: u32,
    fuel: u64,
}

/// A loaded module and its instance. The instance borrows the module, which
/// borrows the caller's bytes; `espb_unload` drops them in that order.
pub struct EspbInstance {
    /// Calls go through the handle: it counts the calls in progress, which
    /// `espb_unload` checks, and refuses entry once the instance is gone.
    handle: InstanceHandle,
    inst: Option<Instance<'static>>,
    module: *mut Module<'static>,
    /// Keeps the native call state (handles, callback closures) with the
    /// instance; native code may hold callbacks beyond it (see docs/ffi.md).
    #[cfg(feature = "ffi")]
    ffi: std::sync::Arc<crate::ffi::FfiState>,
}

thread_local! {
    static LAST_ERROR: RefCell<CString> = RefCell::new(CString::default());
}

fn set_error(msg: impl Into<String>) {
    let s = msg.into().replace('\0', " ");
    LAST_ERROR.with(|e| *e.borrow_mut() = CString::new(s).unwrap_or_default());
}

/// Sets the message and returns `code`.
fn fail(code: EspErr, msg: impl Into<String>) -> EspErr {
    set_error(msg);
    code
}

fn guard(f: impl FnOnce() -> EspErr) -> EspErr {
    catch_unwind(AssertUnwindSafe(f))
        .unwrap_or_else(|_| fail(ESP_FAIL, "internal error (panic) in the espb runtime"))
}

const ESP_FAIL: EspErr = -1;

/// # Safety
/// `p` is NULL or a NUL-terminated string.
unsafe fn cstr<'a>(p: *const c_char) -> Option<&'a str> {
    if p.is_null() {
        return None;
    }
    // SAFETY: caller contract: NUL-terminated.
    unsafe { CStr::from_ptr(p) }.to_str().ok()
}

/// # Safety
/// `bytes` is NULL or points to `len` readable bytes.
unsafe fn byte_slice<'a>(bytes: *const u8, len: usize) -> Option<&'a [u8]> {
    if bytes.is_null() {
        return None;
    }
    // SAFETY: caller contract.
    Some(unsafe { std::slice::from_raw_parts(bytes, len) })
}

fn config_from(c: Option<&EspbConfig>) -> Config {
    let mut cfg = Config {
        max_contexts: DEFAULT_MAX_TASKS,
        output: output::current(),
        ..Config::default()
    };
    if let Some(c) = c {
        cfg.fuel = (c.fuel != 0).then_some(c.fuel);
        cfg.heap_size = (c.heap_size != 0).then_some(c.heap_size);
        cfg.context_stack_size = (c.stack_size != 0).then_some(c.stack_size);
        if c.max_tasks != 0 {
            cfg.max_contexts = c.max_tasks;
        }
        if c.max_call_depth != 0 {
            cfg.max_call_depth = c.max_call_depth;
        }
    }
    cfg
}

/// # Safety
/// `bytes` points to `len` readable bytes.
#[no_mangle]
pub unsafe extern "C" fn espb_check(bytes: *const u8, len: usize) -> EspErr {
    guard(|| {
        // SAFETY: caller contract.
        let Some(bytes) = (unsafe { byte_slice(bytes, len) }) else {
            return fail(ESP_ERR_INVALID_ARG, "espb_check: bytes is NULL");
        };
        match Module::parse(bytes) {
            Ok(_) => ESP_OK,
            Err(e) => fail(ESPB_ERR_INVALID_MODULE, e.to_string()),
        }
    })
}

fn instantiate_error(e: InstantiateError) -> EspErr {
    let code = match &e {
        InstantiateError::MemoryTooLarge { .. } | InstantiateError::OutOfHostMemory { .. } => {
            ESP_ERR_NO_MEM
        }
        InstantiateError::Start(_) => ESPB_ERR_TRAP,
        _ => ESPB_ERR_LINK,
    };
    fail(code, e.to_string())
}

/// # Safety
/// `bytes` points to `len` readable bytes that stay valid and unchanged
/// until `espb_unload`; `config` is NULL or points to an `espb_config_t`;
/// `out` is writable.
#[no_mangle]
pub unsafe extern "C" fn espb_load(
    bytes: *const u8,
    len: usize,
    config: *const EspbConfig,
    out: *mut *mut EspbInstance,
) -> EspErr {
    guard(|| {
        if out.is_null() {
            return fail(ESP_ERR_INVALID_ARG, "espb_load: out is NULL");
        }
        // SAFETY: caller contract: writable.
        unsafe { *out = std::ptr::null_mut() };
        // SAFETY: caller contract: the bytes outlive the instance.
        let Some(bytes) = (unsafe { byte_slice(bytes, len) }) else {
            return fail(ESP_ERR_INVALID_ARG, "espb_load: bytes is NULL");
        };
        // SAFETY: caller contract: NULL or a valid espb_config_t.
        let cfg = config_from(unsafe { config.as_ref() });
        let module: &'static mut Module<'static> = match Module::parse(bytes) {
            Ok(m) => Box::leak(Box::new(m)),
            Err(e) => return fail(ESPB_ERR_INVALID_MODULE, e.to_string()),
        };
        let module_ptr: *mut Module<'static> = module;
        let free_module = || {
            // SAFETY: `module_ptr` is the leaked box above and nothing
            // borrows it any more when this runs.
            drop(unsafe { Box::from_raw(module_ptr) });
        };
        let mref: &'static Module<'static> = module;
        let linked = match natives::link(mref) {
            Ok(l) => l,
            Err((code, msg)) => {
                free_module();
                return fail(code, msg);
            }
        };
        match Instance::new(mref, &linked.imports, cfg) {
            Ok(inst) => {
                let b = Box::new(EspbInstance {
                    handle: inst.handle(),
                    inst: Some(inst),
                    module: module_ptr,
                    #[cfg(feature = "ffi")]
                    ffi: linked.ffi,
                });
                // SAFETY: caller contract: writable.
                unsafe { *out = Box::into_raw(b) };
                ESP_OK
            }
            Err(e) => {
                drop(linked);
                free_module();
                instantiate_error(e)
            }
        }
    })
}

/// # Safety
/// `inst` is NULL or was returned by `espb_load` and not yet unloaded.
#[no_mangle]
pub unsafe extern "C" fn espb_unload(inst: *mut EspbInstance) -> EspErr {
    guard(|| {
        if inst.is_null() {
            return fail(ESP_ERR_INVALID_ARG, "espb_unload: instance is NULL");
        }
        // SAFETY: caller contract: a live instance from espb_load.
        let running = unsafe { &*inst }.handle.running();
        if running != 0 {
            return fail(
                ESP_ERR_INVALID_STATE,
                format!(
                    "espb_unload: module code is running on {running} task(s) (its own tasks, even blocked in a delay, count); stop them first"
                ),
            );
        }
        // SAFETY: caller contract: a live instance from espb_load, not used
        // again by the caller after this call.
        let mut b = unsafe { Box::from_raw(inst) };
        // Dropping the instance refuses new entries through handles (native
        // code may still call the module's callbacks) and waits for any that
        // raced in since the check above.
        drop(b.inst.take());
        // SAFETY: the instance borrowing the module is gone.
        drop(unsafe { Box::from_raw(b.module) });
        ESP_OK
    })
}

/// # Safety
/// `inst` is NULL or a live instance.
#[no_mangle]
pub unsafe extern "C" fn espb_running(inst: *const EspbInstance) -> usize {
    // SAFETY: caller contract.
    unsafe { inst.as_ref() }.map_or(0, |i| i.handle.running())
}

/// # Safety
/// `inst` is a live instance, `func` a NUL-terminated string, `args` points
/// to `nargs` values (or is NULL when `nargs` is 0), `result` is NULL or
/// writable.
///
/// When the module code deletes its own task (`vTaskDelete(NULL)`), the
/// call does not return, as in C: the task ends once the module has
/// unwound (`C-unwind`: on ESP-IDF's linux target the task's thread is
/// cancelled by unwinding through this frame).
#[no_mangle]
pub unsafe extern "C-unwind" fn espb_call(
    inst: *mut EspbInstance,
    func: *const c_char,
    args: *const EspbValue,
    nargs: usize,
    result: *mut EspbValue,
) -> EspErr {
    #[cfg(feature = "ffi")]
    // SAFETY: caller contract: NULL or a live instance.
    let ffi = unsafe { inst.as_ref() }.map(|i| i.ffi.clone());
    let code = guard(|| {
        // SAFETY: caller contract.
        let Some(handle) = (unsafe { inst.as_ref() }).map(|i| i.handle.clone()) else {
            return fail(ESP_ERR_INVALID_ARG, "espb_call: instance is NULL");
        };
        if func.is_null() || (args.is_null() && nargs != 0) {
            return fail(ESP_ERR_INVALID_ARG, "espb_call: NULL argument");
        }
        // SAFETY: caller contract: NUL-terminated.
        let Some(name) = (unsafe { cstr(func) }) else {
            return fail(ESP_ERR_INVALID_ARG, "espb_call: the name is not UTF-8");
        };
        let raw: &[EspbValue] = if nargs == 0 {
            &[]
        } else {
            // SAFETY: caller contract: `nargs` values.
            unsafe { std::slice::from_raw_parts(args, nargs) }
        };
        let mut vals = Vec::with_capacity(nargs);
        for (k, a) in raw.iter().enumerate() {
            match a.to_value() {
                Some(v) => vals.push(v),
                None => {
                    return fail(
                        ESP_ERR_INVALID_ARG,
                        format!("espb_call: argument {k} has bad type {}", a.ty),
                    )
                }
            }
        }
        let write = |v: EspbValue| {
            if !result.is_null() {
                // SAFETY: caller contract: writable.
                unsafe { *result = v };
            }
        };
        match handle.call_export(name, &vals) {
            Ok(r) => {
                write(EspbValue::from_value(r));
                ESP_OK
            }
            Err(t) => {
                if let TrapKind::Exit(code) = t.kind {
                    write(EspbValue::from_value(Some(Value::I32(code))));
                    return fail(ESPB_ERR_EXIT, format!("the module called exit({code})"));
                }
                if let (TrapKind::Host(msg), None) = (&t.kind, t.func) {
                    // Refused before any module code ran: a bad call, not a trap.
                    let code = if msg.starts_with("no exported function") {
                        ESP_ERR_NOT_FOUND
                    } else {
                        ESP_ERR_INVALID_ARG
                    };
                    return fail(code, msg.clone());
                }
                if t.kind == TrapKind::InstanceDead {
                    return fail(ESP_ERR_INVALID_STATE, t.to_string());
                }
                fail(ESPB_ERR_TRAP, t.to_string())
            }
        }
    });
    #[cfg(feature = "ffi")]
    if let Some(end) = ffi.as_ref().and_then(|f| f.take_task_end()) {
        drop(ffi);
        // SAFETY: the call is over (its context released, the guard's frame
        // gone, the state dropped); this frame is "C-unwind" and holds
        // nothing to drop.
        unsafe { end.run() };
    }
    code
}

#[no_mangle]
pub extern "C" fn espb_last_error() -> *const c_char {
    LAST_ERROR.with(|e| e.borrow().as_ptr())
}

/// Imports for one module: the builtins, the firmware's natives bound
/// through the FFI, raw natives.
pub(crate) struct Linked {
    pub imports: Imports,
    #[cfg(feature = "ffi")]
    pub ffi: std::sync::Arc<crate::ffi::FfiState>,
}
