//! Fast-symbol imports on the host platform, and hostile handles.
#![cfg(feature = "host")]

mod host_util;

use espb_runtime::format::ImportKind;
use espb_runtime::host::{esp_idf_table, run_app, EndReason, HostConfig, RunError};
use espb_runtime::{Imports, InstantiateError, Module, Output, TrapKind};
use host_util::*;

/// The queue_tasks script with every import the esp-idf table has made fast.
fn fast_bytes(hash_xor: u64) -> (Vec<u8>, usize) {
    let bc = bitcode("queue_tasks", "-O2");
    let mut m = espb_codegen::translate(&bc, &espb_codegen::Options::default()).unwrap();
    let t = esp_idf_table(&Imports::new());
    let tab = espb_runtime::format::symtab::SymbolTable::parse(include_str!(
        "../../symtabs/esp-idf.espbsym"
    ))
    .unwrap();
    assert_eq!(t.hash, tab.hash());
    m.symtabs.push(espb_runtime::format::SymTabRef {
        name: "esp-idf".into(),
        hash: tab.hash() ^ hash_xor,
    });
    let mut n = 0;
    for i in m.imports.iter_mut() {
        if let Some(idx) = tab.index_of(&i.name) {
            i.kind = ImportKind::Fast {
                table: 0,
                index: idx,
            };
            n += 1;
        }
    }
    (m.to_bytes(), n)
}

#[test]
fn fast_imports_run_on_the_host_platform() {
    let (bytes, n) = fast_bytes(0);
    assert!(n >= 6, "queue, task and printf imports are fast");
    let module = Module::parse(&bytes).unwrap();
    let (out, buf) = Output::buffer();
    let st = run_app(
        &module,
        HostConfig {
            output: out,
            ..virt()
        },
    )
    .unwrap();
    assert_eq!(st.reason, EndReason::Finished);
    assert!(
        buf.to_string_lossy()
            .starts_with("got 100 at 0 in cons\nsent 100 at 0\n"),
        "{}",
        buf.to_string_lossy()
    );
}

#[test]
fn a_module_built_against_another_table_is_refused() {
    let (bytes, _) = fast_bytes(0x5a5a);
    let module = Module::parse(&bytes).unwrap();
    match run_app(&module, virt()) {
        Err(RunError::Instantiate(e @ InstantiateError::SymbolTableMismatch { .. })) => {
            assert!(
                e.to_string().starts_with(
                    "symbol table `esp-idf` mismatch: the module was built against hash"
                ),
                "{e}"
            );
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn a_deleted_handle_traps_with_the_function_name() {
    for opt in OPTS {
        let (out, r) = run_script("bad_handle", opt, virt());
        assert_eq!(out, "zero-length NULL\ndeleted\n", "{opt}");
        match r {
            Err(RunError::Trap { task, trap }) => {
                assert_eq!(task, "main");
                assert!(
                    matches!(&trap.kind, TrapKind::Host(m) if m.starts_with("xQueueGenericSend: 0x9") && m.ends_with("is not a valid queue or semaphore handle (deleted?)")),
                    "{trap}"
                );
            }
            other => panic!("{opt}: {other:?}"),
        }
    }
}

#[test]
fn missing_entry_is_reported() {
    let bytes = espb_runtime::format::text::assemble(".type () -> void\n.func ty0 regs 1 frame 0 align 0\n    ret.void\n.end\n.export \"setup\" f0\n")
        .unwrap()
        .to_bytes();
    let module = Module::parse(&bytes).unwrap();
    match run_app(&module, virt()) {
        Err(RunError::NoEntry(m)) => assert_eq!(
            m,
            "the module exports no entry function (looked for app_main, main)"
        ),
        other => panic!("{other:?}"),
    }
}
