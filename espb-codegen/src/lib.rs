//! espb-codegen: LLVM bitcode (32-bit little-endian, e.g. riscv32) to an
//! `espb_format::Module`.
//!
//! Pipeline, one file per pass: [`prepass`] (LLVM simplification passes) →
//! [`globals`] (data layout) → [`lower`] + [`intrinsics`] (LLVM → virtual
//! register IR, [`ir`]) → [`dce`] → [`regalloc`] (liveness, colouring,
//! spilling, call windows) → [`emit`] (bytes, line tables).

use std::borrow::Cow;

use espb_format::{func_flags, Export, FuncLines, Function, LineTables, MemoryReq, Module};
use inkwell::context::Context;

mod asm;
mod atomic_libcalls;
mod consts;
mod cse;
mod ctx;
mod dce;
mod diag;
mod emit;
mod ffi_analysis;
mod fuse;
mod globals;
pub mod hints;
mod input;
mod intrinsics;
mod ir;
mod libc_data;
mod liveness;
mod llvm;
mod lower;
mod prepass;
mod regalloc;
mod symbols;
mod types;
mod wide;

pub use diag::{Diagnostic, Diagnostics};
pub use ffi_analysis::{CallbackItem, FfiSource, ImportFfi, PointerItem, BUNDLED_HINTS_PATH};

/// Translation options.
#[derive(Debug, Clone)]
pub struct Options {
    /// Export every non-static function by name (`main`/`app_main` are always exported).
    pub export_all: bool,
    /// Module heap bytes requested from the runtime.
    pub heap_size: u32,
    /// Shadow-stack bytes per task requested from the runtime.
    pub stack_size: u32,
    /// Emit line tables from debug info.
    pub debug_lines: bool,
    /// Run the LLVM simplification passes first (mem2reg/SROA etc.).
    pub prepasses: bool,
    /// With `prepasses`, unroll small loops of optimised (not `-O0`, not
    /// `-Os`) input: fewer dispatched instructions per iteration for some
    /// code growth (see `prepass.rs`).
    pub unroll_loops: bool,
    /// Infer FFI metadata (callbacks, user data, pointer sizes and
    /// directions) from the import call sites.
    pub ffi_analysis: bool,
    /// Apply the bundled `hints/*.hints`.
    pub use_bundled_hints: bool,
    /// User hints files `(path for messages, text)`, applied after the
    /// bundled ones; an entry replaces the bundled entry for its function.
    pub hints: Vec<(String, String)>,
    /// Fast-symbol tables: an import named in one becomes `(table, index)`.
    pub symbol_tables: Vec<espb_format::symtab::SymbolTable>,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            export_all: true,
            heap_size: 256 * 1024,
            stack_size: 64 * 1024,
            debug_lines: true,
            prepasses: true,
            unroll_loops: true,
            ffi_analysis: true,
            use_bundled_hints: true,
            hints: Vec::new(),
            symbol_tables: Vec::new(),
        }
    }
}

/// Per-function translation statistics.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FuncStats {
    pub name: String,
    pub instructions: u32,
    pub registers: u16,
    pub spills: u32,
    pub bytes: u32,
    pub frame_size: u32,
}

/// Per-import statistics: the signature the module calls it with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportStats {
    pub name: String,
    pub signature: String,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Stats {
    pub functions: Vec<FuncStats>,
    pub imports: Vec<ImportStats>,
    /// Per import: its callbacks and pointer metadata and where each came
    /// from (analysis, bundled hints or user hints), and its fast symbol.
    pub ffi: Vec<ImportFfi>,
    /// User hint entries for functions the module does not import (likely
    /// typos): the function name and where the entry is.
    pub unused_user_hints: Vec<(String, FfiSource)>,
}

/// Translates LLVM bitcode into a module.
pub fn translate(bitcode: &[u8], opts: &Options) -> Result<Module<'static>, Diagnostics> {
    translate_with_stats(bitcode, opts).map(|(m, _)| m)
}

/// [`translate`], also returning statistics for tools.
pub fn translate_with_stats(
    bitcode: &[u8],
    opts: &Options,
) -> Result<(Module<'static>, Stats), Diagnostics> {
    let context = Context::create();
    let module = input::parse(&context, bitcode).map_err(Diagnostics::single)?;
    module.verify().map_err(|e| {
        Diagnostics::single(Diagnostic::new(format!(
            "invalid LLVM IR: {}",
            e.to_string().trim()
        )))
    })?;
    let m = llvm::Mod::new(&module);
    if m.pointer_size() != 4 || !m.little_endian() {
        return Err(Diagnostics::single(Diagnostic::new(format!(
            "the bitcode's datalayout `{}` is not 32-bit little-endian; compile for a 32-bit little-endian target \
             such as --target=riscv32-unknown-elf",
            m.datalayout_str()
        ))));
    }
    if m.has_module_asm() {
        return Err(Diagnostics::single(Diagnostic::new(
            "module-level inline assembly is not supported",
        )));
    }
    if opts.prepasses {
        prepass::run(&module, &m, opts.unroll_loops).map_err(|e| {
            Diagnostics::single(Diagnostic::new(format!("LLVM passes failed: {}", e)))
        })?;
    }
    let (mut out, mut stats) = build(m, opts)?;
    let ffi_opts = ffi_analysis::FfiOptions {
        analysis: opts.ffi_analysis,
        bundled_hints: opts.use_bundled_hints,
        user_hints: &opts.hints,
    };
    let ffi = ffi_analysis::run(&module, &mut out, &ffi_opts).map_err(Diagnostics)?;
    let fast = symbols::resolve(&mut out, &opts.symbol_tables).map_err(Diagnostics::single)?;
    stats.ffi = ffi.imports;
    for r in &mut stats.ffi {
        r.fast = fast.get(r.import as usize).cloned().flatten();
    }
    stats.unused_user_hints = ffi.unused_user_hints;
    Ok((out, stats))
}

fn build(m: llvm::Mod, opts: &Options) -> Result<(Module<'static>, Stats), Diagnostics> {
    let mut diags = Vec::new();
    let mut cx = ctx::Ctx::new(m);
    for f in m.functions() {
        if !f.is_declaration() {
            cx.funcs.insert(f, cx.func_list.len() as u32);
            cx.func_list.push(f);
        }
    }
    let mut ctors = Vec::new();
    for g in m.globals() {
        match g.name().as_str() {
            "llvm.global_ctors" => match constructors(&cx, g) {
                Ok(c) => ctors = c,
                Err(e) => diags.push(Diagnostic::new(e)),
            },
            "llvm.global_dtors" if g.initializer().is_some_and(|i| i.ty().array_len() > 0) => diags
                .push(Diagnostic::new(
                    "global destructors are not supported (a module never exits)",
                )),
            _ => {}
        }
    }
    let data = globals::layout(&mut cx, &mut diags);
    let hot = hot_functions(&m);

    let mut functions = Vec::new();
    let mut lines = Vec::new();
    let mut stats = Stats::default();
    for (idx, &fv) in cx.func_list.clone().iter().enumerate() {
        let name = fv.name();
        let sig = match types::signature(&m, fv.global_value_type()) {
            Ok(s) => s,
            Err(e) => {
                // The signature has no position of its own: use the body's first line.
                let loc = fv
                    .blocks()
                    .iter()
                    .flat_map(|b| b.instructions())
                    .find_map(|i| i.debug_loc());
                diags.push(Diagnostic::new(e.0).in_function(&name).at(loc));
                continue;
            }
        };
        let ty = cx.intern_type(sig);
        let lowered = lower::FnLower::new(&mut cx, fv).run();
        let mut f = match lowered {
            Ok(f) => f,
            Err((msg, loc)) => {
                diags.push(Diagnostic::new(msg).in_function(&name).at(loc));
                continue;
            }
        };
        cse::run(&mut f);
        dce::run(&mut f);
        let alloc = match regalloc::allocate(&mut f) {
            Ok(a) => a,
            Err(e) => {
                diags.push(Diagnostic::new(e).in_function(&name));
                continue;
            }
        };
        let out = match emit::emit(&f, &alloc) {
            Ok(o) => o,
            Err(e) => {
                diags.push(Diagnostic::new(e).in_function(&name));
                continue;
            }
        };
        let mut flags = 0;
        if hot.contains(&fv) {
            flags |= func_flags::HOT;
        }
        if !f.has_calls {
            flags |= func_flags::LEAF;
        }
        if f.has_float {
            flags |= func_flags::USES_FLOAT;
        }
        let frame_size = f.frame_size.div_ceil(f.frame_align.max(1)) * f.frame_align.max(1);
        stats.functions.push(FuncStats {
            name: name.clone(),
            instructions: out.instrs,
            registers: out.regs,
            spills: alloc.spills,
            bytes: out.code.len() as u32,
            frame_size,
        });
        if opts.debug_lines && !out.lines.is_empty() {
            lines.push(FuncLines {
                func: idx as u32,
                rows: out.lines,
            });
        }
        functions.push(Function {
            ty,
            flags,
            regs: out.regs,
            frame_size,
            frame_align_log2: f.frame_align.max(1).trailing_zeros() as u8,
            code: Cow::Owned(out.code),
        });
    }
    let mut start = None;
    if !ctors.is_empty() {
        match start_function(&ctors) {
            Ok((f, alloc, out)) => {
                let ty = cx.intern_type(espb_format::FuncType::default());
                start = Some(functions.len() as u32);
                functions.push(Function {
                    ty,
                    flags: 0,
                    regs: out.regs,
                    frame_size: f.frame_size,
                    frame_align_log2: 0,
                    code: Cow::Owned(out.code),
                });
                stats.functions.push(FuncStats {
                    name: START_NAME.into(),
                    instructions: out.instrs,
                    registers: out.regs,
                    spills: alloc.spills,
                    bytes: functions.last().map_or(0, |f| f.code.len() as u32),
                    frame_size: f.frame_size,
                });
            }
            Err(e) => diags.push(Diagnostic::new(e).in_function(START_NAME)),
        }
    }
    if !diags.is_empty() {
        return Err(Diagnostics(diags));
    }

    let mut exports = Vec::new();
    let mut names = Vec::new();
    for (idx, &fv) in cx.func_list.iter().enumerate() {
        let name = fv.name();
        use inkwell::llvm_sys::LLVMLinkage::*;
        let external = !matches!(fv.linkage(), LLVMInternalLinkage | LLVMPrivateLinkage);
        if external && (opts.export_all || name == "main" || name == "app_main") {
            exports.push(Export {
                name: Cow::Owned(name.clone()),
                func: idx as u32,
            });
        }
        names.push((idx as u32, Cow::Owned(name)));
    }
    if let Some(s) = start {
        names.push((s, Cow::Borrowed(START_NAME)));
    }
    for imp in &cx.imports {
        stats.imports.push(ImportStats {
            name: imp.name.to_string(),
            signature: format_sig(&cx.types[imp.ty as usize]),
        });
    }
    let lines = if opts.debug_lines && !lines.is_empty() {
        Some(LineTables {
            files: cx.files.iter().map(|f| Cow::Owned(f.clone())).collect(),
            funcs: lines,
        })
    } else {
        None
    };
    let module = Module {
        types: cx.types.clone(),
        imports: cx.imports.clone(),
        functions,
        data: data.segments,
        memory: MemoryReq {
            data_end: data.data_end,
            heap_size: opts.heap_size,
            stack_size: opts.stack_size,
        },
        exports,
        start,
        callbacks: Vec::new(),
        pointers: Vec::new(),
        symtabs: Vec::new(),
        lines,
        names,
        custom: Vec::new(),
    };
    Ok((module, stats))
}

/// Name of the synthesised start function that runs global constructors.
const START_NAME: &str = "__espb_global_ctors";

/// `llvm.global_ctors` as function indices in priority order.
fn constructors(cx: &ctx::Ctx, g: llvm::Val) -> Result<Vec<u32>, String> {
    let Some(init) = g.initializer() else {
        return Ok(Vec::new());
    };
    if init.ty().kind() != llvm::LLVMTypeKind::LLVMArrayTypeKind {
        return Ok(Vec::new());
    }
    let mut out = Vec::new();
    for k in 0..init.ty().array_len() {
        let e = init
            .aggregate_elem(k as u32)
            .ok_or("malformed llvm.global_ctors")?;
        let prio = e
            .aggregate_elem(0)
            .and_then(|p| p.const_int_words())
            .unwrap_or(65535);
        let f = strip_casts(e.aggregate_elem(1).ok_or("malformed llvm.global_ctors")?);
        let idx = *cx
            .funcs
            .get(&f)
            .ok_or("a global constructor is not defined in the module")?;
        let fty = f.global_value_type();
        if !fty.fn_params().is_empty()
            || fty.fn_ret().kind() != llvm::LLVMTypeKind::LLVMVoidTypeKind
        {
            return Err(format!(
                "global constructor `{}` must be `void (void)`",
                f.name()
            ));
        }
        out.push((prio, k, idx));
    }
    out.sort_unstable();
    Ok(out.into_iter().map(|(_, _, i)| i).collect())
}

/// A function that calls every constructor in order; it becomes the module's start function.
fn start_function(
    ctors: &[u32],
) -> Result<(ir::Func, regalloc::Allocation, emit::Emitted), String> {
    let mut f = ir::Func {
        blocks: vec![ir::Block::new()],
        layout: vec![0],
        nvregs: 0,
        frame_size: 0,
        frame_align: 1,
        has_float: false,
        has_calls: true,
        nparams: 0,
    };
    f.blocks[0]
        .insts
        .push((ir::Inst::Params(Vec::new()), ir::Loc::default()));
    for &c in ctors {
        let call = ir::Inst::Call {
            callee: ir::Callee::Func(c),
            args: Vec::new(),
            ret: None,
        };
        f.blocks[0].insts.push((call, ir::Loc::default()));
    }
    f.blocks[0].term = ir::Term::Ret(None);
    let alloc = regalloc::allocate(&mut f)?;
    let out = emit::emit(&f, &alloc)?;
    Ok((f, alloc, out))
}

fn format_sig(t: &espb_format::FuncType) -> String {
    let mut p: Vec<&str> = t.params.iter().map(|v| v.name()).collect();
    if t.variadic {
        p.push("...");
    }
    match t.result {
        Some(r) => format!("({}) -> {}", p.join(", "), r.name()),
        None => format!("({})", p.join(", ")),
    }
}

/// Functions annotated `espb_jit_hot` (through `llvm.global.annotations`).
fn hot_functions(m: &llvm::Mod) -> Vec<llvm::Val> {
    let mut out = Vec::new();
    for g in m.globals() {
        if g.name() != "llvm.global.annotations" {
            continue;
        }
        let Some(init) = g.initializer() else {
            continue;
        };
        let n = match init.ty().kind() {
            llvm::LLVMTypeKind::LLVMArrayTypeKind => init.ty().array_len(),
            _ => 0,
        };
        for k in 0..n {
            let Some(entry) = init.aggregate_elem(k as u32) else {
                continue;
            };
            let (Some(f), Some(s)) = (entry.aggregate_elem(0), entry.aggregate_elem(1)) else {
                continue;
            };
            let f = strip_casts(f);
            let s = strip_casts(s);
            let text = if s.is_global_var() {
                s.initializer().and_then(|i| i.const_string_bytes())
            } else {
                None
            };
            if let Some(t) = text {
                if t.strip_suffix(&[0]).unwrap_or(&t) == b"espb_jit_hot" && f.is_function() {
                    out.push(f);
                }
            }
        }
    }
    out
}

fn strip_casts(mut v: llvm::Val) -> llvm::Val {
    while v.kind() == llvm::LLVMValueKind::LLVMConstantExprValueKind && v.num_operands() > 0 {
        v = v.operand(0);
    }
    v
}
