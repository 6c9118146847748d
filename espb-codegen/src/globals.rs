//! Placement of global variables in linear memory: initialised data first
//! (from `NULL_GUARD` upwards, each at its alignment), then zero-initialised
//! data as bss up to `data_end`.

use std::borrow::Cow;

use espb_format::{DataSegment, MAX_LINEAR_END, NULL_GUARD};

use crate::consts;
use crate::ctx::Ctx;
use crate::diag::Diagnostic;
use crate::libc_data;
use crate::llvm::{LLVMValueKind, Val};

pub struct Data {
    pub segments: Vec<DataSegment<'static>>,
    pub data_end: u32,
}

fn is_zero_init(init: Val) -> bool {
    use LLVMValueKind::*;
    match init.kind() {
        LLVMConstantAggregateZeroValueKind
        | LLVMConstantPointerNullValueKind
        | LLVMUndefValueValueKind
        | LLVMPoisonValueKind => true,
        LLVMConstantIntValueKind => init.const_int_words() == Some(0),
        LLVMConstantFPValueKind => init.const_fp().to_bits() == 0,
        _ => false,
    }
}

/// Whether a global is LLVM bookkeeping rather than program data.
pub fn is_metadata_global(g: Val) -> bool {
    g.name().starts_with("llvm.")
}

pub fn layout(ctx: &mut Ctx, diags: &mut Vec<Diagnostic>) -> Data {
    let m = ctx.m;
    let mut with_data = Vec::new();
    let mut zero = Vec::new();
    for g in m.globals() {
        if is_metadata_global(g) || g.is_declaration() {
            continue;
        }
        if g.is_thread_local() {
            diags.push(Diagnostic::new(format!(
                "thread-local variable `{}` is not supported",
                g.name()
            )));
            continue;
        }
        match g.initializer() {
            Some(init) if !is_zero_init(init) => with_data.push(g),
            _ => zero.push(g),
        }
    }
    let mut addr: u64 = NULL_GUARD as u64;
    let place = |ctx: &mut Ctx, addr: &mut u64, g: Val| -> u32 {
        let t = g.global_value_type();
        let size = if t.is_sized() { m.alloc_size(t) } else { 0 };
        let align = (g.alignment().max(m.pref_align_global(g)).max(1)) as u64;
        *addr = addr.div_ceil(align) * align;
        let a = (*addr).min(u32::MAX as u64) as u32;
        *addr += size.max(1);
        ctx.globals.insert(g, a);
        a
    };
    let placed: Vec<(Val, u32)> = with_data
        .iter()
        .map(|&g| (g, place(ctx, &mut addr, g)))
        .collect();
    // The C library's data objects the module reads (`_ctype_`, `stdout`
    // through `_impure_ptr`): the translator's own copies.
    let wanted: Vec<Val> = m
        .globals()
        .into_iter()
        .filter(|g| g.is_declaration() && libc_data::provides(&g.name()))
        .collect();
    let mut synthesised: Vec<(u32, Vec<u8>)> = Vec::new();
    if !wanted.is_empty() {
        let needs_reent = wanted.iter().any(|g| g.name().contains("impure_ptr"));
        let reent = if needs_reent {
            addr = addr.div_ceil(8) * 8;
            let a = addr as u32;
            addr += libc_data::reent_size() as u64;
            synthesised.extend(libc_data::image("__espb_reent", a, a).map(|(b, _)| (a, b)));
            a
        } else {
            0
        };
        for g in wanted {
            if let Some((bytes, align)) = libc_data::image(&g.name(), 0, reent) {
                addr = addr.div_ceil(align as u64) * align as u64;
                let a = addr as u32;
                addr += bytes.len() as u64;
                ctx.globals.insert(g, a);
                synthesised.push((a, bytes));
            }
        }
    }
    let init_end = addr;
    for &g in &zero {
        place(ctx, &mut addr, g);
    }
    let data_end = addr.div_ceil(16) * 16;
    if data_end >= MAX_LINEAR_END as u64 / 2 {
        diags.push(Diagnostic::new(format!(
            "global data needs {} bytes, more than linear memory can hold",
            data_end
        )));
        return Data {
            segments: Vec::new(),
            data_end: NULL_GUARD,
        };
    }
    let mut buf = vec![0u8; (init_end - NULL_GUARD as u64) as usize];
    for (g, a) in placed {
        let Some(init) = g.initializer() else {
            continue;
        };
        if let Err(e) = consts::write(ctx, init, &mut buf, (a - NULL_GUARD) as usize) {
            diags.push(Diagnostic::new(format!(
                "initialiser of `{}`: {}",
                g.name(),
                e
            )));
        }
    }
    for (a, bytes) in synthesised {
        let at = (a - NULL_GUARD) as usize;
        buf[at..at + bytes.len()].copy_from_slice(&bytes);
    }
    let mut segments = Vec::new();
    if !buf.is_empty() {
        segments.push(DataSegment {
            addr: NULL_GUARD,
            bytes: Cow::Owned(buf),
        });
    }
    Data {
        segments,
        data_end: data_end as u32,
    }
}
