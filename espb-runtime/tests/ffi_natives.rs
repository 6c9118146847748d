//! Real native C code called through libffi: a test library compiled for the
//! host with clang-19, and host libc (`qsort`, `snprintf`). The module is a
//! real C script translated from riscv32 bitcode, with the FFI metadata a
//! hints file would give.
#![cfg(feature = "ffi")]

mod ffi_util;

use espb_runtime::ffi::{self, Library, LinkError, NativeTable, Natives};
use espb_runtime::format::{
    ArgPlace, Direction, FuncType, ImportKind, SizeSpec, SymTabRef, ValType,
};
use espb_runtime::{Config, Imports, Instance, Module, Output, TrapKind};
use ffi_util::*;

/// What a hints file (and the bundled libc hints) says about the natives.
fn add_metadata(m: &mut espb_runtime::format::Module<'_>) {
    use ValType::*;
    // The translator applies the bundled hints (and infers more); this test
    // states the metadata of every native it calls itself.
    for f in [
        "tl_apply",
        "qsort",
        "tl_register",
        "tl_widget_new",
        "tl_job_run",
        "tl_fill",
        "tl_count_char",
        "snprintf",
        "tl_find",
    ] {
        if let Some(i) = m.imports.iter().position(|x| x.name == f) {
            m.callbacks.retain(|c| c.import != i as u32);
            m.pointers.retain(|p| p.import != i as u32);
        }
    }
    let binop = ty(m, &[I32, I32], Some(I32));
    let cmp = ty(m, &[Ptr, Ptr], Some(I32));
    let event = ty(m, &[Ptr, I32], None);
    let task = ty(m, &[Ptr], None);
    cb(m, "tl_apply", ArgPlace::Param(0), binop, None);
    ptr(
        m,
        "qsort",
        0,
        Direction::InOut,
        SizeSpec::Param { param: 1, scale: 4 },
        false,
    );
    cb(m, "qsort", ArgPlace::Param(3), cmp, None);
    cb(
        m,
        "tl_register",
        ArgPlace::Param(0),
        event,
        Some(ArgPlace::Param(1)),
    );
    ptr(
        m,
        "tl_widget_new",
        1,
        Direction::Out,
        SizeSpec::Const(4),
        true,
    );
    ptr(
        m,
        "tl_job_run",
        0,
        Direction::In,
        SizeSpec::Const(12),
        false,
    );
    cb(
        m,
        "tl_job_run",
        ArgPlace::Field {
            param: 0,
            offset: 0,
        },
        task,
        Some(ArgPlace::Field {
            param: 0,
            offset: 4,
        }),
    );
    ptr(
        m,
        "tl_fill",
        0,
        Direction::Out,
        SizeSpec::Param { param: 1, scale: 1 },
        false,
    );
    ptr(
        m,
        "tl_count_char",
        0,
        Direction::In,
        SizeSpec::StrLen,
        false,
    );
    ptr(
        m,
        "snprintf",
        0,
        Direction::Out,
        SizeSpec::Param { param: 1, scale: 1 },
        false,
    );
    ptr(m, "snprintf", 2, Direction::In, SizeSpec::StrLen, false);
    ptr(m, "tl_find", 0, Direction::InOut, SizeSpec::StrLen, false);
}

fn natives() -> Natives {
    let lib = testlib();
    let libc = Library::process();
    let mut n = Natives::new();
    for name in [
        "tl_apply",
        "tl_register",
        "tl_fire_from_thread",
        "tl_widget_new",
        "tl_widget_id",
        "tl_widget_free",
        "tl_job_run",
        "tl_fill",
        "tl_count_char",
        "tl_scale",
        "tl_find",
    ] {
        // SAFETY: the test library defines these with the prototypes the
        // script declares.
        unsafe { n.add(name, lib.symbol(name).unwrap(), None) };
    }
    // SAFETY: host libc's qsort and snprintf, called with C's prototypes.
    unsafe {
        n.add("qsort", libc.symbol("qsort").unwrap(), None);
        n.add("snprintf", libc.symbol("snprintf").unwrap(), None);
    }
    n
}

const WANT: &str = "\
apply 7
sorted -2 0 1 3 5 9
fired 4 sum=100 calls=4
widget rc=0 id=7 handle
job 3 counter=3
fill xxxxxxx count=3
snprintf 25 42|str|-7|2.50|4000000000
scale 6.000
find +2 l
";

#[test]
fn natives_callbacks_out_handles_structs_and_variadics() {
    let _serial = testlib_lock();
    for opt in ["-O0", "-O2", "-Os"] {
        let mut fm = script("ffi_calls", opt);
        add_metadata(&mut fm);
        let bytes = fm.to_bytes();
        let module = Module::parse(&bytes).unwrap();
        let mut imports = Imports::new();
        let state = ffi::link(&module, &natives(), &mut imports).unwrap();
        let (out, buf) = Output::buffer();
        let inst = Instance::new(
            &module,
            &imports,
            Config {
                output: out,
                ..Config::default()
            },
        )
        .unwrap();
        let r = inst.call_i32("main", &[]);
        assert_eq!(r, Ok(0), "{opt}: {}", buf.to_string_lossy());
        assert_eq!(buf.to_string_lossy(), WANT, "{opt}");
        // One closure per (function, signature): sub, cmp_int, on_event, job.
        assert_eq!(state.closure_count(), 4, "{opt}");
        assert!(state.take_callback_traps().is_empty());
    }
}

#[test]
fn missing_metadata_is_a_precise_trap() {
    let _serial = testlib_lock();
    let mut fm = script("ffi_calls", "-O2");
    add_metadata(&mut fm);
    // Forget the qsort comparator's callback metadata.
    let q = imp(&fm, "qsort");
    fm.callbacks.retain(|c| c.import != q);
    let bytes = fm.to_bytes();
    let module = Module::parse(&bytes).unwrap();
    let mut imports = Imports::new();
    ffi::link(&module, &natives(), &mut imports).unwrap();
    let inst = Instance::new(
        &module,
        &imports,
        Config {
            output: Output::Discard,
            ..Config::default()
        },
    )
    .unwrap();
    let t = inst.call_i32("main", &[]).unwrap_err();
    assert!(
        matches!(&t.kind, TrapKind::Host(m) if m.contains("qsort: argument 3 is a module function but has no callback metadata")),
        "{t}"
    );
}

#[test]
fn bad_metadata_is_refused_at_link_time() {
    let _serial = testlib_lock();
    let mut fm = script("ffi_calls", "-O2");
    add_metadata(&mut fm);
    let j = imp(&fm, "tl_job_run");
    fm.pointers.retain(|p| p.import != j);
    let bytes = fm.to_bytes();
    let module = Module::parse(&bytes).unwrap();
    let e = ffi::link(&module, &natives(), &mut Imports::new())
        .err()
        .unwrap();
    assert!(
        matches!(&e, LinkError::Metadata { import, message } if import == "tl_job_run" && message.contains("no `in 0 size N`")),
        "{e}"
    );
}

#[test]
fn registered_signature_must_match() {
    let _serial = testlib_lock();
    let fm = script("ffi_calls", "-O2");
    let bytes = fm.to_bytes();
    let module = Module::parse(&bytes).unwrap();
    let mut n = natives();
    let wrong = FuncType {
        params: vec![ValType::I32, ValType::I32],
        result: Some(ValType::I32),
        variadic: false,
    };
    // SAFETY: never called: the link is refused.
    unsafe {
        n.add(
            "tl_count_char",
            testlib().symbol("tl_count_char").unwrap(),
            Some(wrong),
        )
    };
    let e = ffi::link(&module, &n, &mut Imports::new()).err().unwrap();
    assert_eq!(e.to_string(), "native import `tl_count_char`: the module calls it as (ptr, i32) -> i32, it is registered as (i32, i32) -> i32");
}

/// Rewrites the module's `tl_*` imports to fast imports of table `tl`.
fn fast_module(table: &NativeTable, hash: u64) -> Vec<u8> {
    let mut fm = script("ffi_calls", "-O2");
    add_metadata(&mut fm);
    fm.symtabs.push(SymTabRef {
        name: "tl".into(),
        hash,
    });
    for i in fm.imports.iter_mut() {
        if let Some(idx) = table.table.index_of(&i.name) {
            i.kind = ImportKind::Fast {
                table: 0,
                index: idx,
            };
        }
    }
    fm.to_bytes()
}

const TL_TABLE: &str = "table tl\n0 tl_apply\n1 tl_register\n2 tl_fire_from_thread\n3 tl_widget_new\n4 tl_widget_id\n\
5 tl_widget_free\n6 tl_job_run\n7 tl_fill\n8 tl_count_char\n9 tl_scale\n10 tl_find if CONFIG_TL_FIND\n";

#[test]
fn fast_symbols_resolve_by_slot_and_check_the_table() {
    let _serial = testlib_lock();
    let lib = testlib();
    let full = NativeTable::parse(TL_TABLE, |s| lib.symbol(s)).unwrap();
    let mut n = Natives::new();
    // SAFETY: qsort/snprintf from libc; the table's addresses come from the test library.
    unsafe {
        n.add("qsort", Library::process().symbol("qsort").unwrap(), None);
        n.add(
            "snprintf",
            Library::process().symbol("snprintf").unwrap(),
            None,
        );
        n.add_table(full.clone());
    }
    let bytes = fast_module(&full, full.hash());
    let module = Module::parse(&bytes).unwrap();
    let mut imports = Imports::new();
    ffi::link(&module, &n, &mut imports).unwrap();
    let (out, buf) = Output::buffer();
    let inst = Instance::new(
        &module,
        &imports,
        Config {
            output: out,
            ..Config::default()
        },
    )
    .unwrap();
    assert_eq!(inst.call_i32("main", &[]), Ok(0));
    assert_eq!(buf.to_string_lossy(), WANT);

    // A module built against another version of the table is refused.
    let bytes = fast_module(&full, full.hash() ^ 1);
    let module = Module::parse(&bytes).unwrap();
    let e = ffi::link(&module, &n, &mut Imports::new()).err().unwrap();
    assert!(
        e.to_string().starts_with("symbol table `tl` mismatch"),
        "{e}"
    );

    // A slot configured out (NULL) fails at load, naming the symbol.
    let cut = NativeTable::parse(
        TL_TABLE,
        |s| if s == "tl_find" { None } else { lib.symbol(s) },
    )
    .unwrap();
    let mut n2 = Natives::new();
    // SAFETY: as above.
    unsafe {
        n2.add("qsort", Library::process().symbol("qsort").unwrap(), None);
        n2.add(
            "snprintf",
            Library::process().symbol("snprintf").unwrap(),
            None,
        );
        n2.add_table(cut.clone());
    }
    let bytes = fast_module(&cut, cut.hash());
    let module = Module::parse(&bytes).unwrap();
    let e = ffi::link(&module, &n2, &mut Imports::new()).err().unwrap();
    assert_eq!(
        e,
        LinkError::ConfiguredOut {
            import: "tl_find".into(),
            table: "tl".into(),
            index: 10
        }
    );
    assert_eq!(
        e.to_string(),
        "import `tl_find` (symbol table `tl` slot 10) is configured out of this firmware"
    );
}

#[cfg(feature = "host")]
#[test]
fn natives_under_the_host_platform() {
    let _serial = testlib_lock();
    use espb_runtime::host::{run_app, EndReason, HostConfig};
    let mut fm = script("ffi_calls", "-O2");
    add_metadata(&mut fm);
    let bytes = fm.to_bytes();
    let module = Module::parse(&bytes).unwrap();
    let mut imports = Imports::new();
    ffi::link(&module, &natives(), &mut imports).unwrap();
    let (out, buf) = Output::buffer();
    let st = run_app(
        &module,
        HostConfig {
            virtual_time: true,
            imports,
            output: out,
            ..HostConfig::default()
        },
    )
    .unwrap();
    assert_eq!(st.reason, EndReason::Exit(0));
    assert_eq!(buf.to_string_lossy(), WANT);
}

/// No glue at all: the metadata is what the translator inferred from the C
/// source (function-pointer arguments, their user data, out-parameters,
/// struct-embedded callbacks, strings) plus the bundled hints. `qsort` stays
/// the runtime's builtin: the bundled hint sizes its array in elements.
#[test]
fn translator_inferred_metadata_is_enough() {
    let _serial = testlib_lock();
    for opt in ["-O0", "-O2", "-Os"] {
        let fm = script("ffi_calls", opt);
        let bytes = fm.to_bytes();
        let module = Module::parse(&bytes).unwrap();
        let mut n = natives();
        n.remove("qsort");
        let mut imports = Imports::new();
        ffi::link(&module, &n, &mut imports).unwrap();
        let (out, buf) = Output::buffer();
        let inst = Instance::new(
            &module,
            &imports,
            Config {
                output: out,
                ..Config::default()
            },
        )
        .unwrap();
        assert_eq!(
            inst.call_i32("main", &[]),
            Ok(0),
            "{opt}: {}",
            buf.to_string_lossy()
        );
        assert_eq!(buf.to_string_lossy(), WANT, "{opt}");
    }
}
