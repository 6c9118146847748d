//! espb: the riscv32 -O2 bitcode is translated by `espb_codegen::translate`
//! (default options), encoded, validated by `espb_runtime::Module::parse` —
//! all before the clock starts — and each run makes a fresh
//! `espb_runtime::Instance` (builtins for printf/malloc/string.h, output to a
//! buffer) and times `instance.call("main")`.

use std::time::Instant;

use espb_runtime::{Config, Imports, Instance, Module, Output};

use crate::engine::{Engine, Prepared, RunOutcome};
use crate::programs::Program;

/// Module heap for the benchmarks (the largest, `sieve`, mallocs 500 kB; the
/// wasm builds grow their memory as they need).
pub const HEAP_BYTES: u32 = 4 << 20;

pub struct Espb;

struct EspbProgram {
    module: Module<'static>,
    imports: Imports,
}

impl Engine for Espb {
    fn name(&self) -> &'static str {
        "espb"
    }

    fn describe(&self) -> String {
        format!(
            "espb interpreter (espb-runtime {}, espb_codegen::translate with default options, heap {} KiB)",
            env!("CARGO_PKG_VERSION"),
            HEAP_BYTES / 1024
        )
    }

    fn prepare(&self, program: &Program) -> Result<Box<dyn Prepared>, String> {
        let bitcode = program.bitcode.map_err(|e| e.to_string())?;
        let m = espb_codegen::translate(bitcode, &espb_codegen::Options::default())
            .map_err(|d| format!("translate: {d}"))?;
        // The parsed module borrows its bytes for as long as the program is
        // prepared; one small leak per benchmark per process.
        let bytes: &'static [u8] = Box::leak(m.to_bytes().into_boxed_slice());
        let module = Module::parse(bytes).map_err(|e| format!("validate: {e:?}"))?;
        Ok(Box::new(EspbProgram {
            module,
            imports: Imports::new(),
        }))
    }
}

impl Prepared for EspbProgram {
    fn run(&mut self) -> Result<RunOutcome, String> {
        let (output, buf) = Output::buffer();
        let config = Config {
            output,
            heap_size: Some(HEAP_BYTES),
            ..Config::default()
        };
        let inst = Instance::new(&self.module, &self.imports, config)
            .map_err(|e| format!("instantiate: {e}"))?;
        let t = Instant::now();
        let result = inst.call_i32("main", &[]);
        let elapsed = t.elapsed();
        let exit_code = match result {
            Ok(code) => code,
            Err(trap) => match trap.exit_code() {
                Some(code) => code,
                None => return Err(format!("trap: {trap}")),
            },
        };
        Ok(RunOutcome {
            elapsed,
            output: buf.to_string_lossy(),
            exit_code,
        })
    }
}
