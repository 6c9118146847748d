//! Loads and stores, out-of-bounds traps, bulk memory, atomics, frames.

use super::*;

#[test]
fn loads_and_stores() {
    let b = mem_builder();
    // memory at 0x1000: f0 ff 80 01 fe ff 7f 80; loads read at addr + 1.
    let l = |n: &'static str, a: i32, w: i64| (n, vec![I32(a)], I64(w));
    run_cases(
        &b,
        &[
            l("ld8_s", 0x1000, -1),
            l("ld8_u", 0x1000, 0xff),
            l("ld16_s", 0x1000, 0xffff_ffff_ffff_80ff_u64 as i64),
            l("ld16_u", 0x1001, 0x0180),
            l("ld32_s", 0x1003, 0xffff_ffff_807f_fffe_u64 as i64),
            l("ld32_u", 0x1003, 0x807f_fffe),
            l("ld64", 0x0fff, 0x807f_fffe_0180_fff0_u64 as i64),
            // Misaligned (the checked path), sign-extended or not.
            l("ld16_u", 0x1000, 0x80ff),
            l("ld32_s", 0x1000, 0xffff_ffff_fe01_80ff_u64 as i64),
            l("ld32_u", 0x1000, 0xfe01_80ff),
            l("ld64", 0x1000, 0x0080_7fff_fe01_80ff),
            ("st16", vec![I32(0x1071), I64(0x1234)], I64(0x1234_0000)),
            (
                "st64",
                vec![I32(0x1081), I64(0x1122_3344_5566_7788)],
                I64(0x3344_5566_7788_0000),
            ),
            ("st8", vec![I32(0x1040), I64(0x1234)], I64(0x34_0000)),
            ("st16", vec![I32(0x1040), I64(0x1234)], I64(0x1234_0000)),
            (
                "st32",
                vec![I32(0x1061), I64(-1)],
                I64(0x0000_ffff_ffff_0000),
            ),
            (
                "st64",
                vec![I32(0x1050), I64(0x1122_3344_5566_7788)],
                I64(0x3344_5566_7788_0000),
            ),
        ],
    );
}

#[test]
fn out_of_bounds_accesses_trap() {
    let b = mem_builder();
    with_instance(&b, |inst| {
        let end = inst.memory().len() as i32;
        for (name, args, addr, size) in [
            ("ld8_u", vec![I32(0)], 1u32, 1u32),
            ("ld32_u", vec![I32(0x0ffe)], 0x0fff, 4),
            ("ld64", vec![I32(end - 8)], (end - 7) as u32, 8),
            ("ld8_u", vec![I32(-1)], 0, 1),
            ("st64", vec![I32(end - 9), I64(0)], (end - 7) as u32, 8),
            ("st8", vec![I32(-2), I64(0)], 0, 1),
        ] {
            let t = inst.call(name, &args).unwrap_err();
            assert_eq!(
                t.kind,
                TrapKind::OutOfBounds { addr, size },
                "{name}{args:?}"
            );
            assert_eq!(t.func_name.as_deref(), Some(name));
        }
        // The last valid byte is fine.
        assert_eq!(inst.call("ld8_u", &[I32(end - 2)]).unwrap(), Some(I64(0)));
    });
}

#[test]
fn bulk_memory() {
    let mut b = Builder::new();
    b.memory =
        Some(".memory data_end 0x1100 heap 0 stack 0x1000\n.data 0x1000 \"0102030405060708\"");
    b.func(
        "copy",
        "(ptr, ptr, i32) -> i64",
        3,
        "mem.copy r0, r1, r2\nconst32 r1, 0x1000\nld64 r0, r1, 0\nret r0",
    );
    b.func(
        "move",
        "(ptr, ptr, i32) -> i64",
        3,
        "mem.move r0, r1, r2\nconst32 r1, 0x1000\nld64 r0, r1, 0\nret r0",
    );
    b.func(
        "fill",
        "(ptr, i32, i32) -> i64",
        3,
        "mem.fill r0, r1, r2\nconst32 r1, 0x1000\nld64 r0, r1, 0\nret r0",
    );
    with_instance(&b, |inst| {
        // overlapping forward move: 01 02 03 04 05 06 07 08 -> 01 01 02 03 04 05 07 08
        let v = inst
            .call("move", &[I32(0x1001), I32(0x1000), I32(5)])
            .unwrap();
        assert_eq!(v, Some(I64(0x0807_0504_0302_0101)));
        // overlapping backward move
        let v = inst
            .call("copy", &[I32(0x1000), I32(0x1001), I32(3)])
            .unwrap();
        assert_eq!(v, Some(I64(0x0807_0504_0302_0101 & !0xff_ffff | 0x03_0201)));
        let v = inst
            .call("fill", &[I32(0x1002), I32(0x1ab), I32(3)])
            .unwrap();
        assert_eq!(v, Some(I64(0x0807_05ab_abab_0201)));
        // zero length never traps, even at a bad address
        assert!(inst.call("fill", &[I32(0), I32(0), I32(0)]).is_ok());
        let end = inst.memory().len() as i32;
        let t = inst
            .call("fill", &[I32(end - 4), I32(0), I32(5)])
            .unwrap_err();
        assert_eq!(
            t.kind,
            TrapKind::OutOfBounds {
                addr: (end - 4) as u32,
                size: 5
            }
        );
        let t = inst
            .call("copy", &[I32(0x1000), I32(0x800), I32(4)])
            .unwrap_err();
        assert_eq!(
            t.kind,
            TrapKind::OutOfBounds {
                addr: 0x800,
                size: 4
            }
        );
    });
}

#[test]
fn atomics() {
    let mut b = Builder::new();
    b.memory = Some(".memory data_end 0x1100 heap 0 stack 0x1000");
    // rmw on a 32-bit cell initialised to `init`; returns old | new << 32.
    for (name, kind) in [
        ("xchg", 2),
        ("add", 2 | 1 << 2),
        ("sub", 2 | 2 << 2),
        ("and", 2 | 3 << 2),
        ("or", 2 | 4 << 2),
        ("xor", 2 | 5 << 2),
        ("nand", 2 | 6 << 2),
        ("max_s", 2 | 7 << 2),
        ("min_s", 2 | 8 << 2),
        ("max_u", 2 | 9 << 2),
        ("min_u", 2 | 10 << 2),
        ("add8", 1 << 2),
        ("add64", 3 | 1 << 2),
    ] {
        let body = format!(
            "const32 r2, 0x1010\natomic.store r2, r0, 3\natomic.rmw r3, r2, r1, {kind}\natomic.load r4, r2, 3\ni64.shli r4, r4, 32\ni64.zext32 r3, r3\ni64.or r0, r3, r4\nret r0"
        );
        b.func(name, "(i64, i64) -> i64", 5, &body);
    }
    b.func(
        "cas",
        "(i32, i32) -> i64",
        5,
        "const32 r2, 0x1010\nconst32 r3, 5\natomic.store r2, r3, 2\natomic.cmpxchg r3, r2, r0, r1, 2\natomic.load r4, r2, 2\ni64.shli r4, r4, 32\ni64.zext32 r3, r3\ni64.or r0, r3, r4\nfence\nret r0",
    );
    b.func(
        "load_at",
        "(ptr) -> i64",
        1,
        "atomic.load r0, r0, 2\nret r0",
    );
    b.func(
        "load16_at",
        "(ptr) -> i64",
        1,
        "atomic.load r0, r0, 1\nret r0",
    );
    let pack = |old: u32, new: u32| I64(((new as u64) << 32 | old as u64) as i64);
    let r = |n: &'static str, init: i64, v: i64, old: u32, new: u32| {
        (n, vec![I64(init), I64(v)], pack(old, new))
    };
    run_cases(
        &b,
        &[
            r("xchg", 5, 9, 5, 9),
            r("add", 0xffff_ffff, 2, 0xffff_ffff, 1),
            r("sub", 0, 1, 0, 0xffff_ffff),
            r("and", 0b1100, 0b1010, 0b1100, 0b1000),
            r("or", 0b1100, 0b1010, 0b1100, 0b1110),
            r("xor", 0b1100, 0b1010, 0b1100, 0b0110),
            r("nand", 0b1100, 0b1010, 0b1100, !0b1000),
            r("max_s", -1, 1, 0xffff_ffff, 1),
            r("min_s", -1, 1, 0xffff_ffff, 0xffff_ffff),
            r("max_u", -1, 1, 0xffff_ffff, 0xffff_ffff),
            r("min_u", -1, 1, 0xffff_ffff, 1),
            // 8-bit add wraps inside its byte; the old value is zero-extended
            r("add8", 0xff, 1, 0xff, 0),
            ("cas", vec![I32(5), I32(7)], pack(5, 7)),
            ("cas", vec![I32(4), I32(7)], pack(5, 5)),
        ],
    );
    with_instance(&b, |inst| {
        // 64-bit rmw: old 2^32+1, add 2^32 -> new 2^33+1; low halves packed.
        let v = inst
            .call("add64", &[I64((1 << 32) | 1), I64(1 << 32)])
            .unwrap();
        assert_eq!(v, Some(I64(((1u64 << 32) | 1) as i64)));
        let t = inst.call("load_at", &[I32(0x1012)]).unwrap_err();
        assert_eq!(
            t.kind,
            TrapKind::MisalignedAtomic {
                addr: 0x1012,
                size: 4
            }
        );
        assert!(t.to_string().contains("misaligned atomic"), "{t}");
        assert_eq!(
            inst.call("load16_at", &[I32(0x1012)]).unwrap(),
            Some(I64(0))
        );
        let t = inst.call("load_at", &[I32(0x800)]).unwrap_err();
        assert_eq!(
            t.kind,
            TrapKind::OutOfBounds {
                addr: 0x800,
                size: 4
            }
        );
    });
}

#[test]
fn frames_alloca_and_stack_save_restore() {
    let mut b = Builder::new();
    b.memory = Some(".memory data_end 0x1100 heap 0 stack 0x1000");
    // frame.addr within the aligned frame; write and read back
    b.func(
        "frame",
        "(i64) -> i64",
        2,
        "frame.addr r1, 8\nst64 r1, r0, 0\nld64 r0, r1, 0\nret r0",
    );
    // alloca n bytes aligned 64, twice: second pointer is below the first
    b.func(
        "alloca",
        "(i32) -> i32",
        4,
        "alloca r1, r0, 64\nalloca r2, r0, 64\ni32.andi r3, r2, 63\nbr.nei.i32 r3, 0, bad\ni32.sub r0, r1, r2\nret r0\nbad:\nconst32 r0, -1\nret r0",
    );
    // save, alloca, restore: the next alloca reuses the same address
    b.func(
        "save_restore",
        "(i32) -> i32",
        4,
        "stack.save r1\nalloca r2, r0, 8\nstack.restore r1\nalloca r3, r0, 8\ni32.sub r0, r2, r3\nret r0",
    );
    b.func(
        "bad_restore",
        "(i32) -> i32",
        2,
        "stack.restore r0\nconst32 r0, 0\nret r0",
    );
    b.func("huge_alloca", "(i32) -> i32", 2, "alloca r0, r0, 8\nret r0");
    run_cases(
        &b,
        &[
            (
                "frame",
                vec![I64(0x0102_0304_0506_0708)],
                I64(0x0102_0304_0506_0708),
            ),
            ("alloca", vec![I32(100)], I32(128)),
            ("save_restore", vec![I32(24)], I32(0)),
        ],
    );
    with_instance(&b, |inst| {
        let t = inst.call("bad_restore", &[I32(0x1000)]).unwrap_err();
        assert_eq!(t.kind, TrapKind::BadStackRestore { addr: 0x1000 });
        let t = inst.call("huge_alloca", &[I32(0x10_0000)]).unwrap_err();
        assert!(matches!(t.kind, TrapKind::StackOverflow(_)), "{t}");
        assert_eq!(
            t.to_string().lines().next().unwrap(),
            "stack overflow: shadow stack exhausted in `huge_alloca` (f4) at offset 0x0"
        );
        // the stack is fully released after a trap
        assert_eq!(inst.call("save_restore", &[I32(24)]).unwrap(), Some(I32(0)));
    });
}
