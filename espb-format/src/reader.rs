//! Parses and validates a whole module in one pass over the sections, then
//! validates every function body. Never panics; every allocation is bounded
//! by the input length; every loop is bounded by a count checked against the
//! bytes left.

#![deny(clippy::indexing_slicing)]

use alloc::borrow::Cow;
use alloc::boxed::Box;
use alloc::string::String;
use alloc::vec::Vec;

use crate::error::{Error, ErrorKind, Location, SectionId};
use crate::module::*;
use crate::opcodes::INSTR_ALIGN;
use crate::validate::check_function;
use crate::writer::{HEADER_SIZE, SECTION_ENTRY_SIZE};

/// An error on its way out of the reader: boxed, so that each exit moves
/// one pointer (on a 32-bit chip an `Error` is seven words, copied field by
/// field at every exit of `parse`).
pub(crate) type Fail = Box<Error>;

/// A reader error at file offset `at`.
#[cold]
#[inline(never)]
pub(crate) fn fail(location: Location, at: usize, kind: ErrorKind) -> Fail {
    Box::new(Error::new(location, at, kind))
}

/// A bounded cursor over one section. `bytes` is the file up to the
/// section's end and `pos` a file offset, so the offset every error reports
/// is the position itself (no base to add at each of the reader's many
/// error sites).
///
/// Errors are sticky: a read or check that fails records its error in
/// `err` unless one is recorded already, and the reads go on with stand-in
/// values (0, empty) that nothing outside the failing section sees. The
/// first error in reading order is the section's, as returning at each read
/// made it, without an error exit at each of the reader's many reads. A
/// read past the end consumes nothing and gives 0, and every count is 0 or
/// one checked against the bytes left: the work stays bounded by the input.
struct Cursor<'a> {
    bytes: &'a [u8],
    pos: usize,
    loc: Location,
    err: Option<Fail>,
}

impl<'a> Cursor<'a> {
    fn new(bytes: &'a [u8], pos: usize, loc: Location) -> Cursor<'a> {
        Cursor {
            bytes,
            pos,
            loc,
            err: None,
        }
    }

    fn offset(&self) -> usize {
        self.pos
    }

    fn err(&self, kind: ErrorKind) -> Fail {
        fail(self.loc, self.offset(), kind)
    }

    #[cold]
    #[inline(never)]
    fn err_at(&self, at: usize, kind: ErrorKind) -> Fail {
        fail(self.loc, at, kind)
    }

    /// Records the error `kind` at file offset `at`, unless an earlier one
    /// is recorded.
    #[cold]
    #[inline(never)]
    fn note(&mut self, at: usize, kind: ErrorKind) {
        if self.err.is_none() {
            self.err = Some(fail(self.loc, at, kind));
        }
    }

    /// The recorded error, if any.
    fn result(&mut self) -> Result<(), Fail> {
        match self.err.take() {
            Some(e) => Err(e),
            None => Ok(()),
        }
    }

    fn remaining(&self) -> usize {
        self.bytes.len().saturating_sub(self.pos)
    }

    /// The next `n` bytes (empty when fewer are left: `Truncated`).
    #[inline(never)]
    fn take(&mut self, n: usize) -> &'a [u8] {
        match self
            .pos
            .checked_add(n)
            .and_then(|end| self.bytes.get(self.pos..end))
        {
            Some(s) => {
                self.pos += n;
                s
            }
            None => {
                self.note(self.pos, ErrorKind::Truncated);
                &[]
            }
        }
    }

    /// `n` (at most 4) bytes as a little-endian number: one reader for
    /// the fixed-width fields up to a word. Out of line: each width's
    /// site had its own copy of the loop.
    #[inline(never)]
    fn le(&mut self, n: usize) -> u32 {
        self.take(n)
            .iter()
            .rev()
            .fold(0, |v, &b| v << 8 | u32::from(b))
    }

    /// Out of line, widened to `u32` (a `u8` result came back through
    /// memory at each of the many call sites).
    #[inline(never)]
    fn byte(&mut self) -> u32 {
        match self.bytes.get(self.pos) {
            Some(&b) => {
                self.pos += 1;
                u32::from(b)
            }
            None => {
                self.note(self.pos, ErrorKind::Truncated);
                0
            }
        }
    }

    fn u8(&mut self) -> u8 {
        self.byte() as u8
    }

    fn peek_u8(&self) -> Option<u8> {
        self.bytes.get(self.pos).copied()
    }

    fn u16(&mut self) -> u16 {
        self.le(2) as u16
    }

    fn u32(&mut self) -> u32 {
        self.le(4)
    }

    fn u64(&mut self) -> u64 {
        self.take(8)
            .iter()
            .rev()
            .fold(0, |v, &b| v << 8 | u64::from(b))
    }

    /// Unsigned LEB128, at most 5 bytes, value ≤ u32::MAX.
    #[inline(never)]
    fn uleb(&mut self) -> u32 {
        let start = self.offset();
        let mut result: u32 = 0;
        for i in 0..5 {
            // Past the end: 0, which ends the number (`Truncated` recorded).
            let b = self.byte();
            // The fifth byte holds bits 28..31: a higher bit (a value past
            // u32::MAX) or a continuation bit makes the number too long.
            if i == 4 && b & 0xf0 != 0 {
                break;
            }
            result |= (b & 0x7f) << (7 * i);
            if b & 0x80 == 0 {
                return result;
            }
        }
        self.note(start, ErrorKind::BadLeb);
        0
    }

    /// A count of entries that each take at least `min_entry` bytes (0 if
    /// it is more than the bytes left allow).
    #[inline(never)]
    fn count(&mut self, min_entry: usize) -> usize {
        let at = self.offset();
        let n = self.uleb();
        if (n as usize).saturating_mul(min_entry) > self.remaining() {
            self.note(at, ErrorKind::CountTooLarge(n));
            return 0;
        }
        n as usize
    }

    #[inline(never)]
    fn str(&mut self) -> &'a str {
        let at = self.offset();
        let n = self.uleb() as usize;
        let b = self.take(n);
        core::str::from_utf8(b).unwrap_or_else(|_| {
            self.note(at, ErrorKind::BadUtf8);
            ""
        })
    }

    /// An index below `len` into the table `of` names (one past the
    /// table only with an error recorded). Out of line, the table as a
    /// small number rather than a constructor (each site had its own check
    /// and error).
    #[inline(never)]
    fn index(&mut self, len: usize, of: Of) -> u32 {
        let at = self.offset();
        let i = self.uleb();
        if i as usize >= len {
            let kind = match of {
                Of::Types => ErrorKind::TypeOutOfRange(i),
                Of::SymTabs => ErrorKind::SymTabOutOfRange(i),
                Of::Imports => ErrorKind::ImportOutOfRange(i),
                Of::Functions => ErrorKind::FunctionOutOfRange(i),
                Of::Files => ErrorKind::FileOutOfRange(i),
            };
            self.note(at, kind);
        }
        i
    }

    /// Nothing may follow a section's entries.
    fn finish(&mut self) {
        if self.remaining() != 0 {
            self.note(self.pos, ErrorKind::TrailingBytes);
        }
    }
}

/// The table an index read by [`Cursor::index`] refers to.
#[derive(Clone, Copy)]
enum Of {
    Types,
    SymTabs,
    Imports,
    Functions,
    Files,
}

#[derive(Clone, Copy)]
struct SectionEntry<'a> {
    id: SectionId,
    /// File offset of the body.
    offset: usize,
    body: &'a [u8],
    /// The file up to the end of the body.
    upto: &'a [u8],
}

impl<'a> SectionEntry<'a> {
    fn cursor(&self) -> Cursor<'a> {
        Cursor::new(self.upto, self.offset, Location::Section(self.id))
    }
}

/// Most entries a section table may have: bounds the table walk and keeps the
/// pairwise overlap check trivially cheap.
pub const MAX_SECTIONS: u16 = 32;

/// Reads the header and the section table, checking every entry against the
/// file and against the entries before it.
fn section_table(bytes: &[u8]) -> Result<Vec<SectionEntry<'_>>, Fail> {
    let mut head = Cursor::new(bytes, 0, Location::Header);
    // Each check leaves this block with its error's place and kind: one
    // error made for all of them (each made its own), unless a read before
    // it failed (then that error is the first).
    let (loc, at, kind) = 'bad: {
        // A short file is a bad magic, not a truncated one.
        if bytes.get(..4) != Some(&MAGIC[..]) {
            break 'bad (Location::Header, 0, ErrorKind::BadMagic);
        }
        head.pos = 4;
        let major = head.u8();
        let minor = head.u8();
        if major != VERSION_MAJOR {
            break 'bad (
                Location::Header,
                4,
                ErrorKind::UnsupportedVersion { major, minor },
            );
        }
        let flags = head.u16();
        if flags != 0 {
            break 'bad (Location::Header, 6, ErrorKind::BadFlags(flags as u32));
        }
        let nsections = head.u16();
        if nsections > MAX_SECTIONS {
            break 'bad (Location::Header, 8, ErrorKind::TooManySections(nsections));
        }
        let at = head.offset();
        if head.u16() != 0 {
            break 'bad (Location::Header, at, ErrorKind::NonZeroReserved);
        }

        let table_end = HEADER_SIZE + SECTION_ENTRY_SIZE * nsections as usize;
        let mut entries: Vec<SectionEntry<'_>> = Vec::with_capacity(nsections as usize);
        for _ in 0..nsections {
            let at = head.offset();
            let raw_id = head.u8();
            let Some(id) = SectionId::from_u8(raw_id) else {
                break 'bad (Location::Header, at, ErrorKind::UnknownSection(raw_id));
            };
            let loc = Location::Section(id);
            if head.le(3) != 0 {
                break 'bad (loc, at + 1, ErrorKind::NonZeroReserved);
            }
            let offset = head.u32();
            let size = head.u32();
            // Widen before adding: offset + size may exceed u32 (and usize on a
            // 32-bit host). The body must lie in the file, after the table.
            let end = u64::from(offset) + u64::from(size);
            let start = offset as usize;
            let found = usize::try_from(end)
                .ok()
                .filter(|_| start >= table_end)
                .and_then(|end| {
                    let upto = bytes.get(..end)?;
                    Some((end, upto, upto.get(start..)?))
                });
            let Some((end, upto, body)) = found else {
                break 'bad (
                    loc,
                    at,
                    ErrorKind::SectionOutOfBounds {
                        offset,
                        size,
                        file_len: bytes.len(),
                    },
                );
            };
            for e in &entries {
                if e.id == id && id != SectionId::Custom {
                    break 'bad (loc, at, ErrorKind::DuplicateSection);
                }
                if start < e.offset + e.body.len() && e.offset < end {
                    break 'bad (loc, at, ErrorKind::SectionsOverlap { other: e.id });
                }
            }
            push_reserved(
                &mut entries,
                SectionEntry {
                    id,
                    offset: start,
                    body,
                    upto,
                },
            );
        }
        return head.result().map(|()| entries);
    };
    Err(head.err.unwrap_or_else(|| fail(loc, at, kind)))
}

/// Parses and fully validates a module. The result borrows `bytes`.
///
/// Sections are read in dependency order (types, symbol tables, imports,
/// functions and code, memory, data, exports, start, cbmeta, immeta, lines,
/// names, custom sections in file order), whatever their order in the file, so every index can be
/// checked when it is read. Function bodies are validated last.
pub fn parse(bytes: &[u8]) -> Result<Module<'_>, Error> {
    parse_boxed(bytes).map_err(|e| *e)
}

/// `parse`, with the error boxed (see `Fail`).
fn parse_boxed(bytes: &[u8]) -> Result<Module<'_>, Fail> {
    let entries = section_table(bytes)?;
    let mut m = Module {
        // The memory section's reader sets all of it when there is one.
        memory: crate::writer::DEFAULT_MEMORY,
        ..Module::default()
    };
    for &(id, read) in READERS {
        // Each section at most once, except custom ones (read in file order).
        let mut found = false;
        for e in entries.iter().filter(|e| e.id == id) {
            found = true;
            let mut c = e.cursor();
            read(&mut c, &mut m, &entries);
            c.finish();
            c.result()?;
        }
        if !found && id == SectionId::Functions {
            if let Some(code) = entries.iter().find(|e| e.id == SectionId::Code) {
                let c = code.cursor();
                return Err(c.err(ErrorKind::MissingSection(SectionId::Functions)));
            }
        }
    }

    for (i, f) in m.functions.iter().enumerate() {
        // Every body is borrowed from `bytes`: its distance from the
        // start is its file offset.
        let base = (f.code.as_ptr() as usize).wrapping_sub(bytes.as_ptr() as usize);
        check_function(&m, i as u32, base)?;
    }
    Ok(m)
}

/// A section's reader: `c` is at the section's start, the caller checks
/// that nothing follows the entries and takes the error `c` recorded. Each
/// is out of line and reached through [`READERS`]: the walk finds each
/// section, checks its end and drops the partly built module in one place.
type Reader = for<'a> fn(&mut Cursor<'a>, &mut Module<'a>, &[SectionEntry<'a>]);

/// The sections in dependency order, whatever their order in the file, so
/// that every index can be checked when it is read (symbol tables before
/// the imports that refer to them, functions and code before exports, …).
const READERS: &[(SectionId, Reader)] = &[
    (SectionId::Types, read_types),
    (SectionId::SymTabs, read_symtabs),
    (SectionId::Imports, read_imports),
    (SectionId::Functions, read_functions),
    (SectionId::Memory, read_memory),
    (SectionId::Data, read_data),
    (SectionId::Exports, read_exports),
    (SectionId::Start, read_start),
    (SectionId::Callbacks, read_callbacks),
    (SectionId::Pointers, read_pointers),
    (SectionId::Lines, read_lines),
    (SectionId::Names, read_names),
    (SectionId::Custom, read_custom),
];

/// The Types section's entries (a [`Reader`]).
#[inline(never)]
fn read_types<'a>(c: &mut Cursor<'a>, m: &mut Module<'a>, _: &[SectionEntry<'a>]) {
    let n = c.count(3);
    m.types.reserve(n);
    for _ in 0..n {
        let at = c.offset();
        let flags = c.byte();
        if flags > 1 {
            c.note(at, ErrorKind::BadFlags(flags));
        }
        let np = c.count(1);
        let mut params = Vec::with_capacity(np);
        for _ in 0..np {
            push_reserved(&mut params, valtype(c));
        }
        let at = c.offset();
        let result = match c.byte() {
            0 => None,
            1 => Some(valtype(c)),
            b => {
                c.note(at, ErrorKind::BadFlags(b));
                None
            }
        };
        m.types.push(FuncType {
            params,
            result,
            variadic: flags == 1,
        });
    }
}

/// The SymTabs section's entries (a [`Reader`]).
#[inline(never)]
fn read_symtabs<'a>(c: &mut Cursor<'a>, m: &mut Module<'a>, _: &[SectionEntry<'a>]) {
    let n = c.count(9);
    m.symtabs.reserve(n);
    for _ in 0..n {
        let name = c.str();
        let hash = c.u64();
        push_reserved(
            &mut m.symtabs,
            SymTabRef {
                name: Cow::Borrowed(name),
                hash,
            },
        );
    }
}

/// The Imports section's entries (a [`Reader`]).
#[inline(never)]
fn read_imports<'a>(c: &mut Cursor<'a>, m: &mut Module<'a>, _: &[SectionEntry<'a>]) {
    let n = c.count(3);
    m.imports.reserve(n);
    for _ in 0..n {
        let name = c.str();
        let ty = c.index(m.types.len(), Of::Types);
        let at = c.offset();
        let kind = match c.byte() {
            0 => ImportKind::Name,
            1 => {
                let table = c.index(m.symtabs.len(), Of::SymTabs);
                let index = c.uleb();
                ImportKind::Fast { table, index }
            }
            b => {
                c.note(at, ErrorKind::BadFlags(b));
                ImportKind::Name
            }
        };
        push_reserved(
            &mut m.imports,
            Import {
                name: Cow::Borrowed(name),
                ty,
                kind,
            },
        );
    }
}

/// The Functions section's entries (a [`Reader`]).
#[inline(never)]
fn read_functions<'a>(c: &mut Cursor<'a>, m: &mut Module<'a>, entries: &[SectionEntry<'a>]) {
    let Some(code) = entries.iter().find(|e| e.id == SectionId::Code) else {
        return c.note(c.offset(), ErrorKind::MissingSection(SectionId::Code));
    };
    let n = c.count(8);
    m.functions.reserve(n);
    let mut covered_until = 0usize;
    'entries: for i in 0..n as u32 {
        // An entry's checks leave this block with the offset and kind of
        // their error: one error made for all of them (each of the seven
        // made its own).
        let (at, kind) = 'bad: {
            let ty = c.index(m.types.len(), Of::Types);
            let at = c.offset();
            let flags = c.u8();
            if flags & !func_flags::ALL != 0 {
                break 'bad (at, ErrorKind::BadFlags(flags as u32));
            }
            let at = c.offset();
            let regs = c.u16();
            if regs == 0 || regs > MAX_REGS {
                break 'bad (at, ErrorKind::BadRegisterCount(regs));
            }
            let t = type_at(&m.types, ty);
            // A variadic module function receives its packed arguments as one
            // extra trailing pointer (docs/abi.md §Variadic functions).
            let params = t.params.len() + t.variadic as usize;
            if (regs as usize) < params.max(t.result.is_some() as usize) {
                break 'bad (at, ErrorKind::TooFewRegisters { regs, params });
            }
            let frame_size = c.uleb();
            let at = c.offset();
            let frame_align_log2 = c.u8();
            if frame_align_log2 > 12 {
                let align = 1u32.checked_shl(frame_align_log2.into()).unwrap_or(0);
                break 'bad (at, ErrorKind::BadAlignment(align));
            }
            let at = c.offset();
            let start = c.uleb() as usize;
            let len = c.uleb() as usize;
            if len == 0 {
                break 'bad (at, ErrorKind::EmptyFunction { func: i });
            }
            // Bodies lie in the code section, in order, without overlap.
            let Some(body) = start
                .checked_add(len)
                .filter(|_| start >= covered_until)
                .and_then(|end| code.body.get(start..end))
            else {
                break 'bad (at, ErrorKind::CodeOutOfBounds { func: i });
            };
            // Word operands are read with aligned loads in place: every body
            // starts at a multiple of 4 of the file and is whole words.
            if !(code.offset + start).is_multiple_of(INSTR_ALIGN)
                || !len.is_multiple_of(INSTR_ALIGN)
            {
                break 'bad (at, ErrorKind::MisalignedBody { func: i });
            }
            // ... and in memory, which needs the buffer aligned as the file is.
            if !(body.as_ptr() as usize).is_multiple_of(INSTR_ALIGN) {
                if c.err.is_none() {
                    let addr = (body.as_ptr() as usize).wrapping_sub(code.offset + start);
                    c.err = Some(fail(
                        Location::Header,
                        0,
                        ErrorKind::MisalignedBuffer { addr },
                    ));
                }
                return;
            }
            covered_until = start + len;
            push_reserved(
                &mut m.functions,
                Function {
                    ty,
                    flags,
                    regs,
                    frame_size,
                    frame_align_log2,
                    code: Cow::Borrowed(body),
                },
            );
            continue 'entries;
        };
        return c.note(at, kind);
    }
}

/// The Memory section's entries (a [`Reader`]).
#[inline(never)]
fn read_memory<'a>(c: &mut Cursor<'a>, m: &mut Module<'a>, _: &[SectionEntry<'a>]) {
    let at = c.offset();
    let data_end = c.uleb();
    let heap_size = c.uleb();
    let stack_size = c.uleb();
    m.memory = MemoryReq {
        data_end,
        heap_size,
        stack_size,
    };
    // The sum in 32 bits: an overflow is past the limit as well.
    let total = data_end
        .checked_add(heap_size)
        .and_then(|v| v.checked_add(stack_size));
    let why = if data_end < NULL_GUARD {
        "data_end is inside the null guard"
    } else if total.is_none_or(|total| total > MAX_LINEAR_END) {
        "data, heap and stack exceed the 1 GiB linear limit"
    } else {
        return;
    };
    c.note(at, ErrorKind::BadMemory(why));
}

/// The Data section's entries (a [`Reader`]).
#[inline(never)]
fn read_data<'a>(c: &mut Cursor<'a>, m: &mut Module<'a>, _: &[SectionEntry<'a>]) {
    let n = c.count(2);
    m.data.reserve(n);
    for _ in 0..n {
        let at = c.offset();
        let addr = c.uleb();
        let len = c.uleb() as usize;
        let bytes = c.take(len);
        // `addr + len > data_end` without a 64-bit sum.
        let room = m.memory.data_end.checked_sub(addr);
        if addr < NULL_GUARD || room.is_none_or(|room| len > room as usize) {
            c.note(at, ErrorKind::DataOutOfBounds { addr, len });
        }
        push_reserved(
            &mut m.data,
            DataSegment {
                addr,
                bytes: Cow::Borrowed(bytes),
            },
        );
    }
}

/// The Exports section's entries (a [`Reader`]).
#[inline(never)]
fn read_exports<'a>(c: &mut Cursor<'a>, m: &mut Module<'a>, _: &[SectionEntry<'a>]) {
    let n = c.count(2);
    m.exports.reserve(n);
    let start = c.offset();
    for _ in 0..n {
        let name = c.str();
        let func = c.index(m.functions.len(), Of::Functions);
        // The entries up to the first error, as the name check below needs.
        if c.err.is_some() {
            break;
        }
        push_reserved(
            &mut m.exports,
            Export {
                name: Cow::Borrowed(name),
                func,
            },
        );
    }
    // The first entry whose name an earlier one has comes before any
    // error after it, as a check at each entry would have found it.
    if let Some(k) = first_repeated_name(&m.exports) {
        if let Some(e) = m.exports.get(k) {
            // Its offset: read again up to it (those entries were read
            // without error above), rather than kept for every entry.
            let mut r = Cursor::new(c.bytes, start, c.loc);
            for _ in 0..k {
                r.str();
                r.uleb();
            }
            let name = String::from(&*e.name);
            c.err = Some(c.err_at(r.offset(), ErrorKind::DuplicateExport(name)));
        }
    }
}

/// The Start section's entries (a [`Reader`]).
#[inline(never)]
fn read_start<'a>(c: &mut Cursor<'a>, m: &mut Module<'a>, _: &[SectionEntry<'a>]) {
    let at = c.offset();
    let f = c.index(m.functions.len(), Of::Functions);
    // `func_type` is out of line; an index out of range has an error
    // recorded already.
    let t = m.func_type(f).unwrap_or(&NO_TYPE);
    if !t.params.is_empty() || t.result.is_some() || t.variadic {
        c.note(at, ErrorKind::StartSignature(f));
    }
    m.start = Some(f);
}

/// The Callbacks section's entries (a [`Reader`]).
#[inline(never)]
fn read_callbacks<'a>(c: &mut Cursor<'a>, m: &mut Module<'a>, _: &[SectionEntry<'a>]) {
    let n = c.count(4);
    m.callbacks.reserve(n);
    for _ in 0..n {
        let import = c.index(m.imports.len(), Of::Imports);
        let params = import_params(&m.types, &m.imports, import);
        let at_place = place(c, params);
        let at = c.offset();
        let ty = c.index(m.types.len(), Of::Types);
        // Native code calls the callback through a closure of this exact
        // signature; C cannot call a variadic function that way.
        if type_at(&m.types, ty).variadic {
            c.note(at, ErrorKind::VariadicCallback(ty));
        }
        let user_data = if c.peek_u8() == Some(NO_USER_DATA) {
            // The byte is there (peeked): step over it.
            c.pos += 1;
            None
        } else {
            Some(place(c, params))
        };
        push_reserved(
            &mut m.callbacks,
            CallbackMeta {
                import,
                place: at_place,
                ty,
                user_data,
            },
        );
    }
}

/// The Pointers section's entries (a [`Reader`]).
#[inline(never)]
fn read_pointers<'a>(c: &mut Cursor<'a>, m: &mut Module<'a>, _: &[SectionEntry<'a>]) {
    let n = c.count(4);
    m.pointers.reserve(n);
    'entries: for _ in 0..n {
        // The entry's own checks leave with their error's offset and kind
        // (one error made for the three).
        let (at, kind) = 'bad: {
            let import = c.index(m.imports.len(), Of::Imports);
            let params = import_params(&m.types, &m.imports, import);
            let param = ptr_param(c, params);
            let at = c.offset();
            let d = c.u8();
            let field = if d & FIELD_BIT != 0 {
                Some(c.uleb())
            } else {
                None
            };
            let dir = match d & !(HANDLES_BIT | FIELD_BIT) {
                1 => Direction::In,
                2 => Direction::Out,
                3 => Direction::InOut,
                _ => break 'bad (at, ErrorKind::BadDirection(d)),
            };
            let at = c.offset();
            let size = match c.u8() {
                0 => SizeSpec::Const(c.uleb()),
                1 => {
                    let at = c.offset();
                    let param = param_index(c, params);
                    if !matches!(
                        params.get(param as usize),
                        Some(ValType::I32 | ValType::I64)
                    ) {
                        break 'bad (at, ErrorKind::NotAnInteger { param });
                    }
                    SizeSpec::Param {
                        param,
                        scale: c.uleb(),
                    }
                }
                2 => SizeSpec::StrLen,
                b => break 'bad (at, ErrorKind::BadSizeSpec(b)),
            };
            push_reserved(
                &mut m.pointers,
                PtrMeta {
                    import,
                    param,
                    field,
                    dir,
                    size,
                    handles: d & HANDLES_BIT != 0,
                },
            );
            continue 'entries;
        };
        return c.note(at, kind);
    }
}

/// The Lines section's entries (a [`Reader`]).
#[inline(never)]
fn read_lines<'a>(c: &mut Cursor<'a>, m: &mut Module<'a>, _: &[SectionEntry<'a>]) {
    let nfiles = c.count(1);
    let mut lines = LineTables::default();
    lines.files.reserve(nfiles);
    for _ in 0..nfiles {
        push_reserved(&mut lines.files, Cow::Borrowed(c.str()));
    }
    let nfuncs = c.count(2);
    lines.funcs.reserve(nfuncs);
    for _ in 0..nfuncs {
        let func = c.index(m.functions.len(), Of::Functions);
        let code_len = m.functions.get(func as usize).map_or(0, |f| f.code.len());
        let nrows = c.count(3);
        let mut rows = Vec::with_capacity(nrows);
        // Offsets are deltas, so rows are sorted by construction; the sum
        // saturates (no input can overflow it), and a saturated sum is past
        // any body (a slice is shorter than `usize::MAX`).
        let mut offset: usize = 0;
        for _ in 0..nrows {
            let at = c.offset();
            offset = offset.saturating_add(c.uleb() as usize);
            let file = c.index(lines.files.len(), Of::Files);
            let line = c.uleb();
            if offset >= code_len {
                c.note(at, ErrorKind::BadLineRow);
            }
            push_reserved(
                &mut rows,
                LineRow {
                    offset: offset as u32,
                    file,
                    line,
                },
            );
        }
        lines.funcs.push(FuncLines { func, rows });
    }
    // The section is read once: `m.lines` is empty (no drop of an old one).
    m.lines.get_or_insert(lines);
}

/// The Names section's entries (a [`Reader`]).
#[inline(never)]
fn read_names<'a>(c: &mut Cursor<'a>, m: &mut Module<'a>, _: &[SectionEntry<'a>]) {
    let n = c.count(2);
    m.names.reserve(n);
    for _ in 0..n {
        let f = c.index(m.functions.len(), Of::Functions);
        push_reserved(&mut m.names, (f, Cow::Borrowed(c.str())));
    }
}

/// A custom section (a [`Reader`]): a name, then opaque bytes.
#[inline(never)]
fn read_custom<'a>(c: &mut Cursor<'a>, m: &mut Module<'a>, _: &[SectionEntry<'a>]) {
    let name = c.str();
    let rest = c.take(c.remaining());
    m.custom.push(Custom {
        name: Cow::Borrowed(name),
        bytes: Cow::Borrowed(rest),
    });
}

/// `v.push(x)` for a list whose count was reserved before its entries
/// were read (each reader's `reserve(n)` or `with_capacity(n)`, then at
/// most `n` pushes): without `push`'s growth path, one copy of which each
/// element type linked. There is always room; were there none, `x` would
/// be left out, never written past the buffer.
fn push_reserved<T>(v: &mut Vec<T>, x: T) {
    if v.len() < v.capacity() {
        v.push(x);
    }
}

/// Byte of a cbmeta entry that stands for "no user data" where a place would be.
pub const NO_USER_DATA: u8 = 0xff;
/// Bit of an immeta direction byte: the pointee holds native handles.
pub const HANDLES_BIT: u8 = 0x80;
/// Direction-byte flag of an immeta entry: a ULEB128 struct-field offset follows.
pub const FIELD_BIT: u8 = 0x40;

/// A signature no index refers to: what [`type_at`] gives for an index out
/// of range, which the reader's index checks rule out.
static NO_TYPE: FuncType = FuncType {
    params: Vec::new(),
    result: None,
    variadic: false,
};

/// The signature at `ty`, an index the caller's read has already checked
/// (no second error exit for what cannot happen).
fn type_at(types: &[FuncType], ty: u32) -> &FuncType {
    types.get(ty as usize).unwrap_or(&NO_TYPE)
}

/// The fixed parameters of import `import` (checked as `type_at`'s index),
/// borrowed from the types (the module's other fields stay writable).
fn import_params<'m>(types: &'m [FuncType], imports: &[Import<'_>], import: u32) -> &'m [ValType] {
    imports
        .get(import as usize)
        .map_or(&[], |imp| &type_at(types, imp.ty).params)
}

#[inline(never)]
fn valtype(c: &mut Cursor<'_>) -> ValType {
    let at = c.offset();
    let b = c.u8();
    ValType::from_u8(b).unwrap_or_else(|| {
        c.note(at, ErrorKind::BadValType(b));
        ValType::I32
    })
}

/// A parameter index below `params.len()`.
#[inline(never)]
fn param_index(c: &mut Cursor<'_>, params: &[ValType]) -> u32 {
    let at = c.offset();
    let p = c.uleb();
    if p as usize >= params.len() {
        c.note(
            at,
            ErrorKind::ParamOutOfRange {
                param: p,
                params: params.len(),
            },
        );
    }
    p
}

/// A parameter index whose parameter is a `ptr` (the FFI translates it as a
/// module address).
#[inline(never)]
fn ptr_param(c: &mut Cursor<'_>, params: &[ValType]) -> u32 {
    let at = c.offset();
    let p = param_index(c, params);
    if params.get(p as usize) != Some(&ValType::Ptr) {
        c.note(at, ErrorKind::NotAPointer { param: p });
    }
    p
}

/// A place: the argument itself, or a field of the struct it points to.
/// Either way the argument is a pointer (to a function, to user data, or to
/// the struct).
fn place(c: &mut Cursor<'_>, params: &[ValType]) -> ArgPlace {
    let at = c.offset();
    match c.u8() {
        0 => ArgPlace::Param(ptr_param(c, params)),
        1 => {
            let param = ptr_param(c, params);
            ArgPlace::Field {
                param,
                offset: c.uleb(),
            }
        }
        b => {
            c.note(at, ErrorKind::BadPlace(b));
            ArgPlace::Param(0)
        }
    }
}

impl<'a> Module<'a> {
    /// Parses and validates `bytes` (see [`parse`]).
    pub fn parse(bytes: &'a [u8]) -> Result<Module<'a>, Error> {
        parse(bytes)
    }

    /// Validates a module built in memory by encoding it and reading it back,
    /// so that exactly the reader's rules apply.
    pub fn validate(&self) -> Result<(), Error> {
        let bytes = self.to_bytes();
        parse(&bytes).map(|_| ())
    }
}

/// The index of the first export (in file order) whose name an earlier
/// export has. A sort of the indices by (name, index), not a set grown per
/// entry: O(n log n) for a hostile file with many names, and no search-tree
/// code on the chip for this one check.
fn first_repeated_name(exports: &[Export<'_>]) -> Option<usize> {
    let name = |i: u32| exports.get(i as usize).map_or("", |e| &*e.name);
    let mut idx: Vec<u32> = (0..exports.len() as u32).collect();
    crate::sort::sort_indices(&mut idx, &mut |a, b| (name(a), a) < (name(b), b));
    // The smallest index with an equal name before it in that order (the
    // index is part of the order: each name's first export comes first).
    let mut first = u32::MAX;
    let mut prev = None;
    for &b in &idx {
        let n = name(b);
        if b < first && prev == Some(n) {
            first = b;
        }
        prev = Some(n);
    }
    (first != u32::MAX).then_some(first as usize)
}

#[cfg(test)]
#[allow(clippy::indexing_slicing)]
mod tests {
    use super::*;

    /// LEB128 as the reader decoded it before it accumulated in 32 bits: a
    /// 64-bit sum, then a range check.
    fn reference_uleb(b: &[u8]) -> Result<(u32, usize), ErrorKind> {
        let mut result: u64 = 0;
        for i in 0..5 {
            let x = *b.get(i).ok_or(ErrorKind::Truncated)?;
            result |= u64::from(x & 0x7f) << (7 * i);
            if x & 0x80 == 0 {
                return u32::try_from(result)
                    .map(|v| (v, i + 1))
                    .map_err(|_| ErrorKind::BadLeb);
            }
        }
        Err(ErrorKind::BadLeb)
    }

    #[test]
    fn uleb_matches_the_64_bit_reference() {
        const B: [u8; 12] = [
            0, 1, 0x0f, 0x10, 0x70, 0x7f, 0x80, 0x81, 0x8f, 0x90, 0xf0, 0xff,
        ];
        let mut n = 0;
        for len in 0..=6 {
            for mut k in 0..B.len().pow(len as u32) {
                let mut bytes = [0u8; 6];
                for b in bytes.iter_mut().take(len) {
                    *b = B[k % B.len()];
                    k /= B.len();
                }
                let input = &bytes[..len];
                let mut c = Cursor::new(input, 0, Location::Header);
                let v = c.uleb();
                let got = match c.err {
                    None => Ok((v, c.pos)),
                    Some(e) => Err((e.kind, e.offset)),
                };
                let want = reference_uleb(input).map_err(|k| {
                    // The reference's truncation is at the end of the input,
                    // its bad number at the number's start.
                    let at = if k == ErrorKind::Truncated { len } else { 0 };
                    (k, at)
                });
                assert_eq!(got, want, "{input:02x?}");
                n += 1;
            }
        }
        assert!(n > 3_000_000);
    }
}
