//! `Opcode` and `Instr`, generated from the table in [`crate::opcodes`], with
//! the generic operand-list view that the encoder, decoder, validator,
//! disassembler and assembler share.

#![deny(clippy::indexing_slicing)]

use alloc::vec::Vec;

use crate::opcodes::{OperandKind, INSTR_ALIGN};

/// One decoded operand.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Operand {
    Dst(u8),
    Reg(u8),
    Base(u8),
    U8(u8),
    I32(i32),
    U32(u32),
    I64(i64),
    Tgt(u32),
    Func(u32),
    Imp(u32),
    Ty(u32),
    Tbl(Vec<u32>),
}

impl Operand {
    pub fn kind(&self) -> OperandKind {
        match self {
            Operand::Dst(_) => OperandKind::Dst,
            Operand::Reg(_) => OperandKind::Reg,
            Operand::Base(_) => OperandKind::Base,
            Operand::U8(_) => OperandKind::U8,
            Operand::I32(_) => OperandKind::I32,
            Operand::U32(_) => OperandKind::U32,
            Operand::I64(_) => OperandKind::I64,
            Operand::Tgt(_) => OperandKind::Tgt,
            Operand::Func(_) => OperandKind::Func,
            Operand::Imp(_) => OperandKind::Imp,
            Operand::Ty(_) => OperandKind::Ty,
            Operand::Tbl(_) => OperandKind::Tbl,
        }
    }
}

#[doc(hidden)]
#[macro_export]
macro_rules! __operand_rust_type {
    (Dst) => { u8 };
    (Reg) => { u8 };
    (Base) => { u8 };
    (U8) => { u8 };
    (I32) => { i32 };
    (U32) => { u32 };
    (I64) => { i64 };
    (Tgt) => { u32 };
    (Func) => { u32 };
    (Imp) => { u32 };
    (Ty) => { u32 };
    (Tbl) => { alloc::vec::Vec<u32> };
}

macro_rules! define_instructions {
    ($($code:literal $name:ident $mnemonic:literal $types:literal { $($field:ident : $kind:ident),* };)*) => {
        /// Every opcode of the instruction set. The value is the code: one
        /// byte, or `ESCAPE` then a second byte (`0x2fNN`).
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        #[repr(u16)]
        pub enum Opcode {
            $($name = $code,)*
        }

        impl Opcode {
            /// All opcodes in table order.
            pub const ALL: &'static [Opcode] = &[$(Opcode::$name),*];

            /// The opcode with this code (`0x00..=0xff` one byte, `0x2f00..=0x2fff`
            /// after the escape byte).
            pub const fn from_code(code: u16) -> Option<Opcode> {
                match code {
                    $($code => Some(Opcode::$name),)*
                    _ => None,
                }
            }

            /// The one-byte opcode `byte` (`None` for the escape byte and
            /// unassigned bytes).
            pub const fn from_u8(byte: u8) -> Option<Opcode> {
                Opcode::from_code(byte as u16)
            }

            /// The code: one byte, or `ESCAPE` and a second byte.
            pub const fn code(self) -> u16 {
                self as u16
            }

            /// Bytes of the opcode itself (1, or 2 after the escape byte).
            pub const fn code_len(self) -> usize {
                if self.code() > 0xff { 2 } else { 1 }
            }

            /// The text-form name.
            pub const fn mnemonic(self) -> &'static str {
                match self {
                    $(Opcode::$name => $mnemonic,)*
                }
            }

            /// How registers are read and written, e.g. `"i32 i32 -> i32"`.
            pub const fn types(self) -> &'static str {
                match self {
                    $(Opcode::$name => $types,)*
                }
            }

            /// Operand kinds in encoding order.
            pub const fn operands(self) -> &'static [OperandKind] {
                match self {
                    $(Opcode::$name => &[$(OperandKind::$kind),*],)*
                }
            }

            /// Operand field names in encoding order (used by docs and the assembler's errors).
            pub const fn operand_names(self) -> &'static [&'static str] {
                match self {
                    $(Opcode::$name => &[$(stringify!($field)),*],)*
                }
            }


            pub fn from_mnemonic(text: &str) -> Option<Opcode> {
                match text {
                    $($mnemonic => Some(Opcode::$name),)*
                    _ => None,
                }
            }
        }

        /// A decoded instruction with typed fields.
        #[derive(Debug, Clone, PartialEq, Eq)]
        pub enum Instr {
            $($name { $($field: $crate::__operand_rust_type!($kind)),* },)*
        }

        impl Instr {
            pub fn opcode(&self) -> Opcode {
                match self {
                    $(Instr::$name { .. } => Opcode::$name,)*
                }
            }

            /// The operands in encoding order.
            pub fn operands(&self) -> Vec<Operand> {
                match self {
                    $(Instr::$name { $($field),* } => alloc::vec![$(Operand::$kind($field.clone())),*],)*
                }
            }

            /// Builds an instruction from an operand list (checked against the table).
            #[allow(unused_mut, unused_variables)]
            pub fn from_operands(op: Opcode, operands: Vec<Operand>) -> Option<Instr> {
                let mut it = operands.into_iter();
                let instr = match op {
                    $(Opcode::$name => Instr::$name {
                        $($field: match it.next()? { Operand::$kind(x) => x, _ => return None },)*
                    },)*
                };
                if it.next().is_some() { return None; }
                Some(instr)
            }
        }
    };
}

crate::for_each_opcode!(define_instructions);

// The layout (see `opcodes`): evaluated at compile time where the
// interpreter asks (`const { .. }`), so out-of-range indexing cannot happen
// at run time there; at run time (decoders) the loops stay inside `ops`.
#[allow(clippy::indexing_slicing)]
impl Opcode {
    /// Bytes of the first part: the opcode and every one-byte operand,
    /// before the padding to a whole word.
    const fn byte_part(self) -> usize {
        let ops = self.operands();
        let mut n = self.code_len();
        let mut k = 0;
        while k < ops.len() {
            if ops[k].is_byte() {
                n += 1;
            }
            k += 1;
        }
        n
    }

    /// Byte offset of operand `i` (table order) from the instruction's
    /// start; `usize::MAX` if there is no such operand. For a jump table,
    /// the offset of its count (its targets follow).
    pub const fn operand_offset(self, i: usize) -> usize {
        let ops = self.operands();
        if i >= ops.len() {
            return usize::MAX;
        }
        let mut at = if ops[i].is_byte() {
            self.code_len()
        } else {
            self.byte_part().next_multiple_of(INSTR_ALIGN)
        };
        let mut k = 0;
        while k < i {
            if ops[k].is_byte() == ops[i].is_byte() {
                at += ops[k].size();
            }
            k += 1;
        }
        at
    }

    /// Byte offset of the operand named `name` (compile-time use:
    /// `const { O::Load8U.offset_of("offset") }` fails to compile for a
    /// name the table does not have).
    pub const fn offset_of(self, name: &str) -> usize {
        self.operand_offset(self.operand_index(name))
    }

    /// Table position of the operand named `name` (compile-time use, as
    /// [`Opcode::offset_of`]: `RawInstr::operand(const { .. })` reads a
    /// field without searching the names at run time).
    pub const fn operand_index(self, name: &str) -> usize {
        let names = self.operand_names();
        let mut i = 0;
        while i < names.len() {
            if str_eq(names[i], name) {
                return i;
            }
            i += 1;
        }
        panic!("no operand of that name")
    }

    /// Encoded size when the instruction has no jump table: a multiple of
    /// [`INSTR_ALIGN`].
    pub const fn fixed_size(self) -> usize {
        let ops = self.operands();
        let mut n = self.byte_part().next_multiple_of(INSTR_ALIGN);
        let mut k = 0;
        while k < ops.len() {
            if !ops[k].is_byte() {
                n += ops[k].size();
            }
            k += 1;
        }
        n
    }
}

#[allow(clippy::indexing_slicing)]
const fn str_eq(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    if a.len() != b.len() {
        return false;
    }
    let mut i = 0;
    while i < a.len() {
        if a[i] != b[i] {
            return false;
        }
        i += 1;
    }
    true
}

impl Instr {
    /// Appends the encoding of `self` to `out` (see the layout in
    /// [`crate::opcodes`]).
    pub fn encode(&self, out: &mut Vec<u8>) {
        let start = out.len();
        let code = self.opcode().code();
        if code > 0xff {
            out.push((code >> 8) as u8);
        }
        out.push(code as u8);
        let operands = self.operands();
        for operand in &operands {
            if let Operand::Dst(r) | Operand::Reg(r) | Operand::Base(r) | Operand::U8(r) = *operand
            {
                out.push(r)
            }
        }
        while !(out.len() - start).is_multiple_of(INSTR_ALIGN) {
            out.push(0);
        }
        for operand in operands {
            match operand {
                Operand::Dst(_) | Operand::Reg(_) | Operand::Base(_) | Operand::U8(_) => {}
                Operand::I32(v) => out.extend_from_slice(&v.to_le_bytes()),
                Operand::I64(v) => out.extend_from_slice(&v.to_le_bytes()),
                Operand::U32(v)
                | Operand::Tgt(v)
                | Operand::Func(v)
                | Operand::Imp(v)
                | Operand::Ty(v) => out.extend_from_slice(&v.to_le_bytes()),
                Operand::Tbl(targets) => {
                    out.extend_from_slice(&(targets.len() as u32).to_le_bytes());
                    for t in targets {
                        out.extend_from_slice(&t.to_le_bytes());
                    }
                }
            }
        }
    }

    /// Size of the encoding in bytes.
    pub fn encoded_len(&self) -> usize {
        let extra = match self {
            Instr::BrTable { targets, .. } => 4 * targets.len(),
            _ => 0,
        };
        self.opcode().fixed_size() + extra
    }

    /// Decodes one instruction at `pc`. Returns the instruction and its length.
    pub fn decode(code: &[u8], pc: usize) -> Result<(Instr, usize), DecodeError> {
        let raw = RawInstr::decode(code, pc)?;
        let mut operands = Vec::with_capacity(raw.op.operands().len());
        for (kind, v) in raw.operands() {
            operands.push(match kind {
                OperandKind::Dst => Operand::Dst(v as u8),
                OperandKind::Reg => Operand::Reg(v as u8),
                OperandKind::Base => Operand::Base(v as u8),
                OperandKind::U8 => Operand::U8(v as u8),
                OperandKind::I32 => Operand::I32(v as u32 as i32),
                OperandKind::U32 => Operand::U32(v as u32),
                OperandKind::Tgt => Operand::Tgt(v as u32),
                OperandKind::Func => Operand::Func(v as u32),
                OperandKind::Imp => Operand::Imp(v as u32),
                OperandKind::Ty => Operand::Ty(v as u32),
                OperandKind::I64 => Operand::I64(v as i64),
                OperandKind::Tbl => Operand::Tbl(raw.table_targets(code).collect()),
            });
        }
        let instr = Instr::from_operands(raw.op, operands).ok_or(DecodeError::Truncated)?;
        Ok((instr, raw.len))
    }

    /// Whether control never falls through to the next instruction.
    pub fn is_terminator(&self) -> bool {
        self.opcode().is_terminator()
    }
}

impl Opcode {
    /// The opcode of the instruction at `pc`: one byte, or the escape byte
    /// and a second one.
    pub fn decode(code: &[u8], pc: usize) -> Result<Opcode, DecodeError> {
        let byte = *code.get(pc).ok_or(DecodeError::Truncated)?;
        if byte == crate::opcodes::ESCAPE {
            let second = *code.get(pc + 1).ok_or(DecodeError::Truncated)?;
            Opcode::from_code(u16::from_be_bytes([byte, second]))
                .ok_or(DecodeError::UnknownExtOpcode(second))
        } else {
            Opcode::from_u8(byte).ok_or(DecodeError::UnknownOpcode(byte))
        }
    }

    /// Whether the instruction calls a function (module, import or indirect).
    pub fn is_call(self) -> bool {
        matches!(
            self,
            Opcode::Call | Opcode::CallImport | Opcode::CallImportVar | Opcode::CallIndirect
        )
    }

    /// Whether control never falls through to the next instruction.
    pub fn is_terminator(self) -> bool {
        matches!(
            self,
            Opcode::Unreachable
                | Opcode::Br
                | Opcode::BrTable
                | Opcode::Ret
                | Opcode::RetVoid
                | Opcode::Trap
        )
    }
}

/// Most operands any instruction has.
pub const MAX_OPERANDS: usize = max_operands();

// Evaluated at compile time: an index out of range would not compile.
#[allow(clippy::indexing_slicing)]
const fn max_operands() -> usize {
    let mut i = 0;
    let mut m = 0;
    while i < Opcode::ALL.len() {
        let n = Opcode::ALL[i].operands().len();
        if n > m {
            m = n;
        }
        i += 1;
    }
    m
}

/// One opcode's layout as the loader's decoder needs it, computed at compile
/// time from the table: operand kinds and byte offsets, the encoded size
/// without a jump table, and where the padding after the byte operands
/// starts. Opcodes of the same shape share one entry ([`LAYOUTS`]), so the
/// decoder is two table reads instead of a jump table per query
/// (`Opcode::operands`) and loops re-deriving offsets at run time.
#[derive(Debug, Clone, Copy)]
struct Layout {
    kinds: [OperandKind; MAX_OPERANDS],
    offsets: [u8; MAX_OPERANDS],
    n: u8,
    fixed: u8,
    pad_from: u8,
}

// Evaluated at compile time (index out of range would not compile).
#[allow(clippy::indexing_slicing)]
impl Layout {
    const fn of(op: Opcode) -> Layout {
        let ops = op.operands();
        let mut l = Layout {
            kinds: [OperandKind::Dst; MAX_OPERANDS],
            offsets: [0; MAX_OPERANDS],
            n: ops.len() as u8,
            fixed: op.fixed_size() as u8,
            pad_from: op.byte_part() as u8,
        };
        assert!(op.fixed_size() <= u8::MAX as usize);
        let mut i = 0;
        while i < ops.len() {
            l.kinds[i] = ops[i];
            l.offsets[i] = op.operand_offset(i) as u8;
            i += 1;
        }
        l
    }

    const fn same(&self, o: &Layout) -> bool {
        if self.n != o.n || self.fixed != o.fixed || self.pad_from != o.pad_from {
            return false;
        }
        let mut i = 0;
        while i < self.n as usize {
            if self.kinds[i] as u8 != o.kinds[i] as u8 || self.offsets[i] != o.offsets[i] {
                return false;
            }
            i += 1;
        }
        true
    }

    fn kinds(&self) -> &[OperandKind] {
        self.kinds.get(..self.n as usize).unwrap_or(&[])
    }
}

/// Position of an opcode in [`LAYOUT_OF`]: one-byte codes, then the
/// escaped ones (`0x2fNN`) from 256.
const fn dense(code: u16) -> usize {
    if code > 0xff {
        0x100 | (code & 0xff) as usize
    } else {
        code as usize
    }
}

impl Opcode {
    /// This opcode's position in a table of [`Opcode::TABLE_LEN`] entries.
    pub const fn table_index(self) -> usize {
        dense(self.code())
    }

    /// Positions a table indexed by opcode needs: the 256 one-byte codes
    /// (those that are no opcode included), then the escaped ones
    /// (`0x2fNN` at `256 + NN`) up to the largest `NN` in use. The
    /// validator rejects every other escaped code, so a validated body's
    /// opcodes all fall below it.
    #[allow(clippy::indexing_slicing)]
    pub const TABLE_LEN: usize = {
        let mut n = 0x100;
        let mut i = 0;
        while i < Opcode::ALL.len() {
            let d = dense(Opcode::ALL[i].code());
            if d >= n {
                n = d + 1;
            }
            i += 1;
        }
        n
    };
}

/// Each opcode's layout, in `Opcode::ALL` order.
#[allow(clippy::indexing_slicing)]
const fn all_layouts() -> [Layout; Opcode::ALL.len()] {
    let mut out = [Layout::of(Opcode::Nop); Opcode::ALL.len()];
    let mut i = 0;
    while i < out.len() {
        out[i] = Layout::of(Opcode::ALL[i]);
        i += 1;
    }
    out
}

const ALL_LAYOUTS: [Layout; Opcode::ALL.len()] = all_layouts();

/// The distinct layouts (the first `.1` entries of `.0`) and each opcode's
/// index into them, in `Opcode::ALL` order.
#[allow(clippy::indexing_slicing)]
const fn dedup() -> ([Layout; Opcode::ALL.len()], usize, [u8; Opcode::ALL.len()]) {
    let mut unique = [Layout::of(Opcode::Nop); Opcode::ALL.len()];
    let mut which = [0u8; Opcode::ALL.len()];
    let mut n = 0;
    let mut i = 0;
    while i < ALL_LAYOUTS.len() {
        let mut k = 0;
        while k < n && !unique[k].same(&ALL_LAYOUTS[i]) {
            k += 1;
        }
        if k == n {
            unique[n] = ALL_LAYOUTS[i];
            n += 1;
        }
        which[i] = k as u8;
        i += 1;
    }
    (unique, n, which)
}

const DEDUP: ([Layout; Opcode::ALL.len()], usize, [u8; Opcode::ALL.len()]) = dedup();
const N_LAYOUTS: usize = DEDUP.1;
const _: () = assert!(N_LAYOUTS < NO_LAYOUT as usize);

/// [`LAYOUT_OF`]'s entry for a code that is no opcode.
const NO_LAYOUT: u8 = u8::MAX;

/// The distinct layouts, and each opcode's index into them.
#[allow(clippy::indexing_slicing)]
const fn layout_tables() -> ([Layout; N_LAYOUTS], [u8; 512]) {
    let mut layouts = [Layout::of(Opcode::Nop); N_LAYOUTS];
    let mut k = 0;
    while k < N_LAYOUTS {
        layouts[k] = DEDUP.0[k];
        k += 1;
    }
    let mut index = [NO_LAYOUT; 512];
    let mut i = 0;
    while i < Opcode::ALL.len() {
        index[dense(Opcode::ALL[i].code())] = DEDUP.2[i];
        i += 1;
    }
    (layouts, index)
}

const TABLES: ([Layout; N_LAYOUTS], [u8; 512]) = layout_tables();
static LAYOUTS: [Layout; N_LAYOUTS] = TABLES.0;
static LAYOUT_OF: [u8; 512] = TABLES.1;

impl Opcode {
    /// This opcode's [`Layout`] (`None` cannot happen for an opcode of the
    /// table; the decoder treats it as a truncated instruction rather than
    /// panicking).
    fn layout(self) -> Option<&'static Layout> {
        let i = *LAYOUT_OF.get(dense(self.code()))?;
        LAYOUTS.get(i as usize)
    }
}

/// An instruction decoded without allocating: the opcode and each operand
/// as the number it encodes, in table order (a jump table as its count; its
/// targets are read from the code when asked for). This is what the loader's
/// validator works on: a few hundred bytes of table-driven code instead of
/// the typed [`Instr`]'s per-opcode decoding, which firmware need not carry.
#[derive(Debug, Clone, Copy)]
pub struct RawInstr {
    pub op: Opcode,
    /// Encoded length in bytes.
    pub len: usize,
    kinds: &'static [OperandKind],
    vals: [u64; MAX_OPERANDS],
    /// Offset of the jump table's first target in the code.
    table: usize,
}

impl RawInstr {
    /// Decodes the instruction at `pc` (laid out as [`crate::opcodes`]
    /// says; the padding after the one-byte operands must be zero).
    pub fn decode(code: &[u8], pc: usize) -> Result<RawInstr, DecodeError> {
        let op = Opcode::decode(code, pc)?;
        let layout = op.layout().ok_or(DecodeError::Truncated)?;
        let fixed = layout.fixed as usize;
        let body = code
            .get(pc..pc.checked_add(fixed).ok_or(DecodeError::Truncated)?)
            .ok_or(DecodeError::Truncated)?;
        let pad_from = layout.pad_from as usize;
        if let Some(k) = body
            .get(pad_from..fixed.min(pad_from.next_multiple_of(INSTR_ALIGN)))
            .and_then(|pad| pad.iter().position(|&b| b != 0))
        {
            return Err(DecodeError::NonZeroPadding(pad_from + k));
        }
        // Built in place (a local operand array was zeroed, then copied
        // into the result).
        let mut r = RawInstr {
            op,
            len: fixed,
            kinds: layout.kinds(),
            vals: [0u64; MAX_OPERANDS],
            table: 0,
        };
        for ((v, &kind), &at) in r.vals.iter_mut().zip(r.kinds).zip(&layout.offsets) {
            let at = at as usize;
            let size = kind.size();
            let mut le = [0u8; 8];
            if let (Some(d), Some(s)) = (le.get_mut(..size), body.get(at..at + size)) {
                d.copy_from_slice(s);
            }
            *v = u64::from_le_bytes(le);
            if kind == OperandKind::Tbl {
                // The targets follow the count; bound the count by what the
                // code can actually hold.
                let n = *v as usize;
                if n > code.len().saturating_sub(pc + fixed) / 4 {
                    return Err(DecodeError::Truncated);
                }
                r.table = pc + at + 4;
                r.len += 4 * n;
            }
        }
        Ok(r)
    }

    /// Operand `i` in table order (a jump table: its count).
    pub fn operand(&self, i: usize) -> u64 {
        self.vals.get(i).copied().unwrap_or(0)
    }

    /// The operand the table names `name` (0 if the opcode has none).
    pub fn field(&self, name: &str) -> u64 {
        self.op
            .operand_names()
            .iter()
            .position(|n| *n == name)
            .map_or(0, |i| self.operand(i))
    }

    /// Each operand's kind and value, in table order (the values read in
    /// place: zipped by value, the array was copied into each iterator).
    pub fn operands(&self) -> impl Iterator<Item = (OperandKind, u64)> + '_ {
        self.kinds.iter().copied().zip(self.vals.iter().copied())
    }

    /// The jump table's targets (`code` is the body it was decoded from).
    pub fn table_targets<'c>(&self, code: &'c [u8]) -> impl Iterator<Item = u32> + 'c {
        let n = self
            .operands()
            .find(|(k, _)| *k == OperandKind::Tbl)
            .map_or(0, |(_, n)| n as usize);
        code.get(self.table..self.table + 4 * n)
            .unwrap_or(&[])
            .chunks_exact(4)
            .map(|c| u32::from_le_bytes(c.try_into().unwrap_or([0; 4])))
    }
}

/// Why a single instruction could not be decoded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DecodeError {
    /// The instruction runs past the end of the code.
    Truncated,
    /// The byte is not an opcode of this version.
    UnknownOpcode(u8),
    /// The byte after the escape byte is not an extended opcode of this
    /// version.
    UnknownExtOpcode(u8),
    /// A padding byte (at this offset from the instruction's start) is not
    /// zero.
    NonZeroPadding(usize),
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The interpreter indexes its handler table (`Opcode::TABLE_LEN`
    /// entries) by an escaped code's second byte without a check: every
    /// second byte the decoder accepts must fall inside, and some must not.
    #[test]
    fn decodable_escaped_codes_fit_the_table() {
        let mut accepted = 0;
        for b in 0..=u8::MAX {
            let fits = 0x100 + usize::from(b) < Opcode::TABLE_LEN;
            match Opcode::decode(&[crate::opcodes::ESCAPE, b], 0) {
                Ok(op) => {
                    assert!(fits, "{op:?} lies past the table");
                    accepted += 1;
                }
                Err(e) => assert_eq!(e, DecodeError::UnknownExtOpcode(b)),
            }
        }
        assert_eq!(accepted, Opcode::TABLE_LEN - 0x100);
        const { assert!(Opcode::TABLE_LEN < 0x200) };
    }

    /// The decoder's compile-time layouts say what the table's const
    /// functions say, for every opcode.
    #[test]
    fn layouts_match_the_table() {
        for &op in Opcode::ALL {
            let l = op.layout().expect("every opcode has a layout");
            assert_eq!(l.kinds(), op.operands(), "{op:?}");
            assert_eq!(l.fixed as usize, op.fixed_size(), "{op:?}");
            assert_eq!(l.pad_from as usize, op.byte_part(), "{op:?}");
            for (i, &at) in l.offsets.iter().enumerate().take(op.operands().len()) {
                assert_eq!(at as usize, op.operand_offset(i), "{op:?} {i}");
            }
        }
        let valid = Opcode::ALL
            .iter()
            .map(|op| dense(op.code()))
            .collect::<Vec<_>>();
        for (i, &k) in LAYOUT_OF.iter().enumerate() {
            assert_eq!(k != NO_LAYOUT, valid.contains(&i), "code index {i}");
        }
    }
}
