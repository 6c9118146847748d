//! The default ESP-IDF fast-symbol table on the host: each slot of
//! `symtabs/esp-idf.espbsym` bound to the host platform's function or the
//! runtime's builtin of that name, so modules built with fast imports run
//! unchanged.

use crate::imports::{Imports, SymbolTable};

/// The bundled table's text.
pub const ESP_IDF_SYMTAB: &str = include_str!("../../../symtabs/esp-idf.espbsym");

/// The `esp-idf` table with every slot `imports` (or the builtins) provide;
/// a slot nobody provides stays NULL, so a module importing it fails to load
/// with an error naming the symbol.
pub fn esp_idf_table(imports: &Imports) -> SymbolTable {
    // The bundled file is parsed by a unit test of espb-format; a parse
    // failure here could only come from a corrupted build tree.
    let t = espb_format::symtab::SymbolTable::parse(ESP_IDF_SYMTAB).unwrap_or_else(|_| {
        espb_format::symtab::SymbolTable {
            name: "esp-idf".into(),
            entries: Vec::new(),
        }
    });
    let entries = t
        .entries
        .iter()
        .map(|e| {
            imports
                .get(&e.name)
                .cloned()
                .or_else(|| crate::builtins::lookup(&e.name))
                .map(|f| (e.name.clone(), f))
        })
        .collect();
    SymbolTable {
        name: t.name.clone(),
        hash: t.hash(),
        entries,
    }
}
