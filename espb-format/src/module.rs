//! The in-memory form of a module. The reader produces it borrowing the input
//! bytes (names, code and data are `Cow::Borrowed`); the translator builds it
//! owned; the writer serialises either.

use alloc::borrow::Cow;
use alloc::vec::Vec;

/// Magic bytes at offset 0.
pub const MAGIC: [u8; 4] = *b"ESPB";
/// Major version: a reader refuses any other. Version 2 lays instructions
/// out in whole 4-byte words with aligned word operands (version 1 packed
/// operands byte after byte).
pub const VERSION_MAJOR: u8 = 2;
/// Minor version: additions a reader of this major version may ignore
/// (unknown custom sections).
pub const VERSION_MINOR: u8 = 0;

/// Module function references are values `FUNC_REF_BASE + index`: outside any
/// linear memory (which is capped at `MAX_LINEAR_END`).
pub const FUNC_REF_BASE: u32 = 0xF000_0000;
/// Addresses of imported natives taken as values: `IMPORT_REF_BASE + index`.
pub const IMPORT_REF_BASE: u32 = 0xE000_0000;
/// Native references (handles) handed to the module: `NATIVE_REF_BASE + slot`.
pub const NATIVE_REF_BASE: u32 = 0x8000_0000;
/// Linear memory (data, bss, heap, stacks) lies below this address.
pub const MAX_LINEAR_END: u32 = 0x4000_0000;
/// Addresses below this are the null guard: no data is ever placed there.
pub const NULL_GUARD: u32 = 0x1000;
/// Most registers a function may use (one-byte register operands).
pub const MAX_REGS: u16 = 256;

/// A value type of a signature. Registers are untyped; signatures are typed so
/// the FFI knows how to marshal and which `i32`s are module pointers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[repr(u8)]
pub enum ValType {
    I32 = 0,
    I64 = 1,
    F32 = 2,
    F64 = 3,
    /// A module pointer (32 bits); translated at the FFI boundary.
    Ptr = 4,
}

impl ValType {
    pub fn from_u8(b: u8) -> Option<ValType> {
        Some(match b {
            0 => ValType::I32,
            1 => ValType::I64,
            2 => ValType::F32,
            3 => ValType::F64,
            4 => ValType::Ptr,
            _ => return None,
        })
    }

    pub fn name(self) -> &'static str {
        match self {
            ValType::I32 => "i32",
            ValType::I64 => "i64",
            ValType::F32 => "f32",
            ValType::F64 => "f64",
            ValType::Ptr => "ptr",
        }
    }

    #[inline(never)]
    pub fn from_name(s: &str) -> Option<ValType> {
        // The inverse of `name` through its table (a `match` on strings
        // compares each literal in line).
        (0..5).filter_map(ValType::from_u8).find(|t| t.name() == s)
    }
}

/// A function signature.
// `PartialEq` is written out (below) only to keep it out of line; it
// compares every field as the derived one would, so `Hash` agrees with it.
#[allow(clippy::derived_hash_with_manual_eq)]
#[derive(Debug, Eq, Hash, PartialOrd, Ord, Default)]
pub struct FuncType {
    pub params: Vec<ValType>,
    pub result: Option<ValType>,
    /// C `...`: for an import, each call site passes its own full signature
    /// (`call.import.var`); for a module function, the caller passes a pointer
    /// to the packed variadic arguments as one extra trailing `ptr` parameter.
    pub variadic: bool,
}

/// As derived (field by field), but out of line: the loader and the linker
/// compare signatures at several places, each of which inlined the
/// comparison of the parameter lists.
impl PartialEq for FuncType {
    #[inline(never)]
    fn eq(&self, other: &FuncType) -> bool {
        self.params == other.params
            && self.result == other.result
            && self.variadic == other.variadic
    }
}

/// As derived, out of line like `eq` (the runtime copies signatures at
/// several places).
impl Clone for FuncType {
    #[inline(never)]
    fn clone(&self) -> FuncType {
        FuncType {
            params: self.params.clone(),
            result: self.result,
            variadic: self.variadic,
        }
    }
}

impl FuncType {
    /// Registers a call window needs: arguments in, result out.
    pub fn window(&self) -> usize {
        self.params.len().max(self.result.is_some() as usize)
    }
}

/// How an import is resolved.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImportKind {
    /// By symbol name.
    Name,
    /// By fast-symbol index: `table` indexes the symbol-table section.
    Fast { table: u32, index: u32 },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Import<'a> {
    pub name: Cow<'a, str>,
    pub ty: u32,
    pub kind: ImportKind,
}

/// Function flags (bit set).
pub mod func_flags {
    /// Marked `JIT_HOT` in the source.
    pub const HOT: u8 = 1 << 0;
    /// Makes no calls.
    pub const LEAF: u8 = 1 << 1;
    /// Uses floating point.
    pub const USES_FLOAT: u8 = 1 << 2;
    pub const ALL: u8 = HOT | LEAF | USES_FLOAT;
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Function<'a> {
    pub ty: u32,
    pub flags: u8,
    /// Registers used, 1..=256; parameters arrive in r0.. .
    pub regs: u16,
    /// Bytes of shadow-stack frame (static allocas, spills).
    pub frame_size: u32,
    /// log2 of the frame alignment.
    pub frame_align_log2: u8,
    pub code: Cow<'a, [u8]>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DataSegment<'a> {
    /// Linear address of the first byte.
    pub addr: u32,
    pub bytes: Cow<'a, [u8]>,
}

/// Memory the module asks for. Data and bss occupy `[NULL_GUARD, data_end)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MemoryReq {
    pub data_end: u32,
    pub heap_size: u32,
    pub stack_size: u32,
}

impl Default for MemoryReq {
    /// No data: `data_end` sits right after the null guard (0 would be invalid).
    fn default() -> MemoryReq {
        MemoryReq {
            data_end: NULL_GUARD,
            heap_size: 0,
            stack_size: 0,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Export<'a> {
    pub name: Cow<'a, str>,
    pub func: u32,
}

/// Where a callback (or its user data) sits in a native call's arguments.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ArgPlace {
    /// The argument itself.
    Param(u32),
    /// A field at `offset` bytes inside the struct the argument points to.
    Field { param: u32, offset: u32 },
}

/// Callback metadata: argument `place` of import `import` is a function
/// pointer of type `ty`; `user_data` travels with it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CallbackMeta {
    pub import: u32,
    pub place: ArgPlace,
    pub ty: u32,
    pub user_data: Option<ArgPlace>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
pub enum Direction {
    In = 1,
    Out = 2,
    InOut = 3,
}

/// How many bytes a pointer argument designates.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SizeSpec {
    Const(u32),
    /// The value of another argument, times `scale`.
    Param {
        param: u32,
        scale: u32,
    },
    /// NUL-terminated string.
    StrLen,
}

/// Pointer-marshalling metadata for one argument of an import.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PtrMeta {
    pub import: u32,
    pub param: u32,
    /// `Some(off)`: the pointer is the field at byte `off` of the struct that
    /// argument `param` points to (e.g. `esp_timer_create_args_t.name`); the
    /// struct itself must carry constant-size pointer metadata.
    pub field: Option<u32>,
    pub dir: Direction,
    pub size: SizeSpec,
    /// The native side reads/writes pointer-sized values (handles) here:
    /// marshal each 4-byte module value to/from a native-width one.
    pub handles: bool,
}

/// A fast-symbol table the module was built against.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SymTabRef<'a> {
    pub name: Cow<'a, str>,
    pub hash: u64,
}

/// One row of a line table: code at `offset` onwards comes from `file:line`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LineRow {
    pub offset: u32,
    pub file: u32,
    pub line: u32,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FuncLines {
    pub func: u32,
    pub rows: Vec<LineRow>,
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct LineTables<'a> {
    pub files: Vec<Cow<'a, str>>,
    pub funcs: Vec<FuncLines>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Custom<'a> {
    pub name: Cow<'a, str>,
    pub bytes: Cow<'a, [u8]>,
}

/// A whole module.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Module<'a> {
    pub types: Vec<FuncType>,
    pub imports: Vec<Import<'a>>,
    pub functions: Vec<Function<'a>>,
    pub data: Vec<DataSegment<'a>>,
    pub memory: MemoryReq,
    pub exports: Vec<Export<'a>>,
    pub start: Option<u32>,
    pub callbacks: Vec<CallbackMeta>,
    pub pointers: Vec<PtrMeta>,
    pub symtabs: Vec<SymTabRef<'a>>,
    pub lines: Option<LineTables<'a>>,
    /// Function names (index, name), for traps and disassembly.
    pub names: Vec<(u32, Cow<'a, str>)>,
    pub custom: Vec<Custom<'a>>,
}

impl<'a> Module<'a> {
    /// Looks up an exported function by name.
    pub fn export(&self, name: &str) -> Option<u32> {
        self.exports.iter().find(|e| e.name == name).map(|e| e.func)
    }

    /// The debug name of a function, if the module carries one.
    #[inline(never)]
    pub fn func_name(&self, func: u32) -> Option<&str> {
        self.names
            .iter()
            .find(|(i, _)| *i == func)
            .map(|(_, n)| &**n)
    }

    /// The signature of function `func` (indices are validated by the reader).
    #[inline(never)]
    pub fn func_type(&self, func: u32) -> Option<&FuncType> {
        let f = self.functions.get(func as usize)?;
        self.types.get(f.ty as usize)
    }

    /// The C source position of `offset` in function `func`, if known.
    pub fn source_line(&self, func: u32, offset: u32) -> Option<(&str, u32)> {
        let lines = self.lines.as_ref()?;
        let fl = lines.funcs.iter().find(|f| f.func == func)?;
        let row = fl.rows.iter().rev().find(|r| r.offset <= offset)?;
        let file = lines.files.get(row.file as usize)?;
        Some((file, row.line))
    }
}
