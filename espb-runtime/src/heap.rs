//! The module heap: `malloc` & co. served inside linear memory.
//!
//! Why not an in-band embedded allocator (talc, linked_list_allocator…): those
//! keep their free lists as native pointers inside the managed memory. Here
//! that memory is writable by the (untrusted) module, so a use-after-free
//! write could redirect the allocator's next write anywhere in the host — a
//! sandbox escape. This allocator keeps ALL its metadata outside linear memory
//! and deals only in module addresses, so nothing the module writes can
//! corrupt it; the same records give exact double/invalid-free detection.
//!
//! Policy: best fit over free blocks indexed by size (ties: lowest address),
//! immediate coalescing with both neighbours; every block is a multiple of
//! `GRAIN` bytes and `GRAIN`-aligned. O(log n) per operation.
//!
//! All three indexes are sets of `(u32, u32)` pairs ([`PairSet`], shared
//! with the FFI's handle index), looked up on the first member.

use crate::pair_set::PairSet;
use espb_format::msg;
use espb_format::msg::{Message, Sink};

/// Allocation granularity and the minimum alignment `malloc` guarantees
/// (riscv32 ilp32: 8 covers `double` and `long long`; larger alignments go
/// through `aligned_alloc`).
pub const GRAIN: u32 = 8;

/// Why `free`/`realloc` refused a pointer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HeapError {
    /// The address is not the start of a live allocation.
    NotAllocated(u32),
}

impl Message for HeapError {
    fn write(&self, out: &mut dyn Sink) {
        match self {
            HeapError::NotAllocated(a) => msg!(out, "{x8} is not a live allocation", *a),
        }
    }
}

espb_format::display_via_message!(HeapError);

#[derive(Debug)]
pub struct Heap {
    start: u32,
    end: u32,
    /// Free blocks: (address, size).
    free_at: Pairs,
    /// Free blocks: (size, address).
    free_by_size: Pairs,
    /// Live allocations: (address, block size).
    live: Pairs,
    in_use: u32,
    /// The most bytes ever handed out at once (`esp_get_minimum_free_heap_size`).
    peak_in_use: u32,
}

/// Pairs ordered by first, then second member; lookups by first member
/// (`PairSet::get`) are made only on the address-keyed indexes, where it is
/// unique.
type Pairs = PairSet<u32>;

fn round_up(v: u32, a: u32) -> Option<u32> {
    Some(v.checked_add(a - 1)? & !(a - 1))
}

impl Heap {
    /// A heap over `[start, end)` (both rounded inwards to `GRAIN`).
    pub fn new(start: u32, end: u32) -> Heap {
        let start = round_up(start, GRAIN).unwrap_or(end);
        let end = end & !(GRAIN - 1);
        let mut h = Heap {
            start,
            end,
            free_at: Pairs::new(),
            free_by_size: Pairs::new(),
            live: Pairs::new(),
            in_use: 0,
            peak_in_use: 0,
        };
        if end > start {
            h.insert_free(start, end - start);
        }
        h
    }

    // Out of line, as `remove_free`: each inlined copy set up two `PairSet`
    // calls at every one of the allocator's several uses.
    #[inline(never)]
    fn insert_free(&mut self, addr: u32, size: u32) {
        self.free_at.insert((addr, size));
        self.free_by_size.insert((size, addr));
    }

    #[inline(never)]
    fn remove_free(&mut self, addr: u32, size: u32) {
        self.free_at.remove(&(addr, size));
        self.free_by_size.remove(&(size, addr));
    }

    /// Returns `[addr, addr+size)` to the free set, merging neighbours.
    fn release(&mut self, mut addr: u32, mut size: u32) {
        if let Some((pa, ps)) = self.free_at.before((addr, 0)) {
            if pa + ps == addr {
                self.remove_free(pa, ps);
                addr = pa;
                size += ps;
            }
        }
        if let Some(ns) = self.free_at.get(addr + size) {
            self.remove_free(addr + size, ns);
            size += ns;
        }
        self.insert_free(addr, size);
    }

    /// Allocates `size` bytes aligned to `align` (a power of two). `None` when
    /// out of memory or for a bad alignment.
    pub fn alloc(&mut self, size: u32, align: u32) -> Option<u32> {
        if !align.is_power_of_two() {
            return None;
        }
        let align = align.max(GRAIN);
        let size = round_up(size.max(1), GRAIN)?;
        let need = size.checked_add(align - GRAIN)?;
        let (bsize, baddr) = self.free_by_size.at_or_after((need, 0))?;
        self.remove_free(baddr, bsize);
        let addr = round_up(baddr, align)?;
        if addr > baddr {
            self.insert_free(baddr, addr - baddr);
        }
        let tail = baddr + bsize - (addr + size);
        if tail > 0 {
            self.insert_free(addr + size, tail);
        }
        self.live.insert((addr, size));
        self.in_use += size;
        self.peak_in_use = self.peak_in_use.max(self.in_use);
        Some(addr)
    }

    /// Frees the allocation at `addr`.
    pub fn free(&mut self, addr: u32) -> Result<(), HeapError> {
        let size = self.live.get(addr).ok_or(HeapError::NotAllocated(addr))?;
        self.live.remove(&(addr, size));
        self.in_use -= size;
        self.release(addr, size);
        Ok(())
    }

    /// The usable size of the live allocation at `addr`.
    pub fn size_of(&self, addr: u32) -> Option<u32> {
        self.live.get(addr)
    }

    /// Resizes in place if possible (shrinking always is; growing when the
    /// next block is free and large enough). Returns whether it did.
    pub fn resize_in_place(&mut self, addr: u32, new_size: u32) -> Result<bool, HeapError> {
        let old = self.live.get(addr).ok_or(HeapError::NotAllocated(addr))?;
        let Some(new) = round_up(new_size.max(1), GRAIN) else {
            return Ok(false);
        };
        if new <= old {
            if new < old {
                self.live.remove(&(addr, old));
                self.live.insert((addr, new));
                self.in_use -= old - new;
                self.release(addr + new, old - new);
            }
            return Ok(true);
        }
        let next = addr + old;
        match self.free_at.get(next) {
            Some(ns) if old + ns >= new => {
                self.remove_free(next, ns);
                let rest = old + ns - new;
                if rest > 0 {
                    self.insert_free(addr + new, rest);
                }
                self.live.remove(&(addr, old));
                self.live.insert((addr, new));
                self.in_use += new - old;
                self.peak_in_use = self.peak_in_use.max(self.in_use);
                Ok(true)
            }
            _ => Ok(false),
        }
    }

    /// Bytes handed out (rounded to `GRAIN`).
    pub fn in_use(&self) -> u32 {
        self.in_use
    }

    /// Bytes not handed out.
    pub fn free_bytes(&self) -> u32 {
        self.end - self.start - self.in_use
    }

    /// The fewest bytes ever free (the low-water mark since the heap was made).
    pub fn min_free_bytes(&self) -> u32 {
        self.end - self.start - self.peak_in_use
    }

    /// Number of live allocations.
    pub fn live_count(&self) -> usize {
        self.live.len()
    }

    /// The managed range.
    pub fn range(&self) -> (u32, u32) {
        (self.start, self.end)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn alloc_free_coalesce() {
        let mut h = Heap::new(0x1000, 0x2000);
        let a = h.alloc(10, 1).unwrap();
        let b = h.alloc(100, 1).unwrap();
        let c = h.alloc(1, 64).unwrap();
        assert_eq!(a % 8, 0);
        assert_eq!(c % 64, 0);
        assert!(b >= a + 16);
        h.free(b).unwrap();
        assert_eq!(h.free(b), Err(HeapError::NotAllocated(b)));
        h.free(a).unwrap();
        h.free(c).unwrap();
        assert_eq!(h.in_use(), 0);
        assert_eq!(h.free_at.len(), 1, "everything coalesced back");
        assert_eq!(h.alloc(0x1000, 8), Some(0x1000));
        assert_eq!(h.alloc(8, 8), None);
    }

    #[test]
    fn grow_and_shrink_in_place() {
        let mut h = Heap::new(0x1000, 0x1100);
        let a = h.alloc(16, 8).unwrap();
        assert!(h.resize_in_place(a, 64).unwrap());
        assert_eq!(h.size_of(a), Some(64));
        let b = h.alloc(16, 8).unwrap();
        assert!(!h.resize_in_place(a, 128).unwrap());
        assert!(h.resize_in_place(a, 8).unwrap());
        h.free(a).unwrap();
        h.free(b).unwrap();
        assert_eq!(h.free_bytes(), 0x100);
    }

    #[test]
    fn minimum_free_is_the_low_water_mark() {
        let mut h = Heap::new(0x1000, 0x1100);
        assert_eq!(h.min_free_bytes(), 0x100);
        let a = h.alloc(0x40, 8).unwrap();
        let b = h.alloc(0x40, 8).unwrap();
        h.free(a).unwrap();
        h.free(b).unwrap();
        // Everything is free again, but 0x80 bytes were once in use.
        assert_eq!(h.free_bytes(), 0x100);
        assert_eq!(h.min_free_bytes(), 0x80);
        let c = h.alloc(0x10, 8).unwrap();
        assert!(h.resize_in_place(c, 0xa0).unwrap());
        assert_eq!(h.min_free_bytes(), 0x60);
    }
}
