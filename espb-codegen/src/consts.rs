//! Constants: folding LLVM constant expressions to numbers (every address is
//! known at translation time) and writing initialisers as bytes.

use espb_format::{FUNC_REF_BASE, IMPORT_REF_BASE};

use crate::ctx::Ctx;
use crate::llvm::{LLVMOpcode, LLVMTypeKind, LLVMValueKind, Ty, Val};

/// Bit width of an integer or pointer type (pointers are 32-bit).
pub fn scalar_bits(t: Ty) -> Option<u32> {
    match t.kind() {
        LLVMTypeKind::LLVMIntegerTypeKind => Some(t.int_width()),
        LLVMTypeKind::LLVMPointerTypeKind => Some(32),
        LLVMTypeKind::LLVMFloatTypeKind => Some(32),
        LLVMTypeKind::LLVMDoubleTypeKind => Some(64),
        _ => None,
    }
}

pub fn mask_to(v: u64, bits: u32) -> u64 {
    if bits >= 64 {
        v
    } else {
        v & ((1u64 << bits) - 1)
    }
}

pub fn sext_from(v: u64, bits: u32) -> i64 {
    if bits >= 64 || bits == 0 {
        v as i64
    } else {
        let sh = 64 - bits;
        ((v << sh) as i64) >> sh
    }
}

/// Whether `c` is a constant this module can fold to a number.
pub fn is_foldable(c: Val) -> bool {
    use LLVMValueKind::*;
    matches!(
        c.kind(),
        LLVMConstantIntValueKind
            | LLVMConstantFPValueKind
            | LLVMConstantPointerNullValueKind
            | LLVMUndefValueValueKind
            | LLVMPoisonValueKind
            | LLVMGlobalVariableValueKind
            | LLVMFunctionValueKind
            | LLVMGlobalAliasValueKind
            | LLVMConstantExprValueKind
            | LLVMBlockAddressValueKind
    ) && scalar_bits(c.ty()).is_some()
}

/// The value of a scalar constant (integers zero-extended to their width,
/// floats as IEEE bits, addresses as module pointers).
pub fn eval(ctx: &mut Ctx, c: Val) -> Result<u64, String> {
    let bits = scalar_bits(c.ty())
        .ok_or_else(|| format!("constant of type `{}` is not a scalar", c.ty().print()))?;
    let v = eval_raw(ctx, c, 0)?;
    Ok(mask_to(v, bits))
}

fn eval_raw(ctx: &mut Ctx, c: Val, depth: u32) -> Result<u64, String> {
    use LLVMValueKind::*;
    if depth > 64 {
        return Err("constant expression nested too deeply".into());
    }
    match c.kind() {
        LLVMConstantIntValueKind => {
            c.const_int_words().ok_or_else(|| format!("{}-bit integer constant is not supported", c.ty().int_width()))
        }
        LLVMConstantFPValueKind => match c.ty().kind() {
            LLVMTypeKind::LLVMFloatTypeKind => Ok((c.const_fp() as f32).to_bits() as u64),
            LLVMTypeKind::LLVMDoubleTypeKind => Ok(c.const_fp().to_bits()),
            _ => Err(format!("floating-point type `{}` is not supported", c.ty().print())),
        },
        LLVMConstantPointerNullValueKind | LLVMUndefValueValueKind | LLVMPoisonValueKind => Ok(0),
        LLVMGlobalVariableValueKind => match ctx.globals.get(&c) {
            Some(&a) => Ok(a as u64),
            None if c.is_thread_local() => Err(format!("thread-local variable `{}` is not supported", c.name())),
            None => Err(format!(
                "external variable `{}` is not defined in the module (only functions can be imported)",
                c.name()
            )),
        },
        LLVMFunctionValueKind => {
            if let Some(&i) = ctx.funcs.get(&c) {
                Ok((FUNC_REF_BASE + i) as u64)
            } else if c.name().starts_with("llvm.") {
                Err(format!("the address of intrinsic `{}` cannot be taken", c.name()))
            } else {
                let i = ctx.import_of(c)?;
                Ok((IMPORT_REF_BASE + i) as u64)
            }
        }
        LLVMGlobalAliasValueKind => eval_raw(ctx, c.alias_target(), depth + 1),
        LLVMBlockAddressValueKind => {
            let (f, b) = c.block_address();
            Ok(ctx.label_value(f, b)? as u64)
        }
        LLVMConstantExprValueKind => eval_expr(ctx, c, depth),
        _ => Err(format!("unsupported constant `{}`", short(c))),
    }
}

fn eval_expr(ctx: &mut Ctx, c: Val, depth: u32) -> Result<u64, String> {
    use LLVMOpcode::*;
    let op = c.const_opcode();
    let arg = |ctx: &mut Ctx, i: u32| -> Result<u64, String> {
        let o = c.operand(i);
        let bits = scalar_bits(o.ty()).unwrap_or(64);
        Ok(mask_to(eval_raw(ctx, o, depth + 1)?, bits))
    };
    let out_bits = scalar_bits(c.ty()).unwrap_or(64);
    let v = match op {
        LLVMGetElementPtr => {
            let base = arg(ctx, 0)?;
            let mut idx = Vec::new();
            for i in 1..c.num_operands() {
                let o = c.operand(i);
                let bits = scalar_bits(o.ty()).unwrap_or(64);
                idx.push(sext_from(eval_raw(ctx, o, depth + 1)?, bits));
            }
            let off = gep_const_offset(ctx, c.gep_source_type(), &idx)?;
            base.wrapping_add(off as u64)
        }
        LLVMBitCast if c.operand(0).ty().kind() == LLVMTypeKind::LLVMVectorTypeKind => {
            let bytes = vector_image(ctx, c.operand(0), depth + 1)?;
            let mut b = [0u8; 8];
            let n = bytes.len().min(8);
            b[..n].copy_from_slice(&bytes[..n]);
            u64::from_le_bytes(b)
        }
        LLVMBitCast | LLVMAddrSpaceCast | LLVMIntToPtr | LLVMPtrToInt | LLVMTrunc | LLVMZExt => {
            arg(ctx, 0)?
        }
        LLVMSExt => {
            let bits = scalar_bits(c.operand(0).ty()).unwrap_or(64);
            sext_from(arg(ctx, 0)?, bits) as u64
        }
        LLVMAdd | LLVMSub | LLVMMul | LLVMXor | LLVMShl | LLVMAnd | LLVMOr => {
            let a = arg(ctx, 0)?;
            let b = arg(ctx, 1)?;
            match op {
                LLVMAdd => a.wrapping_add(b),
                LLVMSub => a.wrapping_sub(b),
                LLVMMul => a.wrapping_mul(b),
                LLVMXor => a ^ b,
                LLVMAnd => a & b,
                LLVMOr => a | b,
                _ => a.checked_shl(b as u32).unwrap_or(0),
            }
        }
        LLVMExtractElement => {
            // A lane of a constant vector: read from its memory image.
            let v = c.operand(0);
            let k = eval_raw(ctx, c.operand(1), depth + 1)?;
            let et = v.ty().elem();
            let size = ctx.m.store_size(et) as usize;
            if et.kind() == LLVMTypeKind::LLVMIntegerTypeKind && et.int_width() as usize != size * 8
            {
                return Err(format!("unsupported constant expression: {}", short(c)));
            }
            let bytes = vector_image(ctx, v, depth + 1)?;
            let at = (k as usize)
                .checked_mul(size)
                .ok_or("vector lane out of range")?;
            let lane = bytes.get(at..at + size).ok_or("vector lane out of range")?;
            let mut b = [0u8; 8];
            b[..size.min(8)].copy_from_slice(&lane[..size.min(8)]);
            u64::from_le_bytes(b)
        }
        other => {
            return Err(format!(
                "unsupported constant expression ({:?}): {}",
                other,
                short(c)
            ))
        }
    };
    Ok(mask_to(v, out_bits))
}

/// The memory image of a constant vector (or of a scalar bitcast to one).
fn vector_image(ctx: &mut Ctx, v: Val, depth: u32) -> Result<Vec<u8>, String> {
    if depth > 64 {
        return Err("constant expression nested too deeply".into());
    }
    let size = ctx.m.store_size(v.ty()) as usize;
    if size > 1 << 16 {
        return Err("constant vector too large".into());
    }
    if v.kind() == LLVMValueKind::LLVMConstantExprValueKind
        && v.const_opcode() == LLVMOpcode::LLVMBitCast
    {
        let src = v.operand(0);
        if ctx.m.store_size(src.ty()) as usize != size {
            return Err(format!("unsupported constant bitcast: {}", short(v)));
        }
        if src.ty().kind() == LLVMTypeKind::LLVMVectorTypeKind {
            return vector_image(ctx, src, depth + 1);
        }
        let bits = eval_raw(ctx, src, depth + 1)?;
        let mut out = bits.to_le_bytes().to_vec();
        out.resize(size, 0);
        return Ok(out);
    }
    let mut buf = vec![0u8; size];
    write(ctx, v, &mut buf, 0)?;
    Ok(buf)
}

/// Byte offset of a GEP whose indices are all constants.
pub fn gep_const_offset(ctx: &Ctx, src: Ty, idx: &[i64]) -> Result<i64, String> {
    let m = &ctx.m;
    let Some((&first, rest)) = idx.split_first() else {
        return Ok(0);
    };
    let mut off = first.wrapping_mul(m.alloc_size(src) as i64);
    let mut t = src;
    for &i in rest {
        match t.kind() {
            LLVMTypeKind::LLVMStructTypeKind => {
                let elems = t.struct_elems();
                let Some(&e) = elems.get(i as usize) else {
                    return Err("struct index out of range".into());
                };
                off = off.wrapping_add(m.offset_of(t, i as u32) as i64);
                t = e;
            }
            LLVMTypeKind::LLVMArrayTypeKind | LLVMTypeKind::LLVMVectorTypeKind => {
                t = t.elem();
                off = off.wrapping_add(i.wrapping_mul(m.alloc_size(t) as i64));
            }
            _ => return Err(format!("GEP into non-aggregate type `{}`", t.print())),
        }
    }
    Ok(off)
}

/// Writes the memory image of `c` into `buf` at `at` (the buffer starts zeroed).
pub fn write(ctx: &mut Ctx, c: Val, buf: &mut [u8], at: usize) -> Result<(), String> {
    use LLVMValueKind::*;
    let t = c.ty();
    match c.kind() {
        LLVMConstantPointerNullValueKind
        | LLVMUndefValueValueKind
        | LLVMPoisonValueKind
        | LLVMConstantAggregateZeroValueKind => Ok(()),
        LLVMConstantDataArrayValueKind
        | LLVMConstantDataVectorValueKind
        | LLVMConstantArrayValueKind
        | LLVMConstantVectorValueKind => {
            if let Some(bytes) = c.const_string_bytes() {
                let end = at + bytes.len();
                buf.get_mut(at..end)
                    .ok_or("initialiser larger than its global")?
                    .copy_from_slice(&bytes);
                return Ok(());
            }
            let n = if t.kind() == LLVMTypeKind::LLVMArrayTypeKind {
                t.array_len()
            } else {
                t.vector_len() as u64
            };
            let step = ctx.m.alloc_size(t.elem()) as usize;
            for i in 0..n {
                let e = c
                    .aggregate_elem(i as u32)
                    .ok_or("malformed constant array")?;
                write(ctx, e, buf, at + i as usize * step)?;
            }
            Ok(())
        }
        LLVMConstantStructValueKind => {
            let n = t.struct_elems().len();
            for i in 0..n {
                let e = c
                    .aggregate_elem(i as u32)
                    .ok_or("malformed constant struct")?;
                let off = ctx.m.offset_of(t, i as u32) as usize;
                write(ctx, e, buf, at + off)?;
            }
            Ok(())
        }
        LLVMConstantIntValueKind | LLVMConstantFPValueKind if crate::types::is_wide_scalar(t) => {
            let v = c
                .const_u128()
                .ok_or_else(|| format!("unsupported initialiser `{}`", short(c)))?;
            let size = ctx.m.store_size(t) as usize;
            buf.get_mut(at..at + size)
                .ok_or("initialiser larger than its global")?
                .copy_from_slice(&v.to_le_bytes()[..size]);
            Ok(())
        }
        _ => {
            let bits =
                scalar_bits(t).ok_or_else(|| format!("unsupported initialiser `{}`", short(c)))?;
            if bits > 64 {
                return Err(format!("{}-bit initialiser is not supported", bits));
            }
            let v = eval(ctx, c)?;
            let size = ctx.m.store_size(t) as usize;
            let dst = buf
                .get_mut(at..at + size)
                .ok_or("initialiser larger than its global")?;
            dst.copy_from_slice(&v.to_le_bytes()[..size]);
            Ok(())
        }
    }
}

/// A short printable form of a value for messages.
pub fn short(v: Val) -> String {
    let mut s = v.print();
    if s.len() > 120 {
        let mut cut = 117;
        while !s.is_char_boundary(cut) {
            cut -= 1;
        }
        s.truncate(cut);
        s.push_str("...");
    }
    s.trim().to_string()
}
