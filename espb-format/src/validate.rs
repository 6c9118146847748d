//! Validation of one function body. What this proves, the interpreter does not
//! check again: every opcode is known, every operand lies inside the body
//! (instructions are whole words from the body's start, so every word
//! operand is aligned: the reader proved the body itself is),
//! every register is below the function's register count, every call window
//! fits, every branch lands on an instruction boundary inside the function,
//! every index refers to an existing entity, and control cannot fall off the end.

#![deny(clippy::indexing_slicing)]

use alloc::vec;

use crate::error::{ErrorKind, Location, SectionId};
use crate::instr::{DecodeError, Opcode, RawInstr};
use crate::module::{func_flags, FuncType, Module};
use crate::opcodes::{AtomicOp, OperandKind};
use crate::reader::{fail, Fail};

/// Largest alignment `alloca` may ask for (and `1 << frame_align_log2` may be).
pub const MAX_ALIGN: u32 = 4096;

/// Validates function `func` of `m` (whose other sections are already valid).
/// On error returns the byte offset inside the body and the reason.
pub fn validate_function(m: &Module<'_>, func: u32) -> Result<(), (usize, ErrorKind)> {
    check_function(m, func, 0).map_err(|e| (e.offset, e.kind))
}

/// [`validate_function`] for the reader: the error made in place (boxed,
/// with the file offset: `base` is the body's), so that each error site
/// builds its kind once and the `Result` is one word.
pub(crate) fn check_function(m: &Module<'_>, func: u32, base: usize) -> Result<(), Fail> {
    let at = |pc: usize, kind: ErrorKind| fail(Location::Section(SectionId::Code), base + pc, kind);
    let f = m
        .functions
        .get(func as usize)
        .ok_or_else(|| at(0, ErrorKind::FunctionOutOfRange(func)))?;
    let fty = m
        .types
        .get(f.ty as usize)
        .ok_or_else(|| at(0, ErrorKind::TypeOutOfRange(f.ty)))?;
    let code = &f.code[..];
    let leaf = f.flags & func_flags::LEAF != 0;
    let cx = Context {
        m,
        func,
        fty,
        regs: f.regs,
        frame_size: f.frame_size,
        leaf,
    };

    // Pass 1: decode, check operands, mark instruction starts.
    let mut starts = vec![false; code.len()];
    let mut pc = 0usize;
    let mut last_terminates = false;
    while pc < code.len() {
        let p = pc as u32;
        // The instruction used where the decoder left it (moved out of the
        // `Result`, it was copied).
        let decoded = RawInstr::decode(code, pc);
        let instr = match &decoded {
            Ok(instr) => instr,
            Err(e) => {
                // The kind and the offset's distance from `pc`, then one error
                // made (not one per arm).
                let (d, kind) = match *e {
                    DecodeError::Truncated => (0, ErrorKind::InstructionTruncated { func, pc: p }),
                    DecodeError::UnknownOpcode(byte) => {
                        (0, ErrorKind::UnknownOpcode { func, pc: p, byte })
                    }
                    DecodeError::UnknownExtOpcode(byte) => {
                        (1, ErrorKind::UnknownExtOpcode { func, pc: p, byte })
                    }
                    DecodeError::NonZeroPadding(k) => {
                        (k, ErrorKind::NonZeroPadding { func, pc: p })
                    }
                };
                return Err(at(pc + d, kind));
            }
        };
        if let Some(s) = starts.get_mut(pc) {
            *s = true;
        }
        cx.check_instr(p, instr).map_err(|k| at(pc, k))?;
        last_terminates = instr.op.is_terminator();
        pc += instr.len;
    }
    if !last_terminates {
        return Err(at(
            code.len().saturating_sub(1),
            ErrorKind::FallsOffEnd { func },
        ));
    }

    // Pass 2: branch targets must be instruction starts. Decoding cannot fail
    // here (pass 1 decoded the same bytes), so an error just ends the loop.
    let mut pc = 0usize;
    loop {
        let decoded = RawInstr::decode(code, pc);
        let Ok(instr) = &decoded else {
            break;
        };
        let p = pc as u32;
        let check = |target: u32| -> Result<(), Fail> {
            let kind = match starts.get(target as usize) {
                None => ErrorKind::BranchOutOfRange {
                    func,
                    pc: p,
                    target,
                },
                Some(false) => ErrorKind::BranchIntoInstruction {
                    func,
                    pc: p,
                    target,
                },
                Some(true) => return Ok(()),
            };
            Err(at(pc, kind))
        };
        for (kind, v) in instr.operands() {
            match kind {
                OperandKind::Tgt => check(v as u32)?,
                OperandKind::Tbl => instr.table_targets(code).try_for_each(check)?,
                _ => {}
            }
        }
        pc += instr.len;
    }
    Ok(())
}

struct Context<'m, 'a> {
    m: &'m Module<'a>,
    func: u32,
    fty: &'m FuncType,
    regs: u16,
    frame_size: u32,
    /// Flagged LEAF: a runtime or JIT may rely on it making no calls.
    leaf: bool,
}

impl Context<'_, '_> {
    fn reg(&self, pc: u32, r: u8) -> Result<(), ErrorKind> {
        if u16::from(r) < self.regs {
            Ok(())
        } else {
            Err(ErrorKind::RegisterOutOfRange {
                func: self.func,
                pc,
                reg: r,
                regs: self.regs,
            })
        }
    }

    /// The callee's `r0..` are the caller's `rB..`: arguments and the result
    /// must fit below the caller's register count (docs/abi.md §Calls). A
    /// variadic module callee takes one extra trailing pointer.
    fn window(
        &self,
        pc: u32,
        base: u8,
        ty: &FuncType,
        hidden_va_ptr: bool,
    ) -> Result<(), ErrorKind> {
        let window = if hidden_va_ptr && ty.variadic {
            (ty.params.len() + 1).max(ty.result.is_some() as usize)
        } else {
            ty.window()
        };
        if base as usize + window <= self.regs as usize && u16::from(base) < self.regs {
            Ok(())
        } else {
            Err(ErrorKind::CallWindowOutOfRange {
                func: self.func,
                pc,
                base,
                window,
                regs: self.regs,
            })
        }
    }

    fn ty(&self, t: u32) -> Result<&FuncType, ErrorKind> {
        self.m
            .types
            .get(t as usize)
            .ok_or(ErrorKind::TypeOutOfRange(t))
    }

    fn import_ty(&self, i: u32) -> Result<&FuncType, ErrorKind> {
        let imp = self
            .m
            .imports
            .get(i as usize)
            .ok_or(ErrorKind::ImportOutOfRange(i))?;
        self.ty(imp.ty)
    }

    fn check_instr(&self, pc: u32, instr: &RawInstr) -> Result<(), ErrorKind> {
        let (m, func) = (self.m, self.func);
        for (kind, v) in instr.operands() {
            let i = v as u32;
            match kind {
                OperandKind::Dst | OperandKind::Reg => self.reg(pc, v as u8)?,
                OperandKind::Func if i as usize >= m.functions.len() => {
                    return Err(ErrorKind::FunctionOutOfRange(i))
                }
                OperandKind::Imp if i as usize >= m.imports.len() => {
                    return Err(ErrorKind::ImportOutOfRange(i))
                }
                OperandKind::Ty if i as usize >= m.types.len() => {
                    return Err(ErrorKind::TypeOutOfRange(i))
                }
                _ => {}
            }
        }

        if self.leaf && instr.op.is_call() {
            return Err(ErrorKind::LeafCalls { func, pc });
        }

        // The few instructions with more to prove than their operands'
        // ranges, read by the table's field names (resolved to operand
        // positions at compile time: no name search in the loader).
        macro_rules! f {
            ($op:ident, $name:literal) => {
                instr.operand(const { Opcode::$op.operand_index($name) })
            };
        }
        match instr.op {
            Opcode::Call => {
                let callee = f!(Call, "func") as u32;
                let t = m
                    .func_type(callee)
                    .ok_or(ErrorKind::FunctionOutOfRange(callee))?;
                self.window(pc, f!(Call, "base") as u8, t, true)?;
            }
            Opcode::CallImport => {
                let import = f!(CallImport, "import") as u32;
                let t = self.import_ty(import)?;
                if t.variadic {
                    return Err(ErrorKind::VariadicMismatch { func, pc, import });
                }
                self.window(pc, f!(CallImport, "base") as u8, t, false)?;
            }
            Opcode::CallImportVar => {
                let import = f!(CallImportVar, "import") as u32;
                let it = self.import_ty(import)?;
                if !it.variadic {
                    return Err(ErrorKind::VariadicMismatch { func, pc, import });
                }
                let site = self.ty(f!(CallImportVar, "ty") as u32)?;
                if site.variadic || site.result != it.result || !site.params.starts_with(&it.params)
                {
                    return Err(ErrorKind::CallSiteSignature { func, pc, import });
                }
                self.window(pc, f!(CallImportVar, "base") as u8, site, false)?;
            }
            // Through a pointer the callee can only be a module function (or a
            // non-variadic native), so a variadic type means the hidden pointer.
            Opcode::CallIndirect => self.window(
                pc,
                f!(CallIndirect, "base") as u8,
                self.ty(f!(CallIndirect, "ty") as u32)?,
                true,
            )?,
            Opcode::Ret if self.fty.result.is_none() => {
                return Err(ErrorKind::ReturnMismatch { func, pc })
            }
            Opcode::RetVoid if self.fty.result.is_some() => {
                return Err(ErrorKind::ReturnMismatch { func, pc })
            }
            Opcode::FrameAddr if f!(FrameAddr, "offset") as u32 >= self.frame_size => {
                return Err(ErrorKind::FrameOffsetOutOfRange {
                    func,
                    pc,
                    offset: f!(FrameAddr, "offset") as u32,
                    frame: self.frame_size,
                })
            }
            Opcode::Alloca => {
                let align = f!(Alloca, "align") as u32;
                if !align.is_power_of_two() || align > MAX_ALIGN {
                    return Err(ErrorKind::BadAlignment(align));
                }
            }
            // One arm for the four: each arm had its own error exit.
            op @ (Opcode::AtomicLoad
            | Opcode::AtomicStore
            | Opcode::AtomicCmpxchg
            | Opcode::AtomicRmw) => {
                let (value, bad) = match op {
                    Opcode::AtomicRmw => {
                        let k = f!(AtomicRmw, "kind") as u8;
                        (k, AtomicOp::from_u8(k >> 2).is_none())
                    }
                    _ => {
                        let w = match op {
                            Opcode::AtomicLoad => f!(AtomicLoad, "width"),
                            Opcode::AtomicStore => f!(AtomicStore, "width"),
                            _ => f!(AtomicCmpxchg, "width"),
                        };
                        (w as u8, w > 3)
                    }
                };
                if bad {
                    return Err(ErrorKind::BadAtomic { func, pc, value });
                }
            }
            _ => {}
        }
        Ok(())
    }
}
