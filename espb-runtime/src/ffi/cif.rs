//! Prepared libffi call interfaces. A `Cif` owns its argument-type array and
//! is never mutated after preparation, so it can be shared between threads.

use std::ptr::addr_of_mut;

use espb_format::{FuncType, ValType};
use libffi::raw::{
    ffi_abi_FFI_DEFAULT_ABI, ffi_cif, ffi_prep_cif, ffi_prep_cif_var, ffi_status_FFI_OK, ffi_type,
    ffi_type_double, ffi_type_float, ffi_type_pointer, ffi_type_sint32, ffi_type_sint64,
    ffi_type_void,
};

pub(crate) struct Cif {
    cif: Box<ffi_cif>,
    _types: Box<[*mut ffi_type]>,
}

// SAFETY: the cif and its type array are written only in `Cif::new`; libffi
// reads them concurrently without mutation (ffi_call takes `*mut` for
// historical reasons only), and the `ffi_type`s are libffi's immutable statics.
unsafe impl Send for Cif {}
// SAFETY: as above.
unsafe impl Sync for Cif {}

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

/// The libffi type of a parameter. On a 64-bit host an `i32` goes as a
/// sign-extended 64-bit value (the value slot already holds it so): a module
/// `int` may be a C `long` on the native side (FreeRTOS's `BaseType_t` on
/// ESP-IDF's linux target), which reads the whole register or 8-byte stack
/// slot, and libffi fills only 4 bytes of a 32-bit stack argument (the 7th
/// argument of `xTaskCreatePinnedToCore`, its core ID, would read garbage
/// above them). A callee taking an `int` reads the low half: the same value.
fn param_type_of(t: ValType) -> *mut ffi_type {
    if t == ValType::I32 && usize::BITS == 64 {
        return addr_of_mut!(ffi_type_sint64);
    }
    ffi_type_of(Some(t))
}

impl Cif {
    /// A call interface for `ty`; `fixed`: the number of fixed parameters of
    /// a variadic native (`ty` then holds a call site's full signature).
    pub fn new(ty: &FuncType, fixed: Option<usize>) -> Result<Cif, String> {
        let mut types: Box<[*mut ffi_type]> = ty.params.iter().map(|p| param_type_of(*p)).collect();
        // SAFETY: ffi_cif is a plain C struct that ffi_prep_cif fully initialises.
        let mut cif: Box<ffi_cif> = Box::new(unsafe { std::mem::zeroed() });
        let n = ty.params.len() as u32;
        let rtype = ffi_type_of(ty.result);
        let status = match fixed {
            // SAFETY: `cif` and `types` are live, exclusively borrowed, and
            // outlive the cif (both are moved into the returned `Cif`, heap
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
        Ok(Cif { cif, _types: types })
    }

    pub fn as_ptr(&self) -> *mut ffi_cif {
        &*self.cif as *const ffi_cif as *mut ffi_cif
    }
}
