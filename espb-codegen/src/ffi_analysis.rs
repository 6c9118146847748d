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

mod call_sites;
mod llvm_view;
mod provenance;
use call_sites::*;
use llvm_view::*;
use provenance::*;

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
