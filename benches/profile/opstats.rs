//! Dynamic opcode and opcode-pair counters, spliced into a private copy of
//! espb-runtime by `opcode-pairs.sh` (never into the real crate).
//! Single-threaded benchmarks: plain load/store, no atomic RMW.

use core::sync::atomic::{AtomicU64, AtomicUsize, Ordering::Relaxed};

static COUNTS: [AtomicU64; 256] = [const { AtomicU64::new(0) }; 256];
static PAIRS: [AtomicU64; 65536] = [const { AtomicU64::new(0) }; 65536];
static PREV: AtomicUsize = AtomicUsize::new(usize::MAX);

#[inline(always)]
pub fn record(op: u8) {
    let op = op as usize;
    let prev = PREV.load(Relaxed);
    PREV.store(op, Relaxed);
    let c = &COUNTS[op];
    c.store(c.load(Relaxed) + 1, Relaxed);
    if prev != usize::MAX {
        let p = &PAIRS[(prev << 8) | op];
        p.store(p.load(Relaxed) + 1, Relaxed);
    }
}

/// Returns and resets (opcode counts, pair counts indexed `prev << 8 | next`).
pub fn take() -> (alloc::vec::Vec<u64>, alloc::vec::Vec<u64>) {
    PREV.store(usize::MAX, Relaxed);
    (
        COUNTS.iter().map(|c| c.swap(0, Relaxed)).collect(),
        PAIRS.iter().map(|c| c.swap(0, Relaxed)).collect(),
    )
}
