//! Callback closures: a module function as a real C function pointer.
//!
//! One libffi closure per (function, signature) per instance, created on
//! first use and cached. Native code may call it from any thread: the
//! trampoline enters the instance through its `InstanceHandle`, which takes
//! an execution context of its own (so a callback arriving while the same
//! thread is inside the module, e.g. `qsort`'s comparator, nests safely).
//!
//! Lifetime: native code can keep a function pointer forever, so closures
//! and their data are never freed (a few dozen bytes per distinct callback).
//! After the instance is unloaded the handle refuses entry
//! (`TrapKind::InstanceDead`) and the trampoline returns 0 without touching
//! any freed state; what it still reads (its own data, the handle table) is
//! reference-counted and alive.

use std::ffi::c_void;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::Arc;

use espb_format::{FuncType, ValType};
use libffi::raw::{
    ffi_cif, ffi_closure, ffi_closure_alloc, ffi_prep_closure_loc, ffi_status_FFI_OK,
};

use crate::instance::InstanceHandle;
use crate::trap::{Trap, TrapKind};

use super::call::{
    end_task_if_requested, in_native_call, sync_regions, task_end_pending, to_module,
    to_native_value, Back, PENDING,
};
use super::cif::Cif;
use super::FfiState;

pub(crate) struct ClosureData {
    inst: InstanceHandle,
    func: u32,
    ty: FuncType,
    state: Arc<FfiState>,
    cif: Cif,
    /// The instance's linear memory size (it never changes).
    linear_end: u32,
}

/// Creates the closure for module function `func` of type `ty`; returns its
/// code address.
pub(crate) fn create(
    inst: InstanceHandle,
    linear_end: u32,
    func: u32,
    ty: &FuncType,
    state: Arc<FfiState>,
) -> Result<usize, String> {
    let cif = Cif::new(ty, None)?;
    let data: &'static ClosureData = Box::leak(Box::new(ClosureData {
        inst,
        func,
        ty: ty.clone(),
        state,
        cif,
        linear_end,
    }));
    let mut code: *mut c_void = std::ptr::null_mut();
    // SAFETY: ffi_closure_alloc returns writable closure memory and sets
    // `code` to its executable alias (or returns NULL).
    let closure = unsafe { ffi_closure_alloc(std::mem::size_of::<ffi_closure>(), &mut code) }
        as *mut ffi_closure;
    if closure.is_null() || code.is_null() {
        return Err("libffi could not allocate a closure".into());
    }
    // SAFETY: `closure`/`code` come from ffi_closure_alloc; the cif and the
    // user data are leaked, so they outlive the closure, which is never freed.
    let st = unsafe {
        ffi_prep_closure_loc(
            closure,
            data.cif.as_ptr(),
            // SAFETY: the same C calling convention; "C-unwind" only also
            // lets a forced unwind (a cancelled task thread) pass through.
            Some(std::mem::transmute::<
                unsafe extern "C-unwind" fn(
                    *mut ffi_cif,
                    *mut c_void,
                    *mut *mut c_void,
                    *mut c_void,
                ),
                unsafe extern "C" fn(*mut ffi_cif, *mut c_void, *mut *mut c_void, *mut c_void),
            >(trampoline)),
            data as *const ClosureData as *mut c_void,
            code,
        )
    };
    if st != ffi_status_FFI_OK {
        return Err(format!("libffi could not prepare a closure (status {st})"));
    }
    Ok(code as usize)
}

/// Entered by native code through the closure. `C-unwind`: when the module
/// code it ran deleted its own task, the task is ended here, last, and on
/// ESP-IDF's linux target that cancels the thread by unwinding through this
/// frame (which then holds nothing that needs dropping).
unsafe extern "C-unwind" fn trampoline(
    _cif: *mut ffi_cif,
    ret: *mut c_void,
    args: *mut *mut c_void,
    ud: *mut c_void,
) {
    // SAFETY: `ud` is the leaked `ClosureData` registered with this closure.
    let d: &ClosureData = unsafe { &*(ud as *const ClosureData) };
    let n = d.ty.params.len();
    let mut margs = Vec::with_capacity(n);
    for (i, t) in d.ty.params.iter().enumerate() {
        // SAFETY: libffi passes one pointer per parameter of the cif the
        // closure was prepared with, each to a value of that parameter's type.
        let v = unsafe {
            let p = *args.add(i);
            match t {
                ValType::I32 => *(p as *const u32) as u64,
                ValType::I64 => *(p as *const u64),
                ValType::F32 => (*(p as *const f32)).to_bits() as u64,
                ValType::F64 => (*(p as *const f64)).to_bits(),
                ValType::Ptr => to_module(
                    &d.state,
                    *(p as *const usize),
                    Back::CallbackArg {
                        linear_end: d.linear_end,
                    },
                ) as u64,
            }
        };
        margs.push(v);
    }
    sync_regions(true);
    // A panic must not unwind into C.
    let r = catch_unwind(AssertUnwindSafe(|| d.inst.call_raw(d.func, &margs)))
        .unwrap_or_else(|_| Err(Trap::host("panic inside a callback")));
    sync_regions(false);
    let value = match r {
        Ok(v) => v.unwrap_or(0),
        Err(t) => {
            if t.kind != TrapKind::InstanceDead {
                if !task_end_pending() {
                    d.state.record_callback_trap(t.clone());
                }
                // Only a native call in progress on this thread can deliver it.
                PENDING.with(|p| {
                    if !in_native_call() {
                        return;
                    }
                    let mut p = p.borrow_mut();
                    if p.is_none() {
                        *p = Some(t);
                    }
                });
            }
            0
        }
    };
    // SAFETY: `ret` points to a return slot of at least `ffi_arg` size
    // (libffi widens small integer results) for the cif's result type.
    unsafe {
        match d.ty.result {
            None => {}
            Some(ValType::I32) => *(ret as *mut i64) = value as u32 as i32 as i64,
            Some(ValType::I64) => *(ret as *mut u64) = value,
            Some(ValType::F32) => *(ret as *mut f32) = f32::from_bits(value as u32),
            Some(ValType::F64) => *(ret as *mut f64) = f64::from_bits(value),
            Some(ValType::Ptr) => *(ret as *mut usize) = to_native_value(&d.state, value as u32),
        }
    }
    drop(margs);
    // SAFETY: the instance was left (the entry released), nothing of the
    // runtime is held here, and this frame is "C-unwind" with nothing left
    // to drop.
    unsafe { end_task_if_requested() };
}
