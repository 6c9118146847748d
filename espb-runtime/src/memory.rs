//! Linear memory: the byte buffer behind module addresses `[0, linear_end)`.
//!
//! Soundness under sharing: an instance may be entered by several threads at
//! once, and C programs race on memory (with or without atomics). Rust forbids
//! data races on ordinary memory, so EVERY access here is an atomic access:
//! plain loads and stores are `Relaxed` atomics of their width when aligned
//! (which compile to the same single instruction as a plain access), and
//! byte-wise `Relaxed` atomics when misaligned. A racing C program can then see
//! torn or stale values — as C allows — but the host never has undefined
//! behaviour. The buffer is never resized, never moved, and lives as long as
//! the `LinearMemory`, so the raw base pointer stays valid.
//!
//! Every public method checks its address range first; the `unsafe` blocks
//! only touch bytes inside `[0, len)`.

use alloc::alloc::{alloc_zeroed, dealloc, Layout};
use core::sync::atomic::{AtomicU16, AtomicU32, AtomicU8, Ordering::*};

use espb_format::{AtomicOp, NULL_GUARD};

use crate::trap::TrapKind;

/// Alignment of the buffer: makes module alignment equal host alignment.
const BASE_ALIGN: usize = 16;

pub struct LinearMemory {
    base: *mut u8,
    len: u32,
}

// SAFETY: every access through `base` is an atomic operation (see the module
// comment), so sharing the buffer between threads cannot cause a data race.
unsafe impl Send for LinearMemory {}
// SAFETY: as above.
unsafe impl Sync for LinearMemory {}

impl Drop for LinearMemory {
    fn drop(&mut self) {
        // SAFETY: `base` was allocated in `new` with exactly this layout.
        unsafe { dealloc(self.base, Self::layout(self.len)) }
    }
}

#[inline(always)]
fn out_of_bounds(addr: u32, size: u32) -> TrapKind {
    TrapKind::OutOfBounds { addr, size }
}

impl LinearMemory {
    fn layout(len: u32) -> Layout {
        // Cannot fail: len <= MAX_LINEAR_END (1 GiB) and the alignment is a power of two.
        Layout::from_size_align(len.max(1) as usize, BASE_ALIGN).unwrap_or(Layout::new::<u8>())
    }

    /// Zeroed memory for addresses `[0, len)`. `None` if the host cannot
    /// provide it.
    pub fn new(len: u32) -> Option<LinearMemory> {
        // SAFETY: the layout has non-zero size.
        let base = unsafe { alloc_zeroed(Self::layout(len)) };
        if base.is_null() {
            return None;
        }
        Some(LinearMemory { base, len })
    }

    /// `linear_end`: one past the highest valid address.
    #[inline(always)]
    pub fn len(&self) -> u32 {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Checks `[addr, addr + size)` lies in `[NULL_GUARD, len)`.
    #[inline(always)]
    pub fn check(&self, addr: u32, size: u32) -> Result<(), TrapKind> {
        // One compare: addresses below the guard wrap to huge values.
        let rel = addr.wrapping_sub(NULL_GUARD) as u64;
        if rel + size as u64 > (self.len - NULL_GUARD) as u64 {
            return Err(out_of_bounds(addr, size));
        }
        Ok(())
    }

    #[inline(always)]
    fn ptr(&self, addr: u32) -> *mut u8 {
        // SAFETY: callers checked `addr < len` (or `addr + size <= len`), so
        // the result is inside the allocation.
        unsafe { self.base.add(addr as usize) }
    }

    #[inline(always)]
    fn byte(&self, addr: u32) -> &AtomicU8 {
        // SAFETY: `addr` is in bounds (checked by the caller) and AtomicU8 has
        // alignment 1; every access to the buffer is atomic (module comment).
        unsafe { AtomicU8::from_ptr(self.ptr(addr)) }
    }

    #[inline(always)]
    fn load_bytes<const N: usize>(&self, addr: u32) -> u64 {
        let mut v = 0u64;
        for i in 0..N {
            v |= (self.byte(addr + i as u32).load(Relaxed) as u64) << (8 * i);
        }
        v
    }

    #[inline(always)]
    fn store_bytes<const N: usize>(&self, addr: u32, v: u64) {
        for i in 0..N {
            self.byte(addr + i as u32)
                .store((v >> (8 * i)) as u8, Relaxed);
        }
    }

    /// The `1 << width` bytes at `addr` (`width` 0 to 3), zero-extended:
    /// one access of the width when aligned, byte-wise otherwise, as the
    /// accessors of each width do. One copy for the interpreter's slow
    /// path of every plain load (`interp::families::slow_mem`).
    pub fn load_width(&self, addr: u32, width: u8) -> Result<u64, TrapKind> {
        let size = 1u32 << width;
        self.check(addr, size)?;
        if addr & (size - 1) != 0 {
            // Through a byte buffer: no 64-bit shifts on 32-bit cores.
            let mut buf = [0u8; 8];
            for (i, b) in (0..size).zip(buf.iter_mut()) {
                *b = self.byte(addr + i).load(Relaxed);
            }
            return Ok(u64::from_le_bytes(buf));
        }
        // SAFETY (all arms): in bounds, aligned to the access size.
        Ok(match width {
            0 => self.byte(addr).load(Relaxed) as u64,
            1 => unsafe { AtomicU16::from_ptr(self.ptr(addr) as *mut u16) }.load(Relaxed) as u64,
            2 => unsafe { AtomicU32::from_ptr(self.ptr(addr) as *mut u32) }.load(Relaxed) as u64,
            _ => self.load64_aligned(addr),
        })
    }

    /// Stores the low `1 << width` bytes of `v` at `addr`, as
    /// [`Self::load_width`] reads them.
    pub fn store_width(&self, addr: u32, width: u8, v: u64) -> Result<(), TrapKind> {
        let size = 1u32 << width;
        self.check(addr, size)?;
        if addr & (size - 1) != 0 {
            for (i, b) in (0..size).zip(v.to_le_bytes()) {
                self.byte(addr + i).store(b, Relaxed);
            }
            return Ok(());
        }
        // SAFETY (all arms): in bounds, aligned to the access size.
        match width {
            0 => self.byte(addr).store(v as u8, Relaxed),
            1 => {
                unsafe { AtomicU16::from_ptr(self.ptr(addr) as *mut u16) }.store(v as u16, Relaxed)
            }
            2 => {
                unsafe { AtomicU32::from_ptr(self.ptr(addr) as *mut u32) }.store(v as u32, Relaxed)
            }
            _ => self.store64_aligned(addr, v),
        }
        Ok(())
    }

    #[inline(always)]
    pub fn load8(&self, addr: u32) -> Result<u8, TrapKind> {
        self.check(addr, 1)?;
        Ok(self.byte(addr).load(Relaxed))
    }

    pub fn load16(&self, addr: u32) -> Result<u16, TrapKind> {
        self.check(addr, 2)?;
        if addr & 1 == 0 {
            // SAFETY: in bounds, 2-aligned (buffer base is 16-aligned).
            Ok(unsafe { AtomicU16::from_ptr(self.ptr(addr) as *mut u16) }.load(Relaxed))
        } else {
            Ok(self.load_bytes::<2>(addr) as u16)
        }
    }

    pub fn load32(&self, addr: u32) -> Result<u32, TrapKind> {
        self.check(addr, 4)?;
        if addr & 3 == 0 {
            // SAFETY: in bounds, 4-aligned.
            Ok(unsafe { AtomicU32::from_ptr(self.ptr(addr) as *mut u32) }.load(Relaxed))
        } else {
            Ok(self.load_bytes::<4>(addr) as u32)
        }
    }

    pub fn load64(&self, addr: u32) -> Result<u64, TrapKind> {
        self.check(addr, 8)?;
        if addr & 7 == 0 {
            Ok(self.load64_aligned(addr))
        } else {
            Ok(self.load_bytes::<8>(addr))
        }
    }

    #[inline(always)]
    fn load64_aligned(&self, addr: u32) -> u64 {
        #[cfg(target_has_atomic = "64")]
        {
            // SAFETY: in bounds, 8-aligned.
            unsafe { core::sync::atomic::AtomicU64::from_ptr(self.ptr(addr) as *mut u64) }
                .load(Relaxed)
        }
        #[cfg(not(target_has_atomic = "64"))]
        {
            // A plain (non-atomic in C terms) 64-bit access may tear.
            // SAFETY: in bounds, 4-aligned halves.
            let lo = unsafe { AtomicU32::from_ptr(self.ptr(addr) as *mut u32) }.load(Relaxed);
            let hi = unsafe { AtomicU32::from_ptr(self.ptr(addr + 4) as *mut u32) }.load(Relaxed);
            lo as u64 | (hi as u64) << 32
        }
    }

    #[inline(always)]
    pub fn store8(&self, addr: u32, v: u8) -> Result<(), TrapKind> {
        self.check(addr, 1)?;
        self.byte(addr).store(v, Relaxed);
        Ok(())
    }

    pub fn store16(&self, addr: u32, v: u16) -> Result<(), TrapKind> {
        self.check(addr, 2)?;
        if addr & 1 == 0 {
            // SAFETY: in bounds, 2-aligned.
            unsafe { AtomicU16::from_ptr(self.ptr(addr) as *mut u16) }.store(v, Relaxed);
        } else {
            self.store_bytes::<2>(addr, v as u64);
        }
        Ok(())
    }

    pub fn store32(&self, addr: u32, v: u32) -> Result<(), TrapKind> {
        self.check(addr, 4)?;
        if addr & 3 == 0 {
            // SAFETY: in bounds, 4-aligned.
            unsafe { AtomicU32::from_ptr(self.ptr(addr) as *mut u32) }.store(v, Relaxed);
        } else {
            self.store_bytes::<4>(addr, v as u64);
        }
        Ok(())
    }

    pub fn store64(&self, addr: u32, v: u64) -> Result<(), TrapKind> {
        self.check(addr, 8)?;
        if addr & 7 == 0 {
            self.store64_aligned(addr, v);
        } else {
            self.store_bytes::<8>(addr, v);
        }
        Ok(())
    }

    #[inline(always)]
    fn store64_aligned(&self, addr: u32, v: u64) {
        #[cfg(target_has_atomic = "64")]
        {
            // SAFETY: in bounds, 8-aligned.
            unsafe { core::sync::atomic::AtomicU64::from_ptr(self.ptr(addr) as *mut u64) }
                .store(v, Relaxed)
        }
        #[cfg(not(target_has_atomic = "64"))]
        {
            // SAFETY: in bounds, 4-aligned halves.
            unsafe { AtomicU32::from_ptr(self.ptr(addr) as *mut u32) }.store(v as u32, Relaxed);
            unsafe { AtomicU32::from_ptr(self.ptr(addr + 4) as *mut u32) }
                .store((v >> 32) as u32, Relaxed);
        }
    }

    /// Copies `len` bytes from `src` to `dst` with `memmove` semantics.
    pub fn copy(&self, dst: u32, src: u32, len: u32) -> Result<(), TrapKind> {
        if len == 0 {
            return Ok(());
        }
        self.check(src, len)?;
        self.check(dst, len)?;
        let word = (dst | src | len) & 7 == 0 && cfg!(target_has_atomic = "64");
        let step = if word { 8 } else { 1 };
        let one = |off: u32| {
            if word {
                self.store64_aligned(dst + off, self.load64_aligned(src + off));
            } else {
                self.byte(dst + off)
                    .store(self.byte(src + off).load(Relaxed), Relaxed);
            }
        };
        if dst <= src {
            let mut off = 0;
            while off < len {
                one(off);
                off += step;
            }
        } else {
            let mut off = len;
            while off > 0 {
                off -= step;
                one(off);
            }
        }
        Ok(())
    }

    /// Sets `len` bytes at `dst` to `value`.
    pub fn fill(&self, dst: u32, value: u8, len: u32) -> Result<(), TrapKind> {
        if len == 0 {
            return Ok(());
        }
        self.check(dst, len)?;
        let mut off = 0;
        if cfg!(target_has_atomic = "64") {
            while off < len && (dst + off) & 7 != 0 {
                self.byte(dst + off).store(value, Relaxed);
                off += 1;
            }
            let word = u64::from_ne_bytes([value; 8]);
            while len - off >= 8 {
                self.store64_aligned(dst + off, word);
                off += 8;
            }
        }
        while off < len {
            self.byte(dst + off).store(value, Relaxed);
            off += 1;
        }
        Ok(())
    }

    /// Reads `out.len()` bytes at `addr`.
    pub fn read(&self, addr: u32, out: &mut [u8]) -> Result<(), TrapKind> {
        let len = u32::try_from(out.len()).map_err(|_| out_of_bounds(addr, u32::MAX))?;
        self.check(addr, len)?;
        for (i, b) in out.iter_mut().enumerate() {
            *b = self.byte(addr + i as u32).load(Relaxed);
        }
        Ok(())
    }

    /// Writes `bytes` at `addr`.
    pub fn write(&self, addr: u32, bytes: &[u8]) -> Result<(), TrapKind> {
        let len = u32::try_from(bytes.len()).map_err(|_| out_of_bounds(addr, u32::MAX))?;
        self.check(addr, len)?;
        for (i, b) in bytes.iter().enumerate() {
            self.byte(addr + i as u32).store(*b, Relaxed);
        }
        Ok(())
    }

    /// The host address of module range `[addr, addr + len)`, after checking
    /// it lies in linear memory — for the FFI, which passes module buffers to
    /// native code without copying. The pointer stays valid while the
    /// instance lives; native code writing through it while module threads
    /// access the same bytes is a C-level race (not checked here).
    pub fn host_ptr(&self, addr: u32, len: u32) -> Result<*mut u8, TrapKind> {
        self.check(addr, len.max(1))?;
        Ok(self.ptr(addr))
    }

    /// The host address of module address 0 and `linear_end`: for mapping
    /// native pointers into this memory back to module addresses.
    #[cfg(any(feature = "ffi", target_arch = "riscv32"))]
    pub(crate) fn host_range(&self) -> (usize, u32) {
        (self.base as usize, self.len)
    }

    /// Writes bytes anywhere below `len`, null guard included (the loader's
    /// data placement; the guard itself is never written by it).
    pub(crate) fn init(&self, addr: u32, bytes: &[u8]) -> bool {
        let Some(end) = (addr as u64).checked_add(bytes.len() as u64) else {
            return false;
        };
        if end > self.len as u64 {
            return false;
        }
        for (i, b) in bytes.iter().enumerate() {
            self.byte(addr + i as u32).store(*b, Relaxed);
        }
        true
    }

    /// Length of the NUL-terminated string at `addr`, looking at most at
    /// `max` bytes; `Ok(None)` if no NUL within `max`.
    pub fn strlen(&self, addr: u32, max: u32) -> Result<Option<u32>, TrapKind> {
        let mut i = 0u32;
        while i < max {
            let a = addr.wrapping_add(i);
            if self.load8(a)? == 0 {
                return Ok(Some(i));
            }
            i += 1;
        }
        Ok(None)
    }

    fn check_atomic(&self, addr: u32, width: u8) -> Result<u32, TrapKind> {
        let size = 1u32 << width;
        self.check(addr, size)?;
        if addr & (size - 1) != 0 {
            return Err(TrapKind::MisalignedAtomic { addr, size });
        }
        Ok(size)
    }

    /// Sequentially consistent atomic load of `1 << width` bytes,
    /// zero-extended. Without compare-and-swap, through `locked` as the
    /// read-modify-writes (one out-of-line access for every width).
    #[cfg(not(target_has_atomic = "ptr"))]
    pub fn atomic_load(&self, addr: u32, width: u8) -> Result<u64, TrapKind> {
        self.check_atomic(addr, width)?;
        Ok(locked::load(self.ptr(addr), width))
    }

    #[cfg(not(target_has_atomic = "ptr"))]
    pub fn atomic_store(&self, addr: u32, width: u8, v: u64) -> Result<(), TrapKind> {
        self.check_atomic(addr, width)?;
        locked::store(self.ptr(addr), width, v);
        Ok(())
    }

    /// Sequentially consistent atomic load of `1 << width` bytes, zero-extended.
    #[cfg(target_has_atomic = "ptr")]
    pub fn atomic_load(&self, addr: u32, width: u8) -> Result<u64, TrapKind> {
        self.check_atomic(addr, width)?;
        let p = self.ptr(addr);
        // SAFETY (all arms): in bounds and aligned to the access size (checked).
        Ok(match width {
            0 => unsafe { AtomicU8::from_ptr(p) }.load(SeqCst) as u64,
            1 => unsafe { AtomicU16::from_ptr(p as *mut u16) }.load(SeqCst) as u64,
            2 => unsafe { AtomicU32::from_ptr(p as *mut u32) }.load(SeqCst) as u64,
            _ => atomic64::load(p),
        })
    }

    #[cfg(target_has_atomic = "ptr")]
    pub fn atomic_store(&self, addr: u32, width: u8, v: u64) -> Result<(), TrapKind> {
        self.check_atomic(addr, width)?;
        let p = self.ptr(addr);
        // SAFETY (all arms): in bounds and aligned to the access size (checked).
        match width {
            0 => unsafe { AtomicU8::from_ptr(p) }.store(v as u8, SeqCst),
            1 => unsafe { AtomicU16::from_ptr(p as *mut u16) }.store(v as u16, SeqCst),
            2 => unsafe { AtomicU32::from_ptr(p as *mut u32) }.store(v as u32, SeqCst),
            _ => atomic64::store(p, v),
        }
        Ok(())
    }

    /// Atomic read-modify-write; returns the old value zero-extended.
    /// Without compare-and-swap (ESP32-C3/C2), every width under one lock:
    /// portable-atomic would take the same critical section once per
    /// operation and width, 33 inlined copies.
    #[cfg(not(target_has_atomic = "ptr"))]
    pub fn atomic_rmw(&self, addr: u32, width: u8, op: AtomicOp, v: u64) -> Result<u64, TrapKind> {
        self.check_atomic(addr, width)?;
        Ok(locked::rmw(self.ptr(addr), width, op, v))
    }

    /// Atomic read-modify-write; returns the old value zero-extended.
    #[cfg(target_has_atomic = "ptr")]
    pub fn atomic_rmw(&self, addr: u32, width: u8, op: AtomicOp, v: u64) -> Result<u64, TrapKind> {
        self.check_atomic(addr, width)?;
        let p = self.ptr(addr);
        macro_rules! rmw {
            ($at:ty, $sat:ty, $t:ty, $st:ty) => {{
                // SAFETY: in bounds and aligned to the access size (checked).
                let a = unsafe { <$at>::from_ptr(p as *mut $t) };
                // SAFETY: same location, viewed as the signed type of the same size.
                let s = unsafe { <$sat>::from_ptr(p as *mut $st) };
                let v = v as $t;
                (match op {
                    AtomicOp::Xchg => a.swap(v, SeqCst),
                    AtomicOp::Add => a.fetch_add(v, SeqCst),
                    AtomicOp::Sub => a.fetch_sub(v, SeqCst),
                    AtomicOp::And => a.fetch_and(v, SeqCst),
                    AtomicOp::Or => a.fetch_or(v, SeqCst),
                    AtomicOp::Xor => a.fetch_xor(v, SeqCst),
                    AtomicOp::Nand => a.fetch_nand(v, SeqCst),
                    AtomicOp::MaxS => s.fetch_max(v as $st, SeqCst) as $t,
                    AtomicOp::MinS => s.fetch_min(v as $st, SeqCst) as $t,
                    AtomicOp::MaxU => a.fetch_max(v, SeqCst),
                    AtomicOp::MinU => a.fetch_min(v, SeqCst),
                }) as u64
            }};
        }
        // Read-modify-write needs compare-and-swap, which portable-atomic
        // provides on cores without it (ESP32-C3) by a critical section.
        use portable_atomic::{AtomicI16, AtomicI32, AtomicI8, AtomicU16, AtomicU32, AtomicU8};
        Ok(match width {
            0 => rmw!(AtomicU8, AtomicI8, u8, i8),
            1 => rmw!(AtomicU16, AtomicI16, u16, i16),
            2 => rmw!(AtomicU32, AtomicI32, u32, i32),
            _ => atomic64::rmw(p, op, v),
        })
    }

    /// Atomic compare-and-exchange; returns the old value zero-extended.
    /// Without compare-and-swap, under `locked`'s lock (see `atomic_rmw`).
    #[cfg(not(target_has_atomic = "ptr"))]
    pub fn atomic_cmpxchg(
        &self,
        addr: u32,
        width: u8,
        expected: u64,
        new: u64,
    ) -> Result<u64, TrapKind> {
        self.check_atomic(addr, width)?;
        Ok(locked::cmpxchg(self.ptr(addr), width, expected, new))
    }

    /// Atomic compare-and-exchange; returns the old value zero-extended.
    #[cfg(target_has_atomic = "ptr")]
    pub fn atomic_cmpxchg(
        &self,
        addr: u32,
        width: u8,
        expected: u64,
        new: u64,
    ) -> Result<u64, TrapKind> {
        self.check_atomic(addr, width)?;
        let p = self.ptr(addr);
        macro_rules! cas {
            ($at:ty, $t:ty) => {{
                // SAFETY: in bounds and aligned to the access size (checked).
                let a = unsafe { <$at>::from_ptr(p as *mut $t) };
                match a.compare_exchange(expected as $t, new as $t, SeqCst, SeqCst) {
                    Ok(v) | Err(v) => v as u64,
                }
            }};
        }
        use portable_atomic::{AtomicU16, AtomicU32, AtomicU8};
        Ok(match width {
            0 => cas!(AtomicU8, u8),
            1 => cas!(AtomicU16, u16),
            2 => cas!(AtomicU32, u32),
            _ => atomic64::cmpxchg(p, expected, new),
        })
    }
}

/// 64-bit atomics: native where the target has them, otherwise serialised by
/// one lock (as libatomic does; a critical section on the chips), which is
/// sound because every other access to these bytes is also atomic.
#[cfg(target_has_atomic = "64")]
mod atomic64 {
    use core::sync::atomic::{AtomicI64, AtomicU64, Ordering::SeqCst};
    use espb_format::AtomicOp;

    fn at(p: *mut u8) -> &'static AtomicU64 {
        // SAFETY: callers pass an in-bounds, 8-aligned pointer into the buffer,
        // which outlives the returned reference's use (used immediately).
        unsafe { AtomicU64::from_ptr(p as *mut u64) }
    }
    pub fn load(p: *mut u8) -> u64 {
        at(p).load(SeqCst)
    }
    pub fn store(p: *mut u8, v: u64) {
        at(p).store(v, SeqCst)
    }
    pub fn cmpxchg(p: *mut u8, e: u64, n: u64) -> u64 {
        match at(p).compare_exchange(e, n, SeqCst, SeqCst) {
            Ok(v) | Err(v) => v,
        }
    }
    pub fn rmw(p: *mut u8, op: AtomicOp, v: u64) -> u64 {
        let a = at(p);
        // SAFETY: same location viewed as i64.
        let s = unsafe { AtomicI64::from_ptr(p as *mut i64) };
        match op {
            AtomicOp::Xchg => a.swap(v, SeqCst),
            AtomicOp::Add => a.fetch_add(v, SeqCst),
            AtomicOp::Sub => a.fetch_sub(v, SeqCst),
            AtomicOp::And => a.fetch_and(v, SeqCst),
            AtomicOp::Or => a.fetch_or(v, SeqCst),
            AtomicOp::Xor => a.fetch_xor(v, SeqCst),
            AtomicOp::Nand => a.fetch_nand(v, SeqCst),
            AtomicOp::MaxS => s.fetch_max(v as i64, SeqCst) as u64,
            AtomicOp::MinS => s.fetch_min(v as i64, SeqCst) as u64,
            AtomicOp::MaxU => a.fetch_max(v, SeqCst),
            AtomicOp::MinU => a.fetch_min(v, SeqCst),
        }
    }
}

#[cfg(not(target_has_atomic = "64"))]
mod atomic64 {
    use espb_format::AtomicOp;

    #[cfg_attr(not(target_has_atomic = "ptr"), allow(dead_code))]
    pub fn load(p: *mut u8) -> u64 {
        super::locked::load(p, 3)
    }
    #[cfg_attr(not(target_has_atomic = "ptr"), allow(dead_code))]
    pub fn store(p: *mut u8, v: u64) {
        super::locked::store(p, 3, v)
    }
    #[cfg_attr(not(target_has_atomic = "ptr"), allow(dead_code))]
    pub fn cmpxchg(p: *mut u8, e: u64, n: u64) -> u64 {
        super::locked::cmpxchg(p, 3, e, n)
    }
    #[cfg_attr(not(target_has_atomic = "ptr"), allow(dead_code))]
    pub fn rmw(p: *mut u8, op: AtomicOp, v: u64) -> u64 {
        super::locked::rmw(p, 3, op, v)
    }
}

/// Atomics serialised by one lock (as libatomic does; a critical section
/// on the chips, the one portable-atomic takes there too): the 64-bit ones
/// where the target has no 64-bit atomics, and every read-modify-write
/// where it has no compare-and-swap. Sound because every other access to
/// these bytes is atomic as well. (Compiled everywhere: the host's tests
/// check it against the native atomics.)
#[cfg_attr(target_has_atomic = "64", allow(dead_code))]
mod locked {
    use core::sync::atomic::{AtomicU16, AtomicU32, AtomicU8, Ordering::SeqCst};
    use espb_format::AtomicOp;

    static LOCK: crate::sync::Lock<()> = crate::sync::Lock::new(());

    /// The `1 << width` bytes at `p`, zero-extended (a 64-bit value as two
    /// 32-bit halves, read under the lock).
    fn get(p: *mut u8, width: u8) -> u64 {
        // SAFETY (all arms): callers pass an in-bounds pointer into the
        // buffer, aligned to the access size.
        unsafe {
            match width {
                0 => AtomicU8::from_ptr(p).load(SeqCst) as u64,
                1 => AtomicU16::from_ptr(p as *mut u16).load(SeqCst) as u64,
                2 => AtomicU32::from_ptr(p as *mut u32).load(SeqCst) as u64,
                _ => {
                    let h = AtomicU32::from_ptr(p.add(4) as *mut u32).load(SeqCst);
                    AtomicU32::from_ptr(p as *mut u32).load(SeqCst) as u64 | (h as u64) << 32
                }
            }
        }
    }

    /// Stores the low `1 << width` bytes of `v` at `p`. (Out of line, as
    /// `get` is by itself.)
    #[inline(never)]
    fn set(p: *mut u8, width: u8, v: u64) {
        // SAFETY (all arms): as `get`.
        unsafe {
            match width {
                0 => AtomicU8::from_ptr(p).store(v as u8, SeqCst),
                1 => AtomicU16::from_ptr(p as *mut u16).store(v as u16, SeqCst),
                2 => AtomicU32::from_ptr(p as *mut u32).store(v as u32, SeqCst),
                _ => {
                    AtomicU32::from_ptr(p as *mut u32).store(v as u32, SeqCst);
                    AtomicU32::from_ptr(p.add(4) as *mut u32).store((v >> 32) as u32, SeqCst);
                }
            }
        }
    }

    /// The mask of a `1 << width`-byte value (a table: 64-bit variable
    /// shifts are long on a 32-bit core; `width` is 0..=3).
    fn mask(width: u8) -> u64 {
        [0xff, 0xffff, 0xffff_ffff, u64::MAX][width as usize & 3]
    }

    /// The low `1 << width` bytes of `v`.
    fn low(v: u64, width: u8) -> u64 {
        v & mask(width)
    }

    pub fn load(p: *mut u8, width: u8) -> u64 {
        let _g = LOCK.lock();
        get(p, width)
    }

    pub fn store(p: *mut u8, width: u8, v: u64) {
        let _g = LOCK.lock();
        set(p, width, v)
    }

    pub fn cmpxchg(p: *mut u8, width: u8, e: u64, n: u64) -> u64 {
        let _g = LOCK.lock();
        let old = get(p, width);
        if old == low(e, width) {
            set(p, width, n);
        }
        old
    }

    pub fn rmw(p: *mut u8, width: u8, op: AtomicOp, v: u64) -> u64 {
        let _g = LOCK.lock();
        let old = get(p, width);
        set(p, width, value(op, width, old, v));
        old
    }

    /// What `op` stores over `old` (zero-extended) with operand `v`, in the
    /// low `1 << width` bytes (`set` drops the rest). Out of line: the
    /// 64-bit arithmetic is one copy for the widths and both callers.
    #[inline(never)]
    pub(super) fn value(op: AtomicOp, width: u8, old: u64, v: u64) -> u64 {
        let v = low(v, width);
        match op {
            AtomicOp::Xchg => v,
            AtomicOp::Add => old.wrapping_add(v),
            AtomicOp::Sub => old.wrapping_sub(v),
            AtomicOp::And => old & v,
            AtomicOp::Or => old | v,
            AtomicOp::Xor => old ^ v,
            AtomicOp::Nand => !(old & v),
            // One comparison for the four: both are zero-extended, and
            // flipping the sign bit makes the unsigned order the signed
            // one; the larger (or smaller) of the two is kept as it is.
            AtomicOp::MaxS | AtomicOp::MinS | AtomicOp::MaxU | AtomicOp::MinU => {
                let m = mask(width);
                let flip = match op {
                    AtomicOp::MaxS | AtomicOp::MinS => m ^ (m >> 1),
                    _ => 0,
                };
                let less = (old ^ flip) < (v ^ flip);
                if less == matches!(op, AtomicOp::MaxS | AtomicOp::MaxU) {
                    v
                } else {
                    old
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `locked` (the chips without compare-and-swap) against the native
    /// atomics: every operation and width, values around each width's sign
    /// and carry edges, operands with bits above the width.
    #[test]
    fn locked_atomics_match_native() {
        let vals = [
            0u64,
            1,
            0x7f,
            0x80,
            0xff,
            0x7fff,
            0x8000,
            0xffff,
            0x7fff_ffff,
            0x8000_0000,
            0xffff_ffff,
            0x1_0000_0001,
            0x7fff_ffff_ffff_ffff,
            0x8000_0000_0000_0000,
            u64::MAX,
            0x1234_5678_9abc_def0,
        ];
        let native = LinearMemory::new(NULL_GUARD + 64).unwrap();
        let mut buf = [0u64; 2];
        let p = buf.as_mut_ptr() as *mut u8;
        let at = NULL_GUARD + 8;
        for width in 0..4u8 {
            for code in 0..AtomicOp::COUNT {
                let op = AtomicOp::from_u8(code).unwrap();
                for &old in &vals {
                    for &v in &vals {
                        // Only the accessed bytes differ from zero.
                        native.atomic_store(at, 3, 0).unwrap();
                        native.atomic_store(at, width, old).unwrap();
                        locked::store(p, 3, 0);
                        locked::rmw(p, width, AtomicOp::Xchg, old);
                        let want_old = native.atomic_rmw(at, width, op, v).unwrap();
                        let got_old = locked::rmw(p, width, op, v);
                        assert_eq!(
                            locked::load(p, width),
                            native.atomic_load(at, width).unwrap()
                        );
                        let want = native.atomic_load(at, 3).unwrap();
                        let got = locked::load(p, 3);
                        assert_eq!(
                            (got_old, got),
                            (want_old, want),
                            "{op:?} w{width} {old:#x} {v:#x}"
                        );
                    }
                    // Compare-and-exchange, matching and not.
                    for e in [old, old ^ 1, old | 1 << 40] {
                        native.atomic_store(at, 3, 0).unwrap();
                        native.atomic_store(at, width, old).unwrap();
                        locked::store(p, 3, 0);
                        locked::rmw(p, width, AtomicOp::Xchg, old);
                        let want_old = native
                            .atomic_cmpxchg(at, width, e, 0x5a5a_5a5a_5a5a_5a5a)
                            .unwrap();
                        let got_old = locked::cmpxchg(p, width, e, 0x5a5a_5a5a_5a5a_5a5a);
                        assert_eq!(
                            (got_old, locked::load(p, 3)),
                            (want_old, native.atomic_load(at, 3).unwrap()),
                            "cmpxchg w{width} {old:#x} {e:#x}"
                        );
                    }
                }
            }
        }
    }
}
