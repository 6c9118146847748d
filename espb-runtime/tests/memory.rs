//! The embedder's view of linear memory: checked access and host pointers.

mod common;

use espb_runtime::{Config, Imports, Instance, Module, TrapKind};

#[test]
fn checked_access_and_host_pointers() {
    let bytes = common::bytes(
        ".memory data_end 0x1010 heap 0x100 stack 0x100\n.data 0x1000 \"41424300\"\n",
    );
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
    let mem = inst.memory();
    // data_end 0x1010 -> heap at 0x1010..0x1110 -> one 0x100 stack slot
    assert_eq!(mem.len(), 0x1210);
    assert_eq!(mem.strlen(0x1000, 16).unwrap(), Some(3));
    assert_eq!(mem.strlen(0x1000, 2).unwrap(), None);
    assert_eq!(
        mem.load8(0xfff),
        Err(TrapKind::OutOfBounds {
            addr: 0xfff,
            size: 1
        })
    );
    assert_eq!(
        mem.host_ptr(0x0, 4),
        Err(TrapKind::OutOfBounds { addr: 0, size: 4 })
    );
    assert_eq!(
        mem.host_ptr(0x120f, 2),
        Err(TrapKind::OutOfBounds {
            addr: 0x120f,
            size: 2
        })
    );
    let p = mem.host_ptr(0x1000, 4).unwrap();
    // SAFETY: `p` addresses 4 bytes of linear memory, which this test alone uses.
    let seen = unsafe { std::slice::from_raw_parts(p, 4) }.to_vec();
    assert_eq!(seen, b"ABC\0");
    // SAFETY: as above; no module code runs concurrently.
    unsafe { *p = b'Z' };
    assert_eq!(mem.load8(0x1000).unwrap(), b'Z');
    assert_eq!(
        mem.write(0x120e, b"xyz"),
        Err(TrapKind::OutOfBounds {
            addr: 0x120e,
            size: 3
        })
    );
    let mut buf = [0u8; 2];
    assert!(mem.read(0x120e, &mut buf).is_ok());
    assert_eq!(mem.copy(0x1100, 0x1000, 4), Ok(()));
    assert_eq!(mem.load32(0x1100).unwrap(), u32::from_le_bytes(*b"ZBC\0"));
}
