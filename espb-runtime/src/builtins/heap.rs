//! `malloc` and friends on the module heap.

use super::{a32, ret32, Builtin, R};
use crate::imports::Caller;

fn malloc(c: &mut Caller<'_>, a: &[u64]) -> R {
    ret32(c.inner().heap_alloc(a32(a, 0), crate::heap::GRAIN))
}

fn calloc(c: &mut Caller<'_>, a: &[u64]) -> R {
    let Some(n) = a32(a, 0).checked_mul(a32(a, 1)) else {
        return ret32(0);
    };
    let p = c.inner().heap_alloc(n, crate::heap::GRAIN);
    if p != 0 {
        // Freed blocks are reused dirty.
        c.memory().fill(p, 0, n)?;
    }
    ret32(p)
}

fn free(c: &mut Caller<'_>, a: &[u64]) -> R {
    c.inner().heap_free(a32(a, 0))?;
    Ok(None)
}

fn realloc(c: &mut Caller<'_>, a: &[u64]) -> R {
    let (p, size) = (a32(a, 0), a32(a, 1));
    let inst = c.inner();
    if p == 0 {
        return ret32(inst.heap_alloc(size, crate::heap::GRAIN));
    }
    if size == 0 {
        // newlib: realloc(p, 0) frees p and returns NULL.
        inst.heap_free(p)?;
        return ret32(0);
    }
    let old = {
        let mut h = inst.heap.lock();
        match h.resize_in_place(p, size) {
            Ok(true) => return ret32(p),
            Ok(false) => h.size_of(p).unwrap_or(0),
            Err(_) => return Err(crate::trap::TrapKind::HeapCorruption { addr: p }.into()),
        }
    };
    let q = inst.heap_alloc(size, crate::heap::GRAIN);
    if q == 0 {
        // C: the old block is left untouched.
        return ret32(0);
    }
    c.memory().copy(q, p, old.min(size))?;
    inst.heap_free(p)?;
    ret32(q)
}

fn aligned_alloc(c: &mut Caller<'_>, a: &[u64]) -> R {
    ret32(c.inner().heap_alloc(a32(a, 1), a32(a, 0)))
}

fn memalign(c: &mut Caller<'_>, a: &[u64]) -> R {
    aligned_alloc(c, a)
}

/// `int posix_memalign(void **out, size_t align, size_t size)`.
fn posix_memalign(c: &mut Caller<'_>, a: &[u64]) -> R {
    let (out, align, size) = (a32(a, 0), a32(a, 1), a32(a, 2));
    const EINVAL: u32 = 22;
    const ENOMEM: u32 = 12;
    if !align.is_power_of_two() || align % 4 != 0 {
        return ret32(EINVAL);
    }
    let p = c.inner().heap_alloc(size, align);
    if p == 0 {
        return ret32(ENOMEM);
    }
    c.write_u32(out, p)?;
    ret32(0)
}

pub(super) static BUILTINS: &[Builtin] = &[
    Builtin {
        name: "malloc",
        sig: "(i32) -> ptr",
        f: malloc,
    },
    Builtin {
        name: "calloc",
        sig: "(i32, i32) -> ptr",
        f: calloc,
    },
    Builtin {
        name: "realloc",
        sig: "(ptr, i32) -> ptr",
        f: realloc,
    },
    Builtin {
        name: "free",
        sig: "(ptr) -> void",
        f: free,
    },
    Builtin {
        name: "aligned_alloc",
        sig: "(i32, i32) -> ptr",
        f: aligned_alloc,
    },
    Builtin {
        name: "memalign",
        sig: "(i32, i32) -> ptr",
        f: memalign,
    },
    Builtin {
        name: "posix_memalign",
        sig: "(ptr, i32, i32) -> i32",
        f: posix_memalign,
    },
];
