//! Every trap kind: its message, function, offset, source line (from the
//! module's line table) and backtrace; plus instantiation errors.

mod common;

use std::sync::Arc;
use std::time::Duration;

use espb_runtime::StackKind;
use espb_runtime::{
    Config, HostFunc, Imports, Instance, InstantiateError, Module, SymbolTable, Trap, TrapKind,
    Value,
};

const SRC: &str = r#"
.type () -> void
.type (i32, i32) -> i32
.type (i32) -> i32
.type (ptr) -> void
.type (i32) -> ptr
.type () -> i32
.import "free" ty3
.import "malloc" ty4
.import "host_fail" ty0
.memory data_end 0x1000 heap 0x1000 stack 0x1000

.func ty1 regs 2 frame 0 align 0
    nop
    i32.div_s r0, r0, r1
    ret r0
.end
.func ty0 regs 1 frame 0 align 0
    nop
    unreachable
.end
.func ty0 regs 1 frame 0 align 0
    trap 0
.end
.func ty2 regs 1 frame 0 align 0
    call f3, r0
    ret r0
.end
.func ty2 regs 2 frame 0 align 0
    const32 r1, 5
    call.indirect ty2, r0, r1
    ret r1
.end
.func ty0 regs 2 frame 0 align 0
    const32 r0, 16
    call.import imp1, r0
    mov r1, r0
    call.import imp0, r1
    mov r1, r0
    call.import imp0, r1
    ret.void
.end
.func ty0 regs 1 frame 0 align 0
    call.import imp2, r0
    ret.void
.end
.func ty2 regs 2 frame 0 align 0
    const32 r1, 0
    call f0, r0
    ret r0
.end
.func ty0 regs 1 frame 0 align 0
spin:
    br spin
.end
.func ty5 regs 1 frame 0 align 0
    func.addr r0, f0
    ret r0
.end
.func ty2 regs 2 frame 0 align 0
    call f10, r1
    ret r0
.end
.func ty2 regs 1 frame 2048 align 3
    call f11, r0
    ret r0
.end
.func ty2 regs 2 frame 0 align 0
    i32.div_s r0, r0, r0
    ret r0
.end

.export "div" f0
.export "unreachable" f1
.export "trap" f2
.export "recurse" f3
.export "callind" f4
.export "double_free" f5
.export "host" f6
.export "outer" f7
.export "spin" f8
.export "fa" f9
.export "regs_deep" f10
.export "frames_deep" f11
.export "div_self" f12
.name f0 "div"
.name f1 "unreachable"
.name f2 "trap"
.name f3 "recurse"
.name f4 "callind"
.name f5 "double_free"
.name f6 "host"
.name f7 "outer"
.name f8 "spin"
.lines
.file "main.c"
.linetable f0 0:0:41 4:0:42
.linetable f7 0:0:50 8:0:51
"#;

fn imports() -> Imports {
    let mut i = Imports::new();
    i.func("host_fail", |_, _| Err(Trap::host("sensor unplugged")));
    i
}

fn with(cfg: Config, f: impl FnOnce(&Instance<'_>)) {
    let bytes = common::bytes(SRC);
    let m = Module::parse(&bytes).unwrap();
    let inst = Instance::new(&m, &imports(), cfg).unwrap();
    f(&inst);
}

fn trap(inst: &Instance<'_>, name: &str, args: &[Value]) -> Trap {
    inst.call(name, args).expect_err("expected a trap")
}

#[test]
fn division_traps_with_source_line() {
    with(Config::default(), |inst| {
        let t = trap(inst, "div", &[Value::I32(1), Value::I32(0)]);
        assert_eq!(t.kind, TrapKind::DivByZero);
        assert_eq!(
            (t.func, t.func_name.as_deref(), t.offset),
            (Some(0), Some("div"), 4)
        );
        assert_eq!(t.source, Some(("main.c".into(), 42)));
        assert_eq!(
            t.to_string(),
            "integer division by zero in `div` (f0) at offset 0x4 (main.c:42)"
        );

        let t = trap(inst, "div", &[Value::I32(i32::MIN), Value::I32(-1)]);
        assert_eq!(t.kind, TrapKind::IntOverflow);
        assert_eq!(
            t.to_string(),
            "integer overflow (INT_MIN / -1) in `div` (f0) at offset 0x4 (main.c:42)"
        );
        assert_eq!(
            inst.call_i32("div", &[Value::I32(-9), Value::I32(2)])
                .unwrap(),
            -4
        );

        // No line table, no name: still the function index and offset.
        let t = trap(inst, "div_self", &[Value::I32(0)]);
        assert_eq!(
            t.to_string(),
            "integer division by zero in f12 at offset 0x0"
        );
    });
}

#[test]
fn backtrace_names_every_frame() {
    with(Config::default(), |inst| {
        let t = trap(inst, "outer", &[Value::I32(7)]);
        assert_eq!(t.kind, TrapKind::DivByZero);
        assert_eq!(t.func_name.as_deref(), Some("div"));
        assert_eq!(t.backtrace.len(), 2);
        assert_eq!(t.backtrace[1].func_name.as_deref(), Some("outer"));
        assert_eq!(t.backtrace[1].offset, 8, "offset of the call instruction");
        assert_eq!(t.backtrace[1].source, Some(("main.c".into(), 51)));
        let text = t.to_string();
        assert!(text.contains("#0 div (f0) +0x4 at main.c:42"), "{text}");
        assert!(text.contains("#1 outer (f7) +0x8 at main.c:51"), "{text}");
    });
}

#[test]
fn unreachable_and_trap() {
    with(Config::default(), |inst| {
        let t = trap(inst, "unreachable", &[]);
        assert_eq!(t.kind, TrapKind::Unreachable { code: None });
        assert_eq!(
            t.to_string(),
            "unreachable executed in `unreachable` (f1) at offset 0x4"
        );
        let t = trap(inst, "trap", &[]);
        assert_eq!(t.kind, TrapKind::Unreachable { code: Some(0) });
        assert_eq!(
            t.to_string(),
            "trap: __builtin_trap() reached in `trap` (f2) at offset 0x0"
        );
    });
}

#[test]
fn stack_overflows() {
    with(Config::default(), |inst| {
        let t = trap(inst, "recurse", &[Value::I32(0)]);
        assert_eq!(t.kind, TrapKind::StackOverflow(StackKind::CallDepth));
        assert_eq!(t.func_name.as_deref(), Some("recurse"));
        assert_eq!(t.backtrace.len(), 64, "backtraces are capped");
        assert!(t.to_string().starts_with(
            "stack overflow: call depth limit reached in `recurse` (f3) at offset 0x0"
        ));
    });
    with(
        Config {
            max_registers: 4096,
            ..Config::default()
        },
        |inst| {
            let t = trap(inst, "regs_deep", &[Value::I32(0)]);
            assert_eq!(t.kind, TrapKind::StackOverflow(StackKind::Registers));
            assert_eq!(t.func, Some(10));
        },
    );
    with(Config::default(), |inst| {
        let t = trap(inst, "frames_deep", &[Value::I32(0)]);
        assert_eq!(t.kind, TrapKind::StackOverflow(StackKind::Shadow));
        assert_eq!(t.func, Some(11));
        // After any trap the instance is still usable.
        assert_eq!(
            inst.call_i32("div", &[Value::I32(6), Value::I32(3)])
                .unwrap(),
            2
        );
    });
}

#[test]
fn indirect_calls() {
    with(Config::default(), |inst| {
        let fref = inst.call_i32("fa", &[]).unwrap();
        assert_eq!(fref as u32, 0xF000_0000, "func.addr of f0");
        // f12 computes r0 / r0; callind passes 5.
        let f12 = (0xF000_0000u32 + 12) as i32;
        assert_eq!(inst.call_i32("callind", &[Value::I32(f12)]).unwrap(), 1);
        let t = trap(inst, "callind", &[Value::I32(fref)]);
        assert_eq!(
            t.kind,
            TrapKind::IndirectCallSignature { value: 0xF000_0000 }
        );
        assert_eq!(
            t.to_string(),
            "indirect call signature mismatch (callee 0xf0000000) in `callind` (f4) at offset 0x8"
        );
        for bad in [
            0,
            0x1000,
            0xF000_0000u32 as i32 + 13,
            0xE000_0003u32 as i32,
            0x8000_0000u32 as i32,
        ] {
            let t = trap(inst, "callind", &[Value::I32(bad)]);
            assert_eq!(
                t.kind,
                TrapKind::IndirectCallNonFunction { value: bad as u32 }
            );
            assert!(
                t.to_string().starts_with("indirect call to a non-function"),
                "{t}"
            );
        }
        // An import (host_fail is () -> void): wrong signature for the site.
        let t = trap(inst, "callind", &[Value::I32(0xE000_0002u32 as i32)]);
        assert_eq!(
            t.kind,
            TrapKind::IndirectCallSignature { value: 0xE000_0002 }
        );
    });
}

#[test]
fn heap_corruption_and_host_traps() {
    with(Config::default(), |inst| {
        let t = trap(inst, "double_free", &[]);
        assert!(matches!(t.kind, TrapKind::HeapCorruption { .. }), "{t}");
        assert_eq!(t.func_name.as_deref(), Some("double_free"));
        assert_eq!(t.offset, 32, "the second free's call site");
        assert!(t.to_string().contains("double or invalid free"), "{t}");

        let t = trap(inst, "host", &[]);
        assert_eq!(t.kind, TrapKind::Host("sensor unplugged".into()));
        assert_eq!(
            t.to_string(),
            "host function failed: sensor unplugged in `host` (f6) at offset 0x0"
        );
    });
}

#[test]
fn fuel_stops_an_infinite_loop() {
    with(
        Config {
            fuel: Some(10_000),
            ..Config::default()
        },
        |inst| {
            let t = trap(inst, "spin", &[]);
            assert_eq!(t.kind, TrapKind::OutOfFuel);
            assert_eq!(
                t.to_string(),
                "out of fuel (instruction budget exhausted) in `spin` (f8) at offset 0x0"
            );
            assert_eq!(inst.fuel_remaining(), Some(0));
            // Calls cost fuel too; with none left even a call traps.
            assert_eq!(
                trap(inst, "div", &[Value::I32(1), Value::I32(1)]).kind,
                TrapKind::OutOfFuel
            );
            inst.add_fuel(5);
            assert_eq!(
                inst.call_i32("div", &[Value::I32(8), Value::I32(2)])
                    .unwrap(),
                4
            );
            assert_eq!(
                inst.fuel_remaining(),
                Some(5),
                "a call without branches uses no ticks"
            );
        },
    );
}

/// Fuel is exact across the interpreter's polling period (1,024 ticks) and
/// the instance's chunks: a loop of n backward branches uses n ticks.
#[test]
fn fuel_accounting_is_exact_over_long_loops() {
    let src = r#"
.type (i32) -> i32
.func ty0 regs 2 frame 0 align 0
    const32 r1, 0
top:
    i32.addi r1, r1, 1
    br.ne.i32 r1, r0, top
    ret r1
.end
.export "count" f0
"#;
    let bytes = common::bytes(src);
    let m = Module::parse(&bytes).unwrap();
    let cfg = Config {
        fuel: Some(100_000),
        ..Config::default()
    };
    let inst = Instance::new(&m, &Imports::new(), cfg).unwrap();
    // n iterations take n - 1 backward branches.
    assert_eq!(inst.call_i32("count", &[Value::I32(5_001)]).unwrap(), 5_001);
    assert_eq!(inst.fuel_remaining(), Some(95_000));
    assert_eq!(inst.call_i32("count", &[Value::I32(1_025)]).unwrap(), 1_025);
    assert_eq!(inst.fuel_remaining(), Some(93_976));
    // The budget runs out inside a loop: the tick that empties it traps.
    let t = inst.call("count", &[Value::I32(1_000_000)]).unwrap_err();
    assert_eq!(t.kind, TrapKind::OutOfFuel);
    assert_eq!(inst.fuel_remaining(), Some(0));
    inst.add_fuel(93_977);
    assert_eq!(
        inst.call_i32("count", &[Value::I32(93_977)]).unwrap(),
        93_977
    );
    assert_eq!(inst.fuel_remaining(), Some(1));
    let t = inst.call("count", &[Value::I32(3)]).unwrap_err();
    assert_eq!(t.kind, TrapKind::OutOfFuel);
}

#[test]
fn interrupt_stops_an_infinite_loop_from_another_thread() {
    with(Config::default(), |inst| {
        let h = inst.interrupt_handle();
        let h2 = h.clone();
        let stopper = std::thread::spawn(move || {
            std::thread::sleep(Duration::from_millis(50));
            h2.interrupt();
        });
        let t = trap(inst, "spin", &[]);
        stopper.join().unwrap();
        assert_eq!(t.kind, TrapKind::Interrupted);
        assert_eq!(t.to_string(), "interrupted in `spin` (f8) at offset 0x0");
        assert!(h.is_set());
        h.clear();
        assert_eq!(
            inst.call_i32("div", &[Value::I32(8), Value::I32(2)])
                .unwrap(),
            4
        );
    });
}

#[test]
fn dead_instance_handle_returns_a_trap() {
    let bytes = common::bytes(SRC);
    let m = Module::parse(&bytes).unwrap();
    let inst = Instance::new(&m, &imports(), Config::default()).unwrap();
    let h = inst.handle();
    assert_eq!(
        h.call(0, &[Value::I32(9), Value::I32(3)]).unwrap(),
        Some(Value::I32(3))
    );
    assert!(h.is_alive());
    drop(inst);
    assert!(!h.is_alive());
    let t = h.call(0, &[Value::I32(9), Value::I32(3)]).unwrap_err();
    assert_eq!(t.kind, TrapKind::InstanceDead);
    assert_eq!(t.to_string(), "the instance was unloaded");
    assert_eq!(
        h.call_raw(0, &[9, 3]).unwrap_err().kind,
        TrapKind::InstanceDead
    );
}

#[test]
fn exit_and_abort() {
    let src = r#"
.type (i32) -> void
.type () -> void
.type (ptr, i32, ptr, ptr) -> void
.import "exit" ty0
.import "abort" ty1
.import "__assert_func" ty2
.memory data_end 0x1010 heap 0 stack 0x1000
.data 0x1000 "612e630078203e203000"
.func ty0 regs 1 frame 0 align 0
    call.import imp0, r0
    unreachable
.end
.func ty1 regs 1 frame 0 align 0
    call.import imp1, r0
    unreachable
.end
.func ty1 regs 4 frame 0 align 0
    const32 r0, 0x1000
    const32 r1, 7
    const32 r2, 0
    const32 r3, 0x1004
    call.import imp2, r0
    unreachable
.end
.func ty1 regs 4 frame 0 align 0
    const32 r0, 0x1000
    const32 r1, 7
    const32 r2, 0x1000
    const32 r3, 0x1004
    call.import imp2, r0
    unreachable
.end
.export "exit" f0
.export "abort" f1
.export "assert" f2
.export "assert_in" f3
"#;
    let bytes = common::bytes(src);
    let m = Module::parse(&bytes).unwrap();
    let inst = Instance::new(&m, &Imports::new(), Config::default()).unwrap();
    let t = inst.call("exit", &[Value::I32(3)]).unwrap_err();
    assert_eq!(
        (t.kind.clone(), t.exit_code()),
        (TrapKind::Exit(3), Some(3))
    );
    let t = inst.call("abort", &[]).unwrap_err();
    assert_eq!(t.to_string(), "abort() called in f1 at offset 0x0");
    let t = inst.call("assert", &[]).unwrap_err();
    assert_eq!(
        t.kind,
        TrapKind::Abort("assertion \"x > 0\" failed: file \"a.c\", line 7".into())
    );
    // With a function name (here the file's string again).
    let t = inst.call("assert_in", &[]).unwrap_err();
    assert_eq!(
        t.kind,
        TrapKind::Abort("assertion \"x > 0\" failed: file \"a.c\", line 7, function: a.c".into())
    );
}

const IMPORTER: &str = r#"
.type (i32) -> i32
.symtab "idf" 0x1234
.import "gpio_get_level" ty0 fast 0 2
.func ty0 regs 1 frame 0 align 0
    call.import imp0, r0
    ret r0
.end
.export "get" f0
"#;

#[test]
fn instantiation_errors_name_the_symbol() {
    let bytes = common::bytes(IMPORTER);
    let m = Module::parse(&bytes).unwrap();
    let err = Instance::new(&m, &Imports::new(), Config::default()).unwrap_err();
    assert_eq!(
        err,
        InstantiateError::MissingImport {
            name: "gpio_get_level".into()
        }
    );
    assert_eq!(
        err.to_string(),
        "unresolved import `gpio_get_level`: no host function provides it"
    );

    let level = HostFunc::new(|_, a| Ok(Some(a[0] * 10)));
    let table = |hash: u64, entries: Vec<Option<(String, HostFunc)>>| SymbolTable {
        name: "idf".into(),
        hash,
        entries,
    };
    let entries = vec![
        None,
        None,
        Some(("gpio_get_level".to_string(), level.clone())),
    ];

    let mut i = Imports::new();
    i.register_table(table(0x1234, entries.clone()));
    let inst = Instance::new(&m, &i, Config::default()).unwrap();
    assert_eq!(inst.call_i32("get", &[Value::I32(4)]).unwrap(), 40);

    let mut i = Imports::new();
    i.register_table(table(0x9999, entries.clone()));
    let err = Instance::new(&m, &i, Config::default()).unwrap_err();
    assert!(matches!(
        err,
        InstantiateError::SymbolTableMismatch {
            module_hash: 0x1234,
            runtime_hash: 0x9999,
            ..
        }
    ));
    assert!(
        err.to_string().contains("symbol table `idf` mismatch"),
        "{err}"
    );

    let mut i = Imports::new();
    i.register_table(table(0x1234, vec![None, None, None]));
    let err = Instance::new(&m, &i, Config::default()).unwrap_err();
    assert_eq!(
        err.to_string(),
        "import `gpio_get_level` (symbol table `idf` slot 2) is configured out of this firmware"
    );

    let mut i = Imports::new();
    i.register_table(table(0x1234, vec![Some(("x".into(), level.clone()))]));
    let err = Instance::new(&m, &i, Config::default()).unwrap_err();
    assert!(
        matches!(
            err,
            InstantiateError::SymbolIndexOutOfRange {
                index: 2,
                len: 1,
                ..
            }
        ),
        "{err}"
    );

    // Registered by name with the wrong signature.
    let mut i = Imports::new();
    i.register(
        "gpio_get_level",
        HostFunc::typed(
            espb_runtime::format::FuncType {
                params: vec![],
                result: None,
                variadic: false,
            },
            |_, _| Ok(None),
        ),
    );
    let err = Instance::new(&m, &i, Config::default()).unwrap_err();
    assert_eq!(err.to_string(), "import `gpio_get_level` is declared as (i32) -> i32 but the host function expects () -> void");

    // A resolver (the FFI's hook) provides what nothing else does.
    let mut i = Imports::new();
    let seen = Arc::new(std::sync::Mutex::new(Vec::new()));
    let seen2 = seen.clone();
    i.set_resolver(move |name, ty| {
        seen2
            .lock()
            .unwrap()
            .push((name.to_string(), ty.params.len()));
        Some(HostFunc::new(|_, a| Ok(Some(a[0] + 1))))
    });
    let inst = Instance::new(&m, &i, Config::default()).unwrap();
    assert_eq!(inst.call_i32("get", &[Value::I32(4)]).unwrap(), 5);
    assert_eq!(
        *seen.lock().unwrap(),
        vec![("gpio_get_level".to_string(), 1)]
    );
}

#[test]
fn start_function_runs_and_its_trap_fails_instantiation() {
    let src = r#"
.type () -> void
.type () -> i32
.memory data_end 0x1010 heap 0 stack 0x1000
.func ty0 regs 2 frame 0 align 0
    const32 r0, 0x1000
    const32 r1, 77
    st32 r0, r1, 0
    ret.void
.end
.func ty1 regs 1 frame 0 align 0
    const32 r0, 0x1000
    ld32_s r0, r0, 0
    ret r0
.end
.func ty0 regs 1 frame 0 align 0
    unreachable
.end
.start f0
.export "get" f1
"#;
    let bytes = common::bytes(src);
    let m = Module::parse(&bytes).unwrap();
    let inst = Instance::new(&m, &Imports::new(), Config::default()).unwrap();
    assert_eq!(inst.call_i32("get", &[]).unwrap(), 77);
    let no_start = Instance::new(
        &m,
        &Imports::new(),
        Config {
            run_start: false,
            ..Config::default()
        },
    )
    .unwrap();
    assert_eq!(no_start.call_i32("get", &[]).unwrap(), 0);

    let bytes = common::bytes(&src.replace(".start f0", ".start f2"));
    let m = Module::parse(&bytes).unwrap();
    let err = Instance::new(&m, &Imports::new(), Config::default()).unwrap_err();
    assert!(
        matches!(err, InstantiateError::Start(ref t) if t.kind == TrapKind::Unreachable { code: None }),
        "{err}"
    );
}

#[test]
fn call_api_checks_arguments() {
    with(Config::default(), |inst| {
        let t = inst.call("div", &[Value::I32(1)]).unwrap_err();
        assert_eq!(
            t.to_string(),
            "host function failed: expected 2 argument(s), got 1"
        );
        let t = inst
            .call("div", &[Value::I32(1), Value::F64(1.0)])
            .unwrap_err();
        assert_eq!(
            t.to_string(),
            "host function failed: argument 1 is f64 but the function expects i32"
        );
        let t = inst.call("nope", &[]).unwrap_err();
        assert_eq!(
            t.to_string(),
            "host function failed: no exported function `nope`"
        );
        let t = inst
            .call_i64("div", &[Value::I32(1), Value::I32(1)])
            .unwrap_err();
        assert_eq!(
            t.to_string(),
            "host function failed: `div` returned i32, not i64"
        );
    });
}

/// (export name, signature, body, arguments, expected kind, trap offset)
type TrapCase = (
    &'static str,
    &'static str,
    &'static str,
    Vec<Value>,
    TrapKind,
    u32,
);

/// Every trap kind raised inside a function that has a line table carries
/// the function, the exact offset and the C line.
#[test]
fn every_trap_kind_carries_function_offset_and_line() {
    // (name, body, args, expected kind, offset of the trapping instruction)
    let cases: Vec<TrapCase> = vec![
        (
            "oob",
            "(i32) -> i32",
            "nop\nld32_u r0, r0, 0\nret r0",
            vec![Value::I32(4)],
            TrapKind::OutOfBounds { addr: 4, size: 4 },
            4,
        ),
        (
            "divz",
            "(i32) -> i32",
            "const32 r1, 0\ni32.div_u r0, r0, r1\nret r0",
            vec![Value::I32(4)],
            TrapKind::DivByZero,
            8,
        ),
        (
            "ovf",
            "(i64) -> i32",
            "const64 r1, -1\ni64.div_s r0, r0, r1\nconst32 r0, 0\nret r0",
            vec![Value::I64(i64::MIN)],
            TrapKind::IntOverflow,
            12,
        ),
        (
            "unr",
            "(i32) -> i32",
            "nop\nnop\nunreachable",
            vec![Value::I32(0)],
            TrapKind::Unreachable { code: None },
            8,
        ),
        (
            "trp",
            "(i32) -> i32",
            "trap 1",
            vec![Value::I32(0)],
            TrapKind::Unreachable { code: Some(1) },
            0,
        ),
        (
            "deep",
            "(i32) -> i32",
            "call f5, r0\nret r0",
            vec![Value::I32(0)],
            TrapKind::StackOverflow(StackKind::CallDepth),
            0,
        ),
        (
            "restore",
            "(i32) -> i32",
            "stack.restore r0\nret r0",
            vec![Value::I32(0x1000)],
            TrapKind::BadStackRestore { addr: 0x1000 },
            0,
        ),
        (
            "nonfn",
            "(i32) -> i32",
            "call.indirect ty0, r0, r1\nret r1",
            vec![Value::I32(77)],
            TrapKind::IndirectCallNonFunction { value: 77 },
            0,
        ),
        (
            "badsig",
            "(i32) -> i32",
            "func.addr r0, f0\ncall.indirect ty1, r0, r1\nret r1",
            vec![Value::I32(0)],
            TrapKind::IndirectCallSignature { value: 0xF000_0000 },
            8,
        ),
        (
            "misal",
            "(i32) -> i32",
            "i32.addi r0, r0, 0x1001\natomic.load r0, r0, 2\nret r0",
            vec![Value::I32(0)],
            TrapKind::MisalignedAtomic {
                addr: 0x1001,
                size: 4,
            },
            8,
        ),
        (
            "badfree",
            "(i32) -> i32",
            "const32 r1, 0x1008\ncall.import imp0, r1\nret r0",
            vec![Value::I32(0)],
            TrapKind::HeapCorruption { addr: 0x1008 },
            8,
        ),
        (
            "host",
            "(i32) -> i32",
            "nop\ncall.import imp1, r0\nret r0",
            vec![Value::I32(0)],
            TrapKind::Host("no".into()),
            4,
        ),
        // Last: once the fuel is gone every call traps.
        (
            "fuel",
            "(i32) -> i32",
            "nop\nl:\nbr l",
            vec![Value::I32(0)],
            TrapKind::OutOfFuel,
            4,
        ),
    ];
    let mut src = String::from(
        ".type (i32) -> i32\n.type (i64) -> i32\n.type (ptr) -> void\n.import \"free\" ty2\n.import \"fail\" ty0\n.memory data_end 0x1100 heap 0x1000 stack 0x1000\n",
    );
    for (name, sig, body, _, _, _) in &cases {
        let ty = if sig.starts_with("(i64") { 1 } else { 0 };
        src += &format!(
            ".func ty{ty} regs 2 frame 0 align 0\n{body}\n.end\n.export \"{name}\" f{}\n",
            src.matches(".func").count()
        );
    }
    src += ".lines\n.file \"t.c\"\n";
    for i in 0..cases.len() {
        src += &format!(".linetable f{i} 0:0:{}\n", 100 + i);
    }
    for (i, (name, ..)) in cases.iter().enumerate() {
        src += &format!(".name f{i} \"{name}\"\n");
    }
    let bytes = common::bytes(&src);
    let m = Module::parse(&bytes).unwrap();
    let mut imports = Imports::new();
    imports.func("fail", |_, _| Err(Trap::host("no")));
    let inst = Instance::new(
        &m,
        &imports,
        Config {
            fuel: Some(50_000),
            max_call_depth: 100,
            ..Config::default()
        },
    )
    .unwrap();
    for (i, (name, _, _, args, kind, offset)) in cases.into_iter().enumerate() {
        let t = inst.call(name, &args).unwrap_err();
        assert_eq!(t.kind, kind, "{name}");
        assert_eq!(t.func, Some(i as u32), "{name}");
        assert_eq!(t.func_name.as_deref(), Some(name), "{name}");
        assert_eq!(t.offset, offset, "{name}");
        assert_eq!(t.source, Some(("t.c".into(), 100 + i as u32)), "{name}");
        let text = t.to_string();
        let head = format!(
            "{kind} in `{name}` (f{i}) at offset {offset:#x} (t.c:{})",
            100 + i
        );
        assert!(text.starts_with(&head), "{text}\nwant: {head}");
    }
}

#[test]
fn native_references_reach_the_handler_or_trap() {
    let src = ".type (i32, i32) -> i32\n.func ty0 regs 3 frame 0 align 0\nmov r2, r1\ncall.indirect ty0, r0, r1\nret r1\n.end\n.export \"call\" f0\n";
    let bytes = common::bytes(src);
    let m = Module::parse(&bytes).unwrap();
    let native = 0x8000_0005u32 as i32;
    // Without a handler: a non-function.
    let inst = Instance::new(&m, &Imports::new(), Config::default()).unwrap();
    let t = inst
        .call("call", &[Value::I32(native), Value::I32(4)])
        .unwrap_err();
    assert_eq!(
        t.kind,
        TrapKind::IndirectCallNonFunction { value: 0x8000_0005 }
    );
    // With one: it gets the callee value, the arguments and the site signature.
    let mut i = Imports::new();
    i.set_native_indirect(HostFunc::new(|c, a| {
        assert_eq!(c.signature().params.len(), 2);
        assert_eq!(c.import_index(), u32::MAX);
        Ok(Some(a[0] - 0x8000_0000 + a[1] * 100 + a[2]))
    }));
    let inst = Instance::new(&m, &i, Config::default()).unwrap();
    assert_eq!(
        inst.call_i32("call", &[Value::I32(native), Value::I32(4)])
            .unwrap(),
        5 + 400 + 4
    );
    // Module and import references still go their own way.
    let t = inst
        .call("call", &[Value::I32(0x7fff_ffff), Value::I32(4)])
        .unwrap_err();
    assert_eq!(
        t.kind,
        TrapKind::IndirectCallNonFunction { value: 0x7fff_ffff }
    );
}

/// Module → qsort → comparator → module → qsort … is cut off by
/// `max_reentry` with a trap, before the native stack runs out.
#[test]
fn unbounded_host_reentry_traps() {
    let src = r#"
.type (i32) -> i32
.type (ptr, ptr) -> i32
.type (ptr, i32, i32, ptr) -> void
.import "qsort" ty2
.memory data_end 0x1010 heap 0 stack 0x10000
.data 0x1000 "0200000001000000"
.func ty0 regs 5 frame 0 align 0
    const32 r1, 0x1000
    const32 r2, 2
    const32 r3, 4
    func.addr r4, f1
    call.import imp0, r1
    const32 r0, 0
    ret r0
.end
.func ty1 regs 2 frame 0 align 0
    call f0, r0
    const32 r0, 0
    ret r0
.end
.export "f" f0
.name f0 "f"
"#;
    let bytes = common::bytes(src);
    let m = Module::parse(&bytes).unwrap();
    for limit in [1u32, 5, 16] {
        let inst = Instance::new(
            &m,
            &Imports::new(),
            Config {
                max_reentry: limit,
                ..Config::default()
            },
        )
        .unwrap();
        let t = inst.call("f", &[Value::I32(0)]).unwrap_err();
        assert_eq!(t.kind, TrapKind::StackOverflow(StackKind::Reentry), "{t}");
        assert_eq!(
            t.func_name.as_deref(),
            Some("f"),
            "located at the innermost qsort call"
        );
        // The context is intact afterwards.
        assert_eq!(
            inst.call("f", &[Value::I32(0)]).unwrap_err().kind,
            TrapKind::StackOverflow(StackKind::Reentry)
        );
    }
}
