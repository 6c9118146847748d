//! Native calls with no glue: a module's imports bound to C functions by name
//! or fast-symbol slot, marshalled from the module's metadata (see
//! `docs/ffi.md`).
//!
//! ```text
//! let mut natives = Natives::new();
//! unsafe { natives.add("qsort", qsort as usize, None) };
//! let mut imports = Imports::new();
//! let ffi = ffi::link(&module, &natives, &mut imports)?;   // plans prepared here
//! let inst = Instance::new(&module, &imports, config)?;
//! ```
//!
//! The layers, each the same on the host and on every chip except the last:
//! * [`plan`]: per import, how each argument is marshalled (decided once).
//! * [`marshal`]: one call: module values to native ones, copy-back, result.
//! * [`translate`]: native pointers ↔ module values (handles, addresses).
//! * [`callback`]: a module function entered from native code.
//! * [`active`]: the native calls in progress, per task.
//! * `backend`: the machine's calling convention — libffi on the PC, the
//!   RISC-V `ilp32`/`ilp32f` call layer and trampoline pool on the chips.

/// `trap!(plan, "template", args...)`: the trap `NAME: message` of a call
/// to `plan`'s native, written in one pass (`named_trap`).
macro_rules! trap {
    ($plan:expr, $t:literal $(, $a:expr)* $(,)?) => {
        $crate::ffi::named_trap(&$plan.name, $t, &[$(espb_format::msg::Arg::from($a)),*])
    };
}

mod active;
mod backend;
mod callback;
pub mod handles;
#[cfg(feature = "ffi")]
mod library;
mod marshal;
mod plan;
mod symtab;
mod task_end;
mod translate;

use alloc::string::String;
use alloc::vec::Vec;
use espb_format::msg::{Message, Sink};
use espb_format::{msg, text};

use espb_format::{FuncType, ImportKind, ValType, FUNC_REF_BASE, IMPORT_REF_BASE};

use crate::imports::{Caller, HostFunc, Imports, SymbolTable};
use crate::instance::{owned, type_text};
use crate::module::Module;
use crate::name_map::NameMap;
use crate::pair_set::PairSet;
use crate::sync::{Arc, AtomicU32, AtomicUsize, Lock};
use crate::trap::Trap;

pub use handles::HandleTable;
#[cfg(feature = "ffi")]
pub use library::Library;
pub use symtab::NativeTable;
pub use task_end::{set_call_gate, TaskEnd};

use active::ActiveCalls;
use callback::Target;
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

impl Message for LinkError {
    fn write(&self, out: &mut dyn Sink) {
        match self {
            LinkError::Metadata { import, message } => {
                msg!(out, "native import `{}`: {}", import, message)
            }
            LinkError::Signature { import, module, native } => msg!(
                out,
                "native import `{}`: the module calls it as {}, it is registered as {}",
                import,
                module,
                native
            ),
            LinkError::TableMismatch { table, module_hash, runtime_hash } => msg!(
                out,
                "symbol table `{}` mismatch: the module was built against hash {x16}, this runtime has {x16}; rebuild the module against this firmware's table",
                table,
                *module_hash,
                *runtime_hash
            ),
            LinkError::ConfiguredOut { import, table, index } => msg!(
                out,
                "import `{}` (symbol table `{}` slot {}) is configured out of this firmware",
                import,
                table,
                *index
            ),
            LinkError::IndexOutOfRange { import, table, index } => msg!(
                out,
                "import `{}`: slot {} is past the end of symbol table `{}`",
                import,
                *index,
                table
            ),
        }
    }
}

espb_format::display_via_message!(LinkError);

#[cfg(feature = "std")]
impl std::error::Error for LinkError {}

/// Native functions a module may import.
#[derive(Debug, Clone, Default)]
pub struct Natives {
    funcs: NameMap<(usize, Option<FuncType>)>,
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
        self.funcs.insert(owned(name), (addr, sig));
        self
    }

    /// Forgets the native registered as `name`.
    pub fn remove(&mut self, name: &str) -> &mut Natives {
        self.funcs.remove(name);
        self
    }

    /// Whether a native is registered as `name`.
    pub fn contains(&self, name: &str) -> bool {
        self.funcs.contains_key(name)
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

/// Where a trap goes that a callback raised outside any native call of its
/// task (a timer or a native task calling module code): nothing can trap on
/// its behalf, so the firmware is told at once (and the trap is kept for
/// [`FfiState::take_callback_traps`]). Set once by the embedder; the C API's
/// `espb_set_trap_handler` sets it.
static CALLBACK_TRAP_HOOK: AtomicUsize = AtomicUsize::new(0);

/// Sets (or clears) the hook for traps of callbacks that no native call of
/// their task can report. It runs on the task that trapped.
pub fn set_callback_trap_hook(hook: Option<fn(&Trap)>) {
    CALLBACK_TRAP_HOOK.store(
        hook.map_or(0, |h| h as usize),
        core::sync::atomic::Ordering::Release,
    );
}

fn report_lone_callback_trap(t: &Trap) {
    let h = CALLBACK_TRAP_HOOK.load(core::sync::atomic::Ordering::Acquire);
    if h != 0 {
        // SAFETY: stored by `set_callback_trap_hook` from a `fn(&Trap)`.
        let f: fn(&Trap) = unsafe { core::mem::transmute::<usize, fn(&Trap)>(h) };
        f(t);
    }
}

/// Most user-data values remembered for [`translate::to_module`].
const MAX_USER_DATA: usize = 1024;
/// Most callback traps kept for [`FfiState::take_callback_traps`].
const MAX_KEPT_TRAPS: usize = 64;

/// The FFI state of one linked module (one per instance).
pub struct FfiState {
    plans: Vec<Option<Plan>>,
    handles: Lock<HandleTable>,
    /// Native code pointers of the module functions passed as callbacks,
    /// per (function, C signature). A list: there are at most as many as
    /// trampolines on a chip (`ESPB_CALLBACK_SLOTS`), and a search tree
    /// keyed by signatures would be kilobytes of code there.
    callbacks: Lock<Vec<((u32, FuncType), usize)>>,
    callback_traps: Lock<Vec<Trap>>,
    active: ActiveCalls,
    /// User-data values the module passed: a callback argument equal to one
    /// of them is that value again, not a native pointer (on a 32-bit chip
    /// both are plain 32-bit numbers). Kept as `(value, 0)`: the heap's
    /// set of `(u32, u32)` pairs is then the only B-tree code of this shape.
    user_data: Lock<PairSet<u32>>,
    /// Host address and length of the instance's linear memory, recorded at
    /// its first native call (it never moves).
    mem_base: AtomicUsize,
    mem_len: AtomicU32,
    /// Tasks whose module code called `vTaskDelete(NULL)` (see `task_end`).
    task_end: Lock<task_end::Pending>,
}

impl FfiState {
    /// Traps raised by callbacks (the module code they ran), oldest first.
    /// A callback called during a native call also makes that call trap; one
    /// called later by native code (another task) can only report here.
    pub fn take_callback_traps(&self) -> Vec<Trap> {
        core::mem::take(&mut *self.callback_traps.lock())
    }

    /// Native pointers handed to the module so far.
    pub fn handle_count(&self) -> usize {
        self.handles.lock().len()
    }

    /// Distinct callbacks (function, signature) made so far.
    pub fn closure_count(&self) -> usize {
        self.callbacks.lock().len()
    }

    fn record_callback_trap(&self, t: Trap) {
        let mut v = self.callback_traps.lock();
        if v.len() < MAX_KEPT_TRAPS {
            v.push(t);
        }
    }

    fn note_user_data(&self, v: u32) {
        if v == 0 {
            return;
        }
        let mut s = self.user_data.lock();
        if s.len() < MAX_USER_DATA {
            s.insert((v, 0));
        }
    }

    /// The native address module value `v` names: a native import's
    /// (`IMPORT_REF_BASE + i`) or a live handle's; `None` for anything else
    /// (shared by pointer and callback arguments).
    fn native_ref(&self, v: u32) -> Option<usize> {
        if handles::is_handle(v) {
            return self.handles.lock().native(v);
        }
        if (IMPORT_REF_BASE..FUNC_REF_BASE).contains(&v) {
            return self
                .plans
                .get((v - IMPORT_REF_BASE) as usize)?
                .as_ref()
                .map(|p| p.addr);
        }
        None
    }

    fn bind_memory(&self, c: &Caller<'_>) {
        use core::sync::atomic::Ordering::Relaxed;
        if self.mem_base.load(Relaxed) == 0 {
            let (base, len) = c.memory().host_range();
            self.mem_len.store(len, Relaxed);
            self.mem_base.store(base, Relaxed);
        }
    }
}

/// The C function pointer for module value `v` passed to a callback
/// parameter of type `ty`.
fn callback_ptr(
    st: &Arc<FfiState>,
    c: &Caller<'_>,
    plan: &Plan,
    i: usize,
    v: u32,
    ty: &FuncType,
) -> Result<usize, Trap> {
    if v == 0 {
        return Ok(0);
    }
    if let Some(p) = st.native_ref(v) {
        return Ok(p);
    }
    let idx = v.wrapping_sub(FUNC_REF_BASE);
    let fty = (v >= FUNC_REF_BASE)
        .then(|| c.module().func_type(idx))
        .flatten()
        .ok_or_else(|| trap!(plan, "callback argument {} is {x8}, not a function", i, v))?;
    let norm = |t: &ValType| if *t == ValType::Ptr { ValType::I32 } else { *t };
    let same = fty.params.len() == ty.params.len()
        && fty.params.iter().map(norm).eq(ty.params.iter().map(norm))
        && fty.result.as_ref().map(norm) == ty.result.as_ref().map(norm)
        && !fty.variadic;
    let fname = c.module().func_name(idx).unwrap_or("?");
    if !same {
        return Err(trap!(
            plan,
            "callback argument {} is `{}`, whose signature differs from the callback type",
            i,
            fname
        ));
    }
    if let Some(code) = known_callback(&st.callbacks.lock(), idx, ty) {
        return Ok(code);
    }
    let target = Target {
        inst: c.instance_handle(),
        func: idx,
        ty: ty.clone(),
        state: st.clone(),
    };
    let code = backend::callback_code(target).map_err(|e| {
        trap!(
            plan,
            "cannot make callback argument {} (`{}`) a C function pointer: {}",
            i,
            fname,
            &e
        )
    })?;
    // Another task may have made the same callback meanwhile: keep the
    // first, so one (function, signature) has one code pointer.
    let mut list = st.callbacks.lock();
    Ok(known_callback(&list, idx, ty).unwrap_or_else(|| {
        list.push(((idx, ty.clone()), code));
        code
    }))
}

/// The code pointer made before for module function `func` as a C function
/// of type `ty` (out of line: looked up twice per new callback).
#[inline(never)]
fn known_callback(list: &[((u32, FuncType), usize)], func: u32, ty: &FuncType) -> Option<usize> {
    list.iter()
        .find(|e| e.0 .0 == func && e.0 .1 == *ty)
        .map(|e| e.1)
}

/// The trap `NAME: message` of a native call (the message written after
/// the native's name in one pass; out of line, as it is an error path).
#[cold]
#[inline(never)]
fn named_trap(name: &str, template: &str, args: &[msg::Arg<'_>]) -> Trap {
    let mut s = String::new();
    msg!(&mut s, "{}: ", name);
    <dyn Sink>::f(&mut s, template, args);
    Trap::host(s)
}

/// The trap of an import called by a module these imports were not linked
/// for (out of line: the per-import host function stays a compare and a
/// call).
#[cold]
#[inline(never)]
fn linked_for_another(c: &Caller<'_>) -> Trap {
    Trap::host(text!(
        "{}: these imports were linked for another module",
        c.import_name()
    ))
}

/// The host function of import `i`, knowing its index: a module whose
/// import `i` is another function (these imports resolved for another
/// module) is refused with one comparison per call. (Out of line: the
/// linker makes these in two places.)
#[inline(never)]
fn host_for(state: &Arc<FfiState>, i: usize) -> HostFunc {
    let st = state.clone();
    let i = i as u32;
    HostFunc::new(move |c, a| {
        if c.import_index() != i {
            return Err(linked_for_another(c));
        }
        marshal::call(&st, c, a)
    })
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
        let mut found: Option<(usize, Option<&FuncType>)> = None;
        if let ImportKind::Fast { table, index } = imp.kind {
            let tref = &m.symtabs[table as usize];
            if let Some(t) = natives.tables.iter().find(|t| t.table.name == *tref.name) {
                if t.hash() != tref.hash {
                    return Err(LinkError::TableMismatch {
                        table: owned(&t.table.name),
                        module_hash: tref.hash,
                        runtime_hash: t.hash(),
                    });
                }
                match t.addrs.get(index as usize) {
                    None => {
                        return Err(LinkError::IndexOutOfRange {
                            import: owned(&imp.name),
                            table: owned(&t.table.name),
                            index,
                        })
                    }
                    // The runtime serves `printf` & co. itself: a firmware
                    // table leaves their slots NULL.
                    Some(None) if crate::builtins::lookup(&imp.name).is_some() => {}
                    Some(None) => {
                        return Err(LinkError::ConfiguredOut {
                            import: owned(&imp.name),
                            table: owned(&t.table.name),
                            index,
                        })
                    }
                    Some(Some(a)) => found = Some((*a, None)),
                }
            }
        }
        let found = found.or_else(|| {
            let (addr, sig) = natives.funcs.get(&imp.name)?;
            Some((*addr, sig.as_ref()))
        });
        let plan = match found {
            None => None,
            Some((addr, sig)) => {
                if let Some(s) = sig {
                    let fixed_ok = s.params == mty.params
                        && s.result == mty.result
                        && s.variadic == mty.variadic;
                    if !fixed_ok {
                        return Err(LinkError::Signature {
                            import: owned(&imp.name),
                            module: type_text(mty),
                            native: type_text(s),
                        });
                    }
                }
                // The registered signature, else the import's (one copy).
                let ty = sig.unwrap_or(mty).clone();
                Some(Plan::new(m, i as u32, addr, ty)?)
            }
        };
        plans.push(plan);
    }
    let state = Arc::new(FfiState {
        plans,
        handles: Lock::new(HandleTable::default()),
        callbacks: Lock::new(Vec::new()),
        callback_traps: Lock::new(Vec::new()),
        active: ActiveCalls::default(),
        user_data: Lock::new(PairSet::new()),
        mem_base: AtomicUsize::new(0),
        mem_len: AtomicU32::new(0),
        task_end: Lock::new(Vec::new()),
    });
    for (i, (imp, plan)) in m.imports.iter().zip(&state.plans).enumerate() {
        if plan.is_some() && imp.kind == ImportKind::Name {
            imports.register(owned(&imp.name), host_for(&state, i));
        }
    }
    // The module's imports by name (ties: by index, so the last import of a
    // name is found, as a map built in import order would hold).
    let mut by_name: Vec<u32> = (0..m.imports.len() as u32).collect();
    let name = |i: u32| &*m.imports[i as usize].name;
    espb_format::sort::sort_indices(&mut by_name, &mut |a, b| (name(a), a) < (name(b), b));
    let import_named = |s: &str| {
        let end = by_name.partition_point(|&i| name(i) <= s);
        let i = *by_name.get(end.checked_sub(1)?)?;
        (name(i) == s).then_some(i as usize)
    };
    for t in &natives.tables {
        // A slot's host function serves the module's import of that slot.
        let entries = t
            .table
            .entries
            .iter()
            .zip(&t.addrs)
            .map(|(e, a)| match a {
                Some(_) => {
                    let i = import_named(&e.name)?;
                    Some((owned(&e.name), host_for(&state, i)))
                }
                // A slot configured out of the firmware: the runtime's own
                // builtin serves it, if it has one.
                None => crate::builtins::lookup(&e.name).map(|b| (owned(&e.name), b)),
            })
            .collect();
        imports.register_table(SymbolTable {
            name: owned(&t.table.name),
            hash: t.hash(),
            entries,
        });
    }
    Ok(state)
}
