//! Native values ↔ module values at the FFI boundary (docs/abi.md):
//! native pointers become module addresses (into linear memory or a native
//! copy of module bytes) or handles; handles become native pointers again.

use core::sync::atomic::Ordering::Relaxed;

use espb_format::{NATIVE_REF_BASE, NULL_GUARD};

use super::handles::is_handle;
use super::FfiState;

/// How a native pointer-sized value coming back is read.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum Back {
    /// A result or an out-parameter: a native pointer.
    Pointer,
    /// A callback argument: may also be user data the module passed, which
    /// travels raw.
    CallbackArg,
}

/// Maps a native pointer-sized value back to a module value:
/// * user data the module passed → itself (a callback argument, or a native
///   handing it back: `pvTimerGetTimerID`);
/// * into the instance's linear memory → the module address;
/// * into a native copy of a call in progress → the address it mirrors;
/// * a pointer already handed out → its handle;
/// * for a callback argument, a value that looks like a module value
///   (below `linear_end`, or a reference ≥ `0x8000_0000`) → itself;
/// * any other pointer → a new handle (0 if the table is full).
pub(crate) fn to_module(st: &FfiState, p: usize, how: Back) -> u32 {
    if p == 0 {
        return 0;
    }
    let small = u32::try_from(p).ok();
    if let Some(v) = small {
        if st.user_data.lock().get(v).is_some() {
            return v;
        }
    }
    let base = st.mem_base.load(Relaxed);
    let len = st.mem_len.load(Relaxed) as usize;
    if base != 0 && p >= base + NULL_GUARD as usize && p < base + len {
        return (p - base) as u32;
    }
    if let Some(a) = st.active.mirror(p) {
        return a;
    }
    let mut h = st.handles.lock();
    if let Some(v) = h.knows(p) {
        return v;
    }
    if how == Back::CallbackArg {
        if let Some(v) = small {
            if (v as usize) < len || v >= NATIVE_REF_BASE {
                return v;
            }
        }
    }
    h.intern(p).unwrap_or(0)
}

/// A module value (a 4-byte slot of a handle array, a callback result) as a
/// native pointer-sized value: a live handle → its native pointer; anything
/// else travels as the number it is.
pub(crate) fn to_native_value(st: &FfiState, v: u32) -> usize {
    if is_handle(v) {
        if let Some(p) = st.handles.lock().native(v) {
            return p;
        }
    }
    v as usize
}

/// A module pointer returned to native code (a callback's `ptr` result): a
/// handle → its native pointer; an address in linear memory → its host
/// address; anything else travels as the number it is.
pub(crate) fn ptr_to_native(st: &FfiState, v: u32) -> usize {
    let base = st.mem_base.load(Relaxed);
    let len = st.mem_len.load(Relaxed);
    if base != 0 && v >= NULL_GUARD && v < len {
        return base + v as usize;
    }
    to_native_value(st, v)
}
