//! The firmware's natives, registered through the C API, and the imports of
//! one module bound to them.
//!
//! Natives are plain C functions given by address (`espb_register_natives`):
//! with feature `ffi` they are bound through [`crate::ffi`] — pointer checks
//! and translation, out-parameters, callbacks, variadic calls — exactly as
//! the Rust API binds them. Entries without an address say what would
//! provide a function, so a module importing something the firmware lacks
//! fails with an error naming the function and the component to enable.

use std::collections::{BTreeMap, BTreeSet};
use std::ffi::{c_char, c_int, c_void};
use std::sync::Mutex;

use espb_format::ImportKind;

use super::{cstr, fail, guard, EspErr, Linked, ESPB_ERR_LINK, ESP_ERR_INVALID_ARG, ESP_OK};
use crate::{HostFunc, Imports, Module, Trap};

/// `espb_native_t`.
#[repr(C)]
pub struct EspbNative {
    name: *const c_char,
    addr: *const c_void,
    provider: *const c_char,
}

/// `espb_native_table_t`.
#[repr(C)]
pub struct EspbNativeTable {
    symtab: *const c_char,
    symtab_hash: u64,
    natives: *const EspbNative,
    count: usize,
}

/// `espb_raw_native_fn`.
pub type EspbRawNativeFn =
    Option<unsafe extern "C" fn(*mut c_void, *const u64, usize, *mut u64) -> c_int>;

/// A registered fast-symbol table, for diagnostics: each slot's name and
/// whether the firmware carries it (its provider when not).
struct SlotTable {
    hash: u64,
    slots: Vec<(String, Result<(), Option<String>>)>,
}

#[derive(Default)]
struct Registry {
    /// Natives the firmware carries (by name and in fast-symbol tables).
    present: BTreeSet<String>,
    /// By-name functions it does not carry, with what provides them; a name
    /// ending in `*` is a prefix.
    absent: Vec<(String, Option<String>)>,
    tables: BTreeMap<String, SlotTable>,
    /// Natives on the runtime's register ABI.
    raw: BTreeMap<String, HostFunc>,
}

static REGISTRY: Mutex<Option<Registry>> = Mutex::new(None);

fn with_registry<R>(f: impl FnOnce(&mut Registry) -> R) -> R {
    let mut g = REGISTRY.lock().unwrap_or_else(|e| e.into_inner());
    f(g.get_or_insert_with(Registry::default))
}

/// A C table read into owned data, checked before anything is registered.
struct Table {
    symtab: Option<(String, u64)>,
    entries: Vec<(String, Option<usize>, Option<String>)>,
}

/// # Safety
/// `t` points to a valid `espb_native_table_t` whose entries are valid.
unsafe fn read_table(t: &EspbNativeTable, which: usize) -> Result<Table, String> {
    // SAFETY: caller contract.
    let symtab = match unsafe { cstr(t.symtab) } {
        None if !t.symtab.is_null() => {
            return Err(format!("table {which}: symtab name is not UTF-8"))
        }
        None => None,
        Some(s) => Some((s.to_string(), t.symtab_hash)),
    };
    if t.natives.is_null() && t.count != 0 {
        return Err(format!("table {which}: natives is NULL"));
    }
    let raw: &[EspbNative] = if t.count == 0 {
        &[]
    } else {
        // SAFETY: caller contract: `count` entries.
        unsafe { std::slice::from_raw_parts(t.natives, t.count) }
    };
    let mut entries = Vec::with_capacity(raw.len());
    for (i, n) in raw.iter().enumerate() {
        // SAFETY: caller contract: NULL or NUL-terminated.
        let Some(name) = (unsafe { cstr(n.name) }) else {
            return Err(format!(
                "table {which}, entry {i}: the name is NULL or not UTF-8"
            ));
        };
        let addr = (!n.addr.is_null()).then_some(n.addr as usize);
        // SAFETY: caller contract: NULL or NUL-terminated.
        let provider = unsafe { cstr(n.provider) }.map(str::to_string);
        if addr.is_some() && name.ends_with('*') {
            return Err(format!(
                "table {which}, entry {i}: `{name}` is a prefix pattern but has an address"
            ));
        }
        entries.push((name.to_string(), addr, provider));
    }
    if let Some((name, hash)) = &symtab {
        let st = espb_format::symtab::SymbolTable {
            name: name.clone(),
            entries: entries
                .iter()
                .map(|(n, _, _)| espb_format::symtab::SymbolEntry {
                    name: n.clone(),
                    condition: None,
                })
                .collect(),
        };
        if st.hash() != *hash {
            return Err(format!(
                "table {which}: symbol table `{name}` says hash {hash:#018x} but its {} slot names hash to {:#018x}; regenerate it (`cargo espb build`)",
                entries.len(),
                st.hash()
            ));
        }
    }
    Ok(Table { symtab, entries })
}

/// # Safety
/// `tables` points to `count` valid tables.
#[no_mangle]
pub unsafe extern "C" fn espb_register_natives(
    tables: *const EspbNativeTable,
    count: usize,
) -> EspErr {
    guard(|| {
        if tables.is_null() && count != 0 {
            return fail(ESP_ERR_INVALID_ARG, "espb_register_natives: tables is NULL");
        }
        let raw: &[EspbNativeTable] = if count == 0 {
            &[]
        } else {
            // SAFETY: caller contract: `count` tables.
            unsafe { std::slice::from_raw_parts(tables, count) }
        };
        let mut read = Vec::with_capacity(raw.len());
        for (i, t) in raw.iter().enumerate() {
            // SAFETY: caller contract.
            match unsafe { read_table(t, i) } {
                Ok(t) => read.push(t),
                Err(m) => return fail(ESP_ERR_INVALID_ARG, format!("espb_register_natives: {m}")),
            }
        }
        if !cfg!(feature = "ffi") && read.iter().any(|t| t.entries.iter().any(|e| e.1.is_some())) {
            return fail(
                super::ESP_ERR_NOT_SUPPORTED,
                "espb_register_natives: this runtime was built without the `ffi` feature, so it cannot call C functions by address",
            );
        }
        with_registry(|r| {
            for t in read {
                match t.symtab {
                    Some((name, hash)) => {
                        for (n, a, _) in &t.entries {
                            if a.is_some() {
                                r.present.insert(n.clone());
                            }
                        }
                        let slots = t
                            .entries
                            .into_iter()
                            .map(|(n, a, p)| (n, a.map(|_| ()).ok_or(p)))
                            .collect();
                        r.tables.insert(name, SlotTable { hash, slots });
                    }
                    None => {
                        for (name, addr, provider) in t.entries {
                            r.absent.retain(|(n, _)| *n != name);
                            match addr {
                                Some(_) => {
                                    r.present.insert(name);
                                }
                                None => {
                                    r.present.remove(&name);
                                    r.absent.push((name, provider));
                                }
                            }
                        }
                    }
                }
            }
        });
        #[cfg(feature = "ffi")]
        ffi_tables::register(raw);
        ESP_OK
    })
}

/// # Safety
/// `name` is a NUL-terminated string; `f` is callable from any task.
#[no_mangle]
pub unsafe extern "C" fn espb_register_raw_native(
    name: *const c_char,
    f: EspbRawNativeFn,
    user: *mut c_void,
) -> EspErr {
    guard(|| {
        // SAFETY: caller contract.
        let (Some(name), Some(f)) = (unsafe { cstr(name) }, f) else {
            return fail(
                ESP_ERR_INVALID_ARG,
                "espb_register_raw_native: bad name or NULL function",
            );
        };
        let func = raw_native(f, user);
        with_registry(|r| r.raw.insert(name.to_string(), func));
        ESP_OK
    })
}

/// A `void *` the embedder promised to be usable from any task.
#[derive(Clone, Copy)]
struct UserPtr(*mut c_void);
// SAFETY: the C API documents that raw natives may be called from any task;
// the pointer is only handed back to the embedder's own function.
unsafe impl Send for UserPtr {}
// SAFETY: as above.
unsafe impl Sync for UserPtr {}

fn raw_native(
    f: unsafe extern "C" fn(*mut c_void, *const u64, usize, *mut u64) -> c_int,
    user: *mut c_void,
) -> HostFunc {
    let user = UserPtr(user);
    HostFunc::new(move |caller, args| {
        let mut out = 0u64;
        let u = user;
        // SAFETY: calling the embedder's function with a valid argument array
        // and result slot, as espb_runtime.h documents.
        let rc = unsafe { f(u.0, args.as_ptr(), args.len(), &mut out) };
        if rc != 0 {
            return Err(Trap::host(format!(
                "native `{}` returned {rc}",
                caller.import_name()
            )));
        }
        Ok(Some(out))
    })
}

/// Why an import has no provider, or `None` when something serves it.
fn missing(r: &Registry, m: &Module<'_>, import: usize) -> Option<String> {
    let imp = &m.inner().imports[import];
    let name = &*imp.name;
    if let ImportKind::Fast { table, index } = imp.kind {
        let tref = &m.inner().symtabs[table as usize];
        if let Some(t) = r.tables.get(&*tref.name) {
            if t.hash != tref.hash {
                return Some(format!(
                    "`{name}` (the module was built against symbol table `{}` with hash {:#018x}, this firmware has {:#018x}: rebuild the module against this firmware's table)",
                    tref.name, tref.hash, t.hash
                ));
            }
            match t.slots.get(index as usize) {
                None => {
                    return Some(format!(
                        "`{name}` (slot {index} is past the end of symbol table `{}`, {} slots)",
                        tref.name,
                        t.slots.len()
                    ))
                }
                Some((slot, _)) if slot != name => {
                    return Some(format!(
                        "`{name}` (slot {index} of symbol table `{}` is `{slot}`)",
                        tref.name
                    ))
                }
                Some((_, Ok(()))) => return None,
                // Configured out: the runtime may still serve it itself.
                Some((_, Err(provider))) => {
                    if crate::builtins::lookup(name).is_some() || r.raw.contains_key(name) {
                        return None;
                    }
                    return Some(explain(name, provider.as_deref()));
                }
            }
        }
    }
    if r.present.contains(name) || r.raw.contains_key(name) {
        return None;
    }
    if crate::builtins::lookup(name).is_some() {
        return None;
    }
    let exact = r.absent.iter().find(|(n, _)| n == name);
    let pattern = || {
        r.absent
            .iter()
            .filter_map(|(n, p)| Some((n.strip_suffix('*')?, p)))
            .filter(|(prefix, _)| name.starts_with(prefix))
            .max_by_key(|(prefix, _)| prefix.len())
            .map(|(_, p)| p)
    };
    let provider = exact.map(|(_, p)| p).or_else(pattern).cloned().flatten();
    Some(explain(name, provider.as_deref()))
}

fn explain(name: &str, provider: Option<&str>) -> String {
    match provider {
        Some(p) => format!("`{name}` (provided by {p}, which this firmware does not include)"),
        None => format!("`{name}`"),
    }
}

/// Binds `m`'s imports: builtins, raw natives, and the firmware's natives
/// through the FFI. Fails naming every import the firmware does not carry.
pub(crate) fn link(m: &Module<'_>) -> Result<Linked, (EspErr, String)> {
    let mut imports = Imports::new();
    let missing: Vec<String> = with_registry(|r| {
        for (name, f) in &r.raw {
            imports.register(name.clone(), f.clone());
        }
        (0..m.inner().imports.len())
            .filter_map(|i| missing(r, m, i))
            .collect()
    });
    if !missing.is_empty() {
        return Err((
            ESPB_ERR_LINK,
            format!(
                "this firmware does not carry {} the module imports: {}. Build the firmware with this module's native table (`cargo espb build`, then build the firmware), or keep the functions in the image (espb.toml [firmware] keep); see docs/firmware.md",
                if missing.len() == 1 { "a function" } else { "functions" },
                missing.join(", ")
            ),
        ));
    }
    #[cfg(feature = "ffi")]
    {
        let ffi = ffi_tables::link(m, &mut imports).map_err(|e| (ESPB_ERR_LINK, e.to_string()))?;
        Ok(Linked { imports, ffi })
    }
    #[cfg(not(feature = "ffi"))]
    Ok(Linked { imports })
}

/// The registered natives as the FFI layer's [`crate::ffi::Natives`].
#[cfg(feature = "ffi")]
mod ffi_tables {
    use std::sync::{Arc, Mutex};

    use super::{cstr, EspbNativeTable};
    use crate::ffi::{self, FfiState, LinkError, NativeTable, Natives};
    use crate::{Imports, Module};

    static NATIVES: Mutex<Option<Natives>> = Mutex::new(None);

    /// Adds already validated tables (see `read_table`).
    pub(super) fn register(tables: &[EspbNativeTable]) {
        let mut g = NATIVES.lock().unwrap_or_else(|e| e.into_inner());
        let natives = g.get_or_insert_with(Natives::new);
        for t in tables {
            let entries: &[super::EspbNative] = if t.count == 0 {
                &[]
            } else {
                // SAFETY: validated by `read_table` under the same caller
                // contract (`count` valid entries).
                unsafe { std::slice::from_raw_parts(t.natives, t.count) }
            };
            // SAFETY: validated names (NUL-terminated UTF-8).
            let name = |e: &super::EspbNative| unsafe { cstr(e.name) }.unwrap_or("").to_string();
            let addr = |e: &super::EspbNative| (!e.addr.is_null()).then_some(e.addr as usize);
            // SAFETY: validated (UTF-8 or NULL).
            match unsafe { cstr(t.symtab) } {
                Some(symtab) => {
                    let table = espb_format::symtab::SymbolTable {
                        name: symtab.to_string(),
                        entries: entries
                            .iter()
                            .map(|e| espb_format::symtab::SymbolEntry {
                                name: name(e),
                                condition: None,
                            })
                            .collect(),
                    };
                    let addrs = entries.iter().map(addr).collect();
                    // SAFETY: espb_register_natives' contract: every address
                    // is the C function named by its entry, callable with the
                    // signature modules import it with, for the program's
                    // life.
                    unsafe { natives.add_table(NativeTable { table, addrs }) };
                }
                None => {
                    for e in entries.iter().filter(|e| !name(e).ends_with('*')) {
                        match addr(e) {
                            // SAFETY: as above.
                            Some(a) => unsafe {
                                natives.add(&name(e), a, None);
                            },
                            None => {
                                natives.remove(&name(e));
                            }
                        }
                    }
                }
            }
        }
    }

    pub(super) fn link(m: &Module<'_>, imports: &mut Imports) -> Result<Arc<FfiState>, LinkError> {
        let g = NATIVES.lock().unwrap_or_else(|e| e.into_inner());
        let empty = Natives::new();
        ffi::link(m, g.as_ref().unwrap_or(&empty), imports)
    }
}
