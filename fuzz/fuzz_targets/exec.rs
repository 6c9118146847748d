//! Execution fuzzing: modules built from the fuzzer's bytes (`espb_fuzz::gen`)
//! that pass the validator are run with fuel. The interpreter must never
//! panic or touch host memory outside the instance (the fuzzer runs under
//! AddressSanitizer), must be deterministic (two fresh instances give the
//! same result, output and memory), and must report every tick of executed
//! work to a safepoint hook exactly once (the ticks the hook saw equal the
//! fuel used), including when the hook stops the run.
#![no_main]

use std::sync::atomic::{AtomicU64, Ordering::Relaxed};
use std::sync::Arc;

use espb_fuzz::gen;
use espb_runtime::{Config, Imports, Instance, Module, Output, Safepoint, Trap};
use libfuzzer_sys::arbitrary::Unstructured;
use libfuzzer_sys::fuzz_target;

const FUEL: u64 = 20_000;

/// What a run did, to compare two runs.
#[derive(Debug, PartialEq)]
struct Outcome {
    results: Vec<Result<Option<u64>, String>>,
    output: Vec<u8>,
    memory: Vec<u8>,
    fuel_used: u64,
}

fn run(module: &Module<'_>, args: &[u64], stop_at_poll: Option<u64>) -> (Outcome, u64) {
    let seen = Arc::new(AtomicU64::new(0));
    let polls = Arc::new(AtomicU64::new(0));
    let mut imports = Imports::new();
    {
        let (seen, polls) = (seen.clone(), polls.clone());
        imports.set_safepoint(move |at, ticks| {
            seen.fetch_add(ticks, Relaxed);
            if at == Safepoint::Poll {
                let n = polls.fetch_add(1, Relaxed);
                if stop_at_poll == Some(n) {
                    return Err(Trap::host("stopped by the safepoint hook"));
                }
            }
            Ok(())
        });
    }
    let (out, buf) = Output::buffer();
    let cfg = Config {
        fuel: Some(FUEL),
        max_call_depth: 64,
        max_registers: 4096,
        max_contexts: 2,
        max_reentry: 4,
        output: out,
        ..Config::default()
    };
    let inst = match Instance::new(module, &imports, cfg) {
        Ok(i) => i,
        Err(e) => {
            let o = Outcome {
                results: vec![Err(e.to_string())],
                output: Vec::new(),
                memory: Vec::new(),
                fuel_used: 0,
            };
            return (o, seen.load(Relaxed));
        }
    };
    let mut results = Vec::new();
    for f in 0..module.num_functions() {
        let n = module.func_type(f).map_or(0, |t| t.params.len());
        results.push(
            inst.call_raw(f, &args[..n.min(args.len())])
                .map_err(|t| t.to_string()),
        );
    }
    let mut memory = vec![0u8; inst.memory().len() as usize];
    // The whole of linear memory, null guard excluded.
    let guard = espb_runtime::format::NULL_GUARD;
    inst.memory()
        .read(guard, &mut memory[guard as usize..])
        .unwrap();
    let fuel_used = FUEL - inst.fuel_remaining().unwrap();
    let o = Outcome {
        results,
        output: buf.contents(),
        memory,
        fuel_used,
    };
    (o, seen.load(Relaxed))
}

fuzz_target!(|data: &[u8]| {
    let mut u = Unstructured::new(data);
    let Ok(m) = gen::module(&mut u) else { return };
    let args: Vec<u64> = (0..4)
        .map(|_| u.arbitrary().unwrap_or(gen::DATA as u64))
        .collect();
    let bytes = m.to_bytes();
    let Ok(module) = Module::parse(&bytes) else {
        return;
    };
    let (a, ticks_a) = run(&module, &args, None);
    let (b, ticks_b) = run(&module, &args, None);
    assert_eq!(a, b, "two runs of the same module differ");
    assert_eq!(
        ticks_a, a.fuel_used,
        "ticks reported to the hook != fuel used"
    );
    assert_eq!(ticks_b, b.fuel_used);
    // Stopped by the hook at its first poll: a clean trap, ticks still exact.
    let (c, ticks_c) = run(&module, &args, Some(0));
    assert_eq!(
        ticks_c, c.fuel_used,
        "ticks != fuel when the hook stops the run"
    );
});
