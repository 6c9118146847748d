//! Validation of one function body. What this proves, the interpreter does not
//! check again: every opcode is known, every operand lies inside the body,
//! every register is below the function's register count, every call window
//! fits, every branch lands on an instruction boundary inside the function,
//! every index refers to an existing entity, and control cannot fall off the end.

use alloc::vec;

use crate::error::ErrorKind;
use crate::instr::{DecodeError, Instr, Operand};
use crate::module::{FuncType, Module};
use crate::opcodes::AtomicOp;

/// Validates function `func` of `m` (whose other sections are already valid).
/// On error returns the byte offset inside the body and the reason.
pub fn validate_function(m: &Module<'_>, func: u32) -> Result<(), (usize, ErrorKind)> {
    let f = &m.functions[func as usize];
    let code = &f.code[..];
    let fty = &m.types[f.ty as usize];
    let regs = f.regs;

    // Pass 1: decode, check operands, mark instruction starts.
    let mut starts = vec![false; code.len()];
    let mut pc = 0usize;
    let mut last_terminates = false;
    while pc < code.len() {
        let (instr, len) = Instr::decode(code, pc).map_err(|e| {
            let p = pc as u32;
            match e {
                DecodeError::Truncated => (pc, ErrorKind::InstructionTruncated { func, pc: p }),
                DecodeError::UnknownOpcode(byte) => (pc, ErrorKind::UnknownOpcode { func, pc: p, byte }),
            }
        })?;
        starts[pc] = true;
        check_instr(m, func, fty, regs, f.frame_size, pc as u32, &instr).map_err(|k| (pc, k))?;
        last_terminates = instr.is_terminator();
        pc += len;
    }
    if !last_terminates {
        return Err((code.len().saturating_sub(1), ErrorKind::FallsOffEnd { func }));
    }

    // Pass 2: branch targets must be instruction starts.
    let mut pc = 0usize;
    while pc < code.len() {
        // Cannot fail: pass 1 decoded the same bytes.
        let Ok((instr, len)) = Instr::decode(code, pc) else { break };
        for op in instr.operands() {
            let check = |target: u32| -> Result<(), (usize, ErrorKind)> {
                let p = pc as u32;
                match starts.get(target as usize) {
                    None => Err((pc, ErrorKind::BranchOutOfRange { func, pc: p, target })),
                    Some(false) => Err((pc, ErrorKind::BranchIntoInstruction { func, pc: p, target })),
                    Some(true) => Ok(()),
                }
            };
            match op {
                Operand::Tgt(t) => check(t)?,
                Operand::Tbl(ts) => {
                    for t in ts {
                        check(t)?;
                    }
                }
                _ => {}
            }
        }
        pc += len;
    }
    Ok(())
}

fn check_instr(
    m: &Module<'_>,
    func: u32,
    fty: &FuncType,
    regs: u16,
    frame_size: u32,
    pc: u32,
    instr: &Instr,
) -> Result<(), ErrorKind> {
    let reg = |r: u8| {
        if (r as u16) < regs {
            Ok(())
        } else {
            Err(ErrorKind::RegisterOutOfRange { func, pc, reg: r, regs })
        }
    };
    let window = |base: u8, ty: &FuncType| {
        let window = ty.window();
        if base as usize + window <= regs as usize && (base as u16) < regs {
            Ok(())
        } else {
            Err(ErrorKind::CallWindowOutOfRange { func, pc, base, window, regs })
        }
    };
    let ty_at = |t: u32| m.types.get(t as usize).ok_or(ErrorKind::TypeOutOfRange(t));
    let import_ty = |i: u32| {
        let imp = m.imports.get(i as usize).ok_or(ErrorKind::ImportOutOfRange(i))?;
        Ok::<_, ErrorKind>(&m.types[imp.ty as usize])
    };

    for op in instr.operands() {
        match op {
            Operand::Dst(r) | Operand::Reg(r) => reg(r)?,
            Operand::Func(i) if i as usize >= m.functions.len() => return Err(ErrorKind::FunctionOutOfRange(i)),
            Operand::Imp(i) if i as usize >= m.imports.len() => return Err(ErrorKind::ImportOutOfRange(i)),
            Operand::Ty(i) if i as usize >= m.types.len() => return Err(ErrorKind::TypeOutOfRange(i)),
            _ => {}
        }
    }

    match *instr {
        Instr::Call { func: callee, base } => {
            let t = &m.types[m.functions[callee as usize].ty as usize];
            let mut t = t.clone();
            if t.variadic {
                // The hidden pointer to the packed variadic arguments.
                t.params.push(crate::module::ValType::Ptr);
            }
            window(base, &t)?;
        }
        Instr::CallImport { import, base } => {
            let t = import_ty(import)?;
            if t.variadic {
                return Err(ErrorKind::VariadicMismatch { func, pc, import });
            }
            window(base, t)?;
        }
        Instr::CallImportVar { import, ty, base } => {
            let it = import_ty(import)?;
            if !it.variadic {
                return Err(ErrorKind::VariadicMismatch { func, pc, import });
            }
            let site = ty_at(ty)?;
            if site.variadic
                || site.result != it.result
                || site.params.len() < it.params.len()
                || site.params[..it.params.len()] != it.params[..]
            {
                return Err(ErrorKind::CallSiteSignature { func, pc, import });
            }
            window(base, site)?;
        }
        Instr::CallIndirect { ty, base, .. } => {
            let t = ty_at(ty)?.clone();
            window(base, &t)?;
        }
        Instr::Ret { .. } if fty.result.is_none() => return Err(ErrorKind::ReturnMismatch { func, pc }),
        Instr::RetVoid {} if fty.result.is_some() => return Err(ErrorKind::ReturnMismatch { func, pc }),
        Instr::FrameAddr { offset, .. } if offset >= frame_size => {
            return Err(ErrorKind::FrameOffsetOutOfRange { func, pc, offset, frame: frame_size })
        }
        Instr::Alloca { align, .. } if !align.is_power_of_two() || align > 4096 => {
            return Err(ErrorKind::BadAlignment(align))
        }
        Instr::AtomicLoad { width, .. } | Instr::AtomicStore { width, .. } | Instr::AtomicCmpxchg { width, .. }
            if width > 3 =>
        {
            return Err(ErrorKind::BadAtomic { func, pc, value: width })
        }
        Instr::AtomicRmw { kind, .. } if AtomicOp::from_u8(kind >> 2).is_none() => {
            return Err(ErrorKind::BadAtomic { func, pc, value: kind })
        }
        _ => {}
    }
    Ok(())
}
