//! Instantiation, the instance's shared state, and the calling API.

use alloc::boxed::Box;
use alloc::string::String;
use alloc::vec::Vec;
use core::fmt;

use core::sync::atomic::Ordering::*;
use espb_format::msg::{Message, Sink};
use espb_format::{msg, text};

use espb_format::{FuncType, ImportKind, ValType, MAX_LINEAR_END};

use crate::config::Config;
use crate::context::ExecContext;
use crate::heap::Heap;
use crate::imports::{HostFunc, Imports};
use crate::memory::LinearMemory;
use crate::module::Module;
use crate::sync::{Arc, AtomicBool, AtomicPtr, AtomicU32, AtomicUsize, Lock, U64Cell};
use crate::trap::{StackKind, Trap, TrapKind};
use crate::value::Value;

/// Why `Instance::new` failed.
#[derive(Debug, Clone, PartialEq)]
pub enum InstantiateError {
    /// No host function provides this import.
    MissingImport { name: String },
    /// A host function exists but expects another signature.
    ImportSignature {
        name: String,
        expected: String,
        found: String,
    },
    /// The module was built against another version of a symbol table.
    SymbolTableMismatch {
        table: String,
        module_hash: u64,
        runtime_hash: u64,
    },
    /// The fast-symbol slot exists but is configured out (null).
    SymbolConfiguredOut {
        name: String,
        table: String,
        index: u32,
    },
    /// The fast-symbol index is past the end of the runtime's table.
    SymbolIndexOutOfRange {
        name: String,
        table: String,
        index: u32,
        len: usize,
    },
    /// The runtime's table has another symbol at that index.
    SymbolNameMismatch {
        name: String,
        table: String,
        index: u32,
        found: String,
    },
    /// Data, heap and stacks do not fit the 1 GiB linear-memory limit.
    MemoryTooLarge { bytes: u64 },
    /// The host could not allocate linear memory.
    OutOfHostMemory { bytes: u32 },
    /// The start function trapped.
    Start(Trap),
    /// The platform gave no executable memory for the JIT's code.
    ExecMemory { bytes: u32 },
}

impl Message for InstantiateError {
    fn write(&self, out: &mut dyn Sink) {
        use InstantiateError::*;
        match self {
            MissingImport { name } => msg!(
                out,
                "unresolved import `{}`: no host function provides it",
                name
            ),
            ImportSignature { name, expected, found } => msg!(
                out,
                "import `{}` is declared as {} but the host function expects {}",
                name,
                found,
                expected
            ),
            SymbolTableMismatch { table, module_hash, runtime_hash } => msg!(
                out,
                "symbol table `{}` mismatch: the module was built against hash {x16}, this runtime has {x16}; rebuild the module against this firmware's table",
                table,
                *module_hash,
                *runtime_hash
            ),
            SymbolConfiguredOut { name, table, index } => msg!(
                out,
                "import `{}` (symbol table `{}` slot {}) is configured out of this firmware",
                name,
                table,
                *index
            ),
            SymbolIndexOutOfRange { name, table, index, len } => msg!(
                out,
                "import `{}`: slot {} is past the end of symbol table `{}` ({} entries)",
                name,
                *index,
                table,
                *len
            ),
            SymbolNameMismatch { name, table, index, found } => msg!(
                out,
                "import `{}`: slot {} of symbol table `{}` holds `{}`",
                name,
                *index,
                table,
                found
            ),
            MemoryTooLarge { bytes } => msg!(
                out,
                "linear memory of {} bytes exceeds the 1 GiB limit",
                *bytes
            ),
            OutOfHostMemory { bytes } => {
                msg!(out, "cannot allocate {} bytes of linear memory", *bytes)
            }
            Start(t) => msg!(out, "start function trapped: {}", t),
            ExecMemory { bytes } => msg!(
                out,
                "the JIT needs {} bytes of executable memory and the platform has none: on ESP-IDF set CONFIG_ESP_SYSTEM_MEMPROT=n (ESP-IDF 5.x: CONFIG_ESP_SYSTEM_MEMPROT_FEATURE=n on ESP32-C2/C3, CONFIG_ESP_SYSTEM_PMP_IDRAM_SPLIT=n on ESP32-C5/C6/H2/P4) and CONFIG_SECURE_ENABLE_TEE=n, so that heap_caps_malloc(MALLOC_CAP_EXEC) can serve it, or turn the JIT off (Config::jit = JitMode::Off)",
                *bytes
            ),
        }
    }
}

espb_format::display_via_message!(InstantiateError);

#[cfg(feature = "std")]
impl std::error::Error for InstantiateError {}

/// `no function fN` (a call by index past the module's functions; out of
/// line: each entry point checks for it).
#[cold]
#[inline(never)]
pub(crate) fn no_function(func: u32) -> String {
    text!("no function f{}", func)
}

pub(crate) fn type_text(t: &FuncType) -> String {
    let mut s = String::new();
    push(&mut s, "(");
    for (i, p) in t.params.iter().enumerate() {
        if i > 0 {
            push(&mut s, ", ");
        }
        push(&mut s, p.name());
    }
    if t.variadic {
        push(&mut s, if t.params.is_empty() { "..." } else { ", ..." });
    }
    push(&mut s, ") -> ");
    push(&mut s, t.result.map_or("void", |r| r.name()));
    s
}

/// `s` as a `String` (out of line: the linker's and instantiation's error
/// exits each inlined the allocation and copy).
#[inline(never)]
pub(crate) fn owned(s: &str) -> String {
    String::from(s)
}

/// `String::push_str` out of line: `type_text`'s six appends would each
/// inline its growth check and copy.
#[inline(never)]
fn push(s: &mut String, piece: &str) {
    s.push_str(piece);
}

/// Execution contexts not in use, and how many exist. Boxed: an entry
/// takes and returns one pointer instead of moving the context's fields.
struct Pool {
    // Boxed on purpose (clippy's `vec_box`): the contexts move in and out.
    #[allow(clippy::vec_box)]
    idle: Vec<Box<ExecContext>>,
    created: u32,
}

/// Liveness of an instance for holders of an [`InstanceHandle`]: the count of
/// entries in progress plus a DEAD bit. Dropping the instance sets DEAD and
/// waits for the count to reach zero before freeing anything.
/// It also holds the instance's interrupt flag (shared with
/// [`InterruptHandle`]s; one shared allocation for both).
#[derive(Debug)]
pub(crate) struct Gate {
    state: AtomicUsize,
    inner: AtomicPtr<()>,
    interrupt: AtomicBool,
}

const DEAD: usize = 1 << (usize::BITS - 1);

/// A gate reads as the instance's interrupt flag (the interpreter's
/// `&inst.interrupt`).
impl core::ops::Deref for Gate {
    type Target = AtomicBool;
    fn deref(&self) -> &AtomicBool {
        &self.interrupt
    }
}

impl Gate {
    fn enter(&self) -> Option<*const ()> {
        let s = self.state.fetch_add(1, Acquire);
        if s & DEAD != 0 {
            self.state.fetch_sub(1, Release);
            return None;
        }
        Some(self.inner.load(Acquire) as *const ())
    }

    fn exit(&self) {
        self.state.fetch_sub(1, Release);
    }

    fn kill(&self) {
        self.state.fetch_or(DEAD, AcqRel);
        while self.state.load(Acquire) & !DEAD != 0 {
            #[cfg(feature = "std")]
            std::thread::yield_now();
            #[cfg(not(feature = "std"))]
            core::hint::spin_loop();
        }
    }
}

/// Everything an instance shares between the threads running it.
pub(crate) struct Inner<'m> {
    pub module: &'m Module<'m>,
    pub mem: LinearMemory,
    pub heap: Lock<Heap>,
    pub imports: Vec<HostFunc>,
    /// `call.indirect` through native references (see `Imports::set_native_indirect`).
    pub native_indirect: Option<HostFunc>,
    /// See `Imports::set_safepoint`.
    pub safepoint: Option<Arc<crate::imports::SafepointHook>>,
    pub config: Config,
    pool: Lock<Pool>,
    stack_area: u32,
    slot_size: u32,
    /// The instance's gate (see `InstanceHandle`), which derefs to its
    /// interrupt flag: the interpreter reads it as `&AtomicBool`.
    pub interrupt: Arc<Gate>,
    /// Remaining fuel not yet handed to a running thread (`None`: unlimited).
    pub fuel: Option<U64Cell>,
    /// Address of `errno` (0 until first asked for).
    pub errno_addr: AtomicU32,
    #[cfg_attr(not(feature = "libc"), allow(dead_code))]
    pub rand_state: U64Cell,
    /// `strtok`'s position between calls (0: no string).
    #[cfg_attr(not(feature = "libc"), allow(dead_code))]
    pub strtok_save: AtomicU32,
    /// Compiled functions (built with the instance).
    #[cfg(espb_jit)]
    pub jit: crate::jit::exec::Code,
}

/// Fuel handed to a thread at a time.
pub(crate) const FUEL_CHUNK: u64 = 1024;

impl<'m> Inner<'m> {
    pub fn handle(&self) -> InstanceHandle {
        InstanceHandle {
            gate: self.interrupt.clone(),
        }
    }

    fn acquire(&self) -> Result<Box<ExecContext>, Trap> {
        let mut pool = self.pool.lock();
        if let Some(c) = pool.idle.pop() {
            return Ok(c);
        }
        if pool.created >= self.config.max_contexts.max(1) {
            return Err(Trap::new(TrapKind::StackOverflow(StackKind::Contexts)));
        }
        let lo = self.stack_area + pool.created * self.slot_size;
        pool.created += 1;
        drop(pool);
        let c = &self.config;
        Ok(Box::new(ExecContext::new(
            c.initial_registers as usize,
            c.max_registers as usize,
            c.max_call_depth as usize,
            c.max_reentry.max(1),
            lo,
            lo + self.slot_size,
        )))
    }

    fn release(&self, ctx: Box<ExecContext>) {
        self.pool.lock().idle.push(ctx);
    }

    /// Runs `func` from the host on a pooled context.
    pub fn invoke(&self, func: u32, args: &[u64]) -> Result<Option<u64>, Trap> {
        let mut ctx = self.acquire()?;
        let r = crate::interp::call_nested(self, &mut ctx, func, args);
        self.release(ctx);
        r
    }

    /// Takes up to `FUEL_CHUNK` ticks from the shared budget.
    pub fn take_fuel(&self) -> Option<u64> {
        let Some(f) = &self.fuel else {
            return Some(u64::MAX);
        };
        let old = f.update(|cur| (cur > 0).then(|| cur - cur.min(FUEL_CHUNK)))?;
        Some(old.min(FUEL_CHUNK))
    }

    pub fn return_fuel(&self, left: u64) {
        if let Some(f) = &self.fuel {
            f.fetch_add(left);
        }
    }

    #[inline(never)]
    pub fn heap_alloc(&self, size: u32, align: u32) -> u32 {
        self.heap.lock().alloc(size, align).unwrap_or(0)
    }

    pub fn heap_free(&self, addr: u32) -> Result<(), Trap> {
        if addr == 0 {
            return Ok(());
        }
        self.heap
            .lock()
            .free(addr)
            .map_err(|_| Trap::new(TrapKind::HeapCorruption { addr }))
    }
}

/// A module instance: linear memory, heap, imports and execution contexts.
/// `Send + Sync`: any number of threads may call into it at once.
pub struct Instance<'m> {
    inner: InnerBox<'m>,
    gate: Arc<Gate>,
}

/// The instance's heap-allocated state, owned through a raw pointer rather
/// than a `Box`: the gate hands the same address to `InstanceHandle`
/// callers while the `Instance` moves, and moving a `Box` would assert
/// unique access to its contents (Stacked Borrows; Miri reports the
/// handles' reads as undefined behaviour). Only shared access is given out.
struct InnerBox<'m>(core::ptr::NonNull<Inner<'m>>);

impl<'m> InnerBox<'m> {
    fn new(inner: Inner<'m>) -> Self {
        InnerBox(core::ptr::NonNull::from(Box::leak(Box::new(inner))))
    }
    fn as_ptr(&self) -> *mut () {
        self.0.as_ptr() as *mut ()
    }
}

impl<'m> core::ops::Deref for InnerBox<'m> {
    type Target = Inner<'m>;
    fn deref(&self) -> &Inner<'m> {
        // SAFETY: the pointer comes from a leaked Box that only `Drop` below
        // frees, and no `&mut` to it is ever made.
        unsafe { self.0.as_ref() }
    }
}

impl Drop for InnerBox<'_> {
    fn drop(&mut self) {
        // SAFETY: allocated by `Box::new` in `InnerBox::new` and freed only
        // here; `Instance::drop` has already waited (Gate::kill) for every
        // entry through a handle to leave, so no reference outlives this.
        drop(unsafe { Box::from_raw(self.0.as_ptr()) });
    }
}

// SAFETY: `InnerBox` owns an `Inner` exactly as a `Box<Inner>` would and
// gives out only `&Inner`.
unsafe impl<'m> Send for InnerBox<'m> where Inner<'m>: Send {}
// SAFETY: as above; shared references to `Inner` cross threads only if
// `Inner` is `Sync`.
unsafe impl<'m> Sync for InnerBox<'m> where Inner<'m>: Sync {}

impl Drop for Instance<'_> {
    fn drop(&mut self) {
        // Refuse new entries through handles and wait for running ones; only
        // then may `inner` (memory, heap, contexts) be freed.
        self.gate.kill();
    }
}

fn align16(v: u64) -> u64 {
    (v + 15) & !15
}

fn resolve(module: &Module<'_>, imports: &Imports) -> Result<Vec<HostFunc>, InstantiateError> {
    let m = &module.m;
    let mut out = Vec::with_capacity(m.imports.len());
    for imp in &m.imports {
        // Both indices are checked by the reader (no panic exits: what
        // cannot happen falls back to an empty signature, no table).
        let ty = module.func_sig(imp.ty);
        let name = &*imp.name;
        let mut found: Option<HostFunc> = None;
        if let ImportKind::Fast { table, index } = imp.kind {
            let tref = m.symtabs.get(table as usize);
            if let Some((t, tref)) =
                tref.and_then(|tref| Some((imports.tables.get(&tref.name)?, tref)))
            {
                if t.hash != tref.hash {
                    return Err(InstantiateError::SymbolTableMismatch {
                        table: owned(&t.name),
                        module_hash: tref.hash,
                        runtime_hash: t.hash,
                    });
                }
                match t.entries.get(index as usize) {
                    None => {
                        return Err(InstantiateError::SymbolIndexOutOfRange {
                            name: owned(name),
                            table: owned(&t.name),
                            index,
                            len: t.entries.len(),
                        })
                    }
                    Some(None) => {
                        return Err(InstantiateError::SymbolConfiguredOut {
                            name: owned(name),
                            table: owned(&t.name),
                            index,
                        })
                    }
                    Some(Some((n, f))) => {
                        if n != name {
                            return Err(InstantiateError::SymbolNameMismatch {
                                name: owned(name),
                                table: owned(&t.name),
                                index,
                                found: owned(n),
                            });
                        }
                        found = Some(f.clone());
                    }
                }
            }
        }
        let found = found
            .or_else(|| imports.names.get(name).cloned())
            .or_else(|| {
                if imports.builtins {
                    crate::builtins::lookup(name)
                } else {
                    None
                }
            })
            .or_else(|| imports.resolver.as_ref().and_then(|r| r(name, ty)));
        let f = found.ok_or_else(|| InstantiateError::MissingImport { name: owned(name) })?;
        if !f.accepts(ty) {
            return Err(InstantiateError::ImportSignature {
                name: owned(name),
                expected: f.sig.as_ref().map(type_text).unwrap_or_default(),
                found: type_text(ty),
            });
        }
        out.push(f);
    }
    Ok(out)
}

/// Checks typed arguments against `t` and converts them to registers in `out`
/// (`out.len() == args.len()`).
pub(crate) fn check_args_into(t: &FuncType, args: &[Value], out: &mut [u64]) -> Result<(), String> {
    let want = t.params.len() + t.variadic as usize;
    if want != args.len() {
        return Err(text!("expected {} argument(s), got {}", want, args.len()));
    }
    for (i, a) in args.iter().enumerate() {
        // A variadic function's hidden last parameter is the `ptr` to its packed arguments.
        let w = t.params.get(i).copied().unwrap_or(ValType::Ptr);
        if !a.fits(w) {
            return Err(text!(
                "argument {} is {} but the function expects {}",
                i,
                a.type_name(),
                w.name()
            ));
        }
        out[i] = a.to_bits();
    }
    Ok(())
}

/// Converts typed arguments to registers, checking them against `t`.
pub(crate) fn check_args(t: &FuncType, args: &[Value]) -> Result<Vec<u64>, String> {
    let mut raw = alloc::vec![0u64; args.len()];
    check_args_into(t, args, &mut raw)?;
    Ok(raw)
}

/// Calls `func` with typed arguments, converting without allocating for
/// up to 8 arguments.
fn invoke_values(inner: &Inner<'_>, func: u32, args: &[Value]) -> Result<Option<Value>, Trap> {
    let t = inner
        .module
        .func_type(func)
        .ok_or_else(|| Trap::host(no_function(func)))?;
    let mut small = [0u64; 8];
    let heap: Vec<u64>;
    let raw: &[u64] = if args.len() <= small.len() {
        check_args_into(t, args, &mut small[..args.len()]).map_err(Trap::host)?;
        &small[..args.len()]
    } else {
        heap = check_args(t, args).map_err(Trap::host)?;
        &heap
    };
    let r = inner.invoke(func, raw)?;
    Ok(match (r, t.result) {
        (Some(bits), Some(ty)) => Some(Value::from_bits(bits, ty)),
        _ => None,
    })
}

impl<'m> Instance<'m> {
    /// Builds linear memory (null guard, data, zeroed bss, heap, stacks),
    /// resolves imports and runs the start function.
    pub fn new(
        module: &'m Module<'m>,
        imports: &Imports,
        config: Config,
    ) -> Result<Instance<'m>, InstantiateError> {
        let req = module.m.memory;
        let heap_start = align16(req.data_end as u64);
        let heap_end = heap_start + config.heap_size.unwrap_or(req.heap_size) as u64;
        let stack_area = align16(heap_end);
        let slot = align16(config.context_stack_size.unwrap_or(if req.stack_size == 0 {
            64 * 1024
        } else {
            req.stack_size
        }) as u64);
        let linear_end = stack_area + slot * config.max_contexts.max(1) as u64;
        if linear_end > MAX_LINEAR_END as u64 {
            return Err(InstantiateError::MemoryTooLarge { bytes: linear_end });
        }
        let linear_end = linear_end as u32;
        let mem = LinearMemory::new(linear_end)
            .ok_or(InstantiateError::OutOfHostMemory { bytes: linear_end })?;
        for seg in &module.m.data {
            // The reader proved every segment lies in [NULL_GUARD, data_end).
            if !mem.init(seg.addr, &seg.bytes) {
                return Err(InstantiateError::MemoryTooLarge {
                    bytes: seg.addr as u64 + seg.bytes.len() as u64,
                });
            }
        }
        let resolved = resolve(module, imports)?;
        #[cfg(espb_jit)]
        let jit = crate::jit::exec::Code::build(&module.m, &config, &mem)
            .map_err(|e| InstantiateError::ExecMemory { bytes: e.0 as u32 })?;
        let gate = Arc::new(Gate {
            state: AtomicUsize::new(0),
            inner: AtomicPtr::new(core::ptr::null_mut()),
            interrupt: AtomicBool::new(false),
        });
        let fuel = config.fuel.map(U64Cell::new);
        let inner = InnerBox::new(Inner {
            module,
            mem,
            heap: Lock::new(Heap::new(heap_start as u32, heap_end as u32)),
            imports: resolved,
            native_indirect: imports.native_indirect.clone(),
            safepoint: imports.safepoint.clone(),
            pool: Lock::new(Pool {
                idle: Vec::new(),
                created: 0,
            }),
            stack_area: stack_area as u32,
            slot_size: slot as u32,
            fuel,
            errno_addr: AtomicU32::new(0),
            rand_state: U64Cell::new(1),
            strtok_save: AtomicU32::new(0),
            interrupt: gate.clone(),
            #[cfg(espb_jit)]
            jit,
            config,
        });
        gate.inner.store(inner.as_ptr(), Release);
        let inst = Instance { inner, gate };
        if let (Some(start), true) = (module.m.start, inst.inner.config.run_start) {
            inst.inner
                .invoke(start, &[])
                .map_err(InstantiateError::Start)?;
        }
        Ok(inst)
    }

    pub fn module(&self) -> &'m Module<'m> {
        self.inner.module
    }

    /// What the JIT did with each function of this instance (compiled, or
    /// interpreted and why); `None` where compiled code cannot run (not a
    /// RISC-V target).
    #[cfg(feature = "jit-riscv")]
    pub fn jit_plan(&self) -> Option<&[crate::jit::Plan]> {
        #[cfg(espb_jit)]
        return Some(&self.inner.jit.plan);
        #[cfg(not(espb_jit))]
        None
    }

    /// The functions tier-up compiled so far (`Config::jit_tier_up`):
    /// function index, bytes of executable memory (machine code and
    /// instruction copies), what the backend did. Empty where compiled
    /// code cannot run.
    #[cfg(feature = "jit-riscv")]
    pub fn jit_tiered(&self) -> alloc::vec::Vec<(u32, usize, crate::jit::Stats)> {
        #[cfg(espb_jit)]
        return self.inner.jit.tiered_up();
        #[cfg(not(espb_jit))]
        alloc::vec::Vec::new()
    }

    /// Calls the exported function `name`.
    pub fn call(&self, name: &str, args: &[Value]) -> Result<Option<Value>, Trap> {
        let func = self
            .inner
            .module
            .export(name)
            .ok_or_else(|| Trap::host(text!("no exported function `{}`", name)))?;
        self.call_func(func, args)
    }

    /// Calls function `func` by index.
    pub fn call_func(&self, func: u32, args: &[Value]) -> Result<Option<Value>, Trap> {
        invoke_values(&self.inner, func, args)
    }

    /// Calls function `func` with raw argument registers (no type check
    /// beyond the argument count).
    pub fn call_raw(&self, func: u32, args: &[u64]) -> Result<Option<u64>, Trap> {
        if func >= self.inner.module.num_functions() {
            return Err(Trap::host(no_function(func)));
        }
        self.inner.invoke(func, args)
    }

    fn typed<T>(
        &self,
        name: &str,
        args: &[Value],
        get: fn(Value) -> Option<T>,
        ty: &str,
    ) -> Result<T, Trap> {
        match self.call(name, args)? {
            Some(v) => get(v).ok_or_else(|| {
                Trap::host(text!("`{}` returned {}, not {}", name, v.type_name(), ty))
            }),
            None => Err(Trap::host(text!("`{}` returned nothing, not {}", name, ty))),
        }
    }

    pub fn call_i32(&self, name: &str, args: &[Value]) -> Result<i32, Trap> {
        self.typed(name, args, Value::as_i32, "i32")
    }
    pub fn call_i64(&self, name: &str, args: &[Value]) -> Result<i64, Trap> {
        self.typed(name, args, Value::as_i64, "i64")
    }
    pub fn call_f32(&self, name: &str, args: &[Value]) -> Result<f32, Trap> {
        self.typed(name, args, Value::as_f32, "f32")
    }
    pub fn call_f64(&self, name: &str, args: &[Value]) -> Result<f64, Trap> {
        self.typed(name, args, Value::as_f64, "f64")
    }
    pub fn call_void(&self, name: &str, args: &[Value]) -> Result<(), Trap> {
        self.call(name, args).map(|_| ())
    }

    /// Linear memory, for the embedder to read and write module data.
    pub fn memory(&self) -> &LinearMemory {
        &self.inner.mem
    }

    /// Allocates on the module heap (0 when out of memory).
    pub fn malloc(&self, size: u32) -> u32 {
        self.inner.heap_alloc(size, crate::heap::GRAIN)
    }

    pub fn free(&self, addr: u32) -> Result<(), Trap> {
        self.inner.heap_free(addr)
    }

    /// Bytes currently allocated on the module heap.
    pub fn heap_in_use(&self) -> u32 {
        self.inner.heap.lock().in_use()
    }

    /// Number of live heap allocations.
    pub fn heap_live_allocations(&self) -> usize {
        self.inner.heap.lock().live_count()
    }

    /// A handle another thread can use to stop the running module.
    pub fn interrupt_handle(&self) -> InterruptHandle {
        InterruptHandle(self.gate.clone())
    }

    /// Fuel not yet handed to a running thread (`None`: unlimited).
    pub fn fuel_remaining(&self) -> Option<u64> {
        self.inner.fuel.as_ref().map(U64Cell::load)
    }

    /// Adds fuel (no effect when fuel is unlimited).
    pub fn add_fuel(&self, n: u64) {
        self.inner.return_fuel(n);
    }

    /// A `'static` handle for native code that keeps calling in (callbacks).
    /// After the instance is dropped, calls through it return
    /// `TrapKind::InstanceDead` instead of touching freed state.
    pub fn handle(&self) -> InstanceHandle {
        self.inner.handle()
    }

    /// Execution contexts created so far.
    pub fn contexts_created(&self) -> u32 {
        self.inner.pool.lock().created
    }

    /// Bytes the instance holds outside linear memory (bookkeeping, imports,
    /// contexts' register stacks and frame records), excluding heap metadata.
    pub fn footprint(&self) -> usize {
        let pool = self.inner.pool.lock();
        core::mem::size_of::<Inner<'_>>()
            + self.inner.imports.capacity() * core::mem::size_of::<HostFunc>()
            + pool
                .idle
                .iter()
                .map(|c| c.footprint() + core::mem::size_of::<ExecContext>())
                .sum::<usize>()
    }

    /// The config this instance was built with.
    pub fn config(&self) -> &Config {
        &self.inner.config
    }

    /// Bytes written to the output sink are also the embedder's concern; this
    /// writes to it as the module's `printf` would.
    pub fn write_output(&self, bytes: &[u8]) {
        self.inner.config.output.write(bytes);
    }
}

impl fmt::Debug for Instance<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Instance")
            .field("linear_end", &self.inner.mem.len())
            .finish_non_exhaustive()
    }
}

/// Stops a running instance from another thread: every thread inside it
/// traps with `Interrupted` at its next backward branch or call, and new
/// calls trap likewise until [`InterruptHandle::clear`].
#[derive(Clone, Debug)]
pub struct InterruptHandle(Arc<Gate>);

impl InterruptHandle {
    pub fn interrupt(&self) {
        self.0.interrupt.store(true, Relaxed);
    }
    pub fn clear(&self) {
        self.0.interrupt.store(false, Relaxed);
    }
    pub fn is_set(&self) -> bool {
        self.0.interrupt.load(Relaxed)
    }
}

/// A `'static`, `Send + Sync` reference to an instance for native code that
/// outlives a single call (callbacks). It does not keep the instance alive:
/// once the `Instance` is dropped every call returns `InstanceDead`.
#[derive(Clone)]
pub struct InstanceHandle {
    gate: Arc<Gate>,
}

impl fmt::Debug for InstanceHandle {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("InstanceHandle")
            .field("alive", &self.is_alive())
            .finish()
    }
}

impl InstanceHandle {
    pub fn is_alive(&self) -> bool {
        self.gate.state.load(Acquire) & DEAD == 0
    }

    /// Calls into the instance in progress on any thread right now (module
    /// tasks blocked inside a native call count): what unloading must wait
    /// for.
    pub fn running(&self) -> usize {
        self.gate.state.load(Acquire) & !DEAD
    }

    /// Runs `f` on the live instance, or returns `InstanceDead`.
    fn with<R>(&self, f: impl FnOnce(&Inner<'_>) -> Result<R, Trap>) -> Result<R, Trap> {
        let Some(p) = self.gate.enter() else {
            return Err(Trap::new(TrapKind::InstanceDead));
        };
        // SAFETY: `enter` succeeded, so the instance's Drop has not passed
        // `Gate::kill`, which waits for this entry to `exit` before `Inner` is
        // freed; the pointer was set from the boxed (never moved) `Inner`.
        // The `'static` lifetime is only nominal: `f` cannot keep anything
        // borrowed from it beyond this call.
        let inner = unsafe { &*(p as *const Inner<'static>) };
        let r = f(inner);
        self.gate.exit();
        r
    }

    /// Calls module function `func` with raw argument registers.
    pub fn call_raw(&self, func: u32, args: &[u64]) -> Result<Option<u64>, Trap> {
        self.with(|inner| {
            if func >= inner.module.num_functions() {
                return Err(Trap::host(no_function(func)));
            }
            inner.invoke(func, args)
        })
    }

    /// Calls module function `func` with typed values.
    pub fn call(&self, func: u32, args: &[Value]) -> Result<Option<Value>, Trap> {
        self.with(|inner| invoke_values(inner, func, args))
    }

    /// Calls the exported function `name` with typed values.
    pub fn call_export(&self, name: &str, args: &[Value]) -> Result<Option<Value>, Trap> {
        self.with(|inner| {
            let func = inner
                .module
                .export(name)
                .ok_or_else(|| Trap::host(text!("no exported function `{}`", name)))?;
            invoke_values(inner, func, args)
        })
    }
}
