//! `docs/opcodes.md` is rendered from the opcode table; this test fails when
//! the two disagree. `ESPB_BLESS=1 cargo test -p espb-format --test opcode_docs`
//! rewrites the file.

use espb_format::{Opcode, OperandKind};

fn kind_name(k: OperandKind) -> &'static str {
    match k {
        OperandKind::Dst => "Dst",
        OperandKind::Reg => "Reg",
        OperandKind::Base => "Base",
        OperandKind::U8 => "U8",
        OperandKind::I32 => "I32",
        OperandKind::U32 => "U32",
        OperandKind::I64 => "I64",
        OperandKind::Tgt => "Tgt",
        OperandKind::Func => "Func",
        OperandKind::Imp => "Imp",
        OperandKind::Ty => "Ty",
        OperandKind::Tbl => "Tbl",
    }
}

fn render() -> String {
    let mut s = String::from(
        "# espb opcodes\n\n\
         <!-- Generated from espb-format/src/opcodes.rs by espb-format/tests/opcode_docs.rs; \
         do not edit. Regenerate with `ESPB_BLESS=1 cargo test -p espb-format --test opcode_docs`. -->\n\n\
         Encoding (see [format.md](format.md#instruction-encoding)): the opcode byte (or `0x2f` and \
         a second byte), the one-byte operands, zero padding to a multiple of 4, then the 4- and \
         8-byte operands, all little-endian; `@n` is an operand's byte offset in the instruction. \
         *Size* is the encoded size in bytes, always a multiple of 4 (`br_table` adds 4 per table entry). \
         *Types* says how registers are read and written; `any` is a 64-bit slot of any type.\n\n\
         | opcode | mnemonic | operands | size | types |\n\
         |---|---|---|---|---|\n",
    );
    for &op in Opcode::ALL {
        let operands: Vec<String> = op
            .operand_names()
            .iter()
            .zip(op.operands())
            .enumerate()
            .map(|(i, (name, kind))| {
                format!("{name}: {} @{}", kind_name(*kind), op.operand_offset(i))
            })
            .collect();
        let size = if op.operands().contains(&OperandKind::Tbl) {
            format!("{} + 4n", op.fixed_size())
        } else {
            op.fixed_size().to_string()
        };
        let types = if op.types().is_empty() {
            String::new()
        } else {
            format!("`{}`", op.types())
        };
        let code = if op.code_len() == 2 {
            format!("{:#04x} {:#04x}", op.code() >> 8, op.code() & 0xff)
        } else {
            format!("{:#04x}", op.code())
        };
        s.push_str(&format!(
            "| `{}` | `{}` | {} | {} | {} |\n",
            code,
            op.mnemonic(),
            operands.join(", "),
            size,
            types
        ));
    }
    s.push_str(&format!("\n{} opcodes.\n", Opcode::ALL.len()));
    s
}

#[test]
fn docs_opcodes_md_matches_the_table() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../docs/opcodes.md");
    let want = render();
    if std::env::var_os("ESPB_BLESS").is_some() {
        std::fs::write(path, &want).unwrap();
        return;
    }
    let have = std::fs::read_to_string(path).unwrap_or_default();
    assert!(
        have == want,
        "docs/opcodes.md is out of date: run `ESPB_BLESS=1 cargo test -p espb-format --test opcode_docs`"
    );
}
