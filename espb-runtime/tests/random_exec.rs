//! Random programs: the execution fuzzer's module builder (`tests/gen`, the
//! same code `fuzz/` target `exec` runs under libFuzzer) fed by a seeded
//! generator. Whatever the validator accepts must run to a result or a trap
//! under fuel — never a panic, a hang or a host crash (the interpreter's
//! unchecked reads rely on validation alone) — the same way twice, and every
//! tick it executes must reach a safepoint hook exactly once.

mod common;
mod gen;

use std::sync::atomic::{AtomicU64, Ordering::Relaxed};
use std::sync::Arc;

use arbitrary::Unstructured;
use espb_runtime::{Config, Imports, Instance, Module};

struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
}

const FUEL: u64 = 2_000;

/// Runs every function once; returns what happened and the ticks the hook saw.
fn run(parsed: &Module<'_>) -> Option<(Vec<String>, Vec<u8>, u64, u64)> {
    let seen = Arc::new(AtomicU64::new(0));
    let mut imports = Imports::new();
    let s = seen.clone();
    imports.set_safepoint(move |_, t| {
        s.fetch_add(t, Relaxed);
        Ok(())
    });
    let (cfg, out) = common::buffered();
    let cfg = Config {
        fuel: Some(FUEL),
        max_call_depth: 64,
        max_registers: 2048,
        max_contexts: 1,
        ..cfg
    };
    let inst = Instance::new(parsed, &imports, cfg).ok()?;
    let mut results = Vec::new();
    for f in 0..parsed.num_functions() {
        let nparams = parsed.func_type(f).unwrap().params.len();
        let args = vec![gen::DATA as u64; nparams];
        let r = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| inst.call_raw(f, &args)))
            .unwrap_or_else(|_| panic!("f{f} panicked"));
        results.push(format!("{r:?}"));
    }
    let used = FUEL - inst.fuel_remaining().unwrap();
    Some((results, out.contents(), used, seen.load(Relaxed)))
}

#[test]
fn random_valid_programs_never_crash_the_host() {
    let iterations: u64 = std::env::var("ESPB_RANDOM_ITERS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(3000);
    let mut r = Rng(0x9E37_79B9_7F4A_7C15);
    let (mut valid, mut ran) = (0, 0);
    for case in 0..iterations {
        let bytes: Vec<u8> = (0..2048).map(|_| r.next() as u8).collect();
        let Ok(m) = gen::module(&mut Unstructured::new(&bytes)) else {
            continue;
        };
        let encoded = espb_runtime::format::AlignedBytes::from(m.to_bytes());
        let Ok(parsed) = Module::parse(&encoded) else {
            continue;
        };
        valid += 1;
        let listing = || espb_runtime::format::text::disassemble(&m);
        let Some(a) = run(&parsed) else { continue };
        let b = run(&parsed).unwrap();
        assert_eq!(a, b, "case {case}: two runs differ\n{}", listing());
        assert_eq!(
            a.3,
            a.2,
            "case {case}: ticks reported != fuel used\n{}",
            listing()
        );
        ran += parsed.num_functions();
    }
    eprintln!("{valid} of {iterations} random modules validated; {ran} function runs");
    assert!(
        valid > iterations / 10,
        "the generator should produce enough valid modules ({valid})"
    );
}
