//! The per-instance handle table: native pointers the module holds as
//! `NATIVE_REF_BASE + slot` (docs/abi.md). The same native pointer always
//! maps to the same slot; slots are never reused, so a stale handle cannot
//! silently name a newer object, and a value the module made up is not a
//! handle unless the table handed it out.

use alloc::vec::Vec;

use espb_format::NATIVE_REF_BASE;

use crate::pair_set::PairSet;

/// Slots the FFI may use: the host platform's objects start at
/// `NATIVE_REF_BASE + 0x1000_0000`.
pub const MAX_SLOTS: u32 = 0x1000_0000;

/// A native pointer as the reverse index keys it: `u32` on a 32-bit chip,
/// so the index is a set of `(u32, u32)` pairs like the module heap's, and
/// the chip carries one copy of [`PairSet`]'s code.
#[cfg(target_pointer_width = "32")]
type PtrKey = u32;
#[cfg(not(target_pointer_width = "32"))]
type PtrKey = usize;

#[cfg(target_pointer_width = "32")]
fn key(p: usize) -> PtrKey {
    // Lossless: a pointer is 32 bits here.
    p as u32
}
#[cfg(not(target_pointer_width = "32"))]
fn key(p: usize) -> PtrKey {
    p
}

#[derive(Debug, Default)]
pub struct HandleTable {
    slots: Vec<usize>,
    /// (pointer, handle), one per pointer.
    by_ptr: PairSet<PtrKey>,
}

impl HandleTable {
    /// The handle of native pointer `p` (NULL is 0). `None` when the table is
    /// full.
    pub fn intern(&mut self, p: usize) -> Option<u32> {
        if p == 0 {
            return Some(0);
        }
        if let Some(h) = self.knows(p) {
            return Some(h);
        }
        let slot = self.slots.len() as u32;
        if slot >= MAX_SLOTS {
            return None;
        }
        self.slots.push(p);
        let h = NATIVE_REF_BASE + slot;
        self.by_ptr.insert((key(p), h));
        Some(h)
    }

    /// The native pointer of handle `h`, if `h` is one of this table's.
    pub fn native(&self, h: u32) -> Option<usize> {
        let slot = h.checked_sub(NATIVE_REF_BASE)?;
        self.slots.get(slot as usize).copied()
    }

    /// Whether `p` was handed out as a handle.
    pub fn knows(&self, p: usize) -> Option<u32> {
        self.by_ptr.get(key(p))
    }

    pub fn len(&self) -> usize {
        self.slots.len()
    }

    pub fn is_empty(&self) -> bool {
        self.slots.is_empty()
    }
}

/// Whether `v` lies in the FFI's handle range.
pub(crate) fn is_handle(v: u32) -> bool {
    (NATIVE_REF_BASE..NATIVE_REF_BASE + MAX_SLOTS).contains(&v)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_pointer_same_handle() {
        let mut t = HandleTable::default();
        assert_eq!(t.intern(0), Some(0));
        let a = t.intern(0x7f00_1000).unwrap();
        let b = t.intern(0x7f00_2000).unwrap();
        assert_eq!(a, NATIVE_REF_BASE);
        assert_eq!(b, NATIVE_REF_BASE + 1);
        assert_eq!(t.intern(0x7f00_1000), Some(a));
        assert_eq!(t.native(b), Some(0x7f00_2000));
        assert_eq!(t.native(NATIVE_REF_BASE + 2), None);
        assert_eq!(t.native(5), None);
        assert!(is_handle(a) && !is_handle(5) && !is_handle(NATIVE_REF_BASE + MAX_SLOTS));
    }
}
