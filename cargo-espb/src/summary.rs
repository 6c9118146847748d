//! What a built module contains, for the build summary and `dump --json`.

use espb_format::{func_flags, Direction, Module};
use serde::Serialize;

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct ModuleStats {
    pub functions: usize,
    pub hot_functions: usize,
    pub hot: Vec<String>,
    pub imports: usize,
    pub exports: usize,
    pub callbacks: usize,
    pub out_params: usize,
    pub code_bytes: usize,
    pub data_bytes: usize,
    pub data_end: u32,
    pub heap_size: u32,
    pub stack_size: u32,
    pub line_tables: bool,
    pub size: usize,
}

impl ModuleStats {
    pub fn of(m: &Module<'_>, size: usize) -> ModuleStats {
        let hot: Vec<String> = m
            .functions
            .iter()
            .enumerate()
            .filter(|(_, f)| f.flags & func_flags::HOT != 0)
            .map(|(i, _)| {
                m.func_name(i as u32)
                    .map(str::to_string)
                    .unwrap_or_else(|| format!("f{i}"))
            })
            .collect();
        ModuleStats {
            functions: m.functions.len(),
            hot_functions: hot.len(),
            hot,
            imports: m.imports.len(),
            exports: m.exports.len(),
            callbacks: m.callbacks.len(),
            out_params: m
                .pointers
                .iter()
                .filter(|p| matches!(p.dir, Direction::Out | Direction::InOut))
                .count(),
            code_bytes: m.functions.iter().map(|f| f.code.len()).sum(),
            data_bytes: m.data.iter().map(|d| d.bytes.len()).sum(),
            data_end: m.memory.data_end,
            heap_size: m.memory.heap_size,
            stack_size: m.memory.stack_size,
            line_tables: m.lines.is_some(),
            size,
        }
    }

    /// The human summary, one line.
    pub fn line(&self) -> String {
        let hot = if self.hot_functions == 0 {
            String::new()
        } else {
            format!(" ({})", self.hot.join(", "))
        };
        format!(
            "{} functions, {} hot{hot}, {} imports, {} bytes",
            self.functions, self.hot_functions, self.imports, self.size
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_the_sample_module() {
        let text = std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../espb-format/tests/data/sample.espbs"
        ))
        .unwrap();
        let m = espb_format::text::assemble(&text).unwrap();
        let bytes = m.to_bytes();
        let s = ModuleStats::of(&m, bytes.len());
        assert_eq!(
            (s.functions, s.imports, s.exports, s.hot_functions),
            (2, 1, 2, 0)
        );
        assert_eq!(s.data_bytes, 12);
        assert!(s.line().contains("2 functions"));
    }
}
