//! LLVM types seen as what the register machine holds: every first-class value
//! is flattened into scalar leaves (one register each), and signatures are
//! built from those leaves.

use espb_format::ValType;

use crate::llvm::{LLVMTypeKind, Mod, Ty};

/// A scalar that fits one 64-bit register.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Sc {
    /// An integer of `bits` (1..=64) bits, held zero-extended ("canonical").
    Int(u32),
    F32,
    F64,
    Ptr,
}

impl Sc {
    /// Whether the value needs the 64-bit instruction forms.
    pub fn wide(self) -> bool {
        matches!(self, Sc::Int(b) if b > 32) || self == Sc::F64
    }
    pub fn val_type(self) -> ValType {
        match self {
            Sc::Int(b) if b > 32 => ValType::I64,
            Sc::Int(_) => ValType::I32,
            Sc::F32 => ValType::F32,
            Sc::F64 => ValType::F64,
            Sc::Ptr => ValType::Ptr,
        }
    }
    /// Bytes a load or store of this leaf touches.
    pub fn store_bytes(self) -> u32 {
        match self {
            Sc::Int(b) => b.div_ceil(8),
            Sc::F32 | Sc::Ptr => 4,
            Sc::F64 => 8,
        }
    }
}

/// Why a type cannot be held in registers.
#[derive(Debug, Clone)]
pub struct TypeError(pub String);

/// The scalar leaves of `t` with their byte offsets inside its memory image.
pub fn leaves(m: &Mod, t: Ty) -> Result<Vec<(Sc, u32)>, TypeError> {
    let mut out = Vec::new();
    walk(m, t, 0, &mut out)?;
    Ok(out)
}

/// Most scalar leaves one first-class value may have (each needs a register).
const MAX_LEAVES: usize = 1024;

/// Widest integer held in registers (as two leaves).
pub const MAX_INT_BITS: u32 = 128;

/// Whether `t` is held in two registers as one number: `fp128` or an
/// integer wider than 64 bits.
pub fn is_wide_scalar(t: Ty) -> bool {
    match t.kind() {
        LLVMTypeKind::LLVMFP128TypeKind => true,
        LLVMTypeKind::LLVMIntegerTypeKind => t.int_width() > 64,
        _ => false,
    }
}

fn walk(m: &Mod, t: Ty, base: u32, out: &mut Vec<(Sc, u32)>) -> Result<(), TypeError> {
    match t.kind() {
        LLVMTypeKind::LLVMIntegerTypeKind => {
            let w = t.int_width();
            if w > MAX_INT_BITS {
                return Err(TypeError(format!("{}-bit integers are not supported", w)));
            }
            if w > 64 {
                // Two registers: the low 64 bits, then the rest (`wide.rs`).
                out.push((Sc::Int(64), base));
                out.push((Sc::Int(w - 64), base + 8));
            } else {
                out.push((Sc::Int(w), base));
            }
        }
        // IEEE binary128 (riscv32's `long double`): its bits in two
        // registers, low half first, operated on by runtime helpers.
        LLVMTypeKind::LLVMFP128TypeKind => {
            out.push((Sc::Int(64), base));
            out.push((Sc::Int(64), base + 8));
        }
        LLVMTypeKind::LLVMFloatTypeKind => out.push((Sc::F32, base)),
        LLVMTypeKind::LLVMDoubleTypeKind => out.push((Sc::F64, base)),
        LLVMTypeKind::LLVMPointerTypeKind => out.push((Sc::Ptr, base)),
        LLVMTypeKind::LLVMStructTypeKind => {
            for (i, e) in t.struct_elems().into_iter().enumerate() {
                let off = m.offset_of(t, i as u32) as u32;
                walk(m, e, base + off, out)?;
            }
        }
        LLVMTypeKind::LLVMArrayTypeKind => {
            let e = t.elem();
            let n = t.array_len();
            if n > 4096 {
                return Err(TypeError(format!(
                    "array value of {} elements held in registers",
                    n
                )));
            }
            let step = m.alloc_size(e) as u32;
            for i in 0..n as u32 {
                walk(m, e, base.wrapping_add(i.wrapping_mul(step)), out)?;
                if out.len() > MAX_LEAVES {
                    return Err(TypeError(format!(
                        "value of type `{}` is too large to hold in registers",
                        t.print()
                    )));
                }
            }
        }
        LLVMTypeKind::LLVMVectorTypeKind => {
            // Element `i` lives at `i * size(elem)` (byte-sized elements only).
            let e = t.elem();
            let bytes = m.store_size(e);
            if e.kind() == LLVMTypeKind::LLVMIntegerTypeKind && e.int_width() as u64 != bytes * 8 {
                return Err(TypeError(format!(
                    "vectors of `{}` are not supported",
                    e.print()
                )));
            }
            for i in 0..t.vector_len() {
                walk(m, e, base.wrapping_add(i.wrapping_mul(bytes as u32)), out)?;
                if out.len() > MAX_LEAVES {
                    return Err(TypeError(format!(
                        "value of type `{}` is too large to hold in registers",
                        t.print()
                    )));
                }
            }
        }
        _ => {
            return Err(TypeError(format!(
                "values of type `{}` are not supported",
                t.print()
            )))
        }
    }
    Ok(())
}

/// Whether a function type has a wide scalar (`is_wide_scalar`) among its
/// parameters or result, at any depth.
pub fn has_wide_scalar(fty: Ty) -> bool {
    fn walk(t: Ty) -> bool {
        match t.kind() {
            LLVMTypeKind::LLVMStructTypeKind => t.struct_elems().into_iter().any(walk),
            LLVMTypeKind::LLVMArrayTypeKind | LLVMTypeKind::LLVMVectorTypeKind => walk(t.elem()),
            _ => is_wide_scalar(t),
        }
    }
    walk(fty.fn_ret()) || fty.fn_params().into_iter().any(walk)
}

/// How a function's LLVM return type travels in the single result register.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RetShape {
    Void,
    One(Sc),
    /// Two 32-bit leaves packed into one i64 (low, high).
    Pair(Sc, Sc),
    /// More than one register's worth (`long double`, integers over 64
    /// bits): written through a hidden pointer parameter that follows the
    /// declared ones (before a variadic function's packed-arguments pointer).
    Indirect,
}

impl RetShape {
    pub fn of(m: &Mod, t: Ty) -> Result<RetShape, TypeError> {
        if t.kind() == LLVMTypeKind::LLVMVoidTypeKind {
            return Ok(RetShape::Void);
        }
        let l = leaves(m, t)?;
        match l.as_slice() {
            [] => Ok(RetShape::Void),
            [(s, _)] => Ok(RetShape::One(*s)),
            [(a, _), (b, _)] if !a.wide() && !b.wide() => Ok(RetShape::Pair(*a, *b)),
            _ if is_wide_scalar(t) => Ok(RetShape::Indirect),
            _ => Err(TypeError(format!(
                "returning `{}` in registers is not supported",
                t.print()
            ))),
        }
    }
    pub fn val_type(self) -> Option<ValType> {
        match self {
            RetShape::Void | RetShape::Indirect => None,
            RetShape::One(s) => Some(s.val_type()),
            RetShape::Pair(..) => Some(ValType::I64),
        }
    }
}

/// Flattened parameter leaves of a function type (without the hidden varargs pointer).
pub fn param_leaves(m: &Mod, fty: Ty) -> Result<Vec<Sc>, TypeError> {
    let mut out = Vec::new();
    for p in fty.fn_params() {
        out.extend(leaves(m, p)?.into_iter().map(|(s, _)| s));
    }
    Ok(out)
}

/// The espb signature of an LLVM function type.
pub fn signature(m: &Mod, fty: Ty) -> Result<espb_format::FuncType, TypeError> {
    let mut params: Vec<ValType> = param_leaves(m, fty)?
        .into_iter()
        .map(Sc::val_type)
        .collect();
    let shape = RetShape::of(m, fty.fn_ret())?;
    if shape == RetShape::Indirect {
        params.push(ValType::Ptr);
    }
    let result = shape.val_type();
    Ok(espb_format::FuncType {
        params,
        result,
        variadic: fty.fn_vararg(),
    })
}
