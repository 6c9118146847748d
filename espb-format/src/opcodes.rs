//! The instruction set: ONE table, from which everything else is derived.
//!
//! Each row is `opcode Variant "mnemonic" "types" { operand: Kind, ... };`.
//! `for_each_opcode!` hands the table to any macro, so the encoder, decoder,
//! validator, disassembler and assembler in this crate and the interpreter in
//! `espb-runtime` all read the same rows. Numbers are stable once published:
//! append new rows, never renumber.
//!
//! Operand kinds and how an instruction is laid out (fixed-width
//! little-endian, so the interpreter reads operands in place without a
//! decode pass):
//!
//! | kind   | bytes | meaning |
//! |--------|-------|---------|
//! | `Dst`  | 1 | register written |
//! | `Reg`  | 1 | register read |
//! | `Base` | 1 | first register of a call window (arguments in, result out) |
//! | `U8`   | 1 | small immediate (widths, atomic kinds, trap codes) |
//! | `I32`  | 4 | signed immediate |
//! | `U32`  | 4 | unsigned immediate |
//! | `I64`  | 8 | 64-bit immediate |
//! | `Tgt`  | 4 | branch target: byte offset from the start of the function body |
//! | `Func` | 4 | index into the function section |
//! | `Imp`  | 4 | index into the import section |
//! | `Ty`   | 4 | index into the type section |
//! | `Tbl`  | 4 + 4n | jump table: count n, then n targets (always the last operand) |
//!
//! Layout of one instruction (`Opcode::operand_offset`): the opcode (one
//! byte, or the escape byte and a second one), then every one-byte operand
//! in table order, then zero bytes up to a multiple of 4, then every wider
//! operand in table order. Every instruction is a whole number of 4-byte
//! words and every body starts 4-aligned, so each 4-byte operand sits at a
//! 4-aligned address: one load on a core without misaligned loads (RV32,
//! Xtensa), where an unaligned one costs four byte loads and six shifts and
//! ors. An 8-byte operand is two aligned words.
//!
//! The "types" column documents how the registers are read and written; the
//! register file itself is untyped 64-bit slots (an i32/f32 lives in the low
//! 32 bits, the high bits are ignored by every reader of an i32/f32).

/// The first byte of a two-byte opcode (`0x2f`, then the second byte): the
/// one-byte space is full. Rows with a code above `0xff` are extended.
pub const ESCAPE: u8 = 0x2f;

/// Invokes `$m!` with the whole opcode table.
#[macro_export]
macro_rules! for_each_opcode {
    ($m:ident) => {
        $m! {
            // ---- control ----------------------------------------------------
            0x00 Unreachable "unreachable" "" {};
            0x01 Nop "nop" "" {};
            0x02 Br "br" "" { target: Tgt };
            0x03 BrIf "br_if" "i32" { cond: Reg, target: Tgt };
            0x04 BrIfNot "br_ifnot" "i32" { cond: Reg, target: Tgt };
            0x05 BrTable "br_table" "i32" { index: Reg, default: Tgt, targets: Tbl };
            0x06 Ret "ret" "any" { src: Reg };
            0x07 RetVoid "ret.void" "" {};
            0x08 Call "call" "" { func: Func, base: Base };
            0x09 CallImport "call.import" "" { import: Imp, base: Base };
            0x0a CallImportVar "call.import.var" "" { import: Imp, ty: Ty, base: Base };
            0x0b CallIndirect "call.indirect" "ptr" { ty: Ty, callee: Reg, base: Base };
            0x0c Select "select" "i32 any any -> any" { dst: Dst, cond: Reg, a: Reg, b: Reg };
            0x0d Mov "mov" "any -> any" { dst: Dst, src: Reg };
            0x0e Const32 "const32" "-> i32" { dst: Dst, value: I32 };
            0x0f Const64 "const64" "-> i64" { dst: Dst, value: I64 };
            0x10 FrameAddr "frame.addr" "-> ptr" { dst: Dst, offset: U32 };
            0x11 Alloca "alloca" "i32 -> ptr" { dst: Dst, size: Reg, align: U32 };
            0x12 StackSave "stack.save" "-> ptr" { dst: Dst };
            0x13 StackRestore "stack.restore" "ptr" { src: Reg };
            0x14 FuncAddr "func.addr" "-> ptr" { dst: Dst, func: Func };
            0x15 ImportAddr "import.addr" "-> ptr" { dst: Dst, import: Imp };
            0x16 Trap "trap" "" { code: U8 };

            // ---- fused compare-and-branch (i32 and i64, register operands) --
            0x18 BrEq32 "br.eq.i32" "i32 i32" { a: Reg, b: Reg, target: Tgt };
            0x19 BrNe32 "br.ne.i32" "i32 i32" { a: Reg, b: Reg, target: Tgt };
            0x1a BrLtS32 "br.lt_s.i32" "i32 i32" { a: Reg, b: Reg, target: Tgt };
            0x1b BrLtU32 "br.lt_u.i32" "i32 i32" { a: Reg, b: Reg, target: Tgt };
            0x1c BrLeS32 "br.le_s.i32" "i32 i32" { a: Reg, b: Reg, target: Tgt };
            0x1d BrLeU32 "br.le_u.i32" "i32 i32" { a: Reg, b: Reg, target: Tgt };
            0x1e BrEq64 "br.eq.i64" "i64 i64" { a: Reg, b: Reg, target: Tgt };
            0x1f BrNe64 "br.ne.i64" "i64 i64" { a: Reg, b: Reg, target: Tgt };
            0x20 BrLtS64 "br.lt_s.i64" "i64 i64" { a: Reg, b: Reg, target: Tgt };
            0x21 BrLtU64 "br.lt_u.i64" "i64 i64" { a: Reg, b: Reg, target: Tgt };
            0x22 BrLeS64 "br.le_s.i64" "i64 i64" { a: Reg, b: Reg, target: Tgt };
            0x23 BrLeU64 "br.le_u.i64" "i64 i64" { a: Reg, b: Reg, target: Tgt };
            // ---- fused compare-with-immediate-and-branch (i32) --------------
            0x24 BrEqI32 "br.eqi.i32" "i32" { a: Reg, imm: I32, target: Tgt };
            0x25 BrNeI32 "br.nei.i32" "i32" { a: Reg, imm: I32, target: Tgt };
            0x26 BrLtSI32 "br.lt_si.i32" "i32" { a: Reg, imm: I32, target: Tgt };
            0x27 BrLtUI32 "br.lt_ui.i32" "i32" { a: Reg, imm: I32, target: Tgt };
            0x28 BrGtSI32 "br.gt_si.i32" "i32" { a: Reg, imm: I32, target: Tgt };
            0x29 BrGtUI32 "br.gt_ui.i32" "i32" { a: Reg, imm: I32, target: Tgt };
            0x2a BrLeSI32 "br.le_si.i32" "i32" { a: Reg, imm: I32, target: Tgt };
            0x2b BrLeUI32 "br.le_ui.i32" "i32" { a: Reg, imm: I32, target: Tgt };
            0x2c BrGeSI32 "br.ge_si.i32" "i32" { a: Reg, imm: I32, target: Tgt };
            0x2d BrGeUI32 "br.ge_ui.i32" "i32" { a: Reg, imm: I32, target: Tgt };

            // ---- i32 arithmetic ---------------------------------------------
            0x30 I32Add "i32.add" "i32 i32 -> i32" { dst: Dst, a: Reg, b: Reg };
            0x31 I32Sub "i32.sub" "i32 i32 -> i32" { dst: Dst, a: Reg, b: Reg };
            0x32 I32Mul "i32.mul" "i32 i32 -> i32" { dst: Dst, a: Reg, b: Reg };
            0x33 I32DivS "i32.div_s" "i32 i32 -> i32" { dst: Dst, a: Reg, b: Reg };
            0x34 I32DivU "i32.div_u" "i32 i32 -> i32" { dst: Dst, a: Reg, b: Reg };
            0x35 I32RemS "i32.rem_s" "i32 i32 -> i32" { dst: Dst, a: Reg, b: Reg };
            0x36 I32RemU "i32.rem_u" "i32 i32 -> i32" { dst: Dst, a: Reg, b: Reg };
            0x37 I32And "i32.and" "i32 i32 -> i32" { dst: Dst, a: Reg, b: Reg };
            0x38 I32Or "i32.or" "i32 i32 -> i32" { dst: Dst, a: Reg, b: Reg };
            0x39 I32Xor "i32.xor" "i32 i32 -> i32" { dst: Dst, a: Reg, b: Reg };
            0x3a I32Shl "i32.shl" "i32 i32 -> i32" { dst: Dst, a: Reg, b: Reg };
            0x3b I32ShrS "i32.shr_s" "i32 i32 -> i32" { dst: Dst, a: Reg, b: Reg };
            0x3c I32ShrU "i32.shr_u" "i32 i32 -> i32" { dst: Dst, a: Reg, b: Reg };
            0x3d I32Rotl "i32.rotl" "i32 i32 -> i32" { dst: Dst, a: Reg, b: Reg };
            0x3e I32Rotr "i32.rotr" "i32 i32 -> i32" { dst: Dst, a: Reg, b: Reg };
            0x3f I32Eq "i32.eq" "i32 i32 -> i32" { dst: Dst, a: Reg, b: Reg };
            0x40 I32Ne "i32.ne" "i32 i32 -> i32" { dst: Dst, a: Reg, b: Reg };
            0x41 I32LtS "i32.lt_s" "i32 i32 -> i32" { dst: Dst, a: Reg, b: Reg };
            0x42 I32LtU "i32.lt_u" "i32 i32 -> i32" { dst: Dst, a: Reg, b: Reg };
            0x43 I32LeS "i32.le_s" "i32 i32 -> i32" { dst: Dst, a: Reg, b: Reg };
            0x44 I32LeU "i32.le_u" "i32 i32 -> i32" { dst: Dst, a: Reg, b: Reg };
            0x45 I32GtS "i32.gt_s" "i32 i32 -> i32" { dst: Dst, a: Reg, b: Reg };
            0x46 I32GtU "i32.gt_u" "i32 i32 -> i32" { dst: Dst, a: Reg, b: Reg };
            0x47 I32GeS "i32.ge_s" "i32 i32 -> i32" { dst: Dst, a: Reg, b: Reg };
            0x48 I32GeU "i32.ge_u" "i32 i32 -> i32" { dst: Dst, a: Reg, b: Reg };
            0x49 I32Clz "i32.clz" "i32 -> i32" { dst: Dst, a: Reg };
            0x4a I32Ctz "i32.ctz" "i32 -> i32" { dst: Dst, a: Reg };
            0x4b I32Popcnt "i32.popcnt" "i32 -> i32" { dst: Dst, a: Reg };
            0x4c I32Bswap "i32.bswap" "i32 -> i32" { dst: Dst, a: Reg };
            0x4d I32Eqz "i32.eqz" "i32 -> i32" { dst: Dst, a: Reg };
            0x4e I32Sext8 "i32.sext8" "i32 -> i32" { dst: Dst, a: Reg };
            0x4f I32Sext16 "i32.sext16" "i32 -> i32" { dst: Dst, a: Reg };
            // ---- i32 with an immediate operand ------------------------------
            0x50 I32AddI "i32.addi" "i32 -> i32" { dst: Dst, a: Reg, imm: I32 };
            0x51 I32MulI "i32.muli" "i32 -> i32" { dst: Dst, a: Reg, imm: I32 };
            0x52 I32AndI "i32.andi" "i32 -> i32" { dst: Dst, a: Reg, imm: I32 };
            0x53 I32OrI "i32.ori" "i32 -> i32" { dst: Dst, a: Reg, imm: I32 };
            0x54 I32XorI "i32.xori" "i32 -> i32" { dst: Dst, a: Reg, imm: I32 };
            0x55 I32ShlI "i32.shli" "i32 -> i32" { dst: Dst, a: Reg, imm: I32 };
            0x56 I32ShrSI "i32.shr_si" "i32 -> i32" { dst: Dst, a: Reg, imm: I32 };
            0x57 I32ShrUI "i32.shr_ui" "i32 -> i32" { dst: Dst, a: Reg, imm: I32 };
            0x58 I32EqI "i32.eqi" "i32 -> i32" { dst: Dst, a: Reg, imm: I32 };
            0x59 I32NeI "i32.nei" "i32 -> i32" { dst: Dst, a: Reg, imm: I32 };
            0x5a I32LtSI "i32.lt_si" "i32 -> i32" { dst: Dst, a: Reg, imm: I32 };
            0x5b I32LtUI "i32.lt_ui" "i32 -> i32" { dst: Dst, a: Reg, imm: I32 };
            0x5c I32GtSI "i32.gt_si" "i32 -> i32" { dst: Dst, a: Reg, imm: I32 };
            0x5d I32GtUI "i32.gt_ui" "i32 -> i32" { dst: Dst, a: Reg, imm: I32 };
            0x5e I32SubIFrom "i32.rsubi" "i32 -> i32" { dst: Dst, a: Reg, imm: I32 };

            // ---- i64 arithmetic ---------------------------------------------
            0x60 I64Add "i64.add" "i64 i64 -> i64" { dst: Dst, a: Reg, b: Reg };
            0x61 I64Sub "i64.sub" "i64 i64 -> i64" { dst: Dst, a: Reg, b: Reg };
            0x62 I64Mul "i64.mul" "i64 i64 -> i64" { dst: Dst, a: Reg, b: Reg };
            0x63 I64DivS "i64.div_s" "i64 i64 -> i64" { dst: Dst, a: Reg, b: Reg };
            0x64 I64DivU "i64.div_u" "i64 i64 -> i64" { dst: Dst, a: Reg, b: Reg };
            0x65 I64RemS "i64.rem_s" "i64 i64 -> i64" { dst: Dst, a: Reg, b: Reg };
            0x66 I64RemU "i64.rem_u" "i64 i64 -> i64" { dst: Dst, a: Reg, b: Reg };
            0x67 I64And "i64.and" "i64 i64 -> i64" { dst: Dst, a: Reg, b: Reg };
            0x68 I64Or "i64.or" "i64 i64 -> i64" { dst: Dst, a: Reg, b: Reg };
            0x69 I64Xor "i64.xor" "i64 i64 -> i64" { dst: Dst, a: Reg, b: Reg };
            0x6a I64Shl "i64.shl" "i64 i64 -> i64" { dst: Dst, a: Reg, b: Reg };
            0x6b I64ShrS "i64.shr_s" "i64 i64 -> i64" { dst: Dst, a: Reg, b: Reg };
            0x6c I64ShrU "i64.shr_u" "i64 i64 -> i64" { dst: Dst, a: Reg, b: Reg };
            0x6d I64Rotl "i64.rotl" "i64 i64 -> i64" { dst: Dst, a: Reg, b: Reg };
            0x6e I64Rotr "i64.rotr" "i64 i64 -> i64" { dst: Dst, a: Reg, b: Reg };
            0x6f I64Eq "i64.eq" "i64 i64 -> i32" { dst: Dst, a: Reg, b: Reg };
            0x70 I64Ne "i64.ne" "i64 i64 -> i32" { dst: Dst, a: Reg, b: Reg };
            0x71 I64LtS "i64.lt_s" "i64 i64 -> i32" { dst: Dst, a: Reg, b: Reg };
            0x72 I64LtU "i64.lt_u" "i64 i64 -> i32" { dst: Dst, a: Reg, b: Reg };
            0x73 I64LeS "i64.le_s" "i64 i64 -> i32" { dst: Dst, a: Reg, b: Reg };
            0x74 I64LeU "i64.le_u" "i64 i64 -> i32" { dst: Dst, a: Reg, b: Reg };
            0x75 I64GtS "i64.gt_s" "i64 i64 -> i32" { dst: Dst, a: Reg, b: Reg };
            0x76 I64GtU "i64.gt_u" "i64 i64 -> i32" { dst: Dst, a: Reg, b: Reg };
            0x77 I64GeS "i64.ge_s" "i64 i64 -> i32" { dst: Dst, a: Reg, b: Reg };
            0x78 I64GeU "i64.ge_u" "i64 i64 -> i32" { dst: Dst, a: Reg, b: Reg };
            0x79 I64Clz "i64.clz" "i64 -> i64" { dst: Dst, a: Reg };
            0x7a I64Ctz "i64.ctz" "i64 -> i64" { dst: Dst, a: Reg };
            0x7b I64Popcnt "i64.popcnt" "i64 -> i64" { dst: Dst, a: Reg };
            0x7c I64Bswap "i64.bswap" "i64 -> i64" { dst: Dst, a: Reg };
            0x7d I64Eqz "i64.eqz" "i64 -> i32" { dst: Dst, a: Reg };
            0x7e I64Sext8 "i64.sext8" "i64 -> i64" { dst: Dst, a: Reg };
            0x7f I64Sext16 "i64.sext16" "i64 -> i64" { dst: Dst, a: Reg };
            0x80 I64Sext32 "i64.sext32" "i32 -> i64" { dst: Dst, a: Reg };
            0x81 I64Zext32 "i64.zext32" "i32 -> i64" { dst: Dst, a: Reg };
            0x82 I64MulHS "i64.mulh_s" "i64 i64 -> i64" { dst: Dst, a: Reg, b: Reg };
            0x83 I64MulHU "i64.mulh_u" "i64 i64 -> i64" { dst: Dst, a: Reg, b: Reg };
            0x84 I64AddI "i64.addi" "i64 -> i64" { dst: Dst, a: Reg, imm: I32 };
            0x85 I64AndI "i64.andi" "i64 -> i64" { dst: Dst, a: Reg, imm: I64 };
            0x86 I64ShlI "i64.shli" "i64 -> i64" { dst: Dst, a: Reg, imm: I32 };
            0x87 I64ShrSI "i64.shr_si" "i64 -> i64" { dst: Dst, a: Reg, imm: I32 };
            0x88 I64ShrUI "i64.shr_ui" "i64 -> i64" { dst: Dst, a: Reg, imm: I32 };

            // ---- f32 --------------------------------------------------------
            0x90 F32Add "f32.add" "f32 f32 -> f32" { dst: Dst, a: Reg, b: Reg };
            0x91 F32Sub "f32.sub" "f32 f32 -> f32" { dst: Dst, a: Reg, b: Reg };
            0x92 F32Mul "f32.mul" "f32 f32 -> f32" { dst: Dst, a: Reg, b: Reg };
            0x93 F32Div "f32.div" "f32 f32 -> f32" { dst: Dst, a: Reg, b: Reg };
            0x94 F32Min "f32.min" "f32 f32 -> f32" { dst: Dst, a: Reg, b: Reg };
            0x95 F32Max "f32.max" "f32 f32 -> f32" { dst: Dst, a: Reg, b: Reg };
            0x96 F32Copysign "f32.copysign" "f32 f32 -> f32" { dst: Dst, a: Reg, b: Reg };
            0x97 F32Abs "f32.abs" "f32 -> f32" { dst: Dst, a: Reg };
            0x98 F32Neg "f32.neg" "f32 -> f32" { dst: Dst, a: Reg };
            0x99 F32Sqrt "f32.sqrt" "f32 -> f32" { dst: Dst, a: Reg };
            0x9a F32Floor "f32.floor" "f32 -> f32" { dst: Dst, a: Reg };
            0x9b F32Ceil "f32.ceil" "f32 -> f32" { dst: Dst, a: Reg };
            0x9c F32Trunc "f32.trunc" "f32 -> f32" { dst: Dst, a: Reg };
            0x9d F32Nearest "f32.nearest" "f32 -> f32" { dst: Dst, a: Reg };
            0x9e F32Round "f32.round" "f32 -> f32" { dst: Dst, a: Reg };
            0x9f F32Fma "f32.fma" "f32 f32 f32 -> f32" { dst: Dst, a: Reg, b: Reg, c: Reg };
            0xa0 F32Eq "f32.eq" "f32 f32 -> i32" { dst: Dst, a: Reg, b: Reg };
            0xa1 F32Ne "f32.ne" "f32 f32 -> i32" { dst: Dst, a: Reg, b: Reg };
            0xa2 F32Lt "f32.lt" "f32 f32 -> i32" { dst: Dst, a: Reg, b: Reg };
            0xa3 F32Le "f32.le" "f32 f32 -> i32" { dst: Dst, a: Reg, b: Reg };
            0xa4 F32Gt "f32.gt" "f32 f32 -> i32" { dst: Dst, a: Reg, b: Reg };
            0xa5 F32Ge "f32.ge" "f32 f32 -> i32" { dst: Dst, a: Reg, b: Reg };
            0xa6 F32Uno "f32.uno" "f32 f32 -> i32" { dst: Dst, a: Reg, b: Reg };
            0xa7 F32Ord "f32.ord" "f32 f32 -> i32" { dst: Dst, a: Reg, b: Reg };
            0xa8 F32Ueq "f32.ueq" "f32 f32 -> i32" { dst: Dst, a: Reg, b: Reg };
            0xa9 F32One "f32.one" "f32 f32 -> i32" { dst: Dst, a: Reg, b: Reg };
            0xaa F32Ult "f32.ult" "f32 f32 -> i32" { dst: Dst, a: Reg, b: Reg };
            0xab F32Ule "f32.ule" "f32 f32 -> i32" { dst: Dst, a: Reg, b: Reg };
            0xac F32Ugt "f32.ugt" "f32 f32 -> i32" { dst: Dst, a: Reg, b: Reg };
            0xad F32Uge "f32.uge" "f32 f32 -> i32" { dst: Dst, a: Reg, b: Reg };
            // ---- f64 --------------------------------------------------------
            0xb0 F64Add "f64.add" "f64 f64 -> f64" { dst: Dst, a: Reg, b: Reg };
            0xb1 F64Sub "f64.sub" "f64 f64 -> f64" { dst: Dst, a: Reg, b: Reg };
            0xb2 F64Mul "f64.mul" "f64 f64 -> f64" { dst: Dst, a: Reg, b: Reg };
            0xb3 F64Div "f64.div" "f64 f64 -> f64" { dst: Dst, a: Reg, b: Reg };
            0xb4 F64Min "f64.min" "f64 f64 -> f64" { dst: Dst, a: Reg, b: Reg };
            0xb5 F64Max "f64.max" "f64 f64 -> f64" { dst: Dst, a: Reg, b: Reg };
            0xb6 F64Copysign "f64.copysign" "f64 f64 -> f64" { dst: Dst, a: Reg, b: Reg };
            0xb7 F64Abs "f64.abs" "f64 -> f64" { dst: Dst, a: Reg };
            0xb8 F64Neg "f64.neg" "f64 -> f64" { dst: Dst, a: Reg };
            0xb9 F64Sqrt "f64.sqrt" "f64 -> f64" { dst: Dst, a: Reg };
            0xba F64Floor "f64.floor" "f64 -> f64" { dst: Dst, a: Reg };
            0xbb F64Ceil "f64.ceil" "f64 -> f64" { dst: Dst, a: Reg };
            0xbc F64Trunc "f64.trunc" "f64 -> f64" { dst: Dst, a: Reg };
            0xbd F64Nearest "f64.nearest" "f64 -> f64" { dst: Dst, a: Reg };
            0xbe F64Round "f64.round" "f64 -> f64" { dst: Dst, a: Reg };
            0xbf F64Fma "f64.fma" "f64 f64 f64 -> f64" { dst: Dst, a: Reg, b: Reg, c: Reg };
            0xc0 F64Eq "f64.eq" "f64 f64 -> i32" { dst: Dst, a: Reg, b: Reg };
            0xc1 F64Ne "f64.ne" "f64 f64 -> i32" { dst: Dst, a: Reg, b: Reg };
            0xc2 F64Lt "f64.lt" "f64 f64 -> i32" { dst: Dst, a: Reg, b: Reg };
            0xc3 F64Le "f64.le" "f64 f64 -> i32" { dst: Dst, a: Reg, b: Reg };
            0xc4 F64Gt "f64.gt" "f64 f64 -> i32" { dst: Dst, a: Reg, b: Reg };
            0xc5 F64Ge "f64.ge" "f64 f64 -> i32" { dst: Dst, a: Reg, b: Reg };
            0xc6 F64Uno "f64.uno" "f64 f64 -> i32" { dst: Dst, a: Reg, b: Reg };
            0xc7 F64Ord "f64.ord" "f64 f64 -> i32" { dst: Dst, a: Reg, b: Reg };
            0xc8 F64Ueq "f64.ueq" "f64 f64 -> i32" { dst: Dst, a: Reg, b: Reg };
            0xc9 F64One "f64.one" "f64 f64 -> i32" { dst: Dst, a: Reg, b: Reg };
            0xca F64Ult "f64.ult" "f64 f64 -> i32" { dst: Dst, a: Reg, b: Reg };
            0xcb F64Ule "f64.ule" "f64 f64 -> i32" { dst: Dst, a: Reg, b: Reg };
            0xcc F64Ugt "f64.ugt" "f64 f64 -> i32" { dst: Dst, a: Reg, b: Reg };
            0xcd F64Uge "f64.uge" "f64 f64 -> i32" { dst: Dst, a: Reg, b: Reg };

            // ---- conversions (float->int saturate; NaN -> 0) ----------------
            0xd0 I32TruncF32S "i32.trunc_f32_s" "f32 -> i32" { dst: Dst, a: Reg };
            0xd1 I32TruncF32U "i32.trunc_f32_u" "f32 -> i32" { dst: Dst, a: Reg };
            0xd2 I32TruncF64S "i32.trunc_f64_s" "f64 -> i32" { dst: Dst, a: Reg };
            0xd3 I32TruncF64U "i32.trunc_f64_u" "f64 -> i32" { dst: Dst, a: Reg };
            0xd4 I64TruncF32S "i64.trunc_f32_s" "f32 -> i64" { dst: Dst, a: Reg };
            0xd5 I64TruncF32U "i64.trunc_f32_u" "f32 -> i64" { dst: Dst, a: Reg };
            0xd6 I64TruncF64S "i64.trunc_f64_s" "f64 -> i64" { dst: Dst, a: Reg };
            0xd7 I64TruncF64U "i64.trunc_f64_u" "f64 -> i64" { dst: Dst, a: Reg };
            0xd8 F32FromI32S "f32.from_i32_s" "i32 -> f32" { dst: Dst, a: Reg };
            0xd9 F32FromI32U "f32.from_i32_u" "i32 -> f32" { dst: Dst, a: Reg };
            0xda F32FromI64S "f32.from_i64_s" "i64 -> f32" { dst: Dst, a: Reg };
            0xdb F32FromI64U "f32.from_i64_u" "i64 -> f32" { dst: Dst, a: Reg };
            0xdc F64FromI32S "f64.from_i32_s" "i32 -> f64" { dst: Dst, a: Reg };
            0xdd F64FromI32U "f64.from_i32_u" "i32 -> f64" { dst: Dst, a: Reg };
            0xde F64FromI64S "f64.from_i64_s" "i64 -> f64" { dst: Dst, a: Reg };
            0xdf F64FromI64U "f64.from_i64_u" "i64 -> f64" { dst: Dst, a: Reg };
            0xe0 F64PromoteF32 "f64.promote_f32" "f32 -> f64" { dst: Dst, a: Reg };
            0xe1 F32DemoteF64 "f32.demote_f64" "f64 -> f32" { dst: Dst, a: Reg };

            // ---- memory: address = reg + signed offset, bounds-checked ------
            0xe2 Load8S "ld8_s" "ptr -> i64" { dst: Dst, addr: Reg, offset: I32 };
            0xe3 Load8U "ld8_u" "ptr -> i64" { dst: Dst, addr: Reg, offset: I32 };
            0xe4 Load16S "ld16_s" "ptr -> i64" { dst: Dst, addr: Reg, offset: I32 };
            0xe5 Load16U "ld16_u" "ptr -> i64" { dst: Dst, addr: Reg, offset: I32 };
            0xe6 Load32S "ld32_s" "ptr -> i64" { dst: Dst, addr: Reg, offset: I32 };
            0xe7 Load32U "ld32_u" "ptr -> i64" { dst: Dst, addr: Reg, offset: I32 };
            0xe8 Load64 "ld64" "ptr -> i64" { dst: Dst, addr: Reg, offset: I32 };
            0xe9 Store8 "st8" "ptr any" { addr: Reg, src: Reg, offset: I32 };
            0xea Store16 "st16" "ptr any" { addr: Reg, src: Reg, offset: I32 };
            0xeb Store32 "st32" "ptr any" { addr: Reg, src: Reg, offset: I32 };
            0xec Store64 "st64" "ptr any" { addr: Reg, src: Reg, offset: I32 };
            0xed MemCopy "mem.copy" "ptr ptr i32" { dst: Reg, src: Reg, len: Reg };
            0xee MemMove "mem.move" "ptr ptr i32" { dst: Reg, src: Reg, len: Reg };
            0xef MemFill "mem.fill" "ptr i32 i32" { dst: Reg, value: Reg, len: Reg };

            // ---- atomics (width: 0=8, 1=16, 2=32, 3=64 bits) ----------------
            0xf0 AtomicLoad "atomic.load" "ptr -> i64" { dst: Dst, addr: Reg, width: U8 };
            0xf1 AtomicStore "atomic.store" "ptr any" { addr: Reg, src: Reg, width: U8 };
            // kind = width | (operation << 2); operations in `AtomicOp`.
            0xf2 AtomicRmw "atomic.rmw" "ptr any -> any" { dst: Dst, addr: Reg, src: Reg, kind: U8 };
            0xf3 AtomicCmpxchg "atomic.cmpxchg" "ptr any any -> any" { dst: Dst, addr: Reg, expected: Reg, new: Reg, width: U8 };
            0xf4 Fence "fence" "" {};

            // ---- fused pairs (chosen from measured pair frequencies; the
            // translator's peephole pass `espb-codegen/src/fuse.rs` emits
            // them). Each does exactly what its two parts do in order.
            // `mov d1, s1; mov d2, s2`.
            0x89 Mov2 "mov2" "any any -> any any" { dst1: Dst, src1: Reg, dst2: Dst, src2: Reg };
            // `i32.shli t, i, k; i32.add d, a, t` (a != t): array indexing.
            0x5f I32ShlAdd "i32.shladd" "i32 i32 -> i32 i32" { dst: Dst, tmp: Dst, a: Reg, index: Reg, shift: U8 };
            // `i32.add t, a, b; ld8_u d, t, offset`.
            0xf5 Load8UAdd "ld8_u.add" "ptr i32 -> i64 ptr" { dst: Dst, tmp: Dst, a: Reg, b: Reg, offset: I32 };
            // `i32.add t, a, b; ld32_u d, t, offset`.
            0xf6 Load32UAdd "ld32_u.add" "ptr i32 -> i64 ptr" { dst: Dst, tmp: Dst, a: Reg, b: Reg, offset: I32 };
            // `i32.shli t, i, k; ld32_u d, t, offset`: table lookups.
            0xf7 Load32UShl "ld32_u.shl" "i32 -> i64 i32" { dst: Dst, tmp: Dst, index: Reg, shift: U8, offset: I32 };
            // `const32 t, v; i32.rotl d, a, t`: rotate by a constant (sha256).
            0xf8 I32RotlC "i32.rotl.c" "i32 -> i32 i32" { dst: Dst, tmp: Dst, a: Reg, value: I32 };
            // `const32 t, v; st8 addr, t, offset` (addr != t): store a constant byte.
            0xf9 Store8C "st8.c" "ptr -> i32" { tmp: Dst, addr: Reg, value: I32, offset: I32 };
            // `ld32_u t, p, offset; i32.mul d, t, b` (either operand order): matmul.
            0xfa Load32UMul "ld32_u.mul" "ptr i32 -> i32 i64" { dst: Dst, tmp: Dst, addr: Reg, b: Reg, offset: I32 };
            // `i32.shr_ui t, a, k; i32.xor d, t, b` (either operand order): crc32.
            0xfb I32ShrUXor "i32.shr_u.xor" "i32 i32 -> i32 i32" { dst: Dst, tmp: Dst, a: Reg, b: Reg, shift: I32 };
            // Loop counters: `i32.addi d, a, imm` (or `i32.add d, a, b`) and the
            // compare-and-branch on `d` that follows it (the back edge of a
            // counted loop). `d` is written before the comparison reads it.
            // `i32.addi d, a, imm; br.ne.i32 d, b, target`.
            0xfc I32AddIBrNe "i32.addi.br_ne" "i32 i32 -> i32" { dst: Dst, a: Reg, imm: I32, b: Reg, target: Tgt };
            // `i32.addi d, a, imm; br.nei.i32 d, limit, target`.
            0xfd I32AddIBrNeI "i32.addi.br_nei" "i32 -> i32" { dst: Dst, a: Reg, imm: I32, limit: I32, target: Tgt };
            // `i32.addi d, a, imm; br.lt_u.i32 d, b, target`.
            0xfe I32AddIBrLtU "i32.addi.br_lt_u" "i32 i32 -> i32" { dst: Dst, a: Reg, imm: I32, b: Reg, target: Tgt };
            // `i32.add d, a, b; br.lt_ui.i32 d, limit, target`: strided loops (sieve).
            0xff I32AddBrLtUI "i32.add.br_lt_ui" "i32 i32 -> i32" { dst: Dst, a: Reg, b: Reg, limit: I32, target: Tgt };
            // `i64.add t, a, b; i64.add d, t, c` (or `c, t`): a chain of 64-bit
            // additions, the intermediate sum kept out of memory.
            0x8a I64AddAdd "i64.add.add" "i64 i64 i64 -> i64 i64" { dst: Dst, tmp: Dst, a: Reg, b: Reg, c: Reg };
            // Floating-point kernels (nbody): a product feeding a product or a
            // sum, a loaded operand, and read-modify-write of a double in memory.
            // `f64.mul t, a, b; f64.mul d, t, c` (or `c, t`).
            0x8b F64MulMul "f64.mul.mul" "f64 f64 f64 -> f64 f64" { dst: Dst, tmp: Dst, a: Reg, b: Reg, c: Reg };
            // `f64.mul t, a, b; f64.add d, c, t` (or `t, c`).
            0x8c F64MulAdd "f64.mul.add" "f64 f64 f64 -> f64 f64" { dst: Dst, tmp: Dst, a: Reg, b: Reg, c: Reg };
            // `ld64 t, addr, offset; f64.sub d, a, t`.
            0x8d F64SubLd "f64.sub.ld" "f64 ptr -> f64 f64" { dst: Dst, tmp: Dst, a: Reg, addr: Reg, offset: I32 };
            // `ld64 t, addr, offset; f64.sub d, t, x; st64 addr, d, offset`
            // (addr is neither t nor d): `*p -= x`.
            0x8e F64SubRmw "f64.sub.rmw" "ptr f64 -> f64 f64" { dst: Dst, tmp: Dst, addr: Reg, x: Reg, offset: I32 };
            // `ld64 t, addr, offset; f64.add d, x, t` (or `t, x`);
            // `st64 addr, d, offset` (addr is neither t nor d): `*p += x`.
            0x8f F64AddRmw "f64.add.rmw" "ptr f64 -> f64 f64" { dst: Dst, tmp: Dst, addr: Reg, x: Reg, offset: I32 };
            // Byte-wise copies and swaps (sort's generic element swap):
            // `ld8_u d1, p1, o1; ld8_u d2, p2, o2`, in that order.
            0xae Load8U2 "ld8_u.2" "ptr ptr -> i64 i64" { dst1: Dst, addr1: Reg, offset1: I32, dst2: Dst, addr2: Reg, offset2: I32 };
            // `st8 p1, s1, o1; st8 p2, s2, o2`, in that order.
            0xaf Store8x2 "st8.2" "ptr any ptr any" { addr1: Reg, src1: Reg, offset1: I32, addr2: Reg, src2: Reg, offset2: I32 };
            // Branch-free control code (statemachine's CRC step):
            // `i32.shli t, a, k; i32.andi d, t, m`.
            0xce I32ShlAndI "i32.shl.andi" "i32 -> i32 i32" { dst: Dst, tmp: Dst, a: Reg, shift: U8, mask: I32 };
            // `i32.lt_si c, x, imm; select d, c, a, b`.
            0xcf SelectLtSI "select.lt_si" "i32 any any -> any i32" { dst: Dst, cond: Dst, x: Reg, imm: I32, a: Reg, b: Reg };
            // `i32.add t, a, b; const32 c, v; st8 t, c, offset` (t != c): store
            // a constant byte at a computed address (sieve's marking loop).
            0x2e Store8CAdd "st8.c.add" "ptr i32 -> ptr i32" { tmp: Dst, c: Dst, a: Reg, b: Reg, value: I32, offset: I32 };

            // ---- extended opcodes: the escape byte 0x2f, then a second byte --
            // `ld32_u t, addr, offset; i32.add d, x, t` (or `t, x`);
            // `st32 addr, d, offset` (addr is neither t nor d): `*p += x` (matmul).
            0x2f00 I32AddRmw "i32.add.rmw" "ptr i32 -> i32 i32" { dst: Dst, tmp: Dst, addr: Reg, x: Reg, offset: I32 };
            // `ld32_u.mul m, u, p, b, po; i32.add.rmw d, t, q, m, qo`: multiply-
            // accumulate into memory, `*q += *p * b` (matmul, FIR filters).
            0x2f01 I32MacRmw "i32.mac.rmw" "ptr i32 ptr -> i32 i32 i32 i32" { mul: Dst, tmp1: Dst, src: Reg, b: Reg, src_offset: I32, dst: Dst, tmp2: Dst, addr: Reg, offset: I32 };
            // One step of a bit-wise MSB-first CRC (CRC-8, CRC-16/CCITT, ...:
            // `crc = crc & top ? (crc << 1) ^ poly : crc << 1`, statemachine):
            // `i32.shl.andi t, tmp, x, shift, mask; i32.xori u, t, poly;
            // i32.shli d, x, k; i32.shr_si d, d, k; select.lt_si d, d, d, 0, u, t`
            // with k = (31 - bit) & 31 (the shift pair is `i32.sext8 d, x` for
            // bit 7, `i32.sext16` for 15): `d` is `u` if bit `bit` of `x`
            // (read after `tmp`, `t`, `u` are written) is set, else `t`.
            0x2f02 I32CrcStep "i32.crc_step" "i32 -> i32 i32 i32 i32" { dst: Dst, tmp: Dst, t: Dst, u: Dst, x: Reg, shift: U8, bit: U8, mask: I32, poly: I32 };
            // One step of a bit-wise LSB-first (reflected) CRC (CRC-16/ARC,
            // MODBUS, CRC-32 bit by bit: `crc = c ? (crc >> 1) ^ poly : crc >> 1`,
            // coremark_like's crc16): `i32.shr_ui tmp, a, shift; i32.xori u,
            // tmp, poly; select d, cond, u, tmp` (with `inv` nonzero:
            // `select d, cond, tmp, u`); the select reads its operands after
            // `tmp` and `u` are written.
            0x2f03 I32CrcStepR "i32.crc_step_r" "i32 i32 -> i32 i32 i32" { dst: Dst, tmp: Dst, u: Dst, a: Reg, cond: Reg, shift: U8, inv: U8, poly: I32 };
            // `i32.crc_step` where the translator proved `u` (and `tmp`, unless
            // it is `t`) dead: `t = (x << shift) & mask`, then `d = t ^ poly`
            // if bit `bit` of `y` (read after `t` is written) is set, else `t`
            // (statemachine's CRC-8, also with the sign taken from another
            // register than the shifted one). The parts it stands for are
            // `i32.shli t, x, shift; i32.andi t, t, mask; i32.shli d, y, k;
            // i32.shr_si d, d, 31; i32.andi d, d, poly; i32.xor d, d, t` with
            // k = (31 - bit) & 31 (the translator fuses it with `d` not `t`).
            0x2f04 I32CrcStepT "i32.crc_step_t" "i32 i32 -> i32 i32" { dst: Dst, t: Dst, x: Reg, y: Reg, shift: U8, bit: U8, mask: I32, poly: I32 };
        }
    };
}

/// How an operand is encoded and what it refers to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OperandKind {
    Dst,
    Reg,
    Base,
    U8,
    I32,
    U32,
    I64,
    Tgt,
    Func,
    Imp,
    Ty,
    Tbl,
}

impl OperandKind {
    /// Fixed encoded size in bytes (for `Tbl`, the size of the count field).
    pub const fn size(self) -> usize {
        match self {
            OperandKind::Dst | OperandKind::Reg | OperandKind::Base | OperandKind::U8 => 1,
            OperandKind::I64 => 8,
            _ => 4,
        }
    }

    /// Whether the operand is one byte, packed after the opcode in the
    /// instruction's first word(s); the others are whole words after them.
    pub const fn is_byte(self) -> bool {
        self.size() == 1
    }
}

/// Instructions start at multiples of this many bytes of their body, and
/// bodies at multiples of it in the file and in memory.
pub const INSTR_ALIGN: usize = 4;

/// Read-modify-write operations of `atomic.rmw` (the high bits of `kind`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
pub enum AtomicOp {
    Xchg = 0,
    Add = 1,
    Sub = 2,
    And = 3,
    Or = 4,
    Xor = 5,
    Nand = 6,
    MaxS = 7,
    MinS = 8,
    MaxU = 9,
    MinU = 10,
}

impl AtomicOp {
    pub const COUNT: u8 = 11;
    pub fn from_u8(v: u8) -> Option<AtomicOp> {
        use AtomicOp::*;
        Some(match v {
            0 => Xchg,
            1 => Add,
            2 => Sub,
            3 => And,
            4 => Or,
            5 => Xor,
            6 => Nand,
            7 => MaxS,
            8 => MinS,
            9 => MaxU,
            10 => MinU,
            _ => return None,
        })
    }
}

/// Trap codes of the `trap` instruction.
pub mod trap_code {
    /// `llvm.trap` / `__builtin_trap()`.
    pub const BUILTIN: u8 = 0;
    /// A translator-inserted check failed (e.g. unsupported construct reached).
    pub const UNSUPPORTED: u8 = 1;
}
