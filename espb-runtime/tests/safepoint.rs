//! The safepoint hook (`Imports::set_safepoint`): every tick of executed
//! work reaches it exactly once — at its polls, through host calls
//! (`Caller::take_ticks`) or when the interpreter returns — and a trap it
//! returns stops the module at the poll's instruction.

mod common;

use std::sync::{Arc, Mutex};

use espb_runtime::{Config, HostFunc, Imports, Instance, Module, Safepoint, Trap, TrapKind, Value};

/// `count(n)` loops n times; `with_calls(n)` calls the import `tick` on
/// each of its n iterations.
const SRC: &str = r#"
.type (i32) -> i32
.type () -> i32
.import "tick" ty1
.func ty0 regs 2 frame 0 align 0
    const32 r1, 0
top:
    i32.addi r1, r1, 1
    br.ne.i32 r1, r0, top
    ret r1
.end
.func ty0 regs 4 frame 0 align 0
    const32 r1, 0
loop:
    call.import imp0, r2
    i32.addi r1, r1, 1
    br.ne.i32 r1, r0, loop
    ret r1
.end
.export "count" f0
.export "with_calls" f1
"#;

type Log = Arc<Mutex<Vec<(Safepoint, u64)>>>;

/// An instance whose hook logs every report and traps at poll `stop_at`;
/// its `tick` import takes the ticks handed to it when `take` is set.
fn instance<'m>(
    m: &'m Module<'m>,
    stop_at: Option<usize>,
    take: bool,
) -> (Instance<'m>, Log, Arc<Mutex<u64>>) {
    let log: Log = Arc::default();
    let taken = Arc::new(Mutex::new(0u64));
    let mut imports = Imports::new();
    let l = log.clone();
    imports.set_safepoint(move |at, ticks| {
        let mut l = l.lock().unwrap();
        l.push((at, ticks));
        let polls = l.iter().filter(|e| e.0 == Safepoint::Poll).count();
        if at == Safepoint::Poll && Some(polls) == stop_at {
            return Err(Trap::host("stopped by the scheduler"));
        }
        Ok(())
    });
    let t = taken.clone();
    imports.register(
        "tick",
        HostFunc::new(move |c, _| {
            if take {
                *t.lock().unwrap() += c.take_ticks();
            }
            Ok(Some(0))
        }),
    );
    let cfg = Config {
        fuel: Some(1_000_000),
        ..Config::default()
    };
    (Instance::new(m, &imports, cfg).unwrap(), log, taken)
}

fn total(log: &Log) -> u64 {
    log.lock().unwrap().iter().map(|e| e.1).sum()
}

#[test]
fn every_tick_is_reported_once() {
    let bytes = common::bytes(SRC);
    let m = Module::parse(&bytes).unwrap();
    for n in [1, 1023, 1024, 1025, 5000] {
        let (inst, log, _) = instance(&m, None, false);
        assert_eq!(inst.call_i32("count", &[Value::I32(n)]), Ok(n));
        // n iterations take n - 1 backward branches: every poll reported
        // the 1,024 before it, the return the rest.
        assert_eq!(total(&log), n as u64 - 1, "n = {n}");
        let l = log.lock().unwrap();
        let polls = l.iter().filter(|e| e.0 == Safepoint::Poll).count();
        assert_eq!(polls, (n as usize - 1) / 1024, "n = {n}");
        assert!(l
            .iter()
            .filter(|e| e.0 == Safepoint::Poll)
            .all(|e| e.1 == 1024));
        assert_eq!(l.last().unwrap().0, Safepoint::Leave);
        assert_eq!(1_000_000 - inst.fuel_remaining().unwrap(), n as u64 - 1);
    }
}

#[test]
fn host_calls_take_the_ticks_so_far() {
    let bytes = common::bytes(SRC);
    let m = Module::parse(&bytes).unwrap();
    for take in [false, true] {
        let (inst, log, taken) = instance(&m, None, take);
        assert_eq!(inst.call_i32("with_calls", &[Value::I32(3000)]), Ok(3000));
        // 3000 calls and 2999 backward branches.
        let all = total(&log) + *taken.lock().unwrap();
        assert_eq!(all, 5999, "take = {take}");
        assert_eq!(1_000_000 - inst.fuel_remaining().unwrap(), 5999);
        if take {
            // The import took everything up to each call: the hook saw only
            // what ran between a call and a poll that came before the next.
            assert!(total(&log) < 10, "{:?}", log.lock().unwrap());
        }
    }
}

#[test]
fn a_trap_from_the_hook_stops_the_module_at_the_poll() {
    let bytes = common::bytes(SRC);
    let m = Module::parse(&bytes).unwrap();
    let (inst, log, _) = instance(&m, Some(2), false);
    let t = inst.call_i32("count", &[Value::I32(10_000)]).unwrap_err();
    assert!(
        matches!(&t.kind, TrapKind::Host(s) if s == "stopped by the scheduler"),
        "{t}"
    );
    assert_eq!(t.func, Some(0));
    // Two polls, then the return reported nothing more: 2048 ticks.
    assert_eq!(total(&log), 2048);
    assert_eq!(1_000_000 - inst.fuel_remaining().unwrap(), 2048);
}
