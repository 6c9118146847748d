//! The reader must never panic, and whatever it accepts must survive both
//! round trips unchanged: encode → decode, and disassemble → assemble.
#![no_main]

use espb_format::{parse, text};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let module = match parse(data) {
        Ok(module) => module,
        Err(e) => {
            // Messages are built from hostile values too, and point into the file.
            assert!(!e.to_string().is_empty());
            assert!(
                e.offset <= data.len(),
                "{e} is past the end of {} bytes",
                data.len()
            );
            return;
        }
    };

    let bytes = module.to_bytes();
    let reparsed =
        parse(&bytes).unwrap_or_else(|e| panic!("re-encoded module does not parse: {e}"));
    assert_eq!(reparsed, module, "encode → decode changed the module");
    assert_eq!(
        reparsed.to_bytes(),
        bytes,
        "encode → decode → encode changed the bytes"
    );

    let listing = text::disassemble(&module);
    let assembled = text::assemble(&listing)
        .unwrap_or_else(|e| panic!("disassembly does not assemble: {e}\n{listing}"));
    assert_eq!(
        assembled, module,
        "disassemble → assemble changed the module\n{listing}"
    );
    assert_eq!(
        assembled.to_bytes(),
        bytes,
        "disassemble → assemble changed the bytes"
    );
});
