//! Fast-symbol tables bound to native addresses: the `.espbsym` list plus
//! one address per slot (NULL for an entry configured out).

use alloc::vec::Vec;

use espb_format::symtab::{SymTabError, SymbolTable};

/// A symbol table whose slots hold native function addresses.
#[derive(Debug, Clone)]
pub struct NativeTable {
    pub table: SymbolTable,
    /// One address per slot; `None`: configured out (NULL on the device).
    pub addrs: Vec<Option<usize>>,
}

impl NativeTable {
    /// Parses `espbsym` text and asks `resolve` for each slot's address.
    pub fn parse(
        text: &str,
        mut resolve: impl FnMut(&str) -> Option<usize>,
    ) -> Result<NativeTable, SymTabError> {
        let table = SymbolTable::parse(text)?;
        let addrs = table
            .entries
            .iter()
            .map(|e| resolve(&e.name).filter(|&a| a != 0))
            .collect();
        Ok(NativeTable { table, addrs })
    }

    pub fn hash(&self) -> u64 {
        self.table.hash()
    }
}
