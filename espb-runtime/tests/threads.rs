//! One instance entered by 8 host threads at once: real atomics, a CAS
//! spinlock around plain loads/stores, and the module heap, for 10 s (set
//! `ESPB_STRESS_SECS` to change), with the final state checked exactly.

mod common;

use std::time::{Duration, Instant};

use espb_runtime::{Config, Imports, Instance, Module, Value};

const SRC: &str = r#"
.type (i32, i32) -> i32
.type (i32) -> ptr
.type (ptr) -> void
.import "malloc" ty1
.import "free" ty2
.memory data_end 0x1100 heap 0x10000 stack 0x1000
.func ty0 regs 10 frame 0 align 0
    const32 r2, 0
loop:
    br.le_s.i32 r1, r2, done
    i32.addi r4, r0, 16
    call.import imp0, r4
    br.eqi.i32 r4, 0, oom
    st32 r4, r0, 0
    const32 r5, 0x1000
    const32 r6, 1
    atomic.rmw r7, r5, r6, 6
    const32 r5, 0x1008
    i64.zext32 r6, r0
    atomic.rmw r7, r5, r6, 7
    const32 r5, 0x1010
lock:
    const32 r6, 0
    const32 r7, 1
    atomic.cmpxchg r8, r5, r6, r7, 2
    br.nei.i32 r8, 0, lock
    ld32_u r9, r5, 8
    i32.addi r9, r9, 1
    st32 r5, r9, 8
    const32 r6, 0
    atomic.store r5, r6, 2
    ld32_s r3, r4, 0
    br.ne.i32 r3, r0, corrupt
    mov r5, r4
    call.import imp1, r5
    i32.addi r2, r2, 1
    br loop
done:
    ret r2
oom:
    const32 r0, -1
    ret r0
corrupt:
    trap 1
.end
.export "worker" f0
"#;

#[test]
fn eight_threads_share_one_instance() {
    let secs: u64 = std::env::var("ESPB_STRESS_SECS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(10);
    let bytes = common::bytes(SRC);
    let m = Module::parse(&bytes).unwrap();
    let inst = Instance::new(
        &m,
        &Imports::new(),
        Config {
            max_contexts: 8,
            ..Config::default()
        },
    )
    .unwrap();
    const ITERS: i32 = 500;
    let deadline = Instant::now() + Duration::from_secs(secs);
    let calls: Vec<u64> = std::thread::scope(|s| {
        let handles: Vec<_> = (1..=8)
            .map(|id| {
                let inst = &inst;
                s.spawn(move || {
                    let mut n = 0u64;
                    while Instant::now() < deadline {
                        let done = inst
                            .call_i32("worker", &[Value::I32(id), Value::I32(ITERS)])
                            .unwrap();
                        assert_eq!(done, ITERS, "thread {id}");
                        n += 1;
                    }
                    n
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    let total: u64 = calls.iter().sum::<u64>() * ITERS as u64;
    let weighted: u64 = calls
        .iter()
        .enumerate()
        .map(|(i, n)| (i as u64 + 1) * n * ITERS as u64)
        .sum();
    let mem = inst.memory();
    assert!(calls.iter().all(|&n| n > 0), "every thread ran: {calls:?}");
    assert_eq!(
        mem.load32(0x1000).unwrap() as u64,
        total & 0xffff_ffff,
        "atomic counter"
    );
    assert_eq!(mem.load64(0x1008).unwrap(), weighted, "64-bit atomic sum");
    assert_eq!(
        mem.load32(0x1018).unwrap() as u64,
        total & 0xffff_ffff,
        "spinlock-protected counter"
    );
    assert_eq!(mem.load32(0x1010).unwrap(), 0, "lock released");
    assert_eq!(inst.heap_live_allocations(), 0);
    assert_eq!(inst.heap_in_use(), 0);
    assert!(inst.contexts_created() <= 8);
    eprintln!("{total} iterations by 8 threads in {secs} s ({calls:?} calls)");
}

#[test]
fn more_threads_than_contexts_trap_cleanly() {
    let bytes = common::bytes(SRC);
    let m = Module::parse(&bytes).unwrap();
    let inst = Instance::new(
        &m,
        &Imports::new(),
        Config {
            max_contexts: 1,
            ..Config::default()
        },
    )
    .unwrap();
    let results: Vec<bool> = std::thread::scope(|s| {
        let hs: Vec<_> = (1..=4)
            .map(|id| {
                let inst = &inst;
                s.spawn(move || {
                    inst.call_i32("worker", &[Value::I32(id), Value::I32(20_000)])
                        .is_ok()
                })
            })
            .collect();
        hs.into_iter().map(|h| h.join().unwrap()).collect()
    });
    assert!(results.iter().any(|ok| *ok), "at least one thread ran");
    assert_eq!(inst.contexts_created(), 1);
    assert_eq!(inst.heap_live_allocations(), 0);
}

/// Dropping an instance waits for a call running through a handle on
/// another thread, then refuses new calls.
#[test]
fn drop_waits_for_calls_in_progress() {
    use std::sync::atomic::{AtomicBool, Ordering::SeqCst};
    use std::sync::Arc;

    let src = ".type () -> i32\n.import \"slow\" ty0\n.func ty0 regs 1 frame 0 align 0\ncall.import imp0, r0\nret r0\n.end\n.export \"run\" f0\n";
    let bytes = common::bytes(src);
    let m = Module::parse(&bytes).unwrap();
    let entered = Arc::new(AtomicBool::new(false));
    let finished = Arc::new(AtomicBool::new(false));
    let mut imports = Imports::new();
    let (e, f) = (entered.clone(), finished.clone());
    imports.func("slow", move |_, _| {
        e.store(true, SeqCst);
        std::thread::sleep(Duration::from_millis(200));
        f.store(true, SeqCst);
        Ok(Some(7))
    });
    let inst = Instance::new(&m, &imports, Config::default()).unwrap();
    let h = inst.handle();
    let worker = std::thread::spawn(move || h.call_export("run", &[]));
    while !entered.load(SeqCst) {
        std::thread::yield_now();
    }
    let h2 = inst.handle();
    drop(inst);
    assert!(
        finished.load(SeqCst),
        "drop returned while a call was still running"
    );
    assert_eq!(worker.join().unwrap().unwrap(), Some(Value::I32(7)));
    assert_eq!(
        h2.call_export("run", &[]).unwrap_err().kind,
        espb_runtime::TrapKind::InstanceDead
    );
}
