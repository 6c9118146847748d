//! Fast symbols: imports named in a symbol table become `(table, index)`,
//! the module records each used table's name and hash, and names outside
//! every table stay by-name imports.

use espb_codegen::{translate_with_stats, Options};
use espb_format::symtab::SymbolTable;
use espb_format::{ImportKind, SymTabRef};

mod common;

use common::repo;

fn bitcode(name: &str, opt: &str) -> Vec<u8> {
    common::bitcode("ffi_symbols", name, opt)
}

fn esp_idf() -> SymbolTable {
    let text = std::fs::read_to_string(repo().join("symtabs/esp-idf.espbsym")).unwrap();
    SymbolTable::parse(&text).unwrap()
}

#[test]
fn imports_in_the_esp_idf_table_are_fast() {
    let table = esp_idf();
    for opt in ["-O0", "-O2", "-Os"] {
        let opts = Options {
            symbol_tables: vec![table.clone()],
            ..Options::default()
        };
        let (m, stats) = translate_with_stats(&bitcode("tasks_queue", opt), &opts).unwrap();
        assert_eq!(
            m.symtabs,
            vec![SymTabRef {
                name: "esp-idf".into(),
                hash: table.hash()
            }]
        );
        for imp in &m.imports {
            let want = table
                .index_of(&imp.name)
                .expect("every import is in the table");
            assert_eq!(
                imp.kind,
                ImportKind::Fast {
                    table: 0,
                    index: want
                },
                "{}",
                imp.name
            );
        }
        let create = m
            .imports
            .iter()
            .find(|i| i.name == "xTaskCreatePinnedToCore")
            .unwrap();
        assert_eq!(create.kind, ImportKind::Fast { table: 0, index: 7 });
        let r = stats.ffi.iter().find(|r| r.name == "printf").unwrap();
        assert_eq!(r.fast, Some(("esp-idf".to_string(), 0)));
        // The encoded module keeps the names and the table reference.
        let bytes = m.to_bytes();
        let back = espb_format::parse(&bytes).unwrap();
        assert_eq!(back.symtabs, m.symtabs);
        assert_eq!(back.imports, m.imports);
    }
}

#[test]
fn unknown_names_stay_by_name_and_a_user_table_is_recorded_when_used() {
    let user =
        SymbolTable::parse("table my-board\n0 dev_read\n1 dev_on_event\n2 unused_fn\n").unwrap();
    let unused = SymbolTable::parse("table never-used\n0 nothing_here\n").unwrap();
    let opts = Options {
        symbol_tables: vec![unused.clone(), esp_idf(), user.clone()],
        ..Options::default()
    };
    let (m, stats) = translate_with_stats(&bitcode("unknown_native", "-O2"), &opts).unwrap();
    let kind = |n: &str| m.imports.iter().find(|i| i.name == n).unwrap().kind;
    // Tables are numbered in the order the module first uses them.
    let esp = m.symtabs.iter().position(|t| t.name == "esp-idf").unwrap() as u32;
    let mine = m.symtabs.iter().position(|t| t.name == "my-board").unwrap() as u32;
    assert_eq!(m.symtabs.len(), 2, "{:?}", m.symtabs);
    assert_eq!(m.symtabs[mine as usize].hash, user.hash());
    assert_eq!(
        kind("printf"),
        ImportKind::Fast {
            table: esp,
            index: 0
        }
    );
    assert_eq!(
        kind("dev_read"),
        ImportKind::Fast {
            table: mine,
            index: 0
        }
    );
    assert_eq!(
        kind("dev_on_event"),
        ImportKind::Fast {
            table: mine,
            index: 1
        }
    );
    assert_eq!(kind("dev_widget_new"), ImportKind::Name);
    assert_eq!(kind("dev_job_run"), ImportKind::Name);
    let r = stats
        .ffi
        .iter()
        .find(|r| r.name == "dev_widget_new")
        .unwrap();
    assert_eq!(r.fast, None);
    espb_format::parse(&m.to_bytes()).unwrap();

    // Without tables every import is by name and no table is recorded.
    let (m, _) =
        translate_with_stats(&bitcode("unknown_native", "-O2"), &Options::default()).unwrap();
    assert!(m.symtabs.is_empty());
    assert!(m.imports.iter().all(|i| i.kind == ImportKind::Name));
}

#[test]
fn two_tables_with_one_name_are_refused() {
    let a = SymbolTable::parse("table t\n0 printf\n").unwrap();
    let b = SymbolTable::parse("table t\n0 puts\n").unwrap();
    let opts = Options {
        symbol_tables: vec![a, b],
        ..Options::default()
    };
    let d = translate_with_stats(&bitcode("unknown_native", "-O2"), &opts).unwrap_err();
    assert!(
        d.to_string().contains("two symbol tables are named `t`"),
        "{d}"
    );
}
