//! The PC's backend: libffi call interfaces and closures.
//!
//! A `Sig` owns its argument-type array and is never mutated after
//! preparation, so it can be shared between threads. Closures are created
//! once per (function, signature) per instance and never freed: native code
//! may keep a function pointer forever. After the instance is unloaded a
//! closure returns 0 without touching it (`callback::enter`).

use std::boxed::Box;
use std::ffi::c_void;
use std::format;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::ptr::addr_of_mut;
use std::string::String;
use std::vec::Vec;

use espb_format::{FuncType, ValType};
use libffi::raw::{
    ffi_abi_FFI_DEFAULT_ABI, ffi_call, ffi_cif, ffi_closure, ffi_closure_alloc, ffi_prep_cif,
    ffi_prep_cif_var, ffi_prep_closure_loc, ffi_status_FFI_OK, ffi_type, ffi_type_double,
    ffi_type_float, ffi_type_pointer, ffi_type_sint32, ffi_type_sint64, ffi_type_void,
};

use crate::ffi::callback::{enter, Target};

pub(crate) struct Sig {
    cif: Box<ffi_cif>,
    _types: Box<[*mut ffi_type]>,
    nparams: usize,
}

// SAFETY: the cif and its type array are written only in `Sig::new`; libffi
// reads them concurrently without mutation (ffi_call takes `*mut` for
// historical reasons only), and the `ffi_type`s are libffi's immutable statics.
unsafe impl Send for Sig {}
// SAFETY: as above.
unsafe impl Sync for Sig {}

/// The libffi type of a parameter. On a 64-bit host an `i32` goes as a
/// sign-extended 64-bit value (the value slot already holds it so): a module
/// `int` may be a C `long` on the native side (FreeRTOS's `BaseType_t` on
/// ESP-IDF's linux target), which reads the whole register or 8-byte stack
/// slot, and libffi fills only 4 bytes of a 32-bit stack argument (the 7th
/// argument of `xTaskCreatePinnedToCore`, the core ID, would read garbage
/// above them). A callee taking an `int` reads the low half: the same value.
fn param_type_of(t: ValType) -> *mut ffi_type {
    if t == ValType::I32 && usize::BITS == 64 {
        return addr_of_mut!(ffi_type_sint64);
    }
    ffi_type_of(Some(t))
}

/// The libffi type of a module value type (`ptr` is a native pointer).
fn ffi_type_of(t: Option<ValType>) -> *mut ffi_type {
    match t {
        None => addr_of_mut!(ffi_type_void),
        Some(ValType::I32) => addr_of_mut!(ffi_type_sint32),
        Some(ValType::I64) => addr_of_mut!(ffi_type_sint64),
        Some(ValType::F32) => addr_of_mut!(ffi_type_float),
        Some(ValType::F64) => addr_of_mut!(ffi_type_double),
        Some(ValType::Ptr) => addr_of_mut!(ffi_type_pointer),
    }
}

impl Sig {
    pub fn new(ty: &FuncType, fixed: Option<usize>) -> Result<Sig, String> {
        let mut types: Box<[*mut ffi_type]> = ty.params.iter().map(|p| param_type_of(*p)).collect();
        // SAFETY: ffi_cif is a plain C struct that ffi_prep_cif fully initialises.
        let mut cif: Box<ffi_cif> = Box::new(unsafe { std::mem::zeroed() });
        let n = ty.params.len() as u32;
        let rtype = ffi_type_of(ty.result);
        let status = match fixed {
            // SAFETY: `cif` and `types` are live, exclusively borrowed, and
            // outlive the cif (both are moved into the returned `Sig`, heap
            // allocations that never move).
            None => unsafe {
                ffi_prep_cif(
                    &mut *cif,
                    ffi_abi_FFI_DEFAULT_ABI,
                    n,
                    rtype,
                    types.as_mut_ptr(),
                )
            },
            // SAFETY: as above; `f <= n` is checked by the caller.
            Some(f) => unsafe {
                ffi_prep_cif_var(
                    &mut *cif,
                    ffi_abi_FFI_DEFAULT_ABI,
                    f as u32,
                    n,
                    rtype,
                    types.as_mut_ptr(),
                )
            },
        };
        if status != ffi_status_FFI_OK {
            return Err(format!(
                "libffi cannot prepare a call interface for this signature (status {status})"
            ));
        }
        Ok(Sig {
            cif,
            _types: types,
            nparams: ty.params.len(),
        })
    }

    fn as_ptr(&self) -> *mut ffi_cif {
        &*self.cif as *const ffi_cif as *mut ffi_cif
    }
}

/// # Safety
/// `addr` is a C function of the signature `sig` was prepared for, and
/// `args` holds one valid value per parameter (see the module comment of
/// `backend`).
pub(crate) unsafe fn call(sig: &Sig, addr: usize, args: &mut [u64]) -> u64 {
    debug_assert_eq!(args.len(), sig.nparams);
    let mut ptrs: Vec<*mut c_void> = args
        .iter_mut()
        .map(|v| v as *mut u64 as *mut c_void)
        .collect();
    let mut ret = [0u64; 2];
    // SAFETY: the caller's contract; every argument slot is a live u64 whose
    // low bytes hold a value of the cif's type (little-endian), and `ret`
    // has room for any scalar result.
    unsafe {
        let f = std::mem::transmute::<usize, unsafe extern "C" fn()>(addr);
        ffi_call(
            sig.as_ptr(),
            Some(f),
            ret.as_mut_ptr() as *mut c_void,
            ptrs.as_mut_ptr(),
        );
    }
    ret[0]
}

struct ClosureData {
    target: Target,
    sig: Sig,
}

/// A libffi closure entering `target`; returns its code address.
pub(crate) fn callback_code(target: Target) -> Result<usize, String> {
    let sig = Sig::new(&target.ty, None)?;
    let data: &'static ClosureData = Box::leak(Box::new(ClosureData { target, sig }));
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
            data.sig.as_ptr(),
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
/// code it ran deleted its own task, the task ends here, last, and on
/// ESP-IDF's linux target that cancels the thread by unwinding through this
/// frame (which then holds nothing to drop).
unsafe extern "C-unwind" fn trampoline(
    _cif: *mut ffi_cif,
    ret: *mut c_void,
    args: *mut *mut c_void,
    ud: *mut c_void,
) {
    // SAFETY: `ud` is the leaked `ClosureData` registered with this closure.
    let d: &ClosureData = unsafe { &*(ud as *const ClosureData) };
    let ty = &d.target.ty;
    let mut raw: Vec<u64> = ty
        .params
        .iter()
        .enumerate()
        .map(|(i, t)| {
            // SAFETY: libffi passes one pointer per parameter of the cif the
            // closure was prepared with, each to a value of that type.
            unsafe {
                let p = *args.add(i);
                match t {
                    ValType::I32 => *(p as *const u32) as u64,
                    ValType::I64 | ValType::F64 => *(p as *const u64),
                    ValType::F32 => *(p as *const u32) as u64,
                    ValType::Ptr => *(p as *const usize) as u64,
                }
            }
        })
        .collect();
    // A panic must not unwind into C.
    let value = catch_unwind(AssertUnwindSafe(|| enter(&d.target, &mut raw))).unwrap_or(0);
    // SAFETY: `ret` points to a return slot of at least `ffi_arg` size
    // (libffi widens small integer results) for the cif's result type.
    unsafe {
        match ty.result {
            None => {}
            Some(ValType::I32) => *(ret as *mut i64) = value as i64,
            Some(ValType::I64 | ValType::F64) => *(ret as *mut u64) = value,
            Some(ValType::F32) => *(ret as *mut u32) = value as u32,
            Some(ValType::Ptr) => *(ret as *mut usize) = value as usize,
        }
    }
    drop(raw);
    if let Some(end) = d.target.state.take_task_end() {
        // SAFETY: the module call is over and everything of it dropped; this
        // frame is "C-unwind" and holds only references.
        unsafe { end.run() };
    }
}
