//! Instance overhead (everything except linear memory), measured by a
//! counting global allocator. Prints the numbers; asserts a generous bound so
//! a regression (e.g. an allocation per call) fails.

mod common;

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicIsize, AtomicUsize, Ordering::Relaxed};

use espb_runtime::{Config, Imports, Instance, Module, Value};

struct Counting;

static LIVE: AtomicIsize = AtomicIsize::new(0);
static ALLOCS: AtomicUsize = AtomicUsize::new(0);

// SAFETY: forwards to the system allocator, only counting.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, l: Layout) -> *mut u8 {
        LIVE.fetch_add(l.size() as isize, Relaxed);
        ALLOCS.fetch_add(1, Relaxed);
        // SAFETY: same contract as the caller's.
        unsafe { System.alloc(l) }
    }
    unsafe fn alloc_zeroed(&self, l: Layout) -> *mut u8 {
        LIVE.fetch_add(l.size() as isize, Relaxed);
        ALLOCS.fetch_add(1, Relaxed);
        // SAFETY: same contract as the caller's.
        unsafe { System.alloc_zeroed(l) }
    }
    unsafe fn dealloc(&self, p: *mut u8, l: Layout) {
        LIVE.fetch_sub(l.size() as isize, Relaxed);
        // SAFETY: same contract as the caller's.
        unsafe { System.dealloc(p, l) }
    }
}

#[global_allocator]
static A: Counting = Counting;

#[test]
fn small_module_instance_overhead() {
    let bytes = common::bytes(include_str!("../../espb-format/tests/data/sample.espbs"));
    let before_module = LIVE.load(Relaxed);
    let m = Module::parse(&bytes).unwrap();
    let module_bytes = LIVE.load(Relaxed) - before_module;
    let (cfg, _out) = common::buffered();
    let cfg = Config {
        max_contexts: 1,
        initial_registers: 64,
        ..cfg
    };
    let before = LIVE.load(Relaxed);
    let inst = Instance::new(&m, &Imports::new(), cfg).unwrap();
    let linear = inst.memory().len() as isize;
    let after_new = LIVE.load(Relaxed) - before - linear;
    inst.call_i32("main", &[]).unwrap();
    let after_call = LIVE.load(Relaxed) - before - linear;
    // A warm call allocates nothing on the interpreter path.
    let n0 = ALLOCS.load(Relaxed);
    for _ in 0..100 {
        inst.call_i64("fib", &[Value::I32(20)]).unwrap();
    }
    let per_call = (ALLOCS.load(Relaxed) - n0) as f64 / 100.0;
    println!(
        "module metadata {module_bytes} B; instance overhead excluding {linear} B of linear memory: {after_new} B after new, {after_call} B after the first call (context created); {per_call} allocations per warm call"
    );
    assert!(after_call < 16 * 1024, "instance overhead {after_call} B");
    assert_eq!(per_call, 0.0, "allocations per warm call");
    drop(inst);
}
