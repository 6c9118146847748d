//! Native calls through libffi, with no glue: a module's imports bound to C
//! functions by name or fast-symbol slot, marshalled from the module's
//! metadata (see `docs/ffi.md`).
//!
//! ```text
//! let mut natives = Natives::new();
//! unsafe { natives.add("qsort", Library::process().symbol("qsort").unwrap(), None) };
//! let mut imports = Imports::new();
//! let ffi = ffi::link(&module, &natives, &mut imports)?;   // cifs prepared here
//! let inst = Instance::new(&module, &imports, config)?;
//! ```

mod call;
mod cif;
mod closure;
pub mod handles;
mod plan;
mod symtab;

use std::collections::{BTreeMap, HashMap, HashSet};
use std::ffi::{c_void, CString};
use std::fmt;
use std::sync::{Arc, Mutex, Weak};

use espb_format::{FuncType, ImportKind, ValType, FUNC_REF_BASE, IMPORT_REF_BASE, NATIVE_REF_BASE};

use crate::imports::{Caller, HostFunc, Imports, SymbolTable};
use crate::module::Module;
use crate::trap::Trap;

pub use call::{end_task_if_requested, set_call_gate};
pub use handles::HandleTable;
pub use symtab::NativeTable;

use plan::Plan;

/// Why a module cannot be linked against the natives.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LinkError {
    /// The module's callback or pointer metadata for `import` is unusable.
    Metadata { import: String, message: String },
    /// The native was registered with another C signature.
    Signature {
        import: String,
        module: String,
        native: String,
    },
    /// The module was built against another version of the table.
    TableMismatch {
        table: String,
        module_hash: u64,
        runtime_hash: u64,
    },
    /// The slot exists but is configured out (NULL).
    ConfiguredOut {
        import: String,
        table: String,
        index: u32,
    },
    /// The slot is past the end of the runtime's table.
    IndexOutOfRange {
        import: String,
        table: String,
        index: u32,
    },
}

impl fmt::Display for LinkError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            LinkError::Metadata { import, message } => write!(f, "native import `{import}`: {message}"),
            LinkError::Signature { import, module, native } => {
                write!(f, "native import `{import}`: the module calls it as {module}, it is registered as {native}")
            }
            LinkError::TableMismatch { table, module_hash, runtime_hash } => write!(
                f,
                "symbol table `{table}` mismatch: the module was built against hash {module_hash:#018x}, this runtime has {runtime_hash:#018x}; rebuild the module against this firmware's table"
            ),
            LinkError::ConfiguredOut { import, table, index } => {
                write!(f, "import `{import}` (symbol table `{table}` slot {index}) is configured out of this firmware")
            }
            LinkError::IndexOutOfRange { import, table, index } => {
                write!(f, "import `{import}`: slot {index} is past the end of symbol table `{table}`")
            }
        }
    }
}

impl std::error::Error for LinkError {}

/// A loaded shared library (or the process itself). Never unloaded: natives
/// and closures registered from it may be referenced for the process' life.
#[derive(Debug, Clone, Copy)]
pub struct Library(*mut c_void);

// SAFETY: a dlopen handle is a process-global token usable from any thread.
unsafe impl Send for Library {}
// SAFETY: as above.
unsafe impl Sync for Library {}

impl Library {
    /// Symbols already loaded in the process (libc, the runtime's binary).
    pub fn process() -> Library {
        Library(libc::RTLD_DEFAULT)
    }

    /// `dlopen(path, RTLD_NOW)`.
    pub fn open(path: &str) -> Result<Library, String> {
        let c = CString::new(path).map_err(|_| format!("{path:?}: NUL in path"))?;
        // SAFETY: `c` is a valid C string; dlopen has no other precondition.
        let h = unsafe { libc::dlopen(c.as_ptr(), libc::RTLD_NOW) };
        if h.is_null() {
            // SAFETY: dlerror returns NULL or a valid C string.
            let e = unsafe { libc::dlerror() };
            let msg = if e.is_null() {
                "unknown error".to_string()
            } else {
                // SAFETY: non-NULL dlerror result is a NUL-terminated string.
                unsafe { std::ffi::CStr::from_ptr(e) }
                    .to_string_lossy()
                    .into_owned()
            };
            return Err(format!("cannot load {path}: {msg}"));
        }
        Ok(Library(h))
    }

    /// The address of `name`, if the library defines it.
    pub fn symbol(&self, name: &str) -> Option<usize> {
        let c = CString::new(name).ok()?;
        // SAFETY: the handle is valid (never closed) and `c` a C string.
        let p = unsafe { libc::dlsym(self.0, c.as_ptr()) };
        (!p.is_null()).then_some(p as usize)
    }
}

/// Native functions a module may import.
#[derive(Debug, Clone, Default)]
pub struct Natives {
    funcs: BTreeMap<String, (usize, Option<FuncType>)>,
    tables: Vec<NativeTable>,
}

impl Natives {
    pub fn new() -> Natives {
        Natives::default()
    }

    /// Registers the C function at `addr` under `name`, optionally with its C
    /// signature (`ptr` for pointers; a variadic function lists its fixed
    /// parameters), which the module's import must then match.
    ///
    /// # Safety
    /// `addr` must be a C function that can be called with the signature the
    /// module imports it with (or `sig`), for as long as modules linked
    /// against it run.
    pub unsafe fn add(&mut self, name: &str, addr: usize, sig: Option<FuncType>) -> &mut Natives {
        self.funcs.insert(name.to_string(), (addr, sig));
        self
    }

    /// Forgets the native registered as `name`.
    pub fn remove(&mut self, name: &str) -> &mut Natives {
        self.funcs.remove(name);
        self
    }

    /// Registers a fast-symbol table.
    ///
    /// # Safety
    /// Every non-NULL address must satisfy the contract of [`Natives::add`]
    /// for the symbol of its slot.
    pub unsafe fn add_table(&mut self, t: NativeTable) -> &mut Natives {
        self.tables.retain(|x| x.table.name != t.table.name);
        self.tables.push(t);
        self
    }
}

/// The FFI state of one linked module (one per instance).
pub struct FfiState {
    plans: Vec<Option<Plan>>,
    handles: Mutex<HandleTable>,
    closures: Mutex<HashMap<(u32, FuncType), usize>>,
    callback_traps: Mutex<Vec<Trap>>,
    /// Values the module passed as user data: opaque to natives, they come
    /// back unchanged (`pvTimerGetTimerID`), never as native pointers.
    user_data: Mutex<HashSet<u32>>,
    me: Weak<FfiState>,
}

/// Most callback traps kept for [`FfiState::take_callback_traps`].
const MAX_KEPT_TRAPS: usize = 64;

impl FfiState {
    /// Traps raised by callbacks (the module code they ran), oldest first.
    /// A callback called during a native call also makes that call trap; one
    /// called later by native code (another thread) can only report here.
    pub fn take_callback_traps(&self) -> Vec<Trap> {
        std::mem::take(
            &mut *self
                .callback_traps
                .lock()
                .unwrap_or_else(|e| e.into_inner()),
        )
    }

    /// Native pointers handed to the module so far.
    pub fn handle_count(&self) -> usize {
        self.handles.lock().unwrap_or_else(|e| e.into_inner()).len()
    }

    /// Callback closures created so far.
    pub fn closure_count(&self) -> usize {
        self.closures
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .len()
    }

    fn record_callback_trap(&self, t: Trap) {
        let mut v = self
            .callback_traps
            .lock()
            .unwrap_or_else(|e| e.into_inner());
        if v.len() < MAX_KEPT_TRAPS {
            v.push(t);
        }
    }

    /// The C function pointer for module value `v` passed to a callback
    /// parameter of type `ty`.
    fn callback_ptr(
        &self,
        c: &mut Caller<'_>,
        plan: &Plan,
        i: usize,
        v: u32,
        ty: &FuncType,
    ) -> Result<usize, Trap> {
        if v == 0 {
            return Ok(0);
        }
        if (IMPORT_REF_BASE..FUNC_REF_BASE).contains(&v) {
            if let Some(Some(p)) = self.plans.get((v - IMPORT_REF_BASE) as usize) {
                return Ok(p.addr);
            }
        }
        if (NATIVE_REF_BASE..IMPORT_REF_BASE).contains(&v) {
            if let Some(p) = self
                .handles
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .native(v)
            {
                return Ok(p);
            }
        }
        let idx = v.wrapping_sub(FUNC_REF_BASE);
        let fty = (v >= FUNC_REF_BASE)
            .then(|| c.module().func_type(idx))
            .flatten()
            .ok_or_else(|| {
                Trap::host(format!(
                    "{}: callback argument {i} is {v:#010x}, not a function",
                    plan.name
                ))
            })?;
        let norm = |t: &ValType| if *t == ValType::Ptr { ValType::I32 } else { *t };
        let same = fty.params.len() == ty.params.len()
            && fty.params.iter().map(norm).eq(ty.params.iter().map(norm))
            && fty.result.as_ref().map(norm) == ty.result.as_ref().map(norm)
            && !fty.variadic;
        if !same {
            return Err(Trap::host(format!(
                "{}: callback argument {i} is `{}`, whose signature differs from the callback type",
                plan.name,
                c.module().func_name(idx).unwrap_or("?")
            )));
        }
        let mut cache = self.closures.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(&code) = cache.get(&(idx, ty.clone())) {
            return Ok(code);
        }
        let me = self
            .me
            .upgrade()
            .ok_or_else(|| Trap::host("FFI state dropped"))?;
        let code = closure::create(c.instance_handle(), c.memory().len(), idx, ty, me)
            .map_err(Trap::host)?;
        cache.insert((idx, ty.clone()), code);
        Ok(code)
    }
}

fn type_text(t: &FuncType) -> String {
    let mut p: Vec<&str> = t.params.iter().map(|v| v.name()).collect();
    if t.variadic {
        p.push("...");
    }
    format!(
        "({}) -> {}",
        p.join(", "),
        t.result.map_or("void", |r| r.name())
    )
}

/// Binds every import of `module` that `natives` provides (by name, or by
/// fast-symbol slot of a registered table) into `imports`, preparing each
/// call interface now. Other imports are left to the builtins, the host
/// platform or the embedder. Link once per instance.
pub fn link(
    module: &Module<'_>,
    natives: &Natives,
    imports: &mut Imports,
) -> Result<Arc<FfiState>, LinkError> {
    let m = module.inner();
    let mut plans: Vec<Option<Plan>> = Vec::with_capacity(m.imports.len());
    for (i, imp) in m.imports.iter().enumerate() {
        let mty = &m.types[imp.ty as usize];
        let mut found: Option<(usize, Option<FuncType>)> = None;
        if let ImportKind::Fast { table, index } = imp.kind {
            let tref = &m.symtabs[table as usize];
            if let Some(t) = natives.tables.iter().find(|t| t.table.name == *tref.name) {
                if t.hash() != tref.hash {
                    return Err(LinkError::TableMismatch {
                        table: t.table.name.clone(),
                        module_hash: tref.hash,
                        runtime_hash: t.hash(),
                    });
                }
                match t.addrs.get(index as usize) {
                    None => {
                        return Err(LinkError::IndexOutOfRange {
                            import: imp.name.to_string(),
                            table: t.table.name.clone(),
                            index,
                        })
                    }
                    // The runtime serves `printf` & co. itself: a firmware
                    // table leaves their slots NULL.
                    Some(None) if crate::builtins::lookup(&imp.name).is_some() => {}
                    Some(None) => {
                        return Err(LinkError::ConfiguredOut {
                            import: imp.name.to_string(),
                            table: t.table.name.clone(),
                            index,
                        })
                    }
                    Some(Some(a)) => found = Some((*a, None)),
                }
            }
        }
        let found = found.or_else(|| natives.funcs.get(&*imp.name).cloned());
        let plan = match found {
            None => None,
            Some((addr, sig)) => {
                let ty = match sig {
                    Some(s) => {
                        let fixed_ok = s.params == mty.params
                            && s.result == mty.result
                            && s.variadic == mty.variadic;
                        if !fixed_ok {
                            return Err(LinkError::Signature {
                                import: imp.name.to_string(),
                                module: type_text(mty),
                                native: type_text(&s),
                            });
                        }
                        s
                    }
                    None => mty.clone(),
                };
                Some(Plan::new(m, i as u32, addr, ty)?)
            }
        };
        plans.push(plan);
    }
    let state = Arc::new_cyclic(|me| FfiState {
        plans,
        handles: Mutex::new(HandleTable::default()),
        closures: Mutex::new(HashMap::new()),
        callback_traps: Mutex::new(Vec::new()),
        user_data: Mutex::new(HashSet::new()),
        me: me.clone(),
    });
    let st = state.clone();
    let host = HostFunc::new(move |c, a| {
        let ok = st
            .plans
            .get(c.import_index() as usize)
            .and_then(|p| p.as_ref())
            .is_some_and(|p| p.name == c.import_name());
        if !ok {
            return Err(Trap::host(format!(
                "{}: these imports were linked for another module",
                c.import_name()
            )));
        }
        call::call(&st, c, a)
    });
    for (imp, plan) in m.imports.iter().zip(&state.plans) {
        if plan.is_some() && imp.kind == ImportKind::Name {
            imports.register(imp.name.to_string(), host.clone());
        }
    }
    for t in &natives.tables {
        let entries = t
            .table
            .entries
            .iter()
            .zip(&t.addrs)
            .map(|(e, a)| match a {
                Some(_) => Some((e.name.clone(), host.clone())),
                None => crate::builtins::lookup(&e.name).map(|b| (e.name.clone(), b)),
            })
            .collect();
        imports.register_table(SymbolTable {
            name: t.table.name.clone(),
            hash: t.hash(),
            entries,
        });
    }
    Ok(state)
}
