//! Helpers shared by the integration tests: a raw container reader/writer
//! that is independent of the crate's own (so tests can build files the
//! writer never would), and a module that uses every section.
#![allow(dead_code)]

use espb_format::text::assemble;
use espb_format::{Module, SectionId};

/// Header (12 bytes) and section-table entry (12 bytes) sizes, from the spec.
pub const HEADER: usize = 12;
pub const ENTRY: usize = 12;

/// One section of a container: its id byte and its body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RawSection {
    pub id: u8,
    pub body: Vec<u8>,
}

/// Splits a well-formed container into its sections, in table order.
pub fn split(bytes: &[u8]) -> Vec<RawSection> {
    let n = u16::from_le_bytes([bytes[8], bytes[9]]) as usize;
    (0..n)
        .map(|i| {
            let e = &bytes[HEADER + ENTRY * i..HEADER + ENTRY * (i + 1)];
            let offset = u32::from_le_bytes(e[4..8].try_into().unwrap()) as usize;
            let size = u32::from_le_bytes(e[8..12].try_into().unwrap()) as usize;
            RawSection {
                id: e[0],
                body: bytes[offset..offset + size].to_vec(),
            }
        })
        .collect()
}

/// File offsets of the bodies [`join`] writes: back to back, except that
/// the code section starts at a multiple of 4 (as the reader requires).
fn layout(sections: &[RawSection]) -> Vec<usize> {
    let mut offset = HEADER + ENTRY * sections.len();
    sections
        .iter()
        .map(|s| {
            if s.id == SectionId::Code as u8 {
                offset = offset.next_multiple_of(4);
            }
            let at = offset;
            offset += s.body.len();
            at
        })
        .collect()
}

/// Writes a container: header, table, then the bodies back to back (the
/// code section 4-aligned).
pub fn join(sections: &[RawSection]) -> Vec<u8> {
    let mut out = b"ESPB".to_vec();
    out.extend_from_slice(&[espb_format::VERSION_MAJOR, 0, 0, 0]);
    out.extend_from_slice(&(sections.len() as u16).to_le_bytes());
    out.extend_from_slice(&[0, 0]);
    let offsets = layout(sections);
    for (s, offset) in sections.iter().zip(&offsets) {
        out.extend_from_slice(&[s.id, 0, 0, 0]);
        out.extend_from_slice(&(*offset as u32).to_le_bytes());
        out.extend_from_slice(&(s.body.len() as u32).to_le_bytes());
    }
    for (s, offset) in sections.iter().zip(&offsets) {
        out.resize(*offset, 0);
        out.extend_from_slice(&s.body);
    }
    out
}

/// File offset of the body of the section at table position `index` in a
/// container written by [`join`].
pub fn body_offset(sections: &[RawSection], index: usize) -> usize {
    layout(sections)[index]
}

/// Table position of the (first) section with id `id`.
pub fn position(sections: &[RawSection], id: SectionId) -> usize {
    sections
        .iter()
        .position(|s| s.id == id as u8)
        .unwrap_or_else(|| panic!("no {id:?} section"))
}

/// File offset of the table entry at position `index`.
pub fn entry_offset(index: usize) -> usize {
    HEADER + ENTRY * index
}

/// File offset of the body of section `id` in any well-formed container.
pub fn section_offset(bytes: &[u8], id: SectionId) -> usize {
    let n = u16::from_le_bytes([bytes[8], bytes[9]]) as usize;
    (0..n)
        .map(|i| &bytes[HEADER + ENTRY * i..HEADER + ENTRY * (i + 1)])
        .find(|e| e[0] == id as u8)
        .map(|e| u32::from_le_bytes(e[4..8].try_into().unwrap()) as usize)
        .unwrap_or_else(|| panic!("no {id:?} section"))
}

pub fn uleb(mut v: u64) -> Vec<u8> {
    let mut out = Vec::new();
    loop {
        let b = (v & 0x7f) as u8;
        v >>= 7;
        if v == 0 {
            out.push(b);
            return out;
        }
        out.push(b | 0x80);
    }
}

/// A valid module that uses every section and both import kinds.
pub const FULL: &str = r#"
.type () -> void
.type (i32, i32) -> i32
.type (ptr, ...) -> i32
.type (ptr, i32) -> i32
.type (ptr, ptr) -> i32
.symtab "esp-idf" 0x0123456789abcdef
.import "printf" ty2
.import "register_cb" ty4 fast 0 7
.import "fill" ty3
.memory data_end 0x1100 heap 0x1000 stack 0x1000
.data 0x1000 "68692025640a00"

.func ty0 regs 4 frame 16 align 3
    const32 r1, 0x1000
    const32 r2, 1
    call.import.var imp0, ty3, r1
    ret.void
.end

.func ty1 regs 3 frame 0 align 0 flags leaf
    i32.add r2, r0, r1
    ret r2
.end
.export "main" f0
.export "add" f1
.start f0
.callback imp1 p0 ty1 ud p1
.pointer imp0 p0 in strlen
.lines
.file "main.c"
.linetable f0 0:0:3 6:0:4
.name f0 "main"
.name f1 "add"
.custom "note" "0102"
"#;

pub fn full() -> Module<'static> {
    assemble(FULL).expect("FULL assembles")
}

pub fn full_bytes() -> Vec<u8> {
    let bytes = full().to_bytes();
    espb_format::parse(&bytes).expect("FULL is valid");
    bytes
}

/// The sample module shipped with the crate.
pub fn sample_bytes() -> Vec<u8> {
    let text = include_str!("../data/sample.espbs");
    assemble(text).expect("sample assembles").to_bytes()
}

/// Types and imports that function-body cases can refer to:
/// ty0 `() -> void`, ty1 `(i32) -> i32`, ty2 `(ptr, ...) -> i32`,
/// ty3 `(ptr, i32) -> i32`, ty4 `(i32) -> i64`; imp0 `abs` (ty1),
/// imp1 `printf` (ty2).
pub const PRELUDE: &str = r#"
.type () -> void
.type (i32) -> i32
.type (ptr, ...) -> i32
.type (ptr, i32) -> i32
.type (i32) -> i64
.import "abs" ty1
.import "printf" ty2
"#;

/// A module whose function f0 (signature `ty`, `regs` registers, 16-byte
/// frame) has `body`, followed by a valid f1 `(i32) -> i32` and a valid
/// variadic f2 `(ptr, ...) -> i32`. Returns the bytes and the file offset of
/// f0's first instruction.
pub fn with_body(ty: u32, regs: u16, body: &str) -> (Vec<u8>, usize) {
    let text = format!(
        "{PRELUDE}\n.func ty{ty} regs {regs} frame 16 align 2\n{body}\n.end\n\
         .func ty1 regs 2 frame 0 align 0\n    ret r0\n.end\n\
         .func ty2 regs 2 frame 0 align 0\n    ld32_s r0, r1, 0\n    ret r0\n.end\n"
    );
    let bytes = assemble(&text)
        .unwrap_or_else(|e| panic!("{e}\n{text}"))
        .to_bytes();
    let code = section_offset(&bytes, SectionId::Code);
    (bytes, code)
}
