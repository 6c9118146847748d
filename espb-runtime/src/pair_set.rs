//! An ordered set of `(key, u32)` pairs: the module heap's three indexes,
//! the FFI's handle index and its user-data set.
//!
//! Why not `BTreeSet`: on the chip its code (insert, remove with
//! rebalancing, range iteration) is 4.7 KB of a runtime that must fit next
//! to the firmware, and these sets need only point lookups, the nearest
//! pair below or at/above a bound, insert and remove. A sorted list of
//! sorted chunks does that in about a fifth of the code: a binary search
//! over the chunks' first pairs, then one within a chunk; inserting moves
//! at most `2 * CHUNK` pairs plus, when a chunk splits, the chunk list
//! itself (a few words per `CHUNK` pairs). No operation is worse than
//! O(log n + CHUNK + n / CHUNK), and a module cannot make one degrade
//! further by choosing its allocation sizes or addresses.

use alloc::vec::Vec;

/// Pairs per chunk after a split; a chunk splits when it passes twice this.
const CHUNK: usize = 64;

#[derive(Debug, Clone, Default)]
pub(crate) struct PairSet<K> {
    /// Sorted, non-empty chunks, each sorted, in ascending order overall.
    chunks: Vec<Vec<(K, u32)>>,
    len: usize,
}

impl<K: Copy + Ord> PairSet<K> {
    pub(crate) const fn new() -> Self {
        PairSet {
            chunks: Vec::new(),
            len: 0,
        }
    }

    pub(crate) fn len(&self) -> usize {
        self.len
    }

    /// The chunk `x` falls in: the last whose first pair is `<= x`, else the
    /// first. `None` when the set is empty.
    fn chunk_of(&self, x: &(K, u32)) -> Option<usize> {
        if self.chunks.is_empty() {
            return None;
        }
        let after = self
            .chunks
            .partition_point(|c| c.first().is_some_and(|f| f <= x));
        Some(after.saturating_sub(1))
    }

    /// Adds `x`; false if it was there.
    pub(crate) fn insert(&mut self, x: (K, u32)) -> bool {
        if self.chunks.is_empty() {
            // The first pair goes in as any other, into an empty chunk
            // (non-empty again below).
            self.chunks.push(Vec::new());
        }
        let i = self.chunk_of(&x).unwrap_or(0);
        let Some(c) = self.chunks.get_mut(i) else {
            return false;
        };
        let Err(at) = c.binary_search(&x) else {
            return false;
        };
        c.insert(at, x);
        self.len += 1;
        if c.len() > 2 * CHUNK {
            let tail = c.split_off(CHUNK);
            self.chunks.insert(i + 1, tail);
        }
        true
    }

    /// Removes `x`; false if it was not there.
    pub(crate) fn remove(&mut self, x: &(K, u32)) -> bool {
        let Some(i) = self.chunk_of(x) else {
            return false;
        };
        let Some(c) = self.chunks.get_mut(i) else {
            return false;
        };
        let Ok(at) = c.binary_search(x) else {
            return false;
        };
        c.remove(at);
        self.len -= 1;
        if c.is_empty() {
            self.chunks.remove(i);
        } else if c.len() < CHUNK / 4 {
            // Merge a small chunk into its successor's room so that removals
            // cannot leave a long list of near-empty chunks behind.
            let next = i + 1;
            if self
                .chunks
                .get(next)
                .is_some_and(|n| n.len() + CHUNK / 4 <= 2 * CHUNK)
            {
                let n = self.chunks.remove(next);
                if let Some(c) = self.chunks.get_mut(i) {
                    c.extend_from_slice(&n);
                }
            }
        }
        true
    }

    /// The smallest pair `>= x`.
    pub(crate) fn at_or_after(&self, x: (K, u32)) -> Option<(K, u32)> {
        let i = self.chunk_of(&x)?;
        let c = self.chunks.get(i)?;
        let at = c.partition_point(|e| *e < x);
        match c.get(at) {
            Some(&e) => Some(e),
            None => self.chunks.get(i + 1)?.first().copied(),
        }
    }

    /// The largest pair `< x`.
    pub(crate) fn before(&self, x: (K, u32)) -> Option<(K, u32)> {
        let i = self.chunk_of(&x)?;
        let c = self.chunks.get(i)?;
        let at = c.partition_point(|e| *e < x);
        match at.checked_sub(1) {
            Some(j) => c.get(j).copied(),
            None => self.chunks.get(i.checked_sub(1)?)?.last().copied(),
        }
    }

    /// The second member of the pair whose first member is `k` (the first
    /// such pair; the sets that use this keep first members unique).
    pub(crate) fn get(&self, k: K) -> Option<u32> {
        self.at_or_after((k, 0))
            .filter(|&(f, _)| f == k)
            .map(|(_, v)| v)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::collections::BTreeSet;

    /// Random operations checked against `BTreeSet` at every step, with keys
    /// dense enough to hit duplicates and sizes that split and merge chunks.
    #[test]
    fn behaves_like_a_btree_set() {
        let mut s = PairSet::<u32>::new();
        let mut b = BTreeSet::new();
        let mut seed = 0x2545_f491_u32;
        let mut next = || {
            seed ^= seed << 13;
            seed ^= seed >> 17;
            seed ^= seed << 5;
            seed
        };
        for round in 0..40_000u32 {
            // Grow for a while, then shrink, then grow again.
            let grow = (round / 8_000) % 2 == 0;
            let r = next();
            let x = (r % 700, (r >> 10) % 3);
            let op = next() % 10;
            if op < 5 || (grow && op < 7) {
                assert_eq!(s.insert(x), b.insert(x), "insert {x:?}");
            } else if op < 8 {
                assert_eq!(s.remove(&x), b.remove(&x), "remove {x:?}");
            } else {
                assert_eq!(s.at_or_after(x) == Some(x), b.contains(&x));
            }
            assert_eq!(s.len(), b.len());
            let q = (next() % 720, next() % 4);
            assert_eq!(
                s.at_or_after(q),
                b.range(q..).next().copied(),
                "after {q:?}"
            );
            assert_eq!(
                s.before(q),
                b.range(..q).next_back().copied(),
                "before {q:?}"
            );
            let first = b.range((q.0, 0)..=(q.0, u32::MAX)).next().map(|p| p.1);
            assert_eq!(s.get(q.0), first, "get {}", q.0);
        }
        assert!(s
            .chunks
            .iter()
            .all(|c| !c.is_empty() && c.len() <= 2 * CHUNK));
        let flat: Vec<_> = s.chunks.iter().flatten().copied().collect();
        assert_eq!(flat, b.iter().copied().collect::<Vec<_>>());
    }

    #[test]
    fn many_chunks_then_empty() {
        let mut s = PairSet::<u32>::new();
        for k in (0..10_000u32).rev() {
            assert!(s.insert((k * 8, k)));
        }
        assert!(s.chunks.len() > 10_000 / (2 * CHUNK));
        assert_eq!(s.get(8 * 777), Some(777));
        assert_eq!(s.before((8 * 777, 0)), Some((8 * 776, 776)));
        assert_eq!(s.at_or_after((8 * 777 + 1, 0)), Some((8 * 778, 778)));
        for k in 0..10_000u32 {
            assert!(s.remove(&(k * 8, k)));
        }
        assert_eq!(s.len(), 0);
        assert!(s.chunks.is_empty());
        assert_eq!(s.at_or_after((0, 0)), None);
        assert_eq!(s.before((u32::MAX, 0)), None);
    }
}
