//! Typed errors of the reader and validator: which section, which byte, why.

use alloc::string::String;

use crate::msg;
use crate::msg::{Arg, Message, Sink};

/// Section identifiers as they appear in the section table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[repr(u8)]
pub enum SectionId {
    Custom = 0,
    Types = 1,
    Imports = 2,
    Functions = 3,
    Code = 4,
    Data = 5,
    Memory = 6,
    Exports = 7,
    Start = 8,
    Callbacks = 9,
    Pointers = 10,
    SymTabs = 11,
    Lines = 12,
    Names = 13,
}

impl SectionId {
    pub const ALL: [SectionId; 14] = [
        SectionId::Custom,
        SectionId::Types,
        SectionId::Imports,
        SectionId::Functions,
        SectionId::Code,
        SectionId::Data,
        SectionId::Memory,
        SectionId::Exports,
        SectionId::Start,
        SectionId::Callbacks,
        SectionId::Pointers,
        SectionId::SymTabs,
        SectionId::Lines,
        SectionId::Names,
    ];

    pub fn from_u8(b: u8) -> Option<SectionId> {
        SectionId::ALL.get(b as usize).copied()
    }

    pub fn name(self) -> &'static str {
        match self {
            SectionId::Custom => "custom",
            SectionId::Types => "types",
            SectionId::Imports => "imports",
            SectionId::Functions => "functions",
            SectionId::Code => "code",
            SectionId::Data => "data",
            SectionId::Memory => "memory",
            SectionId::Exports => "exports",
            SectionId::Start => "start",
            SectionId::Callbacks => "cbmeta",
            SectionId::Pointers => "immeta",
            SectionId::SymTabs => "symtabs",
            SectionId::Lines => "lines",
            SectionId::Names => "names",
        }
    }
}

/// Where an error was found: the file header/section table, or a section.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Location {
    Header,
    Section(SectionId),
}

impl Message for Location {
    fn write(&self, out: &mut dyn Sink) {
        // One write for both (the header's text has no `{}`).
        let (t, name) = match self {
            Location::Header => ("header", ""),
            Location::Section(s) => ("section `{}`", s.name()),
        };
        out.f(t, &[Arg::S(name)]);
    }
}

/// What is wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ErrorKind {
    BadMagic,
    UnsupportedVersion {
        major: u8,
        minor: u8,
    },
    /// The data ends inside a field.
    Truncated,
    SectionOutOfBounds {
        offset: u32,
        size: u32,
        file_len: usize,
    },
    SectionsOverlap {
        other: SectionId,
    },
    DuplicateSection,
    UnknownSection(u8),
    MissingSection(SectionId),
    /// A LEB128 number longer than 5 bytes or above `u32::MAX`.
    BadLeb,
    BadUtf8,
    BadValType(u8),
    BadFlags(u32),
    /// The section has bytes after its last entry.
    TrailingBytes,
    /// A count larger than the bytes left could hold.
    CountTooLarge(u32),
    TypeOutOfRange(u32),
    ImportOutOfRange(u32),
    FunctionOutOfRange(u32),
    SymTabOutOfRange(u32),
    ParamOutOfRange {
        param: u32,
        params: usize,
    },
    FileOutOfRange(u32),
    BadRegisterCount(u16),
    TooFewRegisters {
        regs: u16,
        params: usize,
    },
    BadAlignment(u32),
    CodeOutOfBounds {
        func: u32,
    },
    EmptyFunction {
        func: u32,
    },
    UnknownOpcode {
        func: u32,
        pc: u32,
        byte: u8,
    },
    /// The byte after the escape byte (`0x2f`) names no extended opcode;
    /// `pc` is the instruction's start, the error's offset the second byte.
    UnknownExtOpcode {
        func: u32,
        pc: u32,
        byte: u8,
    },
    InstructionTruncated {
        func: u32,
        pc: u32,
    },
    /// A padding byte of the instruction at `pc` is not zero; the error's
    /// offset is that byte.
    NonZeroPadding {
        func: u32,
        pc: u32,
    },
    /// A function body does not start (or end) at a multiple of 4 bytes of
    /// the file: its word operands would be misaligned.
    MisalignedBody {
        func: u32,
    },
    /// The code section lies at a memory address that is not a multiple of
    /// 4: the module was read into a misaligned buffer.
    MisalignedBuffer {
        addr: usize,
    },
    RegisterOutOfRange {
        func: u32,
        pc: u32,
        reg: u8,
        regs: u16,
    },
    CallWindowOutOfRange {
        func: u32,
        pc: u32,
        base: u8,
        window: usize,
        regs: u16,
    },
    BranchOutOfRange {
        func: u32,
        pc: u32,
        target: u32,
    },
    BranchIntoInstruction {
        func: u32,
        pc: u32,
        target: u32,
    },
    FallsOffEnd {
        func: u32,
    },
    /// The import is (or is not) variadic and the call form says otherwise.
    VariadicMismatch {
        func: u32,
        pc: u32,
        import: u32,
    },
    /// A call-site signature does not extend the import's fixed parameters.
    CallSiteSignature {
        func: u32,
        pc: u32,
        import: u32,
    },
    /// `ret`/`ret.void` disagrees with the function's result type.
    ReturnMismatch {
        func: u32,
        pc: u32,
    },
    FrameOffsetOutOfRange {
        func: u32,
        pc: u32,
        offset: u32,
        frame: u32,
    },
    BadAtomic {
        func: u32,
        pc: u32,
        value: u8,
    },
    DataOutOfBounds {
        addr: u32,
        len: usize,
    },
    BadMemory(&'static str),
    DuplicateExport(String),
    StartSignature(u32),
    BadDirection(u8),
    BadPlace(u8),
    BadSizeSpec(u8),
    BadLineRow,
    TooManySections(u16),
    /// A reserved header or section-table field is not zero.
    NonZeroReserved,
    /// A function flagged LEAF contains a call.
    LeafCalls {
        func: u32,
        pc: u32,
    },
    /// Metadata names a parameter as a pointer, but its type is not `ptr`.
    NotAPointer {
        param: u32,
    },
    /// A size is taken from a parameter that is not an `i32`/`i64`.
    NotAnInteger {
        param: u32,
    },
    /// A callback signature is variadic.
    VariadicCallback(u32),
}

/// A reader or validator error: where, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Error {
    pub location: Location,
    /// Byte offset from the start of the file. For [`crate::Module::validate`]
    /// of a module built in memory, the offset in its [`crate::Module::to_bytes`] encoding.
    pub offset: usize,
    pub kind: ErrorKind,
}

impl Error {
    pub fn new(location: Location, offset: usize, kind: ErrorKind) -> Error {
        Error {
            location,
            offset,
            kind,
        }
    }
}

impl Message for Error {
    fn write(&self, out: &mut dyn Sink) {
        msg!(
            out,
            "{} at byte {x}: {}",
            &self.location,
            self.offset,
            &self.kind
        );
    }
}

impl ErrorKind {
    /// The text of this kind of error, its `{}`s filled by [`Self::args`]
    /// in order. A match of constants only: the compiler makes it a table
    /// lookup, and the arguments' match shares one arm among the kinds
    /// whose fields lie alike (one `f` call for all of them). Out of line:
    /// at opt-level 2/3 the table became a jump table of its own (~900 B).
    #[inline(never)]
    fn template(&self) -> &'static str {
        use ErrorKind::*;
        match self {
            BadMagic => "not an .espb file (magic is not `ESPB`)",
            UnsupportedVersion { .. } => {
                "format version {}.{} is not supported (this reader reads {}.x)"
            }
            Truncated => "unexpected end of data",
            SectionOutOfBounds { .. } => {
                "section [{x}, +{x}) is not between the section table and the end of the file ({x} bytes)"
            }
            SectionsOverlap { .. } => "overlaps section `{}`",
            DuplicateSection => "section appears twice",
            UnknownSection(_) => "unknown section id {}",
            MissingSection(_) => "required section `{}` is missing",
            BadLeb => "malformed LEB128 number (too long or above u32::MAX)",
            BadUtf8 => "name is not valid UTF-8",
            BadValType(_) => "unknown value type {x}",
            BadFlags(_) => "unknown flag bits {x}",
            TrailingBytes => "bytes left after the last entry",
            CountTooLarge(_) => "count {} is larger than the section can hold",
            TypeOutOfRange(_) => "type index {} out of range",
            ImportOutOfRange(_) => "import index {} out of range",
            FunctionOutOfRange(_) => "function index {} out of range",
            SymTabOutOfRange(_) => "symbol table index {} out of range",
            ParamOutOfRange { .. } => "parameter index {} out of range (the signature has {})",
            FileOutOfRange(_) => "file index {} out of range",
            BadRegisterCount(_) => "register count {} is not in 1..=256",
            TooFewRegisters { .. } => "{} registers cannot hold {} parameters",
            BadAlignment(_) => "alignment {} is not a power of two up to 4096",
            CodeOutOfBounds { .. } => "code of function {} lies outside the code section",
            EmptyFunction { .. } => "function {} has no code",
            UnknownOpcode { .. } => "unknown opcode {x2}",
            UnknownExtOpcode { .. } => "unknown extended opcode 0x2f {x2}",
            InstructionTruncated { .. } => "instruction runs past the end of the function",
            NonZeroPadding { .. } => "padding byte of the instruction is not zero",
            MisalignedBody { .. } => {
                "code of function {} does not start and end at multiples of 4 bytes of the file"
            }
            MisalignedBuffer { .. } => {
                "the module's bytes lie at a misaligned address ({x}): bytecode runs in place \
                 and needs its code 4-byte aligned in memory; load the module into a 4-byte aligned \
                 buffer (e.g. `__attribute__((aligned(4)))`, a heap block or a mapped partition)"
            }
            RegisterOutOfRange { .. } => "register r{} out of range (function has {} registers)",
            CallWindowOutOfRange { .. } => "call window r{}..r{} exceeds the {} registers",
            BranchOutOfRange { .. } => "branch target {x} is outside the function",
            BranchIntoInstruction { .. } => "branch target {x} is in the middle of an instruction",
            FallsOffEnd { .. } => {
                "function {}: control falls off the end (last instruction is not a terminator)"
            }
            VariadicMismatch { .. } => "call form does not match whether import {} is variadic",
            CallSiteSignature { .. } => {
                "call-site signature does not extend the parameters of import {}"
            }
            ReturnMismatch { .. } => "return does not match the function's result type",
            FrameOffsetOutOfRange { .. } => "frame offset {} outside the {}-byte frame",
            BadAtomic { .. } => "bad atomic width/operation {x}",
            DataOutOfBounds { .. } => {
                "data segment [{x}, +{x}) lies outside [NULL_GUARD, data_end)"
            }
            BadMemory(_) => "bad memory requirements: {}",
            DuplicateExport(_) => "export `{}` appears twice",
            StartSignature(_) => "start function {} must take no parameters and return nothing",
            BadDirection(_) => "unknown pointer direction {}",
            BadPlace(_) => "unknown argument place {}",
            BadSizeSpec(_) => "unknown size spec {}",
            BadLineRow => "line rows must be sorted by offset and lie inside the function",
            TooManySections(_) => "{} sections is more than the {} allowed",
            NonZeroReserved => "reserved field is not zero",
            LeafCalls { .. } => "a function flagged leaf makes a call",
            NotAPointer { .. } => "parameter {} is not a `ptr`",
            NotAnInteger { .. } => "size parameter {} is not an integer",
            VariadicCallback(_) => "callback signature ty{} is variadic",
        }
    }

    /// The arguments of [`Self::template`], in order (a template ignores those it has no `{}` for).
    fn args(&self) -> [Arg<'_>; 3] {
        use ErrorKind::*;
        let mut a = [Arg::U(0); 3];
        match self {
            UnsupportedVersion { major, minor } => {
                a = [
                    (*major).into(),
                    (*minor).into(),
                    crate::module::VERSION_MAJOR.into(),
                ]
            }
            SectionOutOfBounds {
                offset,
                size,
                file_len,
            } => a = [(*offset).into(), (*size).into(), (*file_len).into()],
            SectionsOverlap { other: id } | MissingSection(id) => a[0] = Arg::S(id.name()),
            UnknownSection(b) | BadValType(b) | BadDirection(b) | BadPlace(b) | BadSizeSpec(b) => {
                a[0] = (*b).into()
            }
            BadFlags(i)
            | CountTooLarge(i)
            | TypeOutOfRange(i)
            | ImportOutOfRange(i)
            | FunctionOutOfRange(i)
            | SymTabOutOfRange(i)
            | FileOutOfRange(i)
            | BadAlignment(i)
            | StartSignature(i)
            | VariadicCallback(i)
            | CodeOutOfBounds { func: i }
            | EmptyFunction { func: i }
            | MisalignedBody { func: i }
            | FallsOffEnd { func: i }
            | NotAPointer { param: i }
            | NotAnInteger { param: i }
            | BranchOutOfRange { target: i, .. }
            | BranchIntoInstruction { target: i, .. }
            | VariadicMismatch { import: i, .. }
            | CallSiteSignature { import: i, .. } => a[0] = (*i).into(),
            ParamOutOfRange { param, params } => a = [(*param).into(), (*params).into(), a[2]],
            BadRegisterCount(n) | TooManySections(n) => {
                a = [(*n).into(), crate::reader::MAX_SECTIONS.into(), a[2]]
            }
            TooFewRegisters { regs, params } => a = [(*regs).into(), (*params).into(), a[2]],
            UnknownOpcode { byte, .. }
            | UnknownExtOpcode { byte, .. }
            | BadAtomic { value: byte, .. } => a[0] = (*byte).into(),
            MisalignedBuffer { addr } => a[0] = (*addr).into(),
            RegisterOutOfRange { reg, regs, .. } => a = [(*reg).into(), (*regs).into(), a[2]],
            CallWindowOutOfRange {
                base, window, regs, ..
            } => {
                a = [
                    (*base).into(),
                    (*base as usize + window).into(),
                    (*regs).into(),
                ]
            }
            FrameOffsetOutOfRange { offset, frame, .. } => {
                a = [(*offset).into(), (*frame).into(), a[2]]
            }
            DataOutOfBounds { addr, len } => a = [(*addr).into(), (*len).into(), a[2]],
            BadMemory(why) => a[0] = Arg::S(why),
            DuplicateExport(name) => a[0] = Arg::S(name),
            BadMagic
            | Truncated
            | DuplicateSection
            | BadLeb
            | BadUtf8
            | TrailingBytes
            | InstructionTruncated { .. }
            | NonZeroPadding { .. }
            | ReturnMismatch { .. }
            | BadLineRow
            | NonZeroReserved
            | LeafCalls { .. } => {}
        }
        a
    }
}

impl Message for ErrorKind {
    fn write(&self, out: &mut dyn Sink) {
        use ErrorKind::*;
        // The instruction errors share their prefix, written once.
        if let UnknownOpcode { func, pc, .. }
        | UnknownExtOpcode { func, pc, .. }
        | InstructionTruncated { func, pc }
        | NonZeroPadding { func, pc }
        | RegisterOutOfRange { func, pc, .. }
        | CallWindowOutOfRange { func, pc, .. }
        | BranchOutOfRange { func, pc, .. }
        | BranchIntoInstruction { func, pc, .. }
        | VariadicMismatch { func, pc, .. }
        | CallSiteSignature { func, pc, .. }
        | ReturnMismatch { func, pc }
        | FrameOffsetOutOfRange { func, pc, .. }
        | BadAtomic { func, pc, .. }
        | LeafCalls { func, pc } = self
        {
            msg!(out, "function {} +{x}: ", *func, *pc);
        }
        out.f(self.template(), &self.args());
    }
}

crate::display_via_message!(Location, Error, ErrorKind);

#[cfg(feature = "std")]
impl std::error::Error for Error {}

#[cfg(test)]
mod tests {
    use super::ErrorKind::*;
    use super::*;
    use alloc::string::ToString;

    /// The texts of errors with narrow integer fields and of the
    /// instruction errors (their shared prefix is written separately).
    #[test]
    fn texts() {
        let cases: &[(ErrorKind, &str)] = &[
            (
                UnsupportedVersion {
                    major: 7,
                    minor: 255,
                },
                "format version 7.255 is not supported (this reader reads 2.x)",
            ),
            (UnknownSection(200), "unknown section id 200"),
            (BadValType(0xab), "unknown value type 0xab"),
            (
                BadRegisterCount(65535),
                "register count 65535 is not in 1..=256",
            ),
            (
                TooFewRegisters {
                    regs: 300,
                    params: 7,
                },
                "300 registers cannot hold 7 parameters",
            ),
            (
                TooManySections(40),
                "40 sections is more than the 32 allowed",
            ),
            (BadDirection(9), "unknown pointer direction 9"),
            (BadPlace(250), "unknown argument place 250"),
            (BadSizeSpec(3), "unknown size spec 3"),
            (
                UnknownOpcode {
                    func: 3,
                    pc: 0x10,
                    byte: 0xab,
                },
                "function 3 +0x10: unknown opcode 0xab",
            ),
            (
                UnknownExtOpcode {
                    func: 0,
                    pc: 0,
                    byte: 5,
                },
                "function 0 +0x0: unknown extended opcode 0x2f 0x05",
            ),
            (
                InstructionTruncated {
                    func: 12,
                    pc: 0x1f4,
                },
                "function 12 +0x1f4: instruction runs past the end of the function",
            ),
            (
                NonZeroPadding { func: 1, pc: 8 },
                "function 1 +0x8: padding byte of the instruction is not zero",
            ),
            (
                RegisterOutOfRange {
                    func: 2,
                    pc: 4,
                    reg: 200,
                    regs: 16,
                },
                "function 2 +0x4: register r200 out of range (function has 16 registers)",
            ),
            (
                CallWindowOutOfRange {
                    func: 2,
                    pc: 4,
                    base: 250,
                    window: 9,
                    regs: 256,
                },
                "function 2 +0x4: call window r250..r259 exceeds the 256 registers",
            ),
            (
                BranchOutOfRange {
                    func: 5,
                    pc: 0x20,
                    target: 0x400,
                },
                "function 5 +0x20: branch target 0x400 is outside the function",
            ),
            (
                BranchIntoInstruction {
                    func: 5,
                    pc: 0x20,
                    target: 0x22,
                },
                "function 5 +0x20: branch target 0x22 is in the middle of an instruction",
            ),
            (
                VariadicMismatch {
                    func: 1,
                    pc: 0xc,
                    import: 4,
                },
                "function 1 +0xc: call form does not match whether import 4 is variadic",
            ),
            (
                CallSiteSignature {
                    func: 1,
                    pc: 0xc,
                    import: 4,
                },
                "function 1 +0xc: call-site signature does not extend the parameters of import 4",
            ),
            (
                ReturnMismatch { func: 9, pc: 0x30 },
                "function 9 +0x30: return does not match the function's result type",
            ),
            (
                FrameOffsetOutOfRange {
                    func: 9,
                    pc: 0x30,
                    offset: 64,
                    frame: 32,
                },
                "function 9 +0x30: frame offset 64 outside the 32-byte frame",
            ),
            (
                BadAtomic {
                    func: 9,
                    pc: 0x30,
                    value: 0xfe,
                },
                "function 9 +0x30: bad atomic width/operation 0xfe",
            ),
            (
                LeafCalls { func: 4, pc: 0x8 },
                "function 4 +0x8: a function flagged leaf makes a call",
            ),
            (
                FallsOffEnd { func: 4 },
                "function 4: control falls off the end (last instruction is not a terminator)",
            ),
        ];
        for (kind, text) in cases {
            assert_eq!(kind.to_string(), *text);
        }
    }
}
