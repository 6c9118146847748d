//! FFI metadata for the natives a module imports: which arguments are
//! callbacks (and the user data that travels with each), and how many bytes
//! each pointer argument designates and in which direction the native uses
//! them. Inferred from the call sites in the LLVM module, then corrected by
//! `.hints` entries (bundled first, the user's after); the result becomes the
//! module's `cbmeta`/`immeta` sections and a per-import report
//! ([`ImportFfi`], in `Stats::ffi`) that says where every item came from.
//!
//! What the analysis infers, per direct call of an import (after the
//! translator's pre-passes, so -O0 code has had SROA/mem2reg):
//! - an argument that is, or flows from (select, phi, a load of a local or
//!   constant global slot stored with one, a wrapper's parameter whose every
//!   caller passes one), a module function → `cb N` with that function's
//!   signature;
//! - the next pointer argument after it that is not a callback, a string or
//!   a buffer the native fills in → its `ud`;
//! - a pointer to a local, a global or a constant (possibly at a constant
//!   offset) → `in`/`out`/`inout` with the object's remaining size as a
//!   constant: locals by whether the module may write the object before the
//!   call and read it after (any escape counts as both); globals `inout`
//!   (any function may use them), constants `in`; a string literal → `in …
//!   size strlen`; a pointer-sized local the native fills in and the module
//!   reads back → `handle`;
//! - a pointer to a struct (local, global, or copied from a constant) whose
//!   fields hold module functions → `cb N.OFF` for each, the pointer field
//!   right after it as `ud N.OFF+4`, and the struct as an `in`/`inout` buffer;
//! - a wrapper's pointer parameter → what its callers pass, merged (all
//!   direct callers, bounded depth and fan-out).
//!
//! Call sites of one import are merged: directions are united, the largest
//! constant size wins (an `out` becomes `inout` when sizes differ, so bytes
//! the native leaves alone keep their values), a handle only when every site
//! says so; disagreements are kept as notes in the report.
//!
//! Hints: the entry for a native (the user's replaces the bundled one)
//! decides every argument it mentions, the analysis keeps the others. Within
//! a hint item, what the hint leaves open is filled from the analysis at the
//! same place: a `cb` without a signature takes the passed function's, a
//! `cb` without `ud` takes the analysis's user data (when the entry does not
//! mention that argument), an `in`/`out` without `size` takes the analysis's
//! size. Every applied entry is checked against the import's signature
//! (`FunctionHints::check`); a wrong one is a diagnostic naming the hints file
//! and line. Items that cannot be emitted (a pointer field inside a struct, a
//! buffer with no size, a callback with no signature) are reported as notes.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

use espb_format::{
    ArgPlace, CallbackMeta, Direction, FuncType, Module, PtrMeta, SizeSpec, ValType,
};
use inkwell::llvm_sys::core::*;
use inkwell::llvm_sys::prelude::*;
use inkwell::llvm_sys::target::*;
use inkwell::llvm_sys::{LLVMOpcode, LLVMTypeKind};

use crate::diag::Diagnostic;
use crate::hints::{FunctionHints, Hints};

/// Where an item of FFI metadata came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FfiSource {
    /// Inferred from the module's call sites.
    Analysis,
    /// A hints file bundled with espb (`hints/*.hints`).
    BundledHints { file: String, line: usize },
    /// A hints file the user gave (`Options::hints`).
    UserHints { file: String, line: usize },
}

impl std::fmt::Display for FfiSource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            FfiSource::Analysis => write!(f, "analysis"),
            FfiSource::BundledHints { file, line } => write!(f, "bundled hints {file}:{line}"),
            FfiSource::UserHints { file, line } => write!(f, "user hints {file}:{line}"),
        }
    }
}

/// A callback argument (or struct field) of an import.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CallbackItem {
    pub place: ArgPlace,
    /// The signature native code calls it with; `None` when neither a hint
    /// nor a call site tells it (then nothing is emitted for it).
    pub signature: Option<FuncType>,
    pub user_data: Option<ArgPlace>,
    pub source: FfiSource,
    /// Where the signature came from (a hint may leave it to the analysis).
    pub signature_source: Option<FfiSource>,
    /// Where the user data came from (a `cb` hint without `ud` leaves it to
    /// the analysis).
    pub user_data_source: Option<FfiSource>,
    /// Whether it is in the module's `cbmeta`.
    pub emitted: bool,
}

/// A pointer argument (or struct field) of an import the native reads or writes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PointerItem {
    pub place: ArgPlace,
    pub dir: Direction,
    pub size: Option<SizeSpec>,
    pub handles: bool,
    pub source: FfiSource,
    /// Where the size came from (a hint may leave it to the analysis).
    pub size_source: Option<FfiSource>,
    /// Whether it is in the module's `immeta`.
    pub emitted: bool,
}

/// The FFI metadata of one import and where each piece came from.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ImportFfi {
    pub import: u32,
    pub name: String,
    pub signature: FuncType,
    /// `(table, index)` when resolved through a fast-symbol table.
    pub fast: Option<(String, u32)>,
    /// Direct call sites of the import in the module.
    pub call_sites: u32,
    pub callbacks: Vec<CallbackItem>,
    pub pointers: Vec<PointerItem>,
    /// Things a user may want to act on: conflicting call sites, hint items
    /// that could not be emitted, pointer arguments left without metadata.
    pub notes: Vec<String>,
}

fn place_hint(p: ArgPlace) -> String {
    match p {
        ArgPlace::Param(i) => i.to_string(),
        ArgPlace::Field { param, offset } => format!("{param}.{offset}"),
    }
}

/// In `.hints` syntax: `cb 0 (ptr, i32) -> i32, ud 1`.
impl std::fmt::Display for CallbackItem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "cb {}", place_hint(self.place))?;
        if let Some(t) = &self.signature {
            write!(f, " {}", sig_text(t))?;
        }
        if let Some(u) = self.user_data {
            write!(f, ", ud {}", place_hint(u))?;
        }
        Ok(())
    }
}

/// In `.hints` syntax: `out 5 size 4 handle`.
impl std::fmt::Display for PointerItem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let dir = match self.dir {
            Direction::In => "in",
            Direction::Out => "out",
            Direction::InOut => "inout",
        };
        write!(f, "{dir} {}", place_hint(self.place))?;
        match self.size {
            Some(SizeSpec::Const(n)) => write!(f, " size {n}")?,
            Some(SizeSpec::Param { param, scale: 1 }) => write!(f, " size arg {param}")?,
            Some(SizeSpec::Param { param, scale }) => write!(f, " size arg {param} * {scale}")?,
            Some(SizeSpec::StrLen) => write!(f, " size strlen")?,
            None => {}
        }
        if self.handles {
            write!(f, " handle")?;
        }
        Ok(())
    }
}

impl ImportFfi {
    /// What the module carries for this import, as one `.hints` entry
    /// (`name: item, ...`) a user can copy into a hints file and edit;
    /// `None` when nothing is emitted.
    pub fn hints_entry(&self) -> Option<String> {
        let items: Vec<String> = self
            .pointers
            .iter()
            .filter(|p| p.emitted)
            .map(|p| p.to_string())
            .chain(
                self.callbacks
                    .iter()
                    .filter(|c| c.emitted)
                    .map(|c| c.to_string()),
            )
            .collect();
        if items.is_empty() {
            None
        } else {
            Some(format!("{}: {}", self.name, items.join(", ")))
        }
    }
}

/// The path bundled hints are named by in reports and diagnostics.
pub const BUNDLED_HINTS_PATH: &str = "hints/esp-idf.hints";

/// One hints entry with its origin.
struct Entry {
    hints: FunctionHints,
    bundled: bool,
    file: String,
}

impl Entry {
    fn source(&self) -> FfiSource {
        if self.bundled {
            FfiSource::BundledHints {
                file: self.file.clone(),
                line: self.hints.line,
            }
        } else {
            FfiSource::UserHints {
                file: self.file.clone(),
                line: self.hints.line,
            }
        }
    }
}

/// Parses the bundled and user hints; later files replace earlier entries
/// for the same native entirely (docs/hints.md).
fn load_hints(
    user: &[(String, String)],
    bundled: bool,
    diags: &mut Vec<Diagnostic>,
) -> HashMap<String, Entry> {
    let mut out = HashMap::new();
    let mut files: Vec<(&str, &str, bool)> = Vec::new();
    if bundled {
        files.push((BUNDLED_HINTS_PATH, crate::hints::BUNDLED_ESP_IDF, true));
    }
    for (path, text) in user {
        files.push((path, text, false));
    }
    for (path, text, is_bundled) in files {
        match Hints::parse(text) {
            Ok(h) => {
                for (name, fh) in h.functions {
                    out.insert(
                        name,
                        Entry {
                            hints: fh,
                            bundled: is_bundled,
                            file: path.to_string(),
                        },
                    );
                }
            }
            Err(e) => diags.push(
                Diagnostic::new(format!("hints file {path}: {}", e.message))
                    .at(Some((path.to_string(), e.line as u32))),
            ),
        }
    }
    out
}

// ---- a minimal view of the LLVM module ----------------------------------------

// The analysis talks to the LLVM C API itself: it asks questions `llvm.rs`
// does not (global constness, use lists, instruction parents, argument
// parents), and that file belongs to the lowering.

/// A value of the module being translated. Every handle comes from the
/// module `translate` owns for its whole duration and is used only while it
/// is alive (the analysis runs inside `translate`).
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Debug)]
struct V(LLVMValueRef);
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
struct B(LLVMBasicBlockRef);
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
struct T(LLVMTypeRef);

// SAFETY (for every `unsafe` block below): the handles are live values,
// types and blocks of the verified module; each accessor is only called on
// the class of value it is defined for, which the caller checks first with
// an `LLVMIsA*` / opcode test, and out-of-range queries are avoided by
// checking counts first.
impl V {
    fn null(self) -> bool {
        self.0.is_null()
    }
    fn isa(self, f: unsafe extern "C" fn(LLVMValueRef) -> LLVMValueRef) -> bool {
        unsafe { !f(self.0).is_null() }
    }
    fn name(self) -> String {
        let mut len = 0usize;
        unsafe {
            let p = LLVMGetValueName2(self.0, &mut len);
            if p.is_null() {
                return String::new();
            }
            String::from_utf8_lossy(std::slice::from_raw_parts(p as *const u8, len)).into_owned()
        }
    }
    fn ty(self) -> T {
        T(unsafe { LLVMTypeOf(self.0) })
    }
    fn operand(self, i: u32) -> V {
        V(unsafe { LLVMGetOperand(self.0, i) })
    }
    fn num_operands(self) -> u32 {
        unsafe { LLVMGetNumOperands(self.0) as u32 }
    }
    fn opcode(self) -> Option<LLVMOpcode> {
        if self.isa(LLVMIsAInstruction) {
            Some(unsafe { LLVMGetInstructionOpcode(self.0) })
        } else if self.isa(LLVMIsAConstantExpr) {
            Some(unsafe { LLVMGetConstOpcode(self.0) })
        } else {
            None
        }
    }
    fn is_function(self) -> bool {
        self.isa(LLVMIsAFunction)
    }
    fn is_declaration(self) -> bool {
        unsafe { LLVMIsDeclaration(self.0) != 0 }
    }
    fn users(self) -> Vec<V> {
        let mut out = Vec::new();
        unsafe {
            let mut u = LLVMGetFirstUse(self.0);
            while !u.is_null() {
                out.push(V(LLVMGetUser(u)));
                u = LLVMGetNextUse(u);
            }
        }
        out
    }
    fn parent(self) -> B {
        B(unsafe { LLVMGetInstructionParent(self.0) })
    }
    fn const_int(self) -> Option<i64> {
        if self.isa(LLVMIsAConstantInt) && self.ty().int_width() <= 64 {
            Some(unsafe { LLVMConstIntGetSExtValue(self.0) })
        } else {
            None
        }
    }
    /// The function a call instruction calls directly (through aliases).
    fn called_function(self) -> Option<V> {
        let mut c = V(unsafe { LLVMGetCalledValue(self.0) });
        for _ in 0..16 {
            if c.isa(LLVMIsAGlobalAlias) {
                c = V(unsafe { LLVMAliasGetAliasee(c.0) });
            } else {
                break;
            }
        }
        c.is_function().then_some(c)
    }
    fn num_args(self) -> u32 {
        unsafe { LLVMGetNumArgOperands(self.0) }
    }
    fn global_type(self) -> T {
        T(unsafe { LLVMGlobalGetValueType(self.0) })
    }
    fn allocated_type(self) -> T {
        T(unsafe { LLVMGetAllocatedType(self.0) })
    }
    fn gep_source_type(self) -> T {
        T(unsafe { LLVMGetGEPSourceElementType(self.0) })
    }
    fn is_constant_global(self) -> bool {
        unsafe { LLVMIsGlobalConstant(self.0) != 0 }
    }
    fn initializer(self) -> Option<V> {
        let v = V(unsafe { LLVMGetInitializer(self.0) });
        (!v.null()).then_some(v)
    }
    fn aggregate_elem(self, i: u32) -> Option<V> {
        let v = V(unsafe { LLVMGetAggregateElement(self.0, i) });
        (!v.null()).then_some(v)
    }
    fn is_null_value(self) -> bool {
        unsafe { LLVMIsNull(self.0) != 0 }
    }
    fn incoming(self) -> Vec<V> {
        unsafe {
            (0..LLVMCountIncoming(self.0))
                .map(|i| V(LLVMGetIncomingValue(self.0, i)))
                .collect()
        }
    }
    /// The bytes of a constant C string (`[N x i8]` data).
    fn string_bytes(self) -> Option<Vec<u8>> {
        unsafe {
            if LLVMIsAConstantDataSequential(self.0).is_null() || LLVMIsConstantString(self.0) == 0
            {
                return None;
            }
            let mut len = 0usize;
            let p = LLVMGetAsString(self.0, &mut len);
            if p.is_null() {
                return None;
            }
            Some(std::slice::from_raw_parts(p as *const u8, len).to_vec())
        }
    }
}

impl T {
    fn kind(self) -> LLVMTypeKind {
        unsafe { LLVMGetTypeKind(self.0) }
    }
    fn int_width(self) -> u32 {
        if self.kind() == LLVMTypeKind::LLVMIntegerTypeKind {
            unsafe { LLVMGetIntTypeWidth(self.0) }
        } else {
            0
        }
    }
    fn params(self) -> Vec<T> {
        unsafe {
            let n = LLVMCountParamTypes(self.0) as usize;
            let mut v: Vec<LLVMTypeRef> = vec![std::ptr::null_mut(); n];
            LLVMGetParamTypes(self.0, v.as_mut_ptr());
            v.into_iter().map(T).collect()
        }
    }
    fn struct_elems(self) -> Vec<T> {
        unsafe {
            let n = LLVMCountStructElementTypes(self.0) as usize;
            let mut v: Vec<LLVMTypeRef> = vec![std::ptr::null_mut(); n];
            LLVMGetStructElementTypes(self.0, v.as_mut_ptr());
            v.into_iter().map(T).collect()
        }
    }
    fn elem(self) -> T {
        T(unsafe { LLVMGetElementType(self.0) })
    }
    fn array_len(self) -> u64 {
        unsafe { LLVMGetArrayLength2(self.0) }
    }
    fn is_sized(self) -> bool {
        unsafe { LLVMTypeIsSized(self.0) != 0 }
    }
}

impl B {
    fn instructions(self) -> Vec<V> {
        let mut out = Vec::new();
        unsafe {
            let mut i = LLVMGetFirstInstruction(self.0);
            while !i.is_null() {
                out.push(V(i));
                i = LLVMGetNextInstruction(i);
            }
        }
        out
    }
    fn successors(self) -> Vec<B> {
        unsafe {
            let t = LLVMGetBasicBlockTerminator(self.0);
            if t.is_null() {
                return Vec::new();
            }
            (0..LLVMGetNumSuccessors(t))
                .map(|i| B(LLVMGetSuccessor(t, i)))
                .collect()
        }
    }
}

struct Layout(LLVMTargetDataRef);

impl Layout {
    fn alloc_size(&self, t: T) -> u64 {
        if t.is_sized() {
            unsafe { LLVMABISizeOfType(self.0, t.0) }
        } else {
            0
        }
    }
    fn offset_of(&self, st: T, i: u32) -> u64 {
        unsafe { LLVMOffsetOfElement(self.0, st.0, i) }
    }

    /// Byte offsets of the pointer leaves of `t`.
    fn pointer_offsets(&self, t: T, base: u64, out: &mut BTreeSet<u64>, budget: &mut u32) {
        if *budget == 0 {
            return;
        }
        *budget -= 1;
        match t.kind() {
            LLVMTypeKind::LLVMPointerTypeKind => {
                out.insert(base);
            }
            LLVMTypeKind::LLVMStructTypeKind => {
                for (i, e) in t.struct_elems().into_iter().enumerate() {
                    self.pointer_offsets(
                        e,
                        base.saturating_add(self.offset_of(t, i as u32)),
                        out,
                        budget,
                    );
                }
            }
            LLVMTypeKind::LLVMArrayTypeKind => {
                let e = t.elem();
                let step = self.alloc_size(e);
                for k in 0..t.array_len().min(64) {
                    self.pointer_offsets(
                        e,
                        base.saturating_add(k.saturating_mul(step)),
                        out,
                        budget,
                    );
                }
            }
            _ => {}
        }
    }
}

/// Registers a value of LLVM type `t` takes in a call (what the lowering
/// flattens it into; see `types::leaves`).
fn leaf_count(t: T) -> u32 {
    match t.kind() {
        LLVMTypeKind::LLVMStructTypeKind => t.struct_elems().into_iter().map(leaf_count).sum(),
        LLVMTypeKind::LLVMArrayTypeKind => {
            (t.array_len().min(u32::MAX as u64) as u32).saturating_mul(leaf_count(t.elem()))
        }
        _ => 1,
    }
}

// ---- pointer provenance ----------------------------------------------------------

/// Strips no-op casts.
fn strip(mut v: V) -> V {
    for _ in 0..64 {
        match v.opcode() {
            Some(LLVMOpcode::LLVMBitCast | LLVMOpcode::LLVMAddrSpaceCast) => v = v.operand(0),
            _ => break,
        }
    }
    v
}

/// The object a pointer points into and the constant byte offset, through
/// GEPs with constant indices.
fn base_offset(dl: &Layout, v: V) -> Option<(V, i64)> {
    let mut v = strip(v);
    let mut off: i64 = 0;
    for _ in 0..64 {
        if v.isa(LLVMIsAAllocaInst) || v.isa(LLVMIsAGlobalVariable) || heap_block_size(v).is_some()
        {
            return Some((v, off));
        }
        if v.opcode() != Some(LLVMOpcode::LLVMGetElementPtr) {
            return None;
        }
        off = off.checked_add(gep_offset(dl, v)?)?;
        v = strip(v.operand(0));
    }
    None
}

/// The bytes a module-heap allocation with constant arguments returns
/// (`malloc(64)`, `calloc(4, 16)`), if `v` is one: such a block is sized as
/// exactly as a local.
fn heap_block_size(v: V) -> Option<u64> {
    if !v.isa(LLVMIsACallInst) {
        return None;
    }
    let f = v.called_function()?;
    if !f.is_declaration() {
        return None;
    }
    let arg = |i: u32| {
        if i < v.num_args() {
            v.operand(i)
                .const_int()
                .filter(|&n| n > 0)
                .map(|n| n as u64)
        } else {
            None
        }
    };
    match f.name().as_str() {
        "malloc" | "pvPortMalloc" | "heap_caps_malloc" => arg(0),
        "calloc" | "heap_caps_calloc" => arg(0)?.checked_mul(arg(1)?),
        "realloc" | "heap_caps_realloc" | "aligned_alloc" => arg(1),
        _ => None,
    }
}

/// The constant byte offset a GEP adds, if every index is constant.
fn gep_offset(dl: &Layout, g: V) -> Option<i64> {
    let mut ty = g.gep_source_type();
    let n = g.num_operands();
    let mut off: i64 = 0;
    for k in 1..n {
        let idx = g.operand(k).const_int()?;
        if k == 1 {
            off = off.checked_add(idx.checked_mul(dl.alloc_size(ty) as i64)?)?;
            continue;
        }
        match ty.kind() {
            LLVMTypeKind::LLVMStructTypeKind => {
                let elems = ty.struct_elems();
                let e = *elems.get(usize::try_from(idx).ok()?)?;
                off = off.checked_add(dl.offset_of(ty, idx as u32) as i64)?;
                ty = e;
            }
            LLVMTypeKind::LLVMArrayTypeKind | LLVMTypeKind::LLVMVectorTypeKind => {
                ty = ty.elem();
                off = off.checked_add(idx.checked_mul(dl.alloc_size(ty) as i64)?)?;
            }
            _ => return None,
        }
    }
    Some(off)
}

/// Module functions a pointer value may be: `None` when unknown; an empty set
/// for null or a native function.
fn trace_funcs(dl: &Layout, v: V, seen: &mut HashSet<V>) -> Option<BTreeSet<V>> {
    let v = strip(v);
    if !seen.insert(v) || seen.len() > 256 {
        return Some(BTreeSet::new());
    }
    if v.is_function() {
        let mut s = BTreeSet::new();
        if !v.is_declaration() {
            s.insert(v);
        }
        return Some(s);
    }
    if v.isa(LLVMIsAConstantPointerNull) || v.isa(LLVMIsAUndefValue) {
        return Some(BTreeSet::new());
    }
    // A wrapper's parameter (`void start(TaskFunction_t f) { xTaskCreate(f, ...) }`,
    // typical at -O0 where nothing is inlined): whatever its callers pass.
    if let Some(callers) = callers_of_param(v, 64) {
        let mut a = BTreeSet::new();
        for (c, i) in callers {
            a.extend(trace_funcs(dl, c.operand(i), seen)?);
        }
        return Some(a);
    }
    match v.opcode() {
        Some(LLVMOpcode::LLVMSelect) => {
            let mut a = trace_funcs(dl, v.operand(1), seen)?;
            a.extend(trace_funcs(dl, v.operand(2), seen)?);
            Some(a)
        }
        Some(LLVMOpcode::LLVMPHI) => {
            let mut a = BTreeSet::new();
            for x in v.incoming() {
                a.extend(trace_funcs(dl, x, seen)?);
            }
            Some(a)
        }
        Some(LLVMOpcode::LLVMLoad) if v.isa(LLVMIsAInstruction) => {
            let (base, off) = base_offset(dl, v.operand(0))?;
            let fields = object_fields(dl, base, seen);
            fields.get(&off).and_then(|f| f.funcs.clone())
        }
        _ => None,
    }
}

/// The direct call sites of the function `v` is a parameter of, with the
/// parameter's index; `None` unless every use of that function is a direct
/// call of it (otherwise callers the analysis cannot see may pass anything).
fn callers_of_param(v: V, max_callers: usize) -> Option<Vec<(V, u32)>> {
    if !v.isa(LLVMIsAArgument) {
        return None;
    }
    // SAFETY: `v` is an argument of a function of the live module.
    let f = V(unsafe { LLVMGetParamParent(v.0) });
    // SAFETY: `f` is that function; indices stay below its parameter count.
    let idx =
        (0..unsafe { LLVMCountParams(f.0) }).find(|&i| unsafe { LLVMGetParam(f.0, i) } == v.0)?;
    let users = f.users();
    if users.is_empty() || users.len() > max_callers {
        return None;
    }
    let mut out = Vec::new();
    for u in users {
        if !u.isa(LLVMIsACallInst) || idx >= u.num_args() {
            return None;
        }
        // SAFETY: `u` is a call instruction.
        if V(unsafe { LLVMGetCalledValue(u.0) }) != f
            || (0..u.num_args()).any(|k| u.operand(k) == f)
        {
            return None;
        }
        out.push((u, idx));
    }
    Some(out)
}

/// What is known about one pointer-sized field of a memory object.
#[derive(Default, Clone)]
struct Field {
    /// The module functions stored there (`None`: something unknown too).
    funcs: Option<BTreeSet<V>>,
    /// A pointer is stored there (or the type says so).
    pointer: bool,
}

/// The pointer fields of an alloca, global or heap block: from its type, its
/// initializer, the stores into it and `memcpy` from constant globals into it.
fn object_fields(dl: &Layout, base: V, seen: &mut HashSet<V>) -> BTreeMap<i64, Field> {
    let mut out: BTreeMap<i64, Field> = BTreeMap::new();
    // A heap block has no type: only the stores into it tell its fields.
    let ty = if base.isa(LLVMIsAAllocaInst) {
        Some(base.allocated_type())
    } else if base.isa(LLVMIsAGlobalVariable) {
        Some(base.global_type())
    } else {
        None
    };
    let mut ptrs = BTreeSet::new();
    if let Some(ty) = ty {
        dl.pointer_offsets(ty, 0, &mut ptrs, &mut 4096);
    }
    for o in ptrs {
        out.entry(o as i64).or_default().pointer = true;
    }
    let merge = |out: &mut BTreeMap<i64, Field>, off: i64, funcs: Option<BTreeSet<V>>| {
        let f = out.entry(off).or_insert_with(|| Field {
            funcs: Some(BTreeSet::new()),
            pointer: true,
        });
        f.pointer = true;
        f.funcs = match (f.funcs.take(), funcs) {
            (Some(mut a), Some(b)) => {
                a.extend(b);
                Some(a)
            }
            _ => None,
        };
    };
    // Fields start empty (nothing stored yet) and collect what the
    // initializer and every store put there.
    for f in out.values_mut() {
        f.funcs = Some(BTreeSet::new());
    }
    if base.isa(LLVMIsAGlobalVariable) {
        let Some(init) = base.initializer() else {
            // Defined elsewhere: anything may be there.
            for f in out.values_mut() {
                f.funcs = None;
            }
            return out;
        };
        for (off, funcs) in init_pointers(dl, init, base.global_type(), 0) {
            merge(&mut out, off, funcs);
        }
        if base.is_constant_global() {
            return out;
        }
    }
    for (user, off) in derived_uses(dl, base) {
        let Some(off) = off else { continue };
        // Only stores *into* the object (not of its address elsewhere).
        if user.isa(LLVMIsAStoreInst) && derived_from(dl, user.operand(1), base) {
            let val = user.operand(0);
            if val.ty().kind() == LLVMTypeKind::LLVMPointerTypeKind {
                let funcs = trace_funcs(dl, val, seen);
                merge(&mut out, off, funcs);
            }
        } else if let Some((dst, src)) = mem_transfer(user) {
            let Some((s_base, s_off)) = base_offset(dl, src) else {
                continue;
            };
            let Some((d_base, d_off)) = base_offset(dl, dst) else {
                continue;
            };
            if d_base != base || !s_base.isa(LLVMIsAGlobalVariable) || !s_base.is_constant_global()
            {
                continue;
            }
            let Some(init) = s_base.initializer() else {
                continue;
            };
            for (o, funcs) in init_pointers(dl, init, s_base.global_type(), 0) {
                let Some(at) = o.checked_sub(s_off).and_then(|x| x.checked_add(d_off)) else {
                    continue;
                };
                if at >= d_off {
                    merge(&mut out, at, funcs);
                }
            }
        }
    }
    out
}

/// The pointer leaves of a constant initializer: offset → module functions.
fn init_pointers(dl: &Layout, c: V, ty: T, base: i64) -> Vec<(i64, Option<BTreeSet<V>>)> {
    let mut out = Vec::new();
    init_walk(dl, c, ty, base, &mut out, &mut 4096);
    out
}

fn init_walk(
    dl: &Layout,
    c: V,
    ty: T,
    base: i64,
    out: &mut Vec<(i64, Option<BTreeSet<V>>)>,
    budget: &mut u32,
) {
    if *budget == 0 || c.is_null_value() {
        return;
    }
    *budget -= 1;
    match ty.kind() {
        LLVMTypeKind::LLVMPointerTypeKind => {
            out.push((base, trace_funcs(dl, c, &mut HashSet::new())));
        }
        LLVMTypeKind::LLVMStructTypeKind => {
            for (i, e) in ty.struct_elems().into_iter().enumerate() {
                if let Some(x) = c.aggregate_elem(i as u32) {
                    init_walk(
                        dl,
                        x,
                        e,
                        base.saturating_add(dl.offset_of(ty, i as u32) as i64),
                        out,
                        budget,
                    );
                }
            }
        }
        LLVMTypeKind::LLVMArrayTypeKind => {
            let e = ty.elem();
            if e.kind() == LLVMTypeKind::LLVMIntegerTypeKind {
                return;
            }
            let step = dl.alloc_size(e) as i64;
            for k in 0..ty.array_len().min(1024) as u32 {
                if let Some(x) = c.aggregate_elem(k) {
                    init_walk(
                        dl,
                        x,
                        e,
                        base.saturating_add((k as i64).saturating_mul(step)),
                        out,
                        budget,
                    );
                }
            }
        }
        _ => {}
    }
}

/// `llvm.memcpy`/`llvm.memmove`: (dest, src).
fn mem_transfer(call: V) -> Option<(V, V)> {
    if !call.isa(LLVMIsACallInst) {
        return None;
    }
    let f = call.called_function()?;
    let name = f.name();
    if name.starts_with("llvm.memcpy") || name.starts_with("llvm.memmove") {
        Some((call.operand(0), call.operand(1)))
    } else {
        None
    }
}

/// Every instruction using a pointer derived from `base` (through casts and
/// GEPs), with the constant offset of that pointer when known. Selects and
/// phis are followed with an unknown offset.
fn derived_uses(dl: &Layout, base: V) -> Vec<(V, Option<i64>)> {
    let mut out = Vec::new();
    let mut work = vec![(base, Some(0i64))];
    let mut seen = HashSet::new();
    while let Some((p, off)) = work.pop() {
        if !seen.insert(p) || seen.len() > 4096 {
            continue;
        }
        for u in p.users() {
            match u.opcode() {
                Some(LLVMOpcode::LLVMBitCast | LLVMOpcode::LLVMAddrSpaceCast) => {
                    work.push((u, off))
                }
                Some(LLVMOpcode::LLVMGetElementPtr) if u.operand(0) == p => {
                    let o = off.and_then(|o| gep_offset(dl, u).and_then(|g| o.checked_add(g)));
                    work.push((u, o));
                }
                Some(LLVMOpcode::LLVMSelect | LLVMOpcode::LLVMPHI) => {
                    out.push((u, None));
                    work.push((u, None));
                }
                _ => out.push((u, off)),
            }
        }
    }
    out
}

// ---- call sites ----------------------------------------------------------------------

/// How the native uses a pointer argument at one call site.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct PtrUse {
    dir: Direction,
    size: SizeSpec,
    handles: bool,
}

/// What one argument of one call site is.
#[derive(Clone, Debug)]
enum Arg {
    /// A module function (one of these).
    Callback(BTreeSet<V>),
    /// A buffer or string of the module.
    Pointer(PtrUse),
    /// A struct holding callbacks at these offsets, with the offsets of its
    /// other pointer fields.
    CallbackStruct {
        ptr: PtrUse,
        callbacks: BTreeMap<i64, BTreeSet<V>>,
        pointers: BTreeSet<i64>,
    },
    /// Null (or a native function): says nothing.
    Null,
    /// A pointer the analysis cannot follow.
    Unknown,
    /// Not a pointer.
    Value,
}

/// Reachability between the blocks of one function, and instruction
/// positions inside them (both computed on demand).
struct Cfg {
    reach: HashMap<B, HashSet<B>>,
    pos: HashMap<V, usize>,
    indexed: HashSet<B>,
}

impl Cfg {
    fn new() -> Cfg {
        Cfg {
            reach: HashMap::new(),
            pos: HashMap::new(),
            indexed: HashSet::new(),
        }
    }
    /// Blocks reachable from `b` through at least one edge.
    fn from(&mut self, b: B) -> &HashSet<B> {
        self.reach.entry(b).or_insert_with(|| {
            let mut seen = HashSet::new();
            let mut work = b.successors();
            while let Some(x) = work.pop() {
                if seen.insert(x) {
                    work.extend(x.successors());
                }
            }
            seen
        })
    }

    /// Position of an instruction inside its block.
    fn index_in_block(&mut self, i: V) -> usize {
        let b = i.parent();
        if self.indexed.insert(b) {
            for (k, x) in b.instructions().into_iter().enumerate() {
                self.pos.insert(x, k);
            }
        }
        self.pos.get(&i).copied().unwrap_or(0)
    }
}

/// Whether the module may read / write the object `base` points to before
/// and after the call `call`.
fn accesses(dl: &Layout, cfg: &mut Cfg, base: V, call: V) -> (bool, bool, bool) {
    let cb = call.parent();
    let ci = cfg.index_in_block(call);
    let mut written_before = false;
    let mut read_after = false;
    let mut pointer_load_after = false;
    // Where `call` receives the object. Another call of the same native
    // receiving it in the same place (an unrolled loop of `xQueueReceive`)
    // is no evidence that the native reads or that the module uses it.
    let places = |c: V| -> Vec<u32> {
        (0..c.num_args())
            .filter(|&k| derived_from(dl, c.operand(k), base))
            .collect()
    };
    let callee = call.called_function();
    let own = places(call);
    for (u, _) in derived_uses(dl, base) {
        if u == call {
            continue;
        }
        if u.isa(LLVMIsACallInst) && u.called_function() == callee && places(u) == own {
            continue;
        }
        if !u.isa(LLVMIsAInstruction) {
            // A constant expression over a global: anyone may use it.
            written_before = true;
            read_after = true;
            continue;
        }
        let ub = u.parent();
        let (before, after) = if ub == cb {
            let ui = cfg.index_in_block(u);
            let in_loop = cfg.from(cb).contains(&cb);
            (ui < ci || in_loop, ui > ci || in_loop)
        } else {
            (cfg.from(ub).contains(&cb), cfg.from(cb).contains(&ub))
        };
        let (reads, writes) = if u.isa(LLVMIsALoadInst) {
            (true, false)
        } else if u.isa(LLVMIsAStoreInst) {
            if derived_from(dl, u.operand(0), base) {
                // The address itself is stored somewhere: anyone may use it.
                (true, true)
            } else {
                (false, true)
            }
        } else if u.isa(LLVMIsACallInst) {
            match u.called_function().map(|f| f.name()) {
                // Freeing a block neither reads nor writes what it holds.
                Some(n)
                    if n.starts_with("llvm.lifetime")
                        || matches!(n.as_str(), "free" | "vPortFree" | "heap_caps_free") =>
                {
                    (false, false)
                }
                Some(n) if n.starts_with("llvm.memset") => (false, true),
                Some(n) if n.starts_with("llvm.memcpy") || n.starts_with("llvm.memmove") => {
                    let dst = derived_from(dl, u.operand(0), base);
                    let src = derived_from(dl, u.operand(1), base);
                    (src, dst)
                }
                _ => (true, true),
            }
        } else {
            (true, true)
        };
        if reads && after {
            read_after = true;
            if u.isa(LLVMIsALoadInst) && u.ty().kind() == LLVMTypeKind::LLVMPointerTypeKind {
                pointer_load_after = true;
            }
        }
        if writes && before {
            written_before = true;
        }
    }
    (written_before, read_after, pointer_load_after)
}

fn derived_from(dl: &Layout, p: V, base: V) -> bool {
    base_offset(dl, p).is_some_and(|(b, _)| b == base)
}

/// Classifies argument `a` of the import call `call`.
fn classify(dl: &Layout, cfg: &mut Cfg, call: V, a: V) -> Arg {
    classify_at(dl, cfg, call, a, 0)
}

/// Wrappers may nest; beyond this depth a parameter stays unknown.
const MAX_WRAPPER_DEPTH: u32 = 4;

/// A wrapper's pointer parameter: what every caller passes, merged.
fn through_callers(dl: &Layout, v: V, depth: u32) -> Arg {
    if depth >= MAX_WRAPPER_DEPTH {
        return Arg::Unknown;
    }
    // Fewer callers are followed the deeper the wrappers nest, so hostile
    // input cannot make the work explode (64 * 16 * 4 * 4 sites at most).
    let max_callers = [64, 16, 4, 4][depth as usize];
    let Some(callers) = callers_of_param(v, max_callers) else {
        return Arg::Unknown;
    };
    let mut uses: Vec<PtrUse> = Vec::new();
    let mut only: Option<Arg> = None;
    let n = callers.len();
    for (c, i) in callers {
        let mut cfg = Cfg::new();
        match classify_at(dl, &mut cfg, c, c.operand(i), depth + 1) {
            Arg::Null => {}
            Arg::Pointer(u) => uses.push(u),
            // A struct with callbacks is passed on only from a single caller:
            // merging the callbacks of several is not worth the risk.
            a @ Arg::CallbackStruct { .. } if n == 1 => only = Some(a),
            _ => return Arg::Unknown,
        }
    }
    if let Some(a) = only {
        return a;
    }
    let Some(first) = uses.first().copied() else {
        return Arg::Null;
    };
    let bits = uses.iter().fold(0u8, |b, u| b | u.dir as u8);
    let mut dir = match bits {
        1 => Direction::In,
        2 => Direction::Out,
        _ => Direction::InOut,
    };
    let consts: BTreeSet<u32> = uses
        .iter()
        .filter_map(|u| match u.size {
            SizeSpec::Const(n) => Some(n),
            _ => None,
        })
        .collect();
    let strs = uses.iter().filter(|u| u.size == SizeSpec::StrLen).count();
    let size = if strs == uses.len() {
        SizeSpec::StrLen
    } else if consts.len() + strs < 1 || strs > 0 && dir != Direction::In {
        return Arg::Unknown;
    } else if strs > 0 {
        SizeSpec::StrLen
    } else {
        if consts.len() > 1 && dir == Direction::Out {
            // Callers pass objects of different sizes: copy the larger in
            // too, so bytes the native leaves alone keep their values.
            dir = Direction::InOut;
        }
        SizeSpec::Const(*consts.iter().next_back().unwrap_or(&0))
    };
    Arg::Pointer(PtrUse {
        dir,
        size,
        handles: uses.iter().all(|u| u.handles) && first.handles,
    })
}

fn classify_at(dl: &Layout, cfg: &mut Cfg, call: V, a: V, depth: u32) -> Arg {
    if a.ty().kind() != LLVMTypeKind::LLVMPointerTypeKind {
        return Arg::Value;
    }
    if let Some(funcs) = trace_funcs(dl, a, &mut HashSet::new()) {
        return if funcs.is_empty() {
            Arg::Null
        } else {
            Arg::Callback(funcs)
        };
    }
    let Some((base, off)) = base_offset(dl, a) else {
        return through_callers(dl, strip(a), depth);
    };
    let total = if base.isa(LLVMIsAAllocaInst) {
        match base.operand(0).const_int() {
            Some(n) if n >= 0 => dl
                .alloc_size(base.allocated_type())
                .saturating_mul(n as u64),
            _ => return Arg::Unknown,
        }
    } else if base.isa(LLVMIsAGlobalVariable) {
        dl.alloc_size(base.global_type())
    } else {
        match heap_block_size(base) {
            Some(n) => n,
            None => return Arg::Unknown,
        }
    };
    if off < 0 || off as u64 >= total || total > u32::MAX as u64 {
        return Arg::Unknown;
    }
    let size = (total - off as u64) as u32;
    let is_global = base.isa(LLVMIsAGlobalVariable);
    if is_global && base.is_constant_global() {
        if let Some(bytes) = base.initializer().and_then(|i| i.string_bytes()) {
            if bytes.get(off as usize..).is_some_and(|b| b.contains(&0)) {
                return Arg::Pointer(PtrUse {
                    dir: Direction::In,
                    size: SizeSpec::StrLen,
                    handles: false,
                });
            }
        }
    }
    // A global may be read and written by any function (and by callbacks
    // the native runs), so only its constness tells a direction.
    let (dir, pointer_load_after) = if is_global {
        if base.is_constant_global() {
            (Direction::In, false)
        } else {
            (Direction::InOut, false)
        }
    } else {
        let (wb, ra, pla) = accesses(dl, cfg, base, call);
        let dir = match (wb, ra) {
            (true, true) => Direction::InOut,
            (true, false) => Direction::In,
            _ => Direction::Out,
        };
        (dir, pla)
    };
    let fields = object_fields(dl, base, &mut HashSet::new());
    let mut callbacks = BTreeMap::new();
    let mut pointers = BTreeSet::new();
    for (&o, f) in fields.range(off..) {
        let rel = o - off;
        if rel + 4 > size as i64 {
            continue;
        }
        match &f.funcs {
            Some(s) if !s.is_empty() && dir != Direction::Out => {
                callbacks.insert(rel, s.clone());
            }
            _ if f.pointer => {
                pointers.insert(rel);
            }
            _ => {}
        }
    }
    // A native that fills in a pointer-sized variable (`foo_create(&handle)`,
    // often with the variable set to NULL first; a local the module reads
    // back, or a global pointer variable) is handing out a handle: it writes
    // a native pointer, which the module must hold as a native reference.
    let handles = dir != Direction::In
        && size == 4
        && (fields.get(&off).is_some_and(|f| f.pointer) || pointer_load_after);
    let ptr = PtrUse {
        dir,
        size: SizeSpec::Const(size),
        handles,
    };
    if callbacks.is_empty() {
        Arg::Pointer(ptr)
    } else {
        Arg::CallbackStruct {
            ptr,
            callbacks,
            pointers,
        }
    }
}

// ---- merging call sites ------------------------------------------------------------

#[derive(Default)]
struct PtrAcc {
    dir_bits: u8,
    consts: BTreeSet<u32>,
    strlen: bool,
    handles_all: bool,
    handles_any: bool,
    sites: u32,
}

#[derive(Default)]
struct CbAcc {
    funcs: BTreeSet<V>,
    user_data: Vec<ArgPlace>,
}

#[derive(Default)]
struct SiteAcc {
    sites: u32,
    ptrs: BTreeMap<u32, PtrAcc>,
    cbs: BTreeMap<(u32, Option<u32>), CbAcc>,
}

fn place_of(k: &(u32, Option<u32>)) -> ArgPlace {
    match k.1 {
        None => ArgPlace::Param(k.0),
        Some(offset) => ArgPlace::Field { param: k.0, offset },
    }
}

fn record_ptr(acc: &mut SiteAcc, param: u32, u: PtrUse) {
    let p = acc.ptrs.entry(param).or_default();
    if p.sites == 0 {
        p.handles_all = true;
    }
    p.sites += 1;
    p.dir_bits |= u.dir as u8;
    match u.size {
        SizeSpec::Const(n) => {
            p.consts.insert(n);
        }
        SizeSpec::StrLen => p.strlen = true,
        SizeSpec::Param { .. } => {}
    }
    p.handles_all &= u.handles;
    p.handles_any |= u.handles;
}

/// Records one call site of an import: its arguments mapped to the import's
/// (flattened) parameters.
fn record_site(acc: &mut SiteAcc, args: &[(u32, Arg)]) {
    acc.sites += 1;
    // User data: the next pointer argument after a callback that is neither
    // a callback, a string nor a buffer the native fills in.
    let uds: Vec<Option<u32>> = (0..args.len())
        .map(|i| {
            if !matches!(args[i].1, Arg::Callback(_)) {
                return None;
            }
            args[i + 1..].iter().find_map(|(p, a)| match a {
                Arg::Callback(_) | Arg::Value => None,
                Arg::Pointer(u) if u.size == SizeSpec::StrLen || u.dir == Direction::Out => None,
                Arg::Pointer(_) | Arg::CallbackStruct { .. } | Arg::Null | Arg::Unknown => Some(*p),
            })
        })
        .collect();
    let site_uds: Vec<u32> = uds.iter().flatten().copied().collect();
    for (i, (param, arg)) in args.iter().enumerate() {
        match arg {
            Arg::Callback(funcs) => {
                let ud = uds[i];
                let c = acc.cbs.entry((*param, None)).or_default();
                c.funcs.extend(funcs.iter().copied());
                if let Some(ud) = ud {
                    c.user_data.push(ArgPlace::Param(ud));
                }
            }
            // This site's user data travels as a value, not as a buffer.
            Arg::Pointer(_) | Arg::CallbackStruct { .. } if site_uds.contains(param) => {}
            Arg::Pointer(u) => record_ptr(acc, *param, *u),
            Arg::CallbackStruct {
                ptr,
                callbacks,
                pointers,
            } => {
                record_ptr(acc, *param, *ptr);
                for (&off, funcs) in callbacks {
                    let c = acc.cbs.entry((*param, Some(off as u32))).or_default();
                    c.funcs.extend(funcs.iter().copied());
                    // The field right after the callback, if it holds a pointer.
                    if pointers.contains(&(off + 4)) {
                        c.user_data.push(ArgPlace::Field {
                            param: *param,
                            offset: off as u32 + 4,
                        });
                    }
                }
            }
            Arg::Null | Arg::Unknown | Arg::Value => {}
        }
    }
}

// ---- putting it together -------------------------------------------------------------

/// What the analysis concluded for one import.
struct Analysed {
    callbacks: Vec<(ArgPlace, Option<FuncType>, Option<ArgPlace>)>,
    pointers: Vec<(u32, PtrUse)>,
    notes: Vec<String>,
}

fn describe(v: &BTreeSet<V>) -> String {
    v.iter()
        .map(|f| format!("`{}`", f.name()))
        .collect::<Vec<_>>()
        .join(", ")
}

fn conclude(acc: &SiteAcc, func_ty: &dyn Fn(V) -> Option<FuncType>) -> Analysed {
    let mut notes = Vec::new();
    let mut callbacks = Vec::new();
    let mut value_params: BTreeSet<u32> = BTreeSet::new();
    for (k, c) in &acc.cbs {
        let place = place_of(k);
        let mut sigs: Vec<(FuncType, V)> = Vec::new();
        for &f in &c.funcs {
            match func_ty(f) {
                Some(t) if !sigs.iter().any(|(s, _)| *s == t) => sigs.push((t, f)),
                Some(_) => {}
                None => notes.push(format!(
                    "{}: `{}` is variadic or has no signature and cannot be a C callback",
                    place_text(place),
                    f.name()
                )),
            }
        }
        if sigs.len() > 1 {
            notes.push(format!(
                "{}: the module passes functions of different signatures ({}); using the first, \
                 add a `cb` hint to choose",
                place_text(place),
                describe(&c.funcs)
            ));
        }
        let mut uds: Vec<ArgPlace> = Vec::new();
        for u in &c.user_data {
            if !uds.contains(u) {
                uds.push(*u);
            }
        }
        if uds.len() > 1 {
            notes.push(format!(
                "{}: call sites disagree on its user data ({}); using {}",
                place_text(place),
                uds.iter()
                    .map(|p| place_text(*p))
                    .collect::<Vec<_>>()
                    .join(", "),
                place_text(uds[0])
            ));
        }
        let ud = uds.first().copied();
        // Only callbacks passed as the argument itself make an argument a
        // value; a struct's fields leave the struct a buffer.
        if let ArgPlace::Param(i) = place {
            value_params.insert(i);
            if let Some(ArgPlace::Param(u)) = ud {
                value_params.insert(u);
            }
        }
        callbacks.push((place, sigs.first().map(|s| s.0.clone()), ud));
    }
    let mut pointers = Vec::new();
    for (&param, p) in &acc.ptrs {
        if value_params.contains(&param) {
            notes.push(format!(
                "argument {param} is a callback or user data at some call sites and a buffer at others; \
                 treated as the callback or user data"
            ));
            continue;
        }
        let mut dir = match p.dir_bits {
            1 => Direction::In,
            2 => Direction::Out,
            _ => Direction::InOut,
        };
        let max = p.consts.iter().next_back().copied();
        let size = match (p.strlen, max) {
            (true, None) => SizeSpec::StrLen,
            (false, Some(m)) => {
                if p.consts.len() > 1 && dir == Direction::Out {
                    // A larger buffer than a site passes: copy its bytes in
                    // too, so the ones the native leaves alone keep their values.
                    dir = Direction::InOut;
                    notes.push(format!(
                        "argument {param}: call sites pass {} bytes; using {m}, in-out",
                        p.consts
                            .iter()
                            .map(|c| c.to_string())
                            .collect::<Vec<_>>()
                            .join("/")
                    ));
                }
                SizeSpec::Const(m)
            }
            (true, Some(m)) if dir == Direction::In => {
                notes.push(format!(
                    "argument {param}: string literals at some call sites, a {m}-byte buffer at others; \
                     treated as a string"
                ));
                SizeSpec::StrLen
            }
            (true, Some(m)) => {
                notes.push(format!(
                    "argument {param}: string literals at some call sites, a written {m}-byte buffer at others; \
                     using {m} bytes"
                ));
                SizeSpec::Const(m)
            }
            (false, None) => continue,
        };
        if p.handles_any && !p.handles_all {
            notes.push(format!(
                "argument {param}: a native handle at some call sites only; not marshalled as a handle"
            ));
        }
        let handles = p.handles_all && matches!(size, SizeSpec::Const(4));
        pointers.push((param, PtrUse { dir, size, handles }));
    }
    Analysed {
        callbacks,
        pointers,
        notes,
    }
}

fn place_text(p: ArgPlace) -> String {
    match p {
        ArgPlace::Param(i) => format!("argument {i}"),
        ArgPlace::Field { param, offset } => format!("field {param}.{offset}"),
    }
}

/// What the FFI pass reports.
pub struct FfiResult {
    pub imports: Vec<ImportFfi>,
    /// User hint entries naming a function the module does not import.
    pub unused_user_hints: Vec<(String, FfiSource)>,
}

/// Functions the runtime serves from the module heap (docs/abi.md): the
/// pointers they take are heap blocks, never buffers for a native.
const MODULE_HEAP: &[&str] = &[
    "free",
    "realloc",
    "vPortFree",
    "heap_caps_free",
    "heap_caps_realloc",
];

/// Options of the FFI pass (a view of the translator's `Options`).
pub struct FfiOptions<'a> {
    pub analysis: bool,
    pub bundled_hints: bool,
    pub user_hints: &'a [(String, String)],
}

/// Analyses the import calls of `llvm`, merges hints, and fills the module's
/// `callbacks`/`pointers`. Returns the per-import report, or the hint
/// problems found.
pub fn run(
    llvm: &inkwell::module::Module<'_>,
    module: &mut Module<'static>,
    opts: &FfiOptions<'_>,
) -> Result<FfiResult, Vec<Diagnostic>> {
    let mut diags = Vec::new();
    let hints = load_hints(opts.user_hints, opts.bundled_hints, &mut diags);
    let by_name: HashMap<String, u32> = module
        .imports
        .iter()
        .enumerate()
        .map(|(i, imp)| (imp.name.to_string(), i as u32))
        .collect();
    let mut sites: HashMap<u32, SiteAcc> = HashMap::new();
    // SAFETY: the module is alive for this whole call; its datalayout is owned by it.
    let dl = Layout(unsafe { LLVMGetModuleDataLayout(llvm.as_mut_ptr()) });
    let mut funcs = Vec::new();
    // SAFETY: iterating the live module's function list.
    unsafe {
        let mut f = LLVMGetFirstFunction(llvm.as_mut_ptr());
        while !f.is_null() {
            funcs.push(V(f));
            f = LLVMGetNextFunction(f);
        }
    }
    if opts.analysis {
        for &f in &funcs {
            if f.is_declaration() {
                continue;
            }
            let mut cfg = Cfg::new();
            // SAFETY: iterating the blocks of a defined function.
            let mut blocks = Vec::new();
            unsafe {
                let mut b = LLVMGetFirstBasicBlock(f.0);
                while !b.is_null() {
                    blocks.push(B(b));
                    b = LLVMGetNextBasicBlock(b);
                }
            }
            for b in blocks {
                for call in b.instructions() {
                    if !call.isa(LLVMIsACallInst) {
                        continue;
                    }
                    let Some(callee) = call.called_function() else {
                        continue;
                    };
                    if !callee.is_declaration() {
                        continue;
                    }
                    let Some(&imp) = by_name.get(&callee.name()) else {
                        continue;
                    };
                    if MODULE_HEAP.contains(&callee.name().as_str()) {
                        continue;
                    }
                    let fty = callee.global_type();
                    let fixed = fty.params();
                    let mut args = Vec::new();
                    let mut param = 0u32;
                    for (k, t) in fixed.iter().enumerate() {
                        if k as u32 >= call.num_args() {
                            break;
                        }
                        let arg = classify(&dl, &mut cfg, call, call.operand(k as u32));
                        args.push((param, arg));
                        param += leaf_count(*t);
                    }
                    record_site(sites.entry(imp).or_default(), &args);
                }
            }
        }
    }
    // Callback signatures: the module function's own type.
    let func_types: HashMap<String, FuncType> = module
        .names
        .iter()
        .filter_map(|(i, n)| Some((n.to_string(), module.func_type(*i)?.clone())))
        .collect();
    let func_ty =
        |f: V| -> Option<FuncType> { func_types.get(&f.name()).filter(|t| !t.variadic).cloned() };

    let mut report = Vec::new();
    let mut callbacks = Vec::new();
    let mut pointers = Vec::new();
    let mut new_types: Vec<FuncType> = Vec::new();
    for (idx, imp) in module.imports.iter().enumerate() {
        let idx = idx as u32;
        let Some(sig) = module.types.get(imp.ty as usize).cloned() else {
            continue;
        };
        let empty = SiteAcc::default();
        let acc = sites.get(&idx).unwrap_or(&empty);
        let analysed = conclude(acc, &func_ty);
        let mut r = ImportFfi {
            import: idx,
            name: imp.name.to_string(),
            signature: sig.clone(),
            fast: None,
            call_sites: acc.sites,
            callbacks: Vec::new(),
            pointers: Vec::new(),
            notes: analysed.notes.clone(),
        };
        // An unprototyped declaration (`int printf();`, K&R C) names no
        // parameters for a bundled entry to describe: the analysis of the
        // call sites stands alone. A user entry still applies (and is
        // checked) as written.
        let unprototyped = sig.variadic && sig.params.is_empty();
        let entry = hints
            .get(&*imp.name)
            .filter(|e| !(e.bundled && unprototyped));
        if let Some(e) = entry {
            if let Err(msg) = e.hints.check(&imp.name, &sig) {
                diags.push(
                    Diagnostic::new(if e.bundled {
                        // The script declares the native differently from the
                        // SDK the bundled entry was written for.
                        format!(
                            "bundled hint: {msg} (the module declares `{}` as {}; replace the entry \
                             with one of your own in a hints file)",
                            imp.name,
                            sig_text(&sig)
                        )
                    } else {
                        format!("user hint: {msg}")
                    })
                    .at(Some((e.file.clone(), e.hints.line as u32))),
                );
                continue;
            }
        }
        let errors = merge(&mut r, &analysed, entry);
        if let Some(e) = entry.filter(|_| !errors.is_empty()) {
            for msg in errors {
                diags.push(
                    Diagnostic::new(format!(
                        "{} hint: hint for `{}` (line {}): {msg}",
                        if e.bundled { "bundled" } else { "user" },
                        imp.name,
                        e.hints.line
                    ))
                    .at(Some((e.file.clone(), e.hints.line as u32))),
                );
            }
            continue;
        }
        finish(&mut r, &sig);
        for c in r.callbacks.iter().filter(|c| c.emitted) {
            let Some(t) = c.signature.clone() else {
                continue;
            };
            let ty = match module
                .types
                .iter()
                .chain(new_types.iter())
                .position(|x| *x == t)
            {
                Some(i) => i as u32,
                None => {
                    new_types.push(t);
                    (module.types.len() + new_types.len() - 1) as u32
                }
            };
            callbacks.push(CallbackMeta {
                import: idx,
                place: c.place,
                ty,
                user_data: c.user_data,
            });
        }
        for p in r.pointers.iter().filter(|p| p.emitted) {
            let (param, field) = match p.place {
                ArgPlace::Param(param) => (param, None),
                ArgPlace::Field { param, offset } => (param, Some(offset)),
            };
            if let Some(size) = p.size {
                pointers.push(PtrMeta {
                    import: idx,
                    param,
                    field,
                    dir: p.dir,
                    size,
                    handles: p.handles,
                });
            }
        }
        report.push(r);
    }
    if !diags.is_empty() {
        return Err(diags);
    }
    // A user entry for a function the module does not import is most
    // likely a typo; say so rather than ignore it silently.
    let mut unused_user_hints: Vec<(String, FfiSource)> = hints
        .iter()
        .filter(|(name, e)| !e.bundled && !by_name.contains_key(*name))
        .map(|(name, e)| (name.clone(), e.source()))
        .collect();
    unused_user_hints.sort_by(|a, b| a.0.cmp(&b.0));
    module.types.extend(new_types);
    module.callbacks = callbacks;
    module.pointers = pointers;
    Ok(FfiResult {
        imports: report,
        unused_user_hints,
    })
}

/// Merges the analysis with the hint entry for the import: the entry decides
/// every argument it mentions; the analysis keeps the arguments it does not.
fn merge(r: &mut ImportFfi, a: &Analysed, entry: Option<&Entry>) -> Vec<String> {
    let mut mentioned: BTreeSet<u32> = BTreeSet::new();
    if let Some(e) = entry {
        let src = e.source();
        for c in &e.hints.callbacks {
            mentioned.insert(param_of(c.place));
            if let Some(u) = c.user_data {
                mentioned.insert(param_of(u));
            }
            let found = a.callbacks.iter().find(|x| x.0 == c.place);
            let from_analysis = found.and_then(|x| x.1.clone());
            let analysis_ud = found
                .and_then(|x| x.2)
                .filter(|u| !e.hints.mentions(param_of(*u)));
            let (user_data, user_data_source) = match (c.user_data, analysis_ud) {
                (Some(u), _) => (Some(u), Some(src.clone())),
                (None, Some(u)) => (Some(u), Some(FfiSource::Analysis)),
                (None, None) => (None, None),
            };
            let (signature, signature_source) = match (&c.signature, from_analysis) {
                (Some(s), found) => {
                    if let Some(f) = found.filter(|f| f != s) {
                        r.notes.push(format!(
                            "{}: the hint says {} but the module passes a function of type {}",
                            place_text(c.place),
                            sig_text(s),
                            sig_text(&f)
                        ));
                    }
                    (Some(s.clone()), Some(src.clone()))
                }
                (None, Some(f)) => (Some(f), Some(FfiSource::Analysis)),
                (None, None) => (None, None),
            };
            r.callbacks.push(CallbackItem {
                place: c.place,
                signature,
                user_data,
                source: src.clone(),
                signature_source,
                user_data_source,
                emitted: false,
            });
        }
        for p in &e.hints.pointers {
            mentioned.insert(param_of(p.place));
            let from_analysis = match p.place {
                ArgPlace::Param(i) => a.pointers.iter().find(|x| x.0 == i).map(|x| x.1.size),
                ArgPlace::Field { .. } => None,
            };
            let (size, size_source) = match (p.size, from_analysis) {
                (Some(s), _) => (Some(s), Some(src.clone())),
                (None, Some(s)) => (Some(s), Some(FfiSource::Analysis)),
                (None, None) => (None, None),
            };
            r.pointers.push(PointerItem {
                place: p.place,
                dir: p.dir,
                size,
                handles: p.handle,
                source: src.clone(),
                size_source,
                emitted: false,
            });
        }
    }
    let mut errors = Vec::new();
    for (place, sig, ud) in &a.callbacks {
        let opaque = entry.is_some_and(|e| {
            e.hints
                .pointers
                .iter()
                .any(|p| p.opaque && param_of(p.place) == param_of(*place))
        });
        if opaque && matches!(place, ArgPlace::Field { .. }) {
            // Bytes the native only moves: the reference stays the module's.
            continue;
        }
        if mentioned.contains(&param_of(*place)) {
            let covered =
                entry.is_some_and(|e| e.hints.callbacks.iter().any(|c| c.place == *place));
            if !covered {
                // A module function left in a struct the native reads would
                // be called as a C function pointer: refuse. As an argument
                // itself, the runtime traps cleanly instead; note it.
                let msg = format!(
                    "the module passes a function at {} but the hint describes argument {} without `cb {}`",
                    place_text(*place),
                    param_of(*place),
                    place_hint(*place)
                );
                if matches!(place, ArgPlace::Field { .. }) {
                    errors.push(msg);
                } else {
                    r.notes.push(msg);
                }
            }
            continue;
        }
        let ud = match ud {
            Some(u) if mentioned.contains(&param_of(*u)) => {
                r.notes.push(format!(
                    "{}: its user data {} is described by the hint instead",
                    place_text(*place),
                    place_text(*u)
                ));
                None
            }
            u => *u,
        };
        r.callbacks.push(CallbackItem {
            place: *place,
            signature: sig.clone(),
            user_data: ud,
            source: FfiSource::Analysis,
            signature_source: sig.as_ref().map(|_| FfiSource::Analysis),
            user_data_source: ud.map(|_| FfiSource::Analysis),
            emitted: false,
        });
    }
    let inherited: BTreeSet<u32> = r
        .callbacks
        .iter()
        .filter(|c| c.source != FfiSource::Analysis)
        .filter(|c| c.user_data_source == Some(FfiSource::Analysis))
        .filter_map(|c| match c.user_data {
            Some(ArgPlace::Param(i)) => Some(i),
            _ => None,
        })
        .collect();
    for (param, u) in &a.pointers {
        if mentioned.contains(param) || inherited.contains(param) {
            continue;
        }
        r.pointers.push(PointerItem {
            place: ArgPlace::Param(*param),
            dir: u.dir,
            size: Some(u.size),
            handles: u.handles,
            source: FfiSource::Analysis,
            size_source: Some(FfiSource::Analysis),
            emitted: false,
        });
    }
    errors
}

fn param_of(p: ArgPlace) -> u32 {
    match p {
        ArgPlace::Param(i) => i,
        ArgPlace::Field { param, .. } => param,
    }
}

fn sig_text(t: &FuncType) -> String {
    let p: Vec<&str> = t.params.iter().map(|v| v.name()).collect();
    match t.result {
        Some(r) => format!("({}) -> {}", p.join(", "), r.name()),
        None => format!("({})", p.join(", ")),
    }
}

/// Decides which items can be emitted (what the validator and the runtime
/// accept) and notes the others.
fn finish(r: &mut ImportFfi, sig: &FuncType) {
    let is_ptr = |i: u32| sig.params.get(i as usize) == Some(&ValType::Ptr);
    let is_int = |i: u32| {
        matches!(
            sig.params.get(i as usize),
            Some(ValType::I32 | ValType::I64)
        )
    };
    for p in &mut r.pointers {
        match (p.place, p.size) {
            // Decided below, once the struct arguments themselves are known.
            (ArgPlace::Field { .. }, _) => {}
            (ArgPlace::Param(i), None) => r.notes.push(format!(
                "argument {i} ({}): no size known (no `size` in the hint and no call site tells it); \
                 a module pointer passed there will trap",
                p.source
            )),
            (ArgPlace::Param(i), Some(size)) => {
                let size_ok = match size {
                    SizeSpec::Param { param, .. } => is_int(param),
                    _ => true,
                };
                p.emitted = is_ptr(i) && size_ok;
            }
        }
    }
    let struct_size = |param: u32, ptrs: &[PointerItem]| {
        ptrs.iter()
            .find(|p| p.emitted && p.place == ArgPlace::Param(param))
            .and_then(|p| match p.size {
                Some(SizeSpec::Const(n)) => Some(n),
                _ => None,
            })
    };
    let ptrs = r.pointers.clone();
    // A pointer field inside a struct argument is marshalled with the struct:
    // the struct must be a described constant-size buffer holding the field.
    for p in &mut r.pointers {
        let ArgPlace::Field { param, offset } = p.place else {
            continue;
        };
        let inside = is_ptr(param)
            && offset % 4 == 0
            && struct_size(param, &ptrs).is_some_and(|n| offset.saturating_add(4) <= n);
        match p.size {
            Some(SizeSpec::Const(_) | SizeSpec::StrLen) if inside => p.emitted = true,
            _ => r.notes.push(format!(
                "field {param}.{offset} ({}): not emitted: a pointer field needs a constant or strlen \
                 size and its struct described as a constant-size buffer holding it",
                p.source
            )),
        }
    }
    for c in &mut r.callbacks {
        let place_ok = |p: ArgPlace| match p {
            ArgPlace::Param(i) => is_ptr(i),
            ArgPlace::Field { param, offset } => {
                is_ptr(param)
                    && offset % 4 == 0
                    && struct_size(param, &ptrs).is_some_and(|n| offset.saturating_add(4) <= n)
            }
        };
        if c.signature.is_none() {
            r.notes.push(format!(
                "{} ({}): callback signature unknown (no module function passed there and none in the \
                 hint); add `cb N (types) -> type`",
                place_text(c.place),
                c.source
            ));
            continue;
        }
        if !place_ok(c.place) {
            r.notes.push(format!(
                "{} ({}): not emitted: a callback in a struct needs the struct described as a \
                 constant-size buffer",
                place_text(c.place),
                c.source
            ));
            continue;
        }
        if let Some(u) = c.user_data {
            if !place_ok(u) {
                r.notes.push(format!(
                    "{}: user data {} dropped (not a pointer inside the described arguments)",
                    place_text(c.place),
                    place_text(u)
                ));
                c.user_data = None;
            }
        }
        c.emitted = true;
    }
}
