//! Linear memory as the load and store handlers see it.

use super::*;

const _: () = assert!(NULL_GUARD.is_multiple_of(8));

/// Linear memory as the load and store handlers see it: the host address of
/// module address `NULL_GUARD` and the number of valid bytes from there to
/// `linear_end`, both in machine registers. Built once per `run` from
/// `LinearMemory::host_ptr`, which checked that whole range; the buffer is
/// never moved or resized while the instance lives.
#[derive(Clone, Copy)]
pub(super) struct Mem {
    pub(super) lo: *mut u8,
    pub(super) lim: usize,
}

impl Mem {
    pub(super) fn new(m: &LinearMemory) -> Mem {
        // A multiple of 8 (the widest access), so that one compare of an
        // aligned address proves the whole access in bounds (`at`); the
        // few bytes of a ragged end take the checked path.
        let lim = m.len().saturating_sub(NULL_GUARD) & !7;
        match m.host_ptr(NULL_GUARD, lim) {
            Ok(lo) if lim > 0 => Mem {
                lo,
                lim: lim as usize,
            },
            // No valid byte: every access takes the checked slow path.
            _ => Mem {
                lo: core::ptr::null_mut(),
                lim: 0,
            },
        }
    }

    /// The host address of module bytes `[ea, ea + N)` if they lie in
    /// `[NULL_GUARD, linear_end)` and `ea` is a multiple of `N`; `None`
    /// otherwise (the caller then takes `LinearMemory`'s checked path, which
    /// handles misaligned accesses and traps).
    #[inline(always)]
    pub(super) fn at<const N: u32>(self, ea: u32) -> Option<*mut u8> {
        const { assert!(N.is_power_of_two() && N <= 8) };
        // Addresses below the guard wrap to huge values: one compare.
        let rel = ea.wrapping_sub(NULL_GUARD);
        // `NULL_GUARD` is a multiple of 8, so `rel` is aligned as `ea` is.
        if rel & (N - 1) == 0 && (rel as usize) < self.lim {
            // SAFETY: `rel` and `lim` are multiples of `N` (`lim` of 8), so
            // `rel < lim` gives `rel + N <= lim`: the bytes lie inside the
            // range `host_ptr` returned.
            Some(unsafe { self.lo.add(rel as usize) })
        } else {
            None
        }
    }
}
