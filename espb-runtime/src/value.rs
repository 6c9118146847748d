//! Typed values crossing the embedding API.

use core::fmt;

use espb_format::ValType;

/// A value passed to or returned from a module function.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Value {
    I32(i32),
    I64(i64),
    F32(f32),
    F64(f64),
}

impl Value {
    /// The register bits of this value (see docs/abi.md: narrow values live in
    /// the low bits).
    pub fn to_bits(self) -> u64 {
        match self {
            Value::I32(v) => v as u32 as u64,
            Value::I64(v) => v as u64,
            Value::F32(v) => v.to_bits() as u64,
            Value::F64(v) => v.to_bits(),
        }
    }

    /// Reads register bits as a value of type `ty` (`ptr` reads as `I32`).
    pub fn from_bits(bits: u64, ty: ValType) -> Value {
        match ty {
            ValType::I32 | ValType::Ptr => Value::I32(bits as u32 as i32),
            ValType::I64 => Value::I64(bits as i64),
            ValType::F32 => Value::F32(f32::from_bits(bits as u32)),
            ValType::F64 => Value::F64(f64::from_bits(bits)),
        }
    }

    /// Whether this value may be passed where `ty` is expected.
    pub fn fits(self, ty: ValType) -> bool {
        matches!(
            (self, ty),
            (Value::I32(_), ValType::I32 | ValType::Ptr)
                | (Value::I64(_), ValType::I64)
                | (Value::F32(_), ValType::F32)
                | (Value::F64(_), ValType::F64)
        )
    }

    pub fn type_name(self) -> &'static str {
        match self {
            Value::I32(_) => "i32",
            Value::I64(_) => "i64",
            Value::F32(_) => "f32",
            Value::F64(_) => "f64",
        }
    }

    pub fn as_i32(self) -> Option<i32> {
        if let Value::I32(v) = self {
            Some(v)
        } else {
            None
        }
    }
    pub fn as_i64(self) -> Option<i64> {
        if let Value::I64(v) = self {
            Some(v)
        } else {
            None
        }
    }
    pub fn as_f32(self) -> Option<f32> {
        if let Value::F32(v) = self {
            Some(v)
        } else {
            None
        }
    }
    pub fn as_f64(self) -> Option<f64> {
        if let Value::F64(v) = self {
            Some(v)
        } else {
            None
        }
    }
}

impl fmt::Display for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Value::I32(v) => write!(f, "{v}:i32"),
            Value::I64(v) => write!(f, "{v}:i64"),
            Value::F32(v) => write!(f, "{v}:f32"),
            Value::F64(v) => write!(f, "{v}:f64"),
        }
    }
}

impl From<i32> for Value {
    fn from(v: i32) -> Value {
        Value::I32(v)
    }
}
impl From<u32> for Value {
    fn from(v: u32) -> Value {
        Value::I32(v as i32)
    }
}
impl From<i64> for Value {
    fn from(v: i64) -> Value {
        Value::I64(v)
    }
}
impl From<f32> for Value {
    fn from(v: f32) -> Value {
        Value::F32(v)
    }
}
impl From<f64> for Value {
    fn from(v: f64) -> Value {
        Value::F64(v)
    }
}
