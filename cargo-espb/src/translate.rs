//! The one place that calls the translator (`espb-codegen`): linked bitcode
//! in, a validated module's bytes out.

use miette::Result;

use crate::config::Config;

/// Translator settings taken from the project configuration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TranslateOptions {
    pub export_all: bool,
    pub heap_size: u32,
    pub stack_size: u32,
    pub debug_lines: bool,
}

impl TranslateOptions {
    pub fn from_config(c: &Config) -> TranslateOptions {
        TranslateOptions {
            export_all: c.ffi.export_all,
            heap_size: c.memory.heap_size,
            stack_size: c.memory.stack_size,
            debug_lines: c.build.debug_lines,
        }
    }

    /// Part of the translate step's cache key.
    pub fn key_parts(&self) -> Vec<String> {
        vec![
            format!("export_all={}", self.export_all),
            format!("heap={}", self.heap_size),
            format!("stack={}", self.stack_size),
            format!("lines={}", self.debug_lines),
        ]
    }
}

/// Translates linked bitcode into the bytes of a `.espb` module.
pub fn translate(_bitcode: &[u8], _opts: &TranslateOptions) -> Result<Vec<u8>> {
    Err(miette::miette!(
        help = "this build of cargo-espb predates the translator; rebuild it once espb-codegen exports `translate`",
        "the espb-codegen translator is not available in this build"
    ))
}
