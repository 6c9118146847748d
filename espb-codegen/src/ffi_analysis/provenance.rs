//! Pointer provenance: what object (local, global, constant, heap block) a
//! pointer designates and at which offset, which module functions a value
//! can be, and the fields of an object that hold function pointers.

use super::*;

/// Strips no-op casts.
pub(super) fn strip(mut v: V) -> V {
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
pub(super) fn base_offset(dl: &Layout, v: V) -> Option<(V, i64)> {
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
pub(super) fn heap_block_size(v: V) -> Option<u64> {
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
pub(super) fn gep_offset(dl: &Layout, g: V) -> Option<i64> {
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
pub(super) fn trace_funcs(dl: &Layout, v: V, seen: &mut HashSet<V>) -> Option<BTreeSet<V>> {
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
pub(super) fn callers_of_param(v: V, max_callers: usize) -> Option<Vec<(V, u32)>> {
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
pub(super) struct Field {
    /// The module functions stored there (`None`: something unknown too).
    pub(super) funcs: Option<BTreeSet<V>>,
    /// A pointer is stored there (or the type says so).
    pub(super) pointer: bool,
}

/// The pointer fields of an alloca, global or heap block: from its type, its
/// initializer, the stores into it and `memcpy` from constant globals into it.
pub(super) fn object_fields(dl: &Layout, base: V, seen: &mut HashSet<V>) -> BTreeMap<i64, Field> {
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
pub(super) fn init_pointers(
    dl: &Layout,
    c: V,
    ty: T,
    base: i64,
) -> Vec<(i64, Option<BTreeSet<V>>)> {
    let mut out = Vec::new();
    init_walk(dl, c, ty, base, &mut out, &mut 4096);
    out
}

pub(super) fn init_walk(
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
pub(super) fn mem_transfer(call: V) -> Option<(V, V)> {
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
pub(super) fn derived_uses(dl: &Layout, base: V) -> Vec<(V, Option<i64>)> {
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
