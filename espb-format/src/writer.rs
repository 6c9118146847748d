//! Serialises a [`Module`] to bytes. The layout is described in `docs/format.md`.

use alloc::vec::Vec;

use crate::error::SectionId;
use crate::module::*;
use crate::opcodes::INSTR_ALIGN;

/// Size of the fixed file header.
pub const HEADER_SIZE: usize = 12;
/// Size of one section-table entry.
pub const SECTION_ENTRY_SIZE: usize = 12;

/// The memory requirements of a module without a memory section: no data,
/// heap or stack beyond the null guard.
pub const DEFAULT_MEMORY: MemoryReq = MemoryReq {
    data_end: NULL_GUARD,
    heap_size: 0,
    stack_size: 0,
};

pub(crate) fn put_uleb(out: &mut Vec<u8>, mut v: u32) {
    loop {
        let byte = (v & 0x7f) as u8;
        v >>= 7;
        if v == 0 {
            out.push(byte);
            return;
        }
        out.push(byte | 0x80);
    }
}

fn put_str(out: &mut Vec<u8>, s: &str) {
    put_uleb(out, s.len() as u32);
    out.extend_from_slice(s.as_bytes());
}

fn put_bytes(out: &mut Vec<u8>, b: &[u8]) {
    put_uleb(out, b.len() as u32);
    out.extend_from_slice(b);
}

fn put_place(out: &mut Vec<u8>, place: &ArgPlace) {
    match *place {
        ArgPlace::Param(p) => {
            out.push(0);
            put_uleb(out, p);
        }
        ArgPlace::Field { param, offset } => {
            out.push(1);
            put_uleb(out, param);
            put_uleb(out, offset);
        }
    }
}

impl Module<'_> {
    /// Encodes the module. Sections that would be empty are omitted, and so is
    /// the memory section when it equals [`DEFAULT_MEMORY`].
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut sections: Vec<(SectionId, Vec<u8>)> = Vec::new();

        if !self.types.is_empty() {
            let mut s = Vec::new();
            put_uleb(&mut s, self.types.len() as u32);
            for t in &self.types {
                s.push(t.variadic as u8);
                put_uleb(&mut s, t.params.len() as u32);
                s.extend(t.params.iter().map(|p| *p as u8));
                match t.result {
                    None => s.push(0),
                    Some(r) => {
                        s.push(1);
                        s.push(r as u8);
                    }
                }
            }
            sections.push((SectionId::Types, s));
        }
        if !self.imports.is_empty() {
            let mut s = Vec::new();
            put_uleb(&mut s, self.imports.len() as u32);
            for i in &self.imports {
                put_str(&mut s, &i.name);
                put_uleb(&mut s, i.ty);
                match i.kind {
                    ImportKind::Name => s.push(0),
                    ImportKind::Fast { table, index } => {
                        s.push(1);
                        put_uleb(&mut s, table);
                        put_uleb(&mut s, index);
                    }
                }
            }
            sections.push((SectionId::Imports, s));
        }
        if !self.functions.is_empty() {
            let mut s = Vec::new();
            let mut code = Vec::new();
            put_uleb(&mut s, self.functions.len() as u32);
            for f in &self.functions {
                put_uleb(&mut s, f.ty);
                s.push(f.flags);
                s.extend_from_slice(&f.regs.to_le_bytes());
                put_uleb(&mut s, f.frame_size);
                s.push(f.frame_align_log2);
                // Bodies start 4-aligned (a valid body is whole words, so
                // this pads only after a malformed one built in memory).
                code.resize(code.len().next_multiple_of(INSTR_ALIGN), 0);
                put_uleb(&mut s, code.len() as u32);
                put_uleb(&mut s, f.code.len() as u32);
                code.extend_from_slice(&f.code);
            }
            sections.push((SectionId::Functions, s));
            sections.push((SectionId::Code, code));
        }
        if !self.data.is_empty() {
            let mut s = Vec::new();
            put_uleb(&mut s, self.data.len() as u32);
            for d in &self.data {
                put_uleb(&mut s, d.addr);
                put_bytes(&mut s, &d.bytes);
            }
            sections.push((SectionId::Data, s));
        }
        // Omitted when it says what a reader assumes without one, so that
        // re-encoding a parsed module never adds a section (a full 32-entry
        // table would otherwise overflow).
        if self.memory != DEFAULT_MEMORY {
            let mut s = Vec::new();
            put_uleb(&mut s, self.memory.data_end);
            put_uleb(&mut s, self.memory.heap_size);
            put_uleb(&mut s, self.memory.stack_size);
            sections.push((SectionId::Memory, s));
        }
        if !self.exports.is_empty() {
            let mut s = Vec::new();
            put_uleb(&mut s, self.exports.len() as u32);
            for e in &self.exports {
                put_str(&mut s, &e.name);
                put_uleb(&mut s, e.func);
            }
            sections.push((SectionId::Exports, s));
        }
        if let Some(start) = self.start {
            let mut s = Vec::new();
            put_uleb(&mut s, start);
            sections.push((SectionId::Start, s));
        }
        if !self.callbacks.is_empty() {
            let mut s = Vec::new();
            put_uleb(&mut s, self.callbacks.len() as u32);
            for c in &self.callbacks {
                put_uleb(&mut s, c.import);
                put_place(&mut s, &c.place);
                put_uleb(&mut s, c.ty);
                match &c.user_data {
                    None => s.push(crate::reader::NO_USER_DATA),
                    Some(p) => put_place(&mut s, p),
                }
            }
            sections.push((SectionId::Callbacks, s));
        }
        if !self.pointers.is_empty() {
            let mut s = Vec::new();
            put_uleb(&mut s, self.pointers.len() as u32);
            for p in &self.pointers {
                put_uleb(&mut s, p.import);
                put_uleb(&mut s, p.param);
                let handles = if p.handles {
                    crate::reader::HANDLES_BIT
                } else {
                    0
                };
                let field = if p.field.is_some() {
                    crate::reader::FIELD_BIT
                } else {
                    0
                };
                s.push(p.dir as u8 | handles | field);
                if let Some(off) = p.field {
                    put_uleb(&mut s, off);
                }
                match p.size {
                    SizeSpec::Const(n) => {
                        s.push(0);
                        put_uleb(&mut s, n);
                    }
                    SizeSpec::Param { param, scale } => {
                        s.push(1);
                        put_uleb(&mut s, param);
                        put_uleb(&mut s, scale);
                    }
                    SizeSpec::StrLen => s.push(2),
                }
            }
            sections.push((SectionId::Pointers, s));
        }
        if !self.symtabs.is_empty() {
            let mut s = Vec::new();
            put_uleb(&mut s, self.symtabs.len() as u32);
            for t in &self.symtabs {
                put_str(&mut s, &t.name);
                s.extend_from_slice(&t.hash.to_le_bytes());
            }
            sections.push((SectionId::SymTabs, s));
        }
        if let Some(lines) = &self.lines {
            let mut s = Vec::new();
            put_uleb(&mut s, lines.files.len() as u32);
            for f in &lines.files {
                put_str(&mut s, f);
            }
            put_uleb(&mut s, lines.funcs.len() as u32);
            for fl in &lines.funcs {
                put_uleb(&mut s, fl.func);
                put_uleb(&mut s, fl.rows.len() as u32);
                let mut prev = 0;
                for r in &fl.rows {
                    put_uleb(&mut s, r.offset.wrapping_sub(prev));
                    put_uleb(&mut s, r.file);
                    put_uleb(&mut s, r.line);
                    prev = r.offset;
                }
            }
            sections.push((SectionId::Lines, s));
        }
        if !self.names.is_empty() {
            let mut s = Vec::new();
            put_uleb(&mut s, self.names.len() as u32);
            for (i, n) in &self.names {
                put_uleb(&mut s, *i);
                put_str(&mut s, n);
            }
            sections.push((SectionId::Names, s));
        }
        for c in &self.custom {
            let mut s = Vec::new();
            put_str(&mut s, &c.name);
            s.extend_from_slice(&c.bytes);
            sections.push((SectionId::Custom, s));
        }

        let mut out = Vec::new();
        out.extend_from_slice(&MAGIC);
        out.push(VERSION_MAJOR);
        out.push(VERSION_MINOR);
        out.extend_from_slice(&0u16.to_le_bytes()); // flags
        out.extend_from_slice(&(sections.len() as u16).to_le_bytes());
        out.extend_from_slice(&0u16.to_le_bytes()); // reserved
        let mut offset = HEADER_SIZE + SECTION_ENTRY_SIZE * sections.len();
        for (id, body) in &sections {
            // Code is 4-byte aligned: instructions' word operands are read
            // with aligned loads in place (the reader requires it).
            if *id == SectionId::Code {
                offset = offset.next_multiple_of(4);
            }
            out.push(*id as u8);
            out.extend_from_slice(&[0, 0, 0]);
            out.extend_from_slice(&(offset as u32).to_le_bytes());
            out.extend_from_slice(&(body.len() as u32).to_le_bytes());
            offset += body.len();
        }
        for (id, body) in &sections {
            if *id == SectionId::Code {
                while out.len() % 4 != 0 {
                    out.push(0);
                }
            }
            out.extend_from_slice(body);
        }
        out
    }
}
