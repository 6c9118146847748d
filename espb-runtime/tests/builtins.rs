//! The runtime's own imports (heap, string.h, stdlib, stdio, libm), called
//! from `.espbs` modules exactly as translated C calls them.

// The literals are printf inputs with known C output, not approximations of π.
#![allow(clippy::approx_constant)]

mod common;

use espb_runtime::{Config, Imports, Instance, Module, TrapKind, Value};

use Value::{F64, I32, I64};

/// One `printf` call per case: (format, arguments) → expected output.
fn printf_module(cases: &[(&str, Vec<Value>)]) -> String {
    let mut types = vec![
        "(ptr, ...) -> i32".to_string(),
        "(ptr, i32, ptr, ...) -> i32".to_string(),
        "() -> i32".into(),
    ];
    let mut data = String::new();
    let mut funcs = String::new();
    let mut addr = 0x1000u32;
    for (i, (fmt, args)) in cases.iter().enumerate() {
        let hex: String = fmt.bytes().chain([0]).map(|b| format!("{b:02x}")).collect();
        data += &format!(".data {addr:#x} \"{hex}\"\n");
        let site: Vec<&str> = std::iter::once("ptr")
            .chain(args.iter().map(|a| match a {
                I32(_) => "i32",
                I64(_) => "i64",
                F64(_) => "f64",
                Value::F32(_) => unreachable!("C promotes float to double"),
            }))
            .collect();
        let ty = format!("({}) -> i32", site.join(", "));
        let tyi = types.iter().position(|t| *t == ty).unwrap_or_else(|| {
            types.push(ty.clone());
            types.len() - 1
        });
        let mut body = format!("const32 r1, {addr}\n");
        for (j, a) in args.iter().enumerate() {
            let r = j + 2;
            body += &match a {
                I32(v) => format!("const32 r{r}, {v}\n"),
                I64(v) => format!("const64 r{r}, {v}\n"),
                F64(v) => format!("const64 r{r}, {}\n", v.to_bits() as i64),
                Value::F32(_) => unreachable!(),
            };
        }
        body += &format!("call.import.var imp0, ty{tyi}, r1\nret r1\n");
        funcs += &format!(
            ".func ty2 regs {} frame 0 align 0\n{body}.end\n.export \"case{i}\" f{i}\n",
            args.len() + 2
        );
        addr += fmt.len() as u32 + 1;
    }
    let mut s = String::new();
    for t in &types {
        s += &format!(".type {t}\n");
    }
    s += ".import \"printf\" ty0\n";
    s += &format!(
        ".memory data_end {:#x} heap 0x1000 stack 0x1000\n",
        addr + 16
    );
    s + &data + &funcs
}

#[test]
fn printf_conversions_match_c() {
    let cases: Vec<(&str, Vec<Value>, &str)> = vec![
        (
            "%d|%5d|%-5d|%05d|%+d|% d",
            vec![I32(42); 6],
            "42|   42|42   |00042|+42| 42",
        ),
        ("%i %d", vec![I32(i32::MIN), I32(-1)], "-2147483648 -1"),
        (
            "%u %x %X %o %#x %#o",
            vec![I32(-1), I32(255), I32(255), I32(8), I32(255), I32(8)],
            "4294967295 ff FF 10 0xff 010",
        ),
        (
            "%lld %llu %llx",
            vec![I64(i64::MIN), I64(-1), I64(0x0123_4567_89ab_cdef)],
            "-9223372036854775808 18446744073709551615 123456789abcdef",
        ),
        (
            "%ld %lu %zu",
            vec![I32(-5), I32(-1), I32(7)],
            "-5 4294967295 7",
        ),
        (
            "%.3d|%.0d|%8.3d",
            vec![I32(7), I32(0), I32(-7)],
            "007||    -007",
        ),
        ("%c%c%c", vec![I32(97), I32(98), I32(99)], "abc"),
        ("%p %%", vec![I32(0x1234)], "0x1234 %"),
        (
            "%f %.2f %10.3f %-10.1f|",
            vec![F64(3.14159), F64(2.675), F64(-1.5), F64(2.25)],
            "3.141590 2.67     -1.500 2.2       |",
        ),
        (
            "%e %E %.0e",
            vec![F64(12345.678), F64(0.000123), F64(5e10)],
            "1.234568e+04 1.230000E-04 5e+10",
        ),
        (
            "%g %g %g %g %G %#g",
            vec![
                F64(100000.0),
                F64(1000000.0),
                F64(0.0001),
                F64(0.00001),
                F64(1e-10),
                F64(1.5),
            ],
            "100000 1e+06 0.0001 1e-05 1E-10 1.50000",
        ),
        (
            "%g %g %g",
            vec![F64(3.14159265), F64(0.0), F64(-2.5e-7)],
            "3.14159 0 -2.5e-07",
        ),
        (
            "%f %f %F %5.1f",
            vec![
                F64(f64::INFINITY),
                F64(f64::NEG_INFINITY),
                F64(f64::NAN),
                F64(-0.0),
            ],
            "inf -inf NAN  -0.0",
        ),
        (
            "%5.1f|%-10.3e|%+.2f",
            vec![F64(9.96), F64(1.0), F64(0.0)],
            " 10.0|1.000e+00 |+0.00",
        ),
        (
            "%*d|%-*d|%.*f",
            vec![I32(5), I32(42), I32(4), I32(7), I32(2), F64(3.14159)],
            "   42|7   |3.14",
        ),
        (
            "%hhd %hd %hhu",
            vec![I32(0x1ff), I32(0x18000), I32(0x1ff)],
            "-1 -32768 255",
        ),
        (
            "%08.3f|%-+6d|%x",
            vec![F64(-3.14159), I32(5), I32(0)],
            "-003.142|+5    |0",
        ),
    ];
    let mut plain: Vec<(&str, Vec<Value>)> =
        cases.iter().map(|(f, a, _)| (*f, a.clone())).collect();
    plain.push(("%999999999d", vec![I32(1)]));
    plain.push(("%.*f", vec![I32(1 << 30), F64(1.0)]));
    let bytes = common::bytes(&printf_module(&plain));
    let m = Module::parse(&bytes).unwrap();
    let (cfg, out) = common::buffered();
    let inst = Instance::new(&m, &Imports::new(), cfg).unwrap();
    for (i, (fmt, _, want)) in cases.iter().enumerate() {
        let n = inst.call_i32(&format!("case{i}"), &[]).unwrap();
        let got = String::from_utf8(out.take()).unwrap();
        assert_eq!(got, *want, "printf({fmt:?})");
        assert_eq!(n as usize, want.len(), "printf({fmt:?}) return value");
    }
    // Absurd widths and precisions are refused, not allocated.
    for case in [cases.len(), cases.len() + 1] {
        let t = inst.call_i32(&format!("case{case}"), &[]).unwrap_err();
        assert!(
            t.to_string()
                .contains("printf: field width or precision above 65536"),
            "{t}"
        );
    }
}

#[test]
fn printf_strings() {
    let src = r#"
.type (ptr, ...) -> i32
.type (ptr, ptr, ptr, ptr, ptr, ptr) -> i32
.type (ptr, i32, ptr, ...) -> i32
.type (ptr, i32, ptr, i32) -> i32
.type () -> i32
.type (ptr, ptr, i32) -> i32
.type (ptr) -> i32
.type (ptr, ptr, ...) -> i32
.import "printf" ty0
.import "snprintf" ty2
.import "sprintf" ty7
.import "puts" ty6
.memory data_end 0x1100 heap 0 stack 0x1000
; "%s|%10s|%-10s|%.2s|%s\n" at 0x1000, "hello" at 0x1020, "%d" at 0x1030
.data 0x1000 "25737c253130737c252d3130737c252e32737c25730a00"
.data 0x1020 "68656c6c6f00"
.data 0x1030 "256400"
.func ty4 regs 8 frame 0 align 0
    const32 r1, 0x1000
    const32 r2, 0x1020
    const32 r3, 0x1020
    const32 r4, 0x1020
    const32 r5, 0x1020
    const32 r6, 0
    call.import.var imp0, ty1, r1
    ret r1
.end
.func ty4 regs 6 frame 0 align 0
    const32 r1, 0x1040
    const32 r2, 5
    const32 r3, 0x1030
    const32 r4, 123456
    call.import.var imp1, ty3, r1
    ret r1
.end
.func ty4 regs 6 frame 0 align 0
    const32 r1, 0x1060
    const32 r2, 0x1030
    const32 r3, -77
    call.import.var imp2, ty5, r1
    ret r1
.end
.func ty4 regs 3 frame 0 align 0
    const32 r1, 0x1020
    call.import imp3, r1
    ret r1
.end
.export "pf" f0
.export "snp" f1
.export "sp" f2
.export "puts" f3
"#;
    let bytes = common::bytes(src);
    let m = Module::parse(&bytes).unwrap();
    let (cfg, out) = common::buffered();
    let inst = Instance::new(&m, &Imports::new(), cfg).unwrap();
    inst.call_i32("pf", &[]).unwrap();
    assert_eq!(
        out.to_string_lossy(),
        "hello|     hello|hello     |he|(null)\n"
    );
    assert_eq!(
        inst.call_i32("snp", &[]).unwrap(),
        6,
        "snprintf returns the untruncated length"
    );
    let mut buf = [0u8; 6];
    inst.memory().read(0x1040, &mut buf).unwrap();
    assert_eq!(&buf, b"1234\0\0");
    assert_eq!(inst.call_i32("sp", &[]).unwrap(), 3);
    inst.memory().read(0x1060, &mut buf[..4]).unwrap();
    assert_eq!(&buf[..4], b"-77\0");
    out.take();
    inst.call_i32("puts", &[]).unwrap();
    assert_eq!(out.to_string_lossy(), "hello\n");
}

const HEAP: &str = r#"
.type (i32) -> ptr
.type (ptr) -> void
.type (i32, i32) -> ptr
.type (ptr, i32) -> ptr
.type (ptr, i32, i32) -> i32
.import "malloc" ty0
.import "free" ty1
.import "calloc" ty2
.import "realloc" ty3
.import "aligned_alloc" ty2
.import "posix_memalign" ty4
.memory data_end 0x1000 heap 0x2000 stack 0x1000
.func ty0 regs 1 frame 0 align 0
    call.import imp0, r0
    ret r0
.end
.func ty1 regs 1 frame 0 align 0
    call.import imp1, r0
    ret.void
.end
.func ty2 regs 2 frame 0 align 0
    call.import imp2, r0
    ret r0
.end
.func ty3 regs 2 frame 0 align 0
    call.import imp3, r0
    ret r0
.end
.func ty2 regs 2 frame 0 align 0
    call.import imp4, r0
    ret r0
.end
.func ty4 regs 3 frame 0 align 0
    call.import imp5, r0
    ret r0
.end
.export "malloc" f0
.export "free" f1
.export "calloc" f2
.export "realloc" f3
.export "aligned_alloc" f4
.export "posix_memalign" f5
"#;

#[test]
fn module_heap() {
    let bytes = common::bytes(HEAP);
    let m = Module::parse(&bytes).unwrap();
    let inst = Instance::new(&m, &Imports::new(), Config::default()).unwrap();
    let malloc = |n: i32| inst.call_i32("malloc", &[I32(n)]).unwrap() as u32;
    let free = |p: u32| inst.call("free", &[I32(p as i32)]);

    let a = malloc(100);
    assert!(a >= 0x1000 && a.is_multiple_of(8), "{a:#x}");
    let b = malloc(100);
    assert!(b >= a + 104 || b + 104 <= a);
    assert_eq!(malloc(0x10_0000), 0, "out of memory is NULL");
    assert_eq!(malloc(-1), 0);
    inst.memory().write(a, b"hello heap").unwrap();
    // realloc keeps the contents
    let a2 = inst
        .call_i32("realloc", &[I32(a as i32), I32(3000)])
        .unwrap() as u32;
    let mut buf = [0u8; 10];
    inst.memory().read(a2, &mut buf).unwrap();
    assert_eq!(&buf, b"hello heap");
    // realloc failure leaves the block alone
    assert_eq!(
        inst.call_i32("realloc", &[I32(a2 as i32), I32(0x10_0000)])
            .unwrap(),
        0
    );
    inst.memory().read(a2, &mut buf).unwrap();
    assert_eq!(&buf, b"hello heap");
    free(a2).unwrap();
    // calloc zeroes reused memory
    inst.memory().write(b, &[0xAA; 100]).unwrap();
    free(b).unwrap();
    let c = inst.call_i32("calloc", &[I32(10), I32(10)]).unwrap() as u32;
    let mut z = [1u8; 100];
    inst.memory().read(c, &mut z).unwrap();
    assert_eq!(z, [0u8; 100]);
    assert_eq!(
        inst.call_i32("calloc", &[I32(0x10000), I32(0x10000)])
            .unwrap(),
        0,
        "n*size overflow is NULL"
    );
    let al = inst
        .call_i32("aligned_alloc", &[I32(256), I32(10)])
        .unwrap() as u32;
    assert!(al != 0 && al.is_multiple_of(256), "{al:#x}");
    // posix_memalign writes the pointer through its out-parameter
    let out = malloc(4);
    assert_eq!(
        inst.call_i32("posix_memalign", &[I32(out as i32), I32(64), I32(8)])
            .unwrap(),
        0
    );
    let p = inst.memory().load32(out).unwrap();
    assert!(p != 0 && p.is_multiple_of(64));
    assert_eq!(
        inst.call_i32("posix_memalign", &[I32(out as i32), I32(3), I32(8)])
            .unwrap(),
        22,
        "EINVAL"
    );
    free(0).unwrap();
    // double free and invalid free trap
    free(c).unwrap();
    let t = free(c).unwrap_err();
    assert_eq!(t.kind, TrapKind::HeapCorruption { addr: c });
    let t = free(al + 8).unwrap_err();
    assert_eq!(t.kind, TrapKind::HeapCorruption { addr: al + 8 });
    assert_eq!(inst.heap_live_allocations(), 3, "al, out and p are live");
}

#[test]
fn qsort_and_bsearch_call_the_module_comparator() {
    let src = r#"
.type (ptr, ptr) -> i32
.type (ptr, i32, i32, ptr) -> void
.type (ptr, ptr, i32, i32, ptr) -> ptr
.type () -> void
.type (i32) -> ptr
.import "qsort" ty1
.import "bsearch" ty2
.memory data_end 0x1040 heap 0 stack 0x1000
.data 0x1000 "0500000001000000ffffffff0900000003000000"
.func ty0 regs 3 frame 0 align 0
    ld32_s r0, r0, 0
    ld32_s r1, r1, 0
    i32.lt_s r2, r0, r1
    i32.gt_s r0, r0, r1
    i32.sub r0, r0, r2
    ret r0
.end
.func ty3 regs 5 frame 0 align 0
    const32 r1, 0x1000
    const32 r2, 5
    const32 r3, 4
    func.addr r4, f0
    call.import imp0, r1
    ret.void
.end
.func ty4 regs 6 frame 0 align 0
    const32 r1, 0x1030
    st32 r1, r0, 0
    const32 r2, 0x1000
    const32 r3, 5
    const32 r4, 4
    func.addr r5, f0
    call.import imp1, r1
    ret r1
.end
.export "sort" f1
.export "find" f2
"#;
    let bytes = common::bytes(src);
    let m = Module::parse(&bytes).unwrap();
    let inst = Instance::new(&m, &Imports::new(), Config::default()).unwrap();
    inst.call_void("sort", &[]).unwrap();
    let got: Vec<i32> = (0..5)
        .map(|i| inst.memory().load32(0x1000 + 4 * i).unwrap() as i32)
        .collect();
    assert_eq!(got, vec![-1, 1, 3, 5, 9]);
    assert_eq!(inst.call_i32("find", &[I32(5)]).unwrap(), 0x100c);
    assert_eq!(inst.call_i32("find", &[I32(-1)]).unwrap(), 0x1000);
    assert_eq!(inst.call_i32("find", &[I32(4)]).unwrap(), 0);
}

#[test]
fn string_and_number_functions() {
    let src = r#"
.type (ptr) -> i32
.type (ptr, ptr) -> i32
.type (ptr, ptr, i32) -> i32
.type (ptr, ptr) -> ptr
.type (ptr, ptr) -> f64
.type (f64, f64) -> f64
.import "strlen" ty0
.import "strcmp" ty1
.import "strtol" ty2
.import "strstr" ty3
.import "atoi" ty0
.import "strtod" ty4
.import "pow" ty5
.import "strtoul" ty2
.memory data_end 0x1000 heap 0x1000 stack 0x1000
.func ty0 regs 1 frame 0 align 0
    call.import imp0, r0
    ret r0
.end
.func ty1 regs 2 frame 0 align 0
    call.import imp1, r0
    ret r0
.end
.func ty2 regs 3 frame 0 align 0
    call.import imp2, r0
    ret r0
.end
.func ty3 regs 2 frame 0 align 0
    call.import imp3, r0
    ret r0
.end
.func ty0 regs 1 frame 0 align 0
    call.import imp4, r0
    ret r0
.end
.func ty4 regs 2 frame 0 align 0
    call.import imp5, r0
    ret r0
.end
.func ty5 regs 2 frame 0 align 0
    call.import imp6, r0
    ret r0
.end
.func ty2 regs 3 frame 0 align 0
    call.import imp7, r0
    ret r0
.end
.export "strlen" f0
.export "strcmp" f1
.export "strtol" f2
.export "strstr" f3
.export "atoi" f4
.export "strtod" f5
.export "pow" f6
.export "strtoul" f7
"#;
    let bytes = common::bytes(src);
    let m = Module::parse(&bytes).unwrap();
    let inst = Instance::new(&m, &Imports::new(), Config::default()).unwrap();
    let put = |addr: u32, s: &str| {
        inst.memory().write(addr, s.as_bytes()).unwrap();
        inst.memory().write(addr + s.len() as u32, &[0]).unwrap();
        I32(addr as i32)
    };
    let endp = I32(0x1800);
    let end = || inst.memory().load32(0x1800).unwrap();
    assert_eq!(inst.call_i32("strlen", &[put(0x1000, "hello")]).unwrap(), 5);
    assert!(
        inst.call_i32("strcmp", &[put(0x1000, "abc"), put(0x1100, "abd")])
            .unwrap()
            < 0
    );
    assert_eq!(
        inst.call_i32("strcmp", &[put(0x1000, "abc"), put(0x1100, "abc")])
            .unwrap(),
        0
    );
    assert_eq!(
        inst.call_i32("strtol", &[put(0x1000, "  -0x1fz"), endp, I32(0)])
            .unwrap(),
        -31
    );
    assert_eq!(end(), 0x1007);
    assert_eq!(
        inst.call_i32("strtol", &[put(0x1000, "0755"), endp, I32(0)])
            .unwrap(),
        0o755
    );
    assert_eq!(
        inst.call_i32("strtol", &[put(0x1000, "99999999999"), endp, I32(10)])
            .unwrap(),
        i32::MAX
    );
    assert_eq!(
        inst.call_i32("strtol", &[put(0x1000, "-99999999999"), endp, I32(10)])
            .unwrap(),
        i32::MIN
    );
    assert_eq!(
        inst.call_i32("strtol", &[put(0x1000, "xyz"), endp, I32(10)])
            .unwrap(),
        0
    );
    assert_eq!(end(), 0x1000, "no digits: end = start");
    assert_eq!(
        inst.call_i32("strtoul", &[put(0x1000, "4294967295"), endp, I32(10)])
            .unwrap(),
        -1
    );
    assert_eq!(
        inst.call_i32("strtoul", &[put(0x1000, "zz"), endp, I32(36)])
            .unwrap(),
        35 * 36 + 35
    );
    assert_eq!(
        inst.call_i32("atoi", &[put(0x1000, "  +42abc")]).unwrap(),
        42
    );
    assert_eq!(
        inst.call_i32("strstr", &[put(0x1000, "haystack"), put(0x1100, "st")])
            .unwrap(),
        0x1003
    );
    assert_eq!(
        inst.call_i32("strstr", &[put(0x1000, "haystack"), put(0x1100, "sx")])
            .unwrap(),
        0
    );
    assert_eq!(
        inst.call_f64("strtod", &[put(0x1000, " -1.5e3x"), endp])
            .unwrap(),
        -1500.0
    );
    assert_eq!(end(), 0x1007);
    assert_eq!(
        inst.call_f64("strtod", &[put(0x1000, "1e"), endp]).unwrap(),
        1.0
    );
    assert_eq!(end(), 0x1001);
    assert!(
        inst.call_f64("strtod", &[put(0x1000, "-Infinity"), endp])
            .unwrap()
            == f64::NEG_INFINITY
    );
    assert_eq!(
        inst.call_f64("pow", &[F64(2.0), F64(10.0)]).unwrap(),
        1024.0
    );
    // A string running off the end of linear memory traps, it is not read outside.
    let last = inst.memory().len() - 3;
    inst.memory().write(last, b"abc").unwrap();
    let t = inst.call("strlen", &[I32(last as i32)]).unwrap_err();
    assert_eq!(
        t.kind,
        TrapKind::OutOfBounds {
            addr: last + 3,
            size: 1
        }
    );
}
