//! Host functions a module imports, and the `Caller` view they get.

use alloc::boxed::Box;
use alloc::string::{String, ToString};
use alloc::vec::Vec;
use core::fmt;

use espb_format::{FuncType, ValType, FUNC_REF_BASE};

use crate::context::ExecContext;
use crate::instance::{Inner, InstanceHandle};
use crate::memory::LinearMemory;
use crate::module::Module;
use crate::name_map::NameMap;
use crate::sync::Arc;
use crate::trap::{Trap, TrapKind};
use crate::value::Value;

/// The signature of a host function: it gets the caller (memory, heap,
/// output, re-entry) and the raw argument registers of the call site (an
/// `i32`/`ptr`/`f32` in the low 32 bits), and returns the result register.
pub type HostFn = dyn Fn(&mut Caller<'_>, &[u64]) -> Result<Option<u64>, Trap> + Send + Sync;

/// A host function, optionally with the signature it expects (checked
/// against the module's import at instantiation; `ptr` and `i32` match).
pub struct HostFunc {
    pub(crate) f: Arc<HostFn>,
    pub(crate) sig: Option<FuncType>,
}

impl Clone for HostFunc {
    // Out of line: instantiation clones the ones it resolves at several
    // places (by name, from a table, the indirect-call handler).
    #[inline(never)]
    fn clone(&self) -> HostFunc {
        HostFunc {
            f: self.f.clone(),
            sig: self.sig.clone(),
        }
    }
}

impl fmt::Debug for HostFunc {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("HostFunc")
            .field("sig", &self.sig)
            .finish_non_exhaustive()
    }
}

impl HostFunc {
    /// A host function that accepts whatever signature the module declares.
    pub fn new(
        f: impl Fn(&mut Caller<'_>, &[u64]) -> Result<Option<u64>, Trap> + Send + Sync + 'static,
    ) -> HostFunc {
        HostFunc {
            f: Arc::from(Box::new(f) as Box<HostFn>),
            sig: None,
        }
    }

    /// A host function the module must import with signature `sig`.
    pub fn typed(
        sig: FuncType,
        f: impl Fn(&mut Caller<'_>, &[u64]) -> Result<Option<u64>, Trap> + Send + Sync + 'static,
    ) -> HostFunc {
        HostFunc {
            f: Arc::from(Box::new(f) as Box<HostFn>),
            sig: Some(sig),
        }
    }

    /// The expected signature, if any.
    pub fn signature(&self) -> Option<&FuncType> {
        self.sig.as_ref()
    }

    /// Whether a module import of type `ty` may bind to this function.
    pub fn accepts(&self, ty: &FuncType) -> bool {
        let Some(s) = &self.sig else { return true };
        let norm = |t: ValType| if t == ValType::Ptr { ValType::I32 } else { t };
        let prefix = |short: &[ValType], long: &[ValType]| {
            short.len() <= long.len() && short.iter().zip(long).all(|(a, b)| norm(*a) == norm(*b))
        };
        if s.result.map(norm) != ty.result.map(norm) {
            return false;
        }
        // An unprototyped declaration (`extern int puts();`, C has no
        // variadic function without a fixed parameter): each call site
        // passes its own exact arguments.
        if ty.variadic && ty.params.is_empty() {
            return true;
        }
        // Alike: the same parameters. A variadic function declared without
        // a prototype, whose call sites all pass the same arguments (the
        // translator then imports it with those): its fixed ones first.
        // (One comparison of the lists for both.)
        let shape = if s.variadic == ty.variadic {
            s.params.len() == ty.params.len()
        } else {
            s.variadic
        };
        shape && prefix(&s.params, &ty.params)
    }
}

/// A fast-symbol table: an ordered list whose indices never move; an entry
/// configured out keeps its slot as `None`.
#[derive(Clone, Debug)]
pub struct SymbolTable {
    pub name: String,
    pub hash: u64,
    pub entries: Vec<Option<(String, HostFunc)>>,
}

/// Resolves an import by name when nothing registered matches: the FFI layer
/// plugs in here (e.g. looking the symbol up in the firmware and preparing a
/// call interface for `ty`).
pub type Resolver = dyn Fn(&str, &FuncType) -> Option<HostFunc> + Send + Sync;

/// Where the interpreter reports to a [`SafepointHook`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Safepoint {
    /// A poll (every `POLL_TICKS` calls and backward branches): the running
    /// code may be paused here (a scheduler switching tasks) or stopped
    /// (`Err`, which traps at this instruction).
    Poll,
    /// The interpreter is returning to its caller (the entry function
    /// returned or trapped): only the count is reported; an `Err` is ignored.
    Leave,
}

/// Called by the interpreter at its safepoints with the ticks (calls and
/// backward branches) executed on this thread since the last report, so
/// that an embedder can account executed work (a simulated clock) and
/// preempt a running module (a scheduler). Not called at all without a hook.
pub type SafepointHook = dyn Fn(Safepoint, u64) -> Result<(), Trap> + Send + Sync;

/// What an instance may import. Lookup order for an import: a fast-symbol
/// table entry (if the import is fast and its table is registered), then
/// functions registered by name, then the runtime's builtins (libc, libm, the
/// module heap — unless disabled), then the resolver.
#[derive(Clone)]
pub struct Imports {
    pub(crate) names: NameMap<HostFunc>,
    pub(crate) tables: NameMap<SymbolTable>,
    pub(crate) builtins: bool,
    pub(crate) resolver: Option<Arc<Resolver>>,
    pub(crate) native_indirect: Option<HostFunc>,
    pub(crate) safepoint: Option<Arc<SafepointHook>>,
}

impl Default for Imports {
    fn default() -> Imports {
        Imports::new()
    }
}

impl Imports {
    /// An import set with the builtins enabled.
    pub fn new() -> Imports {
        Imports {
            names: NameMap::new(),
            tables: NameMap::new(),
            builtins: true,
            resolver: None,
            native_indirect: None,
            safepoint: None,
        }
    }

    /// An import set with nothing, not even the builtins.
    pub fn empty() -> Imports {
        Imports {
            builtins: false,
            ..Imports::new()
        }
    }

    /// Registers (or replaces) `name`.
    pub fn register(&mut self, name: impl Into<String>, f: HostFunc) -> &mut Imports {
        self.names.insert(name.into(), f);
        self
    }

    /// Registers a closure under `name`, accepting any signature.
    pub fn func(
        &mut self,
        name: impl Into<String>,
        f: impl Fn(&mut Caller<'_>, &[u64]) -> Result<Option<u64>, Trap> + Send + Sync + 'static,
    ) -> &mut Imports {
        self.register(name, HostFunc::new(f))
    }

    /// Registers a fast-symbol table (replacing one of the same name).
    pub fn register_table(&mut self, table: SymbolTable) -> &mut Imports {
        self.tables
            .insert(crate::instance::owned(&table.name), table);
        self
    }

    pub fn set_builtins(&mut self, on: bool) -> &mut Imports {
        self.builtins = on;
        self
    }

    pub fn set_resolver(
        &mut self,
        r: impl Fn(&str, &FuncType) -> Option<HostFunc> + Send + Sync + 'static,
    ) -> &mut Imports {
        self.resolver = Some(Arc::from(Box::new(r) as Box<Resolver>));
        self
    }

    /// Handles `call.indirect` through a native reference (a value in
    /// `[NATIVE_REF_BASE, IMPORT_REF_BASE)`, e.g. a function pointer native
    /// code returned). `f` receives the callee value as `args[0]` and the
    /// call's arguments after it; `Caller::signature()` is the call site's
    /// type and `Caller::import_index()` is `u32::MAX`. Without a handler
    /// such calls trap as calls to a non-function.
    pub fn set_native_indirect(&mut self, f: HostFunc) -> &mut Imports {
        self.native_indirect = Some(f);
        self
    }

    /// Installs the safepoint hook (see [`SafepointHook`]).
    pub fn set_safepoint(
        &mut self,
        f: impl Fn(Safepoint, u64) -> Result<(), Trap> + Send + Sync + 'static,
    ) -> &mut Imports {
        self.safepoint = Some(Arc::from(Box::new(f) as Box<SafepointHook>));
        self
    }

    pub fn get(&self, name: &str) -> Option<&HostFunc> {
        self.names.get(name)
    }
}

/// What a host function sees of the instance that called it.
pub struct Caller<'c> {
    pub(crate) inst: &'c Inner<'c>,
    pub(crate) ctx: &'c mut ExecContext,
    pub(crate) import: u32,
    pub(crate) sig: &'c FuncType,
}

impl<'c> Caller<'c> {
    /// The call site's signature (for a variadic import: the actual argument
    /// types of this call, after C promotion).
    pub fn signature(&self) -> &'c FuncType {
        self.sig
    }

    /// The index of the import being called.
    pub fn import_index(&self) -> u32 {
        self.import
    }

    /// The name of the import being called.
    pub fn import_name(&self) -> &str {
        self.inst
            .module
            .m
            .imports
            .get(self.import as usize)
            .map_or("", |i| &i.name)
    }

    pub fn module(&self) -> &Module<'c> {
        self.inst.module
    }

    /// Linear memory (every access is bounds-checked).
    pub fn memory(&self) -> &LinearMemory {
        &self.inst.mem
    }

    pub fn read(&self, addr: u32, out: &mut [u8]) -> Result<(), Trap> {
        Ok(self.inst.mem.read(addr, out)?)
    }

    pub fn write(&self, addr: u32, bytes: &[u8]) -> Result<(), Trap> {
        Ok(self.inst.mem.write(addr, bytes)?)
    }

    pub fn read_u8(&self, addr: u32) -> Result<u8, Trap> {
        Ok(self.inst.mem.load8(addr)?)
    }
    pub fn read_u16(&self, addr: u32) -> Result<u16, Trap> {
        Ok(self.inst.mem.load16(addr)?)
    }
    pub fn read_u32(&self, addr: u32) -> Result<u32, Trap> {
        Ok(self.inst.mem.load32(addr)?)
    }
    pub fn read_u64(&self, addr: u32) -> Result<u64, Trap> {
        Ok(self.inst.mem.load64(addr)?)
    }
    pub fn write_u8(&self, addr: u32, v: u8) -> Result<(), Trap> {
        Ok(self.inst.mem.store8(addr, v)?)
    }
    pub fn write_u16(&self, addr: u32, v: u16) -> Result<(), Trap> {
        Ok(self.inst.mem.store16(addr, v)?)
    }
    pub fn write_u32(&self, addr: u32, v: u32) -> Result<(), Trap> {
        Ok(self.inst.mem.store32(addr, v)?)
    }
    pub fn write_u64(&self, addr: u32, v: u64) -> Result<(), Trap> {
        Ok(self.inst.mem.store64(addr, v)?)
    }

    /// The NUL-terminated string at `addr` (without the NUL), reading at
    /// most `max` bytes; a string longer than that traps.
    pub fn read_cstr(&self, addr: u32, max: u32) -> Result<Vec<u8>, Trap> {
        let len = self.inst.mem.strlen(addr, max)?.ok_or_else(|| {
            Trap::host(espb_format::text!(
                "string at {x} is longer than {} bytes",
                addr,
                max
            ))
        })?;
        let mut v = alloc::vec![0u8; len as usize];
        self.inst.mem.read(addr, &mut v)?;
        Ok(v)
    }

    /// `malloc` on the module heap: 0 when out of memory.
    pub fn malloc(&self, size: u32) -> u32 {
        self.inst.heap_alloc(size, crate::heap::GRAIN)
    }

    /// `free` on the module heap (0 is ignored; anything not live traps).
    pub fn free(&self, addr: u32) -> Result<(), Trap> {
        self.inst.heap_free(addr)
    }

    /// Writes to the instance's output sink.
    pub fn output(&self, bytes: &[u8]) {
        self.inst.config.output.write(bytes);
    }

    /// Writes to the instance's `stderr` sink.
    pub fn error_output(&self, bytes: &[u8]) {
        match &self.inst.config.error_output {
            Some(o) => o.write(bytes),
            None => self.output(bytes),
        }
    }

    /// Calls module function `func` with raw argument registers, on this
    /// thread's context (above the caller's frames).
    pub fn call(&mut self, func: u32, args: &[u64]) -> Result<Option<u64>, Trap> {
        crate::interp::call_nested(self.inst, self.ctx, func, args)
    }

    /// Calls the module function whose reference (`FUNC_REF_BASE + index`)
    /// the module passed as a value, e.g. a `qsort` comparator.
    pub fn call_ref(&mut self, func_ref: u32, args: &[u64]) -> Result<Option<u64>, Trap> {
        let idx = func_ref.wrapping_sub(FUNC_REF_BASE);
        if func_ref < FUNC_REF_BASE || idx >= self.inst.module.num_functions() {
            return Err(Trap::new(TrapKind::IndirectCallNonFunction {
                value: func_ref,
            }));
        }
        let t = &self.inst.module.m.types[self.inst.module.m.functions[idx as usize].ty as usize];
        if t.params.len() + t.variadic as usize != args.len() {
            return Err(Trap::new(TrapKind::IndirectCallSignature {
                value: func_ref,
            }));
        }
        self.call(idx, args)
    }

    /// Calls a module function with typed values (checked like `Instance::call`).
    pub fn call_values(&mut self, func: u32, args: &[Value]) -> Result<Option<Value>, Trap> {
        let m = &self.inst.module.m;
        let t = m
            .func_type(func)
            .ok_or_else(|| Trap::host(crate::instance::no_function(func)))?;
        let raw = crate::instance::check_args(t, args).map_err(Trap::host)?;
        let result = t.result;
        let r = self.call(func, &raw)?;
        Ok(match (r, result) {
            (Some(bits), Some(ty)) => Some(Value::from_bits(bits, ty)),
            _ => None,
        })
    }

    /// Ticks (calls and backward branches) this thread executed since the
    /// last safepoint report and not yet taken; the count restarts at 0.
    /// An embedder accounting executed work (see [`SafepointHook`]) takes
    /// them in its host functions, so a clock read right after a busy loop
    /// sees the loop's cost.
    pub fn take_ticks(&mut self) -> u64 {
        core::mem::take(&mut self.ctx.ticks)
    }

    /// A handle that outlives this call (for callbacks stored by natives).
    pub fn instance_handle(&self) -> InstanceHandle {
        self.inst.handle()
    }

    /// Per-instance state of a builtin or FFI layer (e.g. `errno`'s address).
    pub fn instance_id(&self) -> usize {
        self.inst as *const Inner<'_> as *const u8 as usize
    }

    pub(crate) fn inner(&self) -> &Inner<'c> {
        self.inst
    }
}

impl fmt::Debug for Caller<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Caller")
            .field("import", &self.import_name().to_string())
            .finish()
    }
}
