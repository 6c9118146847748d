//! A parsed, validated module plus what the interpreter precomputes from it.

use alloc::vec::Vec;

use espb_format::{Error, FuncType};

/// See `Module::parse`.
static NO_TYPE: FuncType = FuncType {
    params: Vec::new(),
    result: None,
    variadic: false,
};

/// What a call needs to know about a function, in one small record.
#[derive(Debug, Clone, Copy)]
pub(crate) struct FuncInfo<'a> {
    pub code: &'a [u8],
    pub regs: u32,
    pub frame_size: u32,
    /// `frame_align - 1` (a mask).
    pub frame_mask: u32,
    /// Canonical type index: equal signatures share one.
    pub canon_ty: u32,
    /// Registers the arguments occupy (variadic: plus the hidden pointer).
    pub params: u32,
    pub has_result: bool,
}

/// A module ready to instantiate. Borrows the bytes it was parsed from: code
/// is executed where it lies (on a device: memory-mapped flash).
pub struct Module<'a> {
    pub(crate) m: espb_format::Module<'a>,
    pub(crate) funcs: Vec<FuncInfo<'a>>,
    /// `canon[ty]`: the first type index structurally equal to `ty`.
    pub(crate) canon: Vec<u32>,
}

impl<'a> Module<'a> {
    /// Parses and fully validates `bytes` (see `espb_format::parse`).
    pub fn parse(bytes: &'a [u8]) -> Result<Module<'a>, Error> {
        let m = espb_format::parse(bytes)?;
        let mut canon = Vec::with_capacity(m.types.len());
        for (i, t) in m.types.iter().enumerate() {
            let c = m.types.iter().position(|u| u == t).unwrap_or(i);
            canon.push(c as u32);
        }
        let funcs = m
            .functions
            .iter()
            .map(|f| {
                // `f.ty` is checked by the reader (no panic exits: a
                // signature that cannot be needed stands in).
                let t = m.types.get(f.ty as usize).unwrap_or(&NO_TYPE);
                let code: &'a [u8] = match &f.code {
                    alloc::borrow::Cow::Borrowed(b) => b,
                    // `espb_format::parse` borrows every body from its input; an
                    // empty stand-in here would break the interpreter's
                    // "validated, non-empty body" invariant, so refuse loudly.
                    alloc::borrow::Cow::Owned(_) => {
                        unreachable!("espb_format::parse borrows every function body")
                    }
                };
                FuncInfo {
                    code,
                    regs: f.regs as u32,
                    frame_size: f.frame_size,
                    frame_mask: (1u32 << f.frame_align_log2) - 1,
                    canon_ty: canon.get(f.ty as usize).copied().unwrap_or(0),
                    params: (t.params.len() + t.variadic as usize) as u32,
                    has_result: t.result.is_some(),
                }
            })
            .collect();
        Ok(Module { m, funcs, canon })
    }

    /// Signature `ty`, an index the reader checked (else an empty one).
    pub(crate) fn func_sig(&self, ty: u32) -> &FuncType {
        self.m.types.get(ty as usize).unwrap_or(&NO_TYPE)
    }

    /// The underlying format-level module (types, imports, names, …).
    pub fn inner(&self) -> &espb_format::Module<'a> {
        &self.m
    }

    /// The index of the exported function `name`.
    pub fn export(&self, name: &str) -> Option<u32> {
        self.m.export(name)
    }

    /// The signature of function `func`.
    pub fn func_type(&self, func: u32) -> Option<&FuncType> {
        self.m.func_type(func)
    }

    /// The debug name of function `func`, if the module carries one.
    pub fn func_name(&self, func: u32) -> Option<&str> {
        self.m.func_name(func)
    }

    /// The C source position of bytecode `offset` in `func`, if known.
    pub fn source_line(&self, func: u32, offset: u32) -> Option<(&str, u32)> {
        self.m.source_line(func, offset)
    }

    pub fn num_functions(&self) -> u32 {
        self.m.functions.len() as u32
    }
}
