//! Fast symbols: imports whose name is in one of the given symbol tables
//! become `ImportKind::Fast { table, index }`, and the module records the
//! name and hash of every table it uses (`symtabs`), so a runtime holding a
//! different version of the table refuses the module (docs/symtab.md).
//! Import names stay in the module for error messages.

use std::borrow::Cow;

use espb_format::symtab::SymbolTable;
use espb_format::{ImportKind, Module, SymTabRef};

use crate::diag::Diagnostic;

/// Resolves the module's imports against `tables` (earlier tables win when
/// two list the same symbol). Returns `(table name, index)` per import.
pub fn resolve(
    module: &mut Module<'static>,
    tables: &[SymbolTable],
) -> Result<Vec<Option<(String, u32)>>, Diagnostic> {
    for (i, t) in tables.iter().enumerate() {
        if tables[..i].iter().any(|u| u.name == t.name) {
            return Err(Diagnostic::new(format!(
                "two symbol tables are named `{}`; a module records tables by name, so each must be unique",
                t.name
            )));
        }
    }
    let mut used: Vec<usize> = Vec::new();
    let mut out = Vec::with_capacity(module.imports.len());
    for imp in &mut module.imports {
        let found = tables
            .iter()
            .enumerate()
            .find_map(|(ti, t)| t.index_of(&imp.name).map(|idx| (ti, idx)));
        let Some((ti, index)) = found else {
            imp.kind = ImportKind::Name;
            out.push(None);
            continue;
        };
        let table = match used.iter().position(|&u| u == ti) {
            Some(p) => p,
            None => {
                used.push(ti);
                used.len() - 1
            }
        };
        imp.kind = ImportKind::Fast {
            table: table as u32,
            index,
        };
        out.push(Some((tables[ti].name.clone(), index)));
    }
    module.symtabs = used
        .iter()
        .map(|&ti| SymTabRef {
            name: Cow::Owned(tables[ti].name.clone()),
            hash: tables[ti].hash(),
        })
        .collect();
    Ok(out)
}
