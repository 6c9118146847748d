//! The assembler must never panic on any text; what it assembles must
//! encode, and if valid, disassemble back to a module that assembles the same.
#![no_main]

use espb_format::{parse, text};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(source) = core::str::from_utf8(data) else {
        return;
    };
    let Ok(module) = text::assemble(source) else {
        return;
    };
    let bytes = module.to_bytes();
    let Ok(parsed) = parse(&bytes) else { return };
    let again = text::assemble(&text::disassemble(&parsed))
        .expect("disassembly of a valid module assembles");
    assert_eq!(again.to_bytes(), bytes);
});
