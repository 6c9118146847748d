//! A heap sort of index lists, for the few places that sort at load time
//! (the reader, the runtime's linker).
//!
//! Why not `slice::sort*`: each element type and comparator instantiates the
//! standard library's sorts anew (2–5 KB of code each on a chip), where this
//! one non-generic function serves every caller. O(n log n) worst case, in
//! place, never panics (every index it touches is below the length).

/// Sorts `idx` ascending by `less` (a strict weak order over the values in
/// `idx`). Not stable: callers that need a deterministic order among equal
/// items make the index part of the order. Out of line, as is
/// [`sift_down`]: at opt-level 2/3 each caller would get copies of both.
#[inline(never)]
pub fn sort_indices(idx: &mut [u32], less: &mut dyn FnMut(u32, u32) -> bool) {
    let n = idx.len();
    for start in (0..n / 2).rev() {
        sift_down(idx, start, n, less);
    }
    for end in (1..n).rev() {
        // `swap` without its bounds check's panic path (`end < n`).
        if let Some((first, rest)) = idx.split_first_mut() {
            if let Some(last) = rest.get_mut(end - 1) {
                core::mem::swap(first, last);
            }
        }
        sift_down(idx, 0, end, less);
    }
}

/// Moves `idx[root]` down the max-heap `idx[..end]` to its place. Values
/// are read through `get` and the pair written back as loaded (no indexing
/// and no `swap`: their bounds checks were panic paths the heap never takes).
#[inline(never)]
fn sift_down(idx: &mut [u32], mut root: usize, end: usize, less: &mut dyn FnMut(u32, u32) -> bool) {
    let end = end.min(idx.len());
    loop {
        let mut child = 2 * root + 1;
        if child >= end {
            return;
        }
        let (Some(&r), Some(&first)) = (idx.get(root), idx.get(child)) else {
            return;
        };
        let mut c = first;
        if child + 1 < end {
            if let Some(&second) = idx.get(child + 1) {
                if less(first, second) {
                    child += 1;
                    c = second;
                }
            }
        }
        if !less(r, c) {
            return;
        }
        if let Some(x) = idx.get_mut(root) {
            *x = c;
        }
        if let Some(x) = idx.get_mut(child) {
            *x = r;
        }
        root = child;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::vec::Vec;

    #[test]
    fn sorts_like_the_standard_sort() {
        // A deterministic pseudo-random sequence with many repeats.
        let mut x: u32 = 12345;
        for n in [0usize, 1, 2, 3, 7, 64, 1000] {
            let vals: Vec<u32> = (0..n)
                .map(|_| {
                    x = x.wrapping_mul(1_103_515_245).wrapping_add(12345);
                    (x >> 16) % 50
                })
                .collect();
            let mut idx: Vec<u32> = (0..n as u32).collect();
            sort_indices(&mut idx, &mut |a, b| {
                (vals[a as usize], a) < (vals[b as usize], b)
            });
            let mut want: Vec<u32> = (0..n as u32).collect();
            want.sort_by_key(|&i| (vals[i as usize], i));
            assert_eq!(idx, want, "n = {n}");
        }
    }
}
