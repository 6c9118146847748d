//! How each argument of a native import is marshalled, decided once at link
//! time from the module's callback (`cbmeta`) and pointer (`immeta`)
//! metadata.

use alloc::string::{String, ToString};
use alloc::vec::Vec;
use espb_format::text;

use espb_format::{ArgPlace, FuncType, Module, PtrMeta, ValType};

use super::backend::Sig;
use super::LinkError;
use crate::instance::owned;
use crate::sync::{Arc, Lock};

/// How one pointer-sized word is marshalled: a pointer argument or a
/// struct field alike (one path in `marshal::word_arg` for both).
#[derive(Debug, Clone)]
pub(crate) enum FieldKind {
    /// A module function that becomes a C function pointer of this type.
    Callback(FuncType),
    /// User data: the module value travels unchanged (zero-extended).
    UserData,
    /// A module pointer, translated with its metadata (if any; a struct
    /// field always has it).
    Ptr(Option<PtrMeta>),
}

#[derive(Debug, Clone)]
pub(crate) enum ParamKind {
    /// An integer or float passed as is.
    Value,
    /// A pointer, callback or user-data argument.
    Word(FieldKind),
    /// A pointer to a struct of `size` bytes holding callbacks and user data
    /// at these offsets: copied into a native-layout struct.
    Struct {
        size: u32,
        fields: Vec<(u32, FieldKind)>,
    },
}

/// A call interface in use: a fixed-arity native's own, or one call site's
/// of a variadic native (shared with the cache).
pub(crate) enum SigRef<'a> {
    Fixed(&'a Sig),
    Site(Arc<Sig>),
}

impl core::ops::Deref for SigRef<'_> {
    type Target = Sig;
    fn deref(&self) -> &Sig {
        match self {
            SigRef::Fixed(s) => s,
            SigRef::Site(s) => s,
        }
    }
}

pub(crate) struct Plan {
    pub name: String,
    pub addr: usize,
    /// The C signature (registered with the native, else the import's).
    pub ty: FuncType,
    pub params: Vec<ParamKind>,
    /// `vTaskDelete`: a call with NULL ends the task (`task_end`); decided
    /// here, not by a name comparison per call.
    pub deletes_task: bool,
    /// Prepared at link time for a fixed-arity native.
    pub sig: Option<Sig>,
    /// Variadic natives: one interface per distinct call-site signature (a
    /// list: a native sees a few distinct ones, and a search tree keyed by
    /// signatures would be kilobytes of code on a chip).
    pub var_sigs: Lock<Vec<(FuncType, Arc<Sig>)>>,
}

impl Plan {
    /// The plan of import `import`; a metadata error names the import (made
    /// once here, not at each error site of `prepare`).
    pub fn new(m: &Module<'_>, import: u32, addr: usize, ty: FuncType) -> Result<Plan, LinkError> {
        let name = &m.imports[import as usize].name;
        Plan::prepare(m, import, addr, ty).map_err(|message| LinkError::Metadata {
            import: owned(name),
            message,
        })
    }

    #[inline(never)]
    fn prepare(m: &Module<'_>, import: u32, addr: usize, ty: FuncType) -> Result<Plan, String> {
        let name = m.imports[import as usize].name.to_string();
        let mut params: Vec<ParamKind> = ty
            .params
            .iter()
            .map(|t| {
                if *t == ValType::Ptr {
                    ParamKind::Word(FieldKind::Ptr(None))
                } else {
                    ParamKind::Value
                }
            })
            .collect();
        for p in m
            .pointers
            .iter()
            .filter(|p| p.import == import && p.field.is_none())
        {
            match params.get_mut(p.param as usize) {
                Some(ParamKind::Word(FieldKind::Ptr(m @ None))) => *m = Some(*p),
                Some(ParamKind::Word(FieldKind::Ptr(Some(_)))) => {
                    return Err(text!("argument {} has pointer metadata twice", p.param))
                }
                Some(_) => {
                    return Err(text!(
                        "pointer metadata on argument {}, which is not a pointer",
                        p.param
                    ))
                }
                None => {
                    return Err(text!(
                        "pointer metadata names argument {} of {}",
                        p.param,
                        ty.params.len()
                    ))
                }
            }
            if let espb_format::SizeSpec::Param { param, .. } = p.size {
                if param as usize >= ty.params.len() {
                    return Err(text!(
                        "pointer size names argument {} of {}",
                        param,
                        ty.params.len()
                    ));
                }
            }
        }
        // Pointer fields after the struct arguments themselves are known.
        for p in m
            .pointers
            .iter()
            .filter(|p| p.import == import && p.field.is_some())
        {
            let offset = p.field.unwrap_or(0);
            let place = ArgPlace::Field {
                param: p.param,
                offset,
            };
            set_place(&mut params, &ty, place, FieldKind::Ptr(Some(*p)))?;
        }
        for cb in m.callbacks.iter().filter(|c| c.import == import) {
            let cty = m
                .types
                .get(cb.ty as usize)
                .cloned()
                .ok_or_else(|| text!("callback type ty{} does not exist", cb.ty))?;
            if cty.variadic {
                return Err(owned("a variadic callback cannot be called from C"));
            }
            set_place(&mut params, &ty, cb.place, FieldKind::Callback(cty))?;
            if let Some(ud) = cb.user_data {
                set_place(&mut params, &ty, ud, FieldKind::UserData)?;
            }
        }
        let sig = if ty.variadic {
            None
        } else {
            Some(Sig::new(&ty, None)?)
        };
        Ok(Plan {
            deletes_task: name == super::task_end::TASK_DELETE,
            name,
            addr,
            ty,
            params,
            sig,
            var_sigs: Lock::new(Vec::new()),
        })
    }

    /// The call interface for a call site's signature: the prepared one
    /// (borrowed) for a fixed-arity native, else the site's from the cache.
    pub fn sig_for(&self, site: &FuncType) -> Result<SigRef<'_>, String> {
        if let Some(c) = &self.sig {
            return Ok(SigRef::Fixed(c));
        }
        let mut cache = self.var_sigs.lock();
        if let Some((_, c)) = cache.iter().find(|(t, _)| t == site) {
            return Ok(SigRef::Site(c.clone()));
        }
        let fixed = self.ty.params.len();
        if site.params.len() < fixed {
            return Err(text!(
                "call site passes {} arguments, `{}` has {} fixed ones",
                site.params.len(),
                &self.name,
                fixed
            ));
        }
        let c = Arc::new(Sig::new(site, Some(fixed))?);
        cache.push((site.clone(), c.clone()));
        Ok(SigRef::Site(c))
    }
}

fn set_place(
    params: &mut [ParamKind],
    ty: &FuncType,
    place: ArgPlace,
    kind: FieldKind,
) -> Result<(), String> {
    // One check for both places (and its message made only when it fails).
    let (ArgPlace::Param(p) | ArgPlace::Field { param: p, .. }) = place;
    let slot = params.get_mut(p as usize).ok_or_else(|| {
        text!(
            "callback metadata names argument {} of {}",
            p,
            ty.params.len()
        )
    })?;
    match place {
        ArgPlace::Param(i) => {
            match kind {
                // `i` is in range: `params` has one entry per parameter.
                FieldKind::Callback(_) if ty.params.get(i as usize) != Some(&ValType::Ptr) => {
                    return Err(text!("callback argument {} is not a pointer", i));
                }
                FieldKind::Ptr(_) => {
                    return Err(text!(
                        "pointer field metadata on argument {} names no field",
                        i
                    ))
                }
                _ => {}
            }
            *slot = ParamKind::Word(kind);
        }
        ArgPlace::Field { param, offset } => {
            if offset % 4 != 0 {
                return Err(text!(
                    "struct field at offset {} of argument {} is not 4-byte aligned",
                    offset,
                    param
                ));
            }
            // A described pointer argument becomes a struct of its size
            // (an error drops the whole plan, so the slot may change first).
            if let ParamKind::Word(FieldKind::Ptr(Some(meta))) = slot {
                let espb_format::SizeSpec::Const(size) = meta.size else {
                    return Err(text!(
                        "argument {} carries callbacks in a struct but its size is not a constant",
                        param
                    ));
                };
                *slot = ParamKind::Struct {
                    size,
                    fields: Vec::new(),
                };
            }
            let ParamKind::Struct { fields, size } = slot else {
                return Err(text!("argument {} carries callbacks in a struct but has no `in {} size N` pointer metadata", param, param));
            };
            if offset + 4 > *size {
                return Err(text!(
                    "struct field at offset {} lies outside the {}-byte struct",
                    offset,
                    *size
                ));
            }
            // Kept sorted by offset (an insertion, not a sort: a sort
            // routine would be code the device carries for this one list).
            let at = fields.partition_point(|f| f.0 <= offset);
            fields.insert(at, (offset, kind));
        }
    }
    Ok(())
}
