//! Call sites: each argument of a direct call of an import classified
//! (callback, user data, buffer with direction and size, handle, string),
//! through wrappers, then the sites of one import merged.

use super::*;

/// How the native uses a pointer argument at one call site.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct PtrUse {
    pub(super) dir: Direction,
    pub(super) size: SizeSpec,
    pub(super) handles: bool,
}

/// What one argument of one call site is.
#[derive(Clone, Debug)]
pub(super) enum Arg {
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
pub(super) struct Cfg {
    pub(super) reach: HashMap<B, HashSet<B>>,
    pub(super) pos: HashMap<V, usize>,
    pub(super) indexed: HashSet<B>,
}

impl Cfg {
    pub(super) fn new() -> Cfg {
        Cfg {
            reach: HashMap::new(),
            pos: HashMap::new(),
            indexed: HashSet::new(),
        }
    }
    /// Blocks reachable from `b` through at least one edge.
    pub(super) fn from(&mut self, b: B) -> &HashSet<B> {
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
    pub(super) fn index_in_block(&mut self, i: V) -> usize {
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
pub(super) fn accesses(dl: &Layout, cfg: &mut Cfg, base: V, call: V) -> (bool, bool, bool) {
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

pub(super) fn derived_from(dl: &Layout, p: V, base: V) -> bool {
    base_offset(dl, p).is_some_and(|(b, _)| b == base)
}

/// Classifies argument `a` of the import call `call`.
pub(super) fn classify(dl: &Layout, cfg: &mut Cfg, call: V, a: V) -> Arg {
    classify_at(dl, cfg, call, a, 0)
}

/// Wrappers may nest; beyond this depth a parameter stays unknown.
pub(super) const MAX_WRAPPER_DEPTH: u32 = 4;

/// A wrapper's pointer parameter: what every caller passes, merged.
pub(super) fn through_callers(dl: &Layout, v: V, depth: u32) -> Arg {
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

pub(super) fn classify_at(dl: &Layout, cfg: &mut Cfg, call: V, a: V, depth: u32) -> Arg {
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
pub(super) struct PtrAcc {
    pub(super) dir_bits: u8,
    pub(super) consts: BTreeSet<u32>,
    pub(super) strlen: bool,
    pub(super) handles_all: bool,
    pub(super) handles_any: bool,
    pub(super) sites: u32,
}

#[derive(Default)]
pub(super) struct CbAcc {
    pub(super) funcs: BTreeSet<V>,
    pub(super) user_data: Vec<ArgPlace>,
}

#[derive(Default)]
pub(super) struct SiteAcc {
    pub(super) sites: u32,
    pub(super) ptrs: BTreeMap<u32, PtrAcc>,
    pub(super) cbs: BTreeMap<(u32, Option<u32>), CbAcc>,
}

pub(super) fn place_of(k: &(u32, Option<u32>)) -> ArgPlace {
    match k.1 {
        None => ArgPlace::Param(k.0),
        Some(offset) => ArgPlace::Field { param: k.0, offset },
    }
}

pub(super) fn record_ptr(acc: &mut SiteAcc, param: u32, u: PtrUse) {
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
pub(super) fn record_site(acc: &mut SiteAcc, args: &[(u32, Arg)]) {
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
