//! Fast-symbol tables: ordered lists of native symbol names whose indices never
//! move. The translator resolves imports to `(table, index)`; the firmware
//! registers one native address per index (NULL for an entry configured out);
//! both sides identify the table by its name and [`SymbolTable::hash`].
//!
//! Text form (`*.espbsym`, see `docs/symtab.md`):
//!
//! ```text
//! # comment
//! table esp-idf
//! 0 printf
//! 1 puts
//! 2 esp_wifi_init if CONFIG_ESP_WIFI_ENABLED
//! ```
//!
//! Every entry line starts with its index, which must be the previous index
//! plus one: a table can only grow at the end, and a reviewer sees any
//! attempt to renumber.

use alloc::string::{String, ToString};
use alloc::vec::Vec;

use crate::msg::{Message, Sink};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SymbolEntry {
    pub name: String,
    /// The entry exists only when this sdkconfig option is set; otherwise its
    /// slot is NULL on the device (the slot itself never disappears).
    pub condition: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SymbolTable {
    pub name: String,
    pub entries: Vec<SymbolEntry>,
}

/// A symbol-table syntax error: the 1-based line and what is wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SymTabError {
    pub line: usize,
    pub message: String,
}

impl Message for SymTabError {
    fn write(&self, out: &mut dyn Sink) {
        crate::msg!(out, "line {}: {}", self.line, &self.message);
    }
}

crate::display_via_message!(SymTabError);

#[cfg(feature = "std")]
impl std::error::Error for SymTabError {}

fn is_symbol(s: &str) -> bool {
    let mut chars = s.chars();
    matches!(chars.next(), Some(c) if c == '_' || c.is_ascii_alphabetic())
        && chars.all(|c| c == '_' || c.is_ascii_alphanumeric())
}

impl SymbolTable {
    /// Parses the text form.
    pub fn parse(text: &str) -> Result<SymbolTable, SymTabError> {
        let mut name = None;
        let mut entries: Vec<SymbolEntry> = Vec::new();
        for (i, raw) in text.lines().enumerate() {
            let line = i + 1;
            let err = |message: String| SymTabError { line, message };
            let content = raw.split('#').next().unwrap_or("").trim();
            if content.is_empty() {
                continue;
            }
            let words: Vec<&str> = content.split_whitespace().collect();
            if words[0] == "table" {
                if words.len() != 2 {
                    return Err(err("expected `table <name>`".into()));
                }
                if name.is_some() {
                    return Err(err("the table is named twice".into()));
                }
                name = Some(words[1].to_string());
                continue;
            }
            let index: usize = words[0].parse().map_err(|_| {
                err(crate::text!(
                    "expected `<index> <symbol>`, found `{}`",
                    content
                ))
            })?;
            if index != entries.len() {
                return Err(err(crate::text!(
                    "index {} out of order: expected {} (indices never move; append new symbols at the end)",
                    index,
                    entries.len()
                )));
            }
            let condition = match words.len() {
                2 => None,
                4 if words[2] == "if" => Some(words[3].to_string()),
                _ => return Err(err("expected `<index> <symbol> [if CONFIG_OPTION]`".into())),
            };
            if !is_symbol(words[1]) {
                return Err(err(crate::text!("`{}` is not a C symbol name", words[1])));
            }
            if entries.iter().any(|e| e.name == words[1]) {
                return Err(err(crate::text!("symbol `{}` appears twice", words[1])));
            }
            entries.push(SymbolEntry {
                name: words[1].to_string(),
                condition,
            });
        }
        let name = name.ok_or(SymTabError {
            line: 1,
            message: "missing `table <name>` line".into(),
        })?;
        Ok(SymbolTable { name, entries })
    }

    /// FNV-1a (64-bit) over the table name and every slot's symbol name, in
    /// order. Conditions are not hashed: configuring an entry out keeps the
    /// slot, so a module built against the table stays valid.
    pub fn hash(&self) -> u64 {
        let mut h: u64 = 0xcbf2_9ce4_8422_2325;
        // The table's name, then each entry's, each followed by `\n`: one
        // loop (one copy of the 64-bit multiply on a 32-bit chip).
        let names = core::iter::once(&self.name).chain(self.entries.iter().map(|e| &e.name));
        for name in names {
            for &b in name.as_bytes().iter().chain(b"\n") {
                h ^= b as u64;
                h = h.wrapping_mul(0x0000_0100_0000_01b3);
            }
        }
        h
    }

    /// The index of `symbol`, if the table has it.
    pub fn index_of(&self, symbol: &str) -> Option<u32> {
        self.entries
            .iter()
            .position(|e| e.name == symbol)
            .map(|i| i as u32)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_hashes() {
        let t = SymbolTable::parse(
            "# x\ntable t\n0 printf\n1 puts # c\n2 esp_wifi_init if CONFIG_WIFI\n",
        )
        .unwrap();
        assert_eq!(t.name, "t");
        assert_eq!(t.entries.len(), 3);
        assert_eq!(t.entries[2].condition.as_deref(), Some("CONFIG_WIFI"));
        assert_eq!(t.index_of("puts"), Some(1));
        // The condition does not change the hash; order and names do.
        let u = SymbolTable::parse("table t\n0 printf\n1 puts\n2 esp_wifi_init\n").unwrap();
        assert_eq!(t.hash(), u.hash());
        let v = SymbolTable::parse("table t\n0 puts\n1 printf\n2 esp_wifi_init\n").unwrap();
        assert_ne!(t.hash(), v.hash());
    }

    #[test]
    fn bundled_esp_idf_table_is_valid() {
        let t = SymbolTable::parse(include_str!("../../symtabs/esp-idf.espbsym")).unwrap();
        assert_eq!(t.name, "esp-idf");
        // Slots the bundled headers' macros produce must be present.
        for s in [
            "xTaskCreatePinnedToCore",
            "xTimerGenericCommand",
            "xQueueGenericSend",
            "esp_log_write",
            "printf",
        ] {
            assert!(t.index_of(s).is_some(), "{s} missing");
        }
    }

    #[test]
    fn rejects_bad_tables() {
        let e = SymbolTable::parse("table t\n0 a\n2 b\n").unwrap_err();
        assert_eq!(e.line, 3);
        assert!(e.message.contains("out of order"), "{e}");
        assert!(SymbolTable::parse("table t\n0 a\n1 a\n")
            .unwrap_err()
            .message
            .contains("twice"));
        assert!(SymbolTable::parse("0 a\n")
            .unwrap_err()
            .message
            .contains("missing `table"));
        assert!(SymbolTable::parse("table t\n0 9a\n")
            .unwrap_err()
            .message
            .contains("not a C symbol"));
        assert!(SymbolTable::parse("table t\n0 a when X\n").is_err());
    }
}
