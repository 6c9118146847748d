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

fn walk(m: &Mod, t: Ty, base: u32, out: &mut Vec<(Sc, u32)>) -> Result<(), TypeError> {
    match t.kind() {
        LLVMTypeKind::LLVMIntegerTypeKind => {
            let w = t.int_width();
            if w > 64 {
                return Err(TypeError(format!("{}-bit integers are not supported", w)));
            }
            out.push((Sc::Int(w), base));
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

/// How a function's LLVM return type travels in the single result register.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RetShape {
    Void,
    One(Sc),
    /// Two 32-bit leaves packed into one i64 (low, high).
    Pair(Sc, Sc),
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
            _ => Err(TypeError(format!(
                "returning `{}` in registers is not supported",
                t.print()
            ))),
        }
    }
    pub fn val_type(self) -> Option<ValType> {
        match self {
            RetShape::Void => None,
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
    let params = param_leaves(m, fty)?
        .into_iter()
        .map(Sc::val_type)
        .collect();
    let result = RetShape::of(m, fty.fn_ret())?.val_type();
    Ok(espb_format::FuncType {
        params,
        result,
        variadic: fty.fn_vararg(),
    })
}
