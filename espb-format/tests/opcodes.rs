//! One test per opcode, generated from the table (`for_each_opcode!`): an
//! instance built from the opcode's operand kinds inside a valid module must
//! encode, decode, validate, disassemble and assemble back identically, every
//! proper prefix of its encoding must decode as truncated, its layout must
//! be whole words with aligned word operands and zero padding, and every
//! register operand set to the register count must be rejected.

mod common;

use espb_format::text::{assemble, disassemble, instr_text};
use espb_format::{
    parse, DecodeError, Error, ErrorKind, Function, Instr, Location, Module, Opcode, Operand,
    OperandKind, SectionId,
};

/// Registers of the function under test.
const REGS: u16 = 16;
/// Its frame size.
const FRAME: u32 = 16;

/// The module every instruction is tested in: f0 `() -> i32` (or `() -> void`
/// for `ret.void`) holds the instruction, followed by `ret r0` unless it is
/// itself a return. ty1 `(i32, i32) -> i32` is f1's and `call.indirect`'s
/// signature; imp0 `abs` is fixed, imp1 `printf` variadic, ty4 a call site.
const PRELUDE: &str = r#"
.type () -> i32
.type (i32, i32) -> i32
.type () -> void
.type (ptr, ...) -> i32
.type (ptr, i32, f64) -> i32
.import "abs" ty1
.import "printf" ty3
.memory data_end 0x2000 heap 0x1000 stack 0x1000
.func ty1 regs 3 frame 0 align 0
    i32.add r2, r0, r1
    ret r2
.end
"#;

/// A valid instance of `op`: distinct register numbers, immediates that
/// exercise every byte, indices and targets that exist.
fn instance(op: Opcode) -> Instr {
    let mut next_reg = 1u8;
    let mut reg = || {
        next_reg += 2;
        next_reg
    };
    // Targets: the instruction after this one (the `ret`), or this one.
    let after = op.fixed_size() as u32 + if op == Opcode::BrTable { 8 } else { 0 };
    let after = if matches!(op, Opcode::Ret | Opcode::RetVoid) {
        0
    } else {
        after
    };
    let operands = op
        .operands()
        .iter()
        .map(|kind| match kind {
            OperandKind::Dst => Operand::Dst(reg()),
            OperandKind::Reg => Operand::Reg(reg()),
            // Fits the largest window used here (3 for ty4) below REGS.
            OperandKind::Base => Operand::Base(12),
            OperandKind::U8 => Operand::U8(match op {
                Opcode::AtomicRmw => (espb_format::AtomicOp::MinU as u8) << 2 | 3,
                _ => 2,
            }),
            OperandKind::I32 => Operand::I32(-0x1234_5678),
            OperandKind::U32 => Operand::U32(8),
            OperandKind::I64 => Operand::I64(-0x1234_5678_9abc_def0),
            OperandKind::Tgt => Operand::Tgt(after),
            OperandKind::Func => Operand::Func(0),
            OperandKind::Imp => Operand::Imp(if op == Opcode::CallImportVar { 1 } else { 0 }),
            OperandKind::Ty => Operand::Ty(if op == Opcode::CallImportVar { 4 } else { 1 }),
            OperandKind::Tbl => Operand::Tbl(vec![after, 0]),
        })
        .collect();
    Instr::from_operands(op, operands).expect("operands follow the table")
}

/// The module holding `instr` as function 1, and the file offset of its code.
fn module_with(instr: &Instr) -> (Module<'static>, Vec<u8>, usize) {
    let mut m = assemble(PRELUDE).unwrap();
    let mut code = Vec::new();
    instr.encode(&mut code);
    let void = instr.opcode() == Opcode::RetVoid;
    if !matches!(instr.opcode(), Opcode::Ret | Opcode::RetVoid) {
        Instr::Ret { src: 0 }.encode(&mut code);
    }
    m.functions.push(Function {
        ty: if void { 2 } else { 0 },
        flags: 0,
        regs: REGS,
        frame_size: FRAME,
        frame_align_log2: 3,
        code: code.into(),
    });
    let bytes = m.to_bytes();
    let code_at = common::section_offset(&bytes, SectionId::Code) + m.functions[0].code.len();
    (m, bytes, code_at)
}

fn check_opcode(op: Opcode) {
    assert_eq!(Opcode::from_code(op.code()), Some(op));
    assert_eq!(Opcode::from_mnemonic(op.mnemonic()), Some(op));
    assert_eq!(op.operands().len(), op.operand_names().len());

    // encode → decode
    let instr = instance(op);
    assert_eq!(instr.opcode(), op);
    let mut enc = Vec::new();
    instr.encode(&mut enc);
    assert_eq!(enc.len(), instr.encoded_len());
    assert_eq!(
        enc[..op.code_len()],
        op.code().to_be_bytes()[2 - op.code_len()..]
    );
    assert_eq!(Instr::decode(&enc, 0), Ok((instr.clone(), enc.len())));
    let mut padded = vec![0xaa];
    padded.extend_from_slice(&enc);
    padded.push(0x00);
    assert_eq!(
        Instr::decode(&padded, 1),
        Ok((instr.clone(), enc.len())),
        "decoding at an offset"
    );
    for cut in 0..enc.len() {
        assert_eq!(
            Instr::decode(&enc[..cut], 0),
            Err(DecodeError::Truncated),
            "prefix of {cut} bytes"
        );
    }

    // layout: whole words, word operands 4-aligned, operands disjoint, a
    // jump table last; a non-zero padding byte does not decode.
    assert_eq!(op.fixed_size() % 4, 0);
    let mut used = vec![false; op.fixed_size()];
    used[..op.code_len()].iter_mut().for_each(|u| *u = true);
    for (i, kind) in op.operands().iter().enumerate() {
        let at = op.operand_offset(i);
        assert_eq!(op.offset_of(op.operand_names()[i]), at);
        if !kind.is_byte() {
            assert_eq!(at % 4, 0, "{} operand {i}", op.mnemonic());
        }
        if *kind == OperandKind::Tbl {
            assert_eq!(
                i,
                op.operands().len() - 1,
                "a jump table is the last operand"
            );
        }
        for u in &mut used[at..at + kind.size()] {
            assert!(!*u, "{} operand {i} overlaps", op.mnemonic());
            *u = true;
        }
    }
    assert_eq!(op.operand_offset(op.operands().len()), usize::MAX);
    for k in (0..used.len()).filter(|&k| !used[k]) {
        let mut bad = enc.clone();
        bad[k] = 1;
        assert_eq!(
            Instr::decode(&bad, 0),
            Err(DecodeError::NonZeroPadding(k)),
            "{} padding byte {k}",
            op.mnemonic()
        );
    }

    // validate: in a module, through the reader
    let (m, bytes, _) = module_with(&instr);
    m.validate().unwrap();
    let parsed =
        parse(&bytes).unwrap_or_else(|e| panic!("{}: {e}\n{}", op.mnemonic(), disassemble(&m)));
    assert_eq!(parsed, m);
    assert_eq!(parsed.to_bytes(), bytes);

    // disassemble → assemble
    let text = disassemble(&parsed);
    assert!(
        text.contains(&format!("    {}\n", instr_text(&instr))),
        "{text}"
    );
    let again = assemble(&text).unwrap_or_else(|e| panic!("{e}\n{text}"));
    assert_eq!(again, m, "{text}");
    assert_eq!(again.to_bytes(), bytes);

    // every register operand at the register count is rejected
    let operands = instr.operands();
    for (i, operand) in operands.iter().enumerate() {
        let bad = |o: Operand| {
            let mut ops = operands.clone();
            ops[i] = o;
            Instr::from_operands(op, ops).unwrap()
        };
        let (bad_instr, expected) = match *operand {
            Operand::Dst(_) => (
                bad(Operand::Dst(REGS as u8)),
                ErrorKind::RegisterOutOfRange {
                    func: 1,
                    pc: 0,
                    reg: REGS as u8,
                    regs: REGS,
                },
            ),
            Operand::Reg(_) => (
                bad(Operand::Reg(REGS as u8)),
                ErrorKind::RegisterOutOfRange {
                    func: 1,
                    pc: 0,
                    reg: REGS as u8,
                    regs: REGS,
                },
            ),
            Operand::Base(_) => {
                let window = if op == Opcode::CallImportVar { 3 } else { 2 };
                (
                    bad(Operand::Base(REGS as u8 - 1)),
                    ErrorKind::CallWindowOutOfRange {
                        func: 1,
                        pc: 0,
                        base: REGS as u8 - 1,
                        window,
                        regs: REGS,
                    },
                )
            }
            _ => continue,
        };
        let (_, bytes, code_at) = module_with(&bad_instr);
        assert_eq!(
            parse(&bytes),
            Err(Error::new(
                Location::Section(SectionId::Code),
                code_at,
                expected
            )),
            "{}: operand {} ({})",
            op.mnemonic(),
            i,
            op.operand_names()[i]
        );
    }
}

macro_rules! opcode_tests {
    ($($code:literal $name:ident $mnemonic:literal $types:literal { $($field:ident : $kind:ident),* };)*) => {
        $(
            #[allow(non_snake_case)]
            mod $name {
                #[test]
                fn encode_decode_validate_disassemble_assemble() {
                    super::check_opcode(espb_format::Opcode::$name);
                }
            }
        )*

        /// The table as a list, to compare with `Opcode::ALL`.
        const TABLE: &[(u16, &str)] = &[$(($code, $mnemonic)),*];
    };
}

espb_format::for_each_opcode!(opcode_tests);

#[test]
fn table_is_consistent() {
    assert_eq!(TABLE.len(), Opcode::ALL.len());
    for (op, (code, mnemonic)) in Opcode::ALL.iter().zip(TABLE) {
        assert_eq!((op.code(), op.mnemonic()), (*code, *mnemonic));
    }
    let mut mnemonics: Vec<_> = TABLE.iter().map(|(_, m)| *m).collect();
    mnemonics.sort();
    mnemonics.dedup();
    assert_eq!(mnemonics.len(), TABLE.len(), "duplicate mnemonic");
    // Every byte that is not an opcode is rejected as one, except the
    // escape byte, after which every second byte that is not an extended
    // opcode is rejected as one.
    for byte in 0..=255u8 {
        match Opcode::from_u8(byte) {
            Some(op) => assert_eq!(op.code(), byte as u16),
            None if byte == espb_format::opcodes::ESCAPE => {
                assert!(!TABLE.iter().any(|(c, _)| *c == byte as u16));
                for second in 0..=255u8 {
                    let code = u16::from_be_bytes([byte, second]);
                    match Opcode::from_code(code) {
                        Some(op) => assert_eq!(op.code_len(), 2),
                        None => assert_eq!(
                            Instr::decode(&[byte, second, 0, 0, 0, 0, 0, 0, 0, 0, 0], 0),
                            Err(DecodeError::UnknownExtOpcode(second))
                        ),
                    }
                }
                assert_eq!(Instr::decode(&[byte], 0), Err(DecodeError::Truncated));
            }
            None => {
                assert!(!TABLE.iter().any(|(c, _)| *c == byte as u16));
                assert_eq!(
                    Instr::decode(&[byte, 0, 0, 0, 0, 0, 0, 0, 0, 0], 0),
                    Err(DecodeError::UnknownOpcode(byte))
                );
            }
        }
    }
    // Extended codes all sit behind the escape byte.
    for (code, _) in TABLE {
        assert!(*code <= 0xff || code >> 8 == espb_format::opcodes::ESCAPE as u16);
    }
}
