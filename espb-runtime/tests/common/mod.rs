//! Shared helpers: assemble `.espbs` text to validated bytes, instantiate.
#![allow(dead_code)]

use espb_runtime::format::text::assemble;
use espb_runtime::output::SharedBuffer;
use espb_runtime::{Config, Output};

/// Assembles `src` and encodes it at an aligned address (validation happens
/// in `Module::parse`).
pub fn bytes(src: &str) -> espb_runtime::format::AlignedBytes {
    let m = assemble(src).unwrap_or_else(|e| panic!("assemble: {e:?}"));
    m.to_bytes().into()
}

/// A config whose output goes to a fresh buffer.
pub fn buffered() -> (Config, SharedBuffer) {
    let (out, buf) = Output::buffer();
    (
        Config {
            output: out,
            ..Config::default()
        },
        buf,
    )
}
