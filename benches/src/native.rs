//! Native: each program's `main`, compiled by `clang-19 -O2` for the host and
//! linked into this binary, called in-process.

use std::time::Instant;

use crate::engine::{Engine, Prepared, RunOutcome};
use crate::programs::Program;

extern "C" {
    fn espb_bench_output(len: *mut usize) -> *const core::ffi::c_char;
    fn espb_bench_output_reset();
}

pub struct Native;

struct NativeProgram {
    main: unsafe extern "C" fn() -> core::ffi::c_int,
}

impl Engine for Native {
    fn name(&self) -> &'static str {
        "native"
    }

    fn describe(&self) -> String {
        format!(
            "{} {} (x86_64 host), main() called in-process",
            crate::programs::CLANG,
            crate::programs::NATIVE_FLAGS
        )
    }

    fn prepare(&self, program: &Program) -> Result<Box<dyn Prepared>, String> {
        Ok(Box::new(NativeProgram {
            main: program.native_main,
        }))
    }
}

impl Prepared for NativeProgram {
    fn run(&mut self) -> Result<RunOutcome, String> {
        // SAFETY: the support library's buffer functions have no
        // preconditions; the benchmark mains take no arguments, re-initialise
        // all of their state on entry and are only called from this thread.
        unsafe {
            espb_bench_output_reset();
            let start = Instant::now();
            let code = (self.main)();
            let elapsed = start.elapsed();
            let mut len = 0usize;
            let ptr = espb_bench_output(&mut len);
            let bytes = std::slice::from_raw_parts(ptr as *const u8, len);
            Ok(RunOutcome {
                elapsed,
                output: String::from_utf8_lossy(bytes).into_owned(),
                exit_code: code,
            })
        }
    }
}
