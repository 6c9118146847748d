//! The `.espb` container and the espb instruction set.
//!
//! * [`opcodes`]: the single opcode table ([`for_each_opcode!`]).
//! * [`Instr`]/[`Opcode`]: generated from it, with encode/decode.
//! * [`Module`]: the in-memory module; [`parse`] reads and validates bytes,
//!   [`Module::to_bytes`] writes them.
//! * [`text`]: the `.espbs` disassembler and assembler.
//!
//! `no_std` + `alloc`; the reader never panics on any input.
#![cfg_attr(not(feature = "std"), no_std)]
#![forbid(unsafe_code)]

extern crate alloc;

pub mod aligned;
pub mod error;
pub mod instr;
pub mod module;
pub mod msg;
pub mod opcodes;
pub mod reader;
pub mod sort;
pub mod symtab;
pub mod text;
pub mod validate;
pub mod writer;

pub use aligned::AlignedBytes;
pub use error::{Error, ErrorKind, Location, SectionId};
pub use instr::{DecodeError, Instr, Opcode, Operand};
pub use module::*;
pub use opcodes::{AtomicOp, OperandKind, INSTR_ALIGN};
pub use reader::parse;
