//! wasm3 0.5.0 (vendored C, `vendor/wasm3`), through `support/wasm3_glue.c`.

use std::ffi::{c_char, CStr};
use std::time::Instant;

use crate::engine::{Engine, Prepared, RunOutcome};
use crate::programs::Program;

#[repr(C)]
pub struct W3Instance {
    _private: [u8; 0],
}

extern "C" {
    fn w3_new(
        wasm: *const u8,
        len: u32,
        stack: u32,
        err: *mut c_char,
        cap: usize,
    ) -> *mut W3Instance;
    fn w3_start(w: *mut W3Instance, exit_code: *mut i32, err: *mut c_char, cap: usize) -> i32;
    fn w3_output(w: *mut W3Instance, len: *mut u32) -> *const c_char;
    fn w3_free(w: *mut W3Instance);
    fn w3_memory_size(w: *mut W3Instance) -> u32;
}

/// A raw instance (for `--memory`); free it with [`free_raw`].
pub fn instantiate_raw(wasm: &[u8], stack: u32) -> Result<*mut W3Instance, String> {
    let mut err = [0 as c_char; 512];
    let len = u32::try_from(wasm.len()).map_err(|_| "module too large".to_string())?;
    // SAFETY: pointer/length describe a live slice; err is writable and
    // NUL-terminated by w3_new on failure.
    let inst = unsafe { w3_new(wasm.as_ptr(), len, stack, err.as_mut_ptr(), err.len()) };
    if inst.is_null() {
        // SAFETY: NUL-terminated by snprintf in the glue.
        return Err(unsafe { CStr::from_ptr(err.as_ptr()) }
            .to_string_lossy()
            .into_owned());
    }
    Ok(inst)
}

/// The linear memory size of a live raw instance.
pub fn memory_size(inst: *mut W3Instance) -> usize {
    // SAFETY: `inst` is live (from instantiate_raw).
    unsafe { w3_memory_size(inst) as usize }
}

/// Runs `_start` of a raw instance.
pub fn start_raw(inst: *mut W3Instance) -> Result<(), String> {
    let mut err = [0 as c_char; 512];
    let mut code = 0i32;
    // SAFETY: `inst` is live (from instantiate_raw).
    match unsafe { w3_start(inst, &mut code, err.as_mut_ptr(), err.len()) } {
        0 | 1 if code == 0 => Ok(()),
        0 | 1 => Err(format!("exit code {code}")),
        // SAFETY: NUL-terminated by the glue.
        _ => Err(unsafe { CStr::from_ptr(err.as_ptr()) }
            .to_string_lossy()
            .into_owned()),
    }
}

/// Frees a raw instance.
pub fn free_raw(inst: *mut W3Instance) {
    // SAFETY: from instantiate_raw, freed once.
    unsafe { w3_free(inst) }
}

/// wasm3's value stack per runtime (bytes).
const STACK_BYTES: u32 = 1 << 20;

pub struct Wasm3;

struct Wasm3Program {
    wasm: &'static [u8],
}

impl Engine for Wasm3 {
    fn name(&self) -> &'static str {
        "wasm3"
    }

    fn describe(&self) -> String {
        format!(
            "wasm3 0.5.0 (vendored C, {} -O3 -fomit-frame-pointer), 32-bit slots, whole module compiled before the clock starts",
            crate::programs::CLANG
        )
    }

    fn prepare(&self, program: &Program) -> Result<Box<dyn Prepared>, String> {
        let wasm = program.wasm.map_err(|e| e.to_string())?;
        // Load once to report load/compile errors here rather than per run.
        let p = Wasm3Program { wasm };
        let inst = p.instantiate()?;
        // SAFETY: `inst` came from w3_new and is freed exactly once.
        unsafe { w3_free(inst) };
        Ok(Box::new(p))
    }
}

impl Wasm3Program {
    fn instantiate(&self) -> Result<*mut W3Instance, String> {
        instantiate_raw(self.wasm, STACK_BYTES)
    }
}

impl Prepared for Wasm3Program {
    fn run(&mut self) -> Result<RunOutcome, String> {
        let inst = self.instantiate()?;
        let mut err = [0 as c_char; 512];
        let mut code = 0i32;
        let start = Instant::now();
        // SAFETY: `inst` is a live instance from w3_new; used by this thread only.
        let status = unsafe { w3_start(inst, &mut code, err.as_mut_ptr(), err.len()) };
        let elapsed = start.elapsed();
        let mut len = 0u32;
        // SAFETY: the output buffer lives inside `inst` until w3_free.
        let output = unsafe {
            let p = w3_output(inst, &mut len);
            String::from_utf8_lossy(std::slice::from_raw_parts(p as *const u8, len as usize))
                .into_owned()
        };
        // SAFETY: NUL-terminated by the glue when status == 2.
        let msg = unsafe { CStr::from_ptr(err.as_ptr()) }
            .to_string_lossy()
            .into_owned();
        // SAFETY: freed exactly once, nothing refers to it afterwards.
        unsafe { w3_free(inst) };
        match status {
            0 | 1 => Ok(RunOutcome {
                elapsed,
                output,
                exit_code: code,
            }),
            _ => Err(msg),
        }
    }
}
