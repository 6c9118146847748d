//! Reading the translator's input: LLVM bitcode (raw or in the wrapper
//! header Apple's tools write) or LLVM IR text, with an error that names the
//! LLVM version a newer producer used.

use inkwell::context::Context;
use inkwell::memory_buffer::MemoryBuffer;
use inkwell::module::Module;

use crate::diag::Diagnostic;

/// The LLVM major version this translator reads (inkwell's `llvm19-1`).
pub const LLVM_MAJOR: u32 = 19;

const RAW_MAGIC: &[u8] = b"BC\xC0\xDE";
const WRAPPER_MAGIC: &[u8] = &[0xDE, 0xC0, 0x17, 0x0B];

/// Whether `bytes` look like bitcode rather than IR text.
pub fn is_bitcode(bytes: &[u8]) -> bool {
    bytes.starts_with(RAW_MAGIC) || bytes.starts_with(WRAPPER_MAGIC)
}

/// Parses `bytes` as bitcode or, when they are not bitcode, as IR text.
pub fn parse<'c>(context: &'c Context, bytes: &[u8]) -> Result<Module<'c>, Diagnostic> {
    if is_bitcode(bytes) {
        let buf = MemoryBuffer::create_from_memory_range_copy(bytes, "input.bc");
        return Module::parse_bitcode_from_buffer(&buf, context).map_err(|e| {
            let reason = e.to_string();
            match producer_major(bytes) {
                Some(v) if v > LLVM_MAJOR => Diagnostic::new(format!(
                    "cannot read LLVM bitcode: it was written by LLVM {v}, and espb reads LLVM {LLVM_MAJOR} \
                     bitcode (an older LLVM cannot read a newer one's); compile with clang-{LLVM_MAJOR}, \
                     or give the IR as text (`clang -S -emit-llvm`, a .ll file)"
                )),
                _ => Diagnostic::new(format!("cannot read LLVM bitcode: {}", reason.trim())),
            }
        });
    }
    // IR text must be NUL-terminated for LLVM's parser.
    let buf = MemoryBuffer::create_from_memory_range_copy(bytes, "input.ll");
    context.create_module_from_ir(buf).map_err(|e| {
        Diagnostic::new(format!(
            "cannot read the input as LLVM bitcode or IR text: {}",
            e.to_string().trim()
        ))
    })
}

/// The major version in the bitcode's producer string (`LLVM19.1.7`, which
/// the IDENTIFICATION block stores as plain characters).
pub fn producer_major(bytes: &[u8]) -> Option<u32> {
    let at = bytes.windows(4).position(|w| w == b"LLVM")?;
    let digits: String = bytes[at + 4..]
        .iter()
        .take(4)
        .take_while(|b| b.is_ascii_digit())
        .map(|&b| b as char)
        .collect();
    digits.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn producer_version_is_read_from_the_identification_string() {
        let mut b = RAW_MAGIC.to_vec();
        b.extend_from_slice(b"\x35\x14\x00\x00LLVM21.1.0\x00");
        assert_eq!(producer_major(&b), Some(21));
        assert_eq!(producer_major(b"BC\xC0\xDEnothing"), None);
    }

    #[test]
    fn ir_text_is_accepted() {
        let c = Context::create();
        let ir = b"target datalayout = \"e-m:e-p:32:32-i64:64-n32-S128\"\ndefine i32 @f() {\n  ret i32 7\n}\n";
        let m = parse(&c, ir).unwrap();
        assert!(m.get_function("f").is_some());
    }

    #[test]
    fn garbage_is_an_error_not_a_panic() {
        let c = Context::create();
        let e = parse(&c, b"\x00\x01garbage").unwrap_err();
        assert!(e.to_string().contains("IR text"), "{e}");
        let e = parse(&c, b"BC\xC0\xDE\x01\x02LLVM23.0.0").unwrap_err();
        assert!(e.to_string().contains("LLVM 23"), "{e}");
    }
}
