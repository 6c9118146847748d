//! `pvPortMalloc`/`vPortFree` and `esp_heap_caps.h`: ESP-IDF's allocators,
//! served by the module heap (capabilities are accepted and ignored: the
//! simulated chip has one kind of memory).

use crate::imports::Caller;

use super::api::{a32, ret, Imp, R};
use super::kernel::Kernel;

pub(crate) const TABLE: &[(&str, &str, Imp)] = &[
    ("pvPortMalloc", "(i32) -> ptr", port_malloc),
    ("vPortFree", "(ptr)", port_free),
    ("xPortGetFreeHeapSize", "() -> i32", free_size),
    ("heap_caps_malloc", "(i32, i32) -> ptr", caps_malloc),
    ("heap_caps_calloc", "(i32, i32, i32) -> ptr", caps_calloc),
    ("heap_caps_free", "(ptr)", port_free),
    ("heap_caps_get_free_size", "(i32) -> i32", caps_free_size),
];

fn port_malloc(k: &Kernel, c: &mut Caller<'_>, a: &[u64]) -> R {
    drop(k.enter_any()?);
    ret(c.malloc(a32(a, 0)))
}

fn caps_malloc(k: &Kernel, c: &mut Caller<'_>, a: &[u64]) -> R {
    port_malloc(k, c, a)
}

fn caps_calloc(k: &Kernel, c: &mut Caller<'_>, a: &[u64]) -> R {
    drop(k.enter_any()?);
    let Some(n) = a32(a, 0).checked_mul(a32(a, 1)) else {
        return ret(0);
    };
    let p = c.malloc(n);
    if p != 0 {
        c.memory().fill(p, 0, n).map_err(crate::trap::Trap::new)?;
    }
    ret(p)
}

fn port_free(k: &Kernel, c: &mut Caller<'_>, a: &[u64]) -> R {
    drop(k.enter_any()?);
    c.free(a32(a, 0))?;
    Ok(None)
}

fn free_size(k: &Kernel, c: &mut Caller<'_>, _a: &[u64]) -> R {
    drop(k.enter_any()?);
    ret(c.inner().heap.lock().free_bytes())
}

fn caps_free_size(k: &Kernel, c: &mut Caller<'_>, a: &[u64]) -> R {
    free_size(k, c, a)
}
