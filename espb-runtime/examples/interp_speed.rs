//! Rough interpreter speed on three kernels (not a benchmark harness; the
//! suite in `benches/` compares against peers). Run with
//! `cargo run --release -p espb-runtime --example interp_speed`.

use std::time::Instant;

use espb_runtime::format::text::assemble;
use espb_runtime::{Config, Imports, Instance, Module, Value};

const SRC: &str = r#"
.type (i32) -> i32
.type (i32) -> i64
.memory data_end 0x1000 heap 0 stack 0x10000
; sum of i*i mod 2^32 for i < n: 5 instructions per iteration
.func ty0 regs 3 frame 0 align 0
    const32 r1, 0
loop:
    i32.mul r2, r0, r0
    i32.add r1, r1, r2
    i32.addi r0, r0, -1
    br.nei.i32 r0, 0, loop
    ret r1
.end
; recursive fib
.func ty0 regs 3 frame 0 align 0
    br.lt_si.i32 r0, 2, small
    i32.addi r1, r0, -1
    call f1, r1
    i32.addi r2, r0, -2
    call f1, r2
    i32.add r0, r1, r2
    ret r0
small:
    ret r0
.end
; sieve over a frame array of n bytes: loads and stores
.func ty0 regs 8 frame 0 align 0
    alloca r1, r0, 8
    const32 r2, 0
    mem.fill r1, r2, r0
    const32 r3, 2
    const32 r7, 0
outer:
    br.le_s.i32 r0, r3, end
    i32.add r4, r1, r3
    ld8_u r5, r4, 0
    br.nei.i32 r5, 0, next
    i32.addi r7, r7, 1
    i32.add r6, r3, r3
inner:
    br.le_s.i32 r0, r6, next
    i32.add r4, r1, r6
    const32 r5, 1
    st8 r4, r5, 0
    i32.add r6, r6, r3
    br inner
next:
    i32.addi r3, r3, 1
    br outer
end:
    ret r7
.end
.export "loop" f0
.export "fib" f1
.export "sieve" f2
"#;

fn main() {
    let bytes = assemble(SRC).expect("assemble").to_bytes();
    let m = Module::parse(&bytes).expect("parse");
    let inst = Instance::new(&m, &Imports::new(), Config::default()).expect("instantiate");
    // Optional arguments: kernel names to run, and `--small` for a short run
    // (to count host instructions under callgrind).
    let argv: Vec<String> = std::env::args().skip(1).collect();
    let small = argv.iter().any(|a| a == "--small");
    let named: Vec<&String> = argv.iter().filter(|a| !a.starts_with("--")).collect();
    let kernels = [
        (
            "loop",
            if small { 1_000_000 } else { 100_000_000 },
            4.0,
            "iterations",
        ),
        ("fib", if small { 20 } else { 32 }, 1.0, "calls"),
        ("sieve", 60_000, 1.0, "runs"),
    ];
    for &(name, arg, instrs_per_unit, unit) in kernels
        .iter()
        .filter(|k| named.is_empty() || named.iter().any(|n| *n == k.0))
    {
        let t = Instant::now();
        let reps = match (name, small) {
            ("sieve", true) => 2,
            ("sieve", false) => 100,
            _ => 1,
        };
        let mut r = None;
        for _ in 0..reps {
            r = inst.call(name, &[Value::I32(arg)]).expect("run");
        }
        let dt = t.elapsed().as_secs_f64();
        let units = match name {
            "loop" => arg as f64,
            "fib" => {
                if small {
                    21891.0
                } else {
                    7049155.0
                }
            }
            _ => reps as f64,
        };
        println!(
            "{name}({arg}) = {:?}: {:.3} s, {:.1} M {unit}/s{}",
            r,
            dt,
            units / dt / 1e6,
            if name == "loop" {
                format!(" ({:.0} M instr/s)", units * instrs_per_unit / dt / 1e6)
            } else {
                String::new()
            }
        );
    }
}
