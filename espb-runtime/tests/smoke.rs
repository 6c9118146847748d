mod common;

use espb_runtime::{Imports, Instance, Module, Value};

#[test]
fn sample_fib_and_printf() {
    let b = common::bytes(include_str!("../../espb-format/tests/data/sample.espbs"));
    let m = Module::parse(&b).unwrap();
    let (cfg, out) = common::buffered();
    let inst = Instance::new(&m, &Imports::new(), cfg).unwrap();
    assert_eq!(inst.call_i64("fib", &[Value::I32(10)]).unwrap(), 55);
    assert_eq!(
        inst.call_i64("fib", &[Value::I32(90)]).unwrap(),
        2880067194370816120
    );
    assert_eq!(inst.call_i32("main", &[]).unwrap(), 0);
    assert_eq!(out.to_string_lossy(), "fib = 12586269025\n");
}

#[test]
fn shared_types_are_send_and_sync() {
    fn check<T: Send + Sync>() {}
    check::<Module<'static>>();
    check::<Instance<'static>>();
    check::<espb_runtime::InstanceHandle>();
    check::<espb_runtime::InterruptHandle>();
    check::<espb_runtime::HostFunc>();
    check::<espb_runtime::Trap>();
    assert!(
        std::mem::size_of::<espb_runtime::Trap>() < 128,
        "Result<_, Trap> stays cheap"
    );
}
