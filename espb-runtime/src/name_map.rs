//! Maps from names to values as lists sorted by name: what the embedder
//! registers (natives, host functions, symbol tables) and the linker looks up.
//!
//! Why not `BTreeMap<String, V>`: each value type instantiates the B-tree's
//! insert/search/drop code anew, kilobytes per map on a chip, where a
//! binary search and `Vec::insert` are a few hundred bytes. Lookups stay
//! O(log n); an insert moves the entries after it, fine for the few hundred
//! names an embedder registers (the linker registers only names that
//! resolved to one of those).

use alloc::string::String;
use alloc::vec::Vec;

/// Names sorted, each with the index of its value in a list of its own:
/// the sorted list and its binary search, insertion and removal are one
/// copy for every value type (as `(String, V)` pairs each map's own copy of
/// the search and of `Vec::insert` was a few hundred bytes on a chip); a
/// value type adds only its list's push, replacement and removal.
#[derive(Debug, Clone)]
pub struct NameMap<V> {
    names: Names,
    values: Vec<V>,
}

/// Sorted by name: each name and where its value is.
type Names = Vec<(String, usize)>;

impl<V> Default for NameMap<V> {
    fn default() -> NameMap<V> {
        NameMap::new()
    }
}

/// Where `name` is among the sorted `names` (`Err`: where it would go).
#[inline(never)]
fn find(names: &Names, name: &str) -> Result<usize, usize> {
    let (mut lo, mut hi) = (0, names.len());
    while lo < hi {
        let mid = lo + (hi - lo) / 2;
        let at = names.get(mid).map_or("", |e| e.0.as_str());
        match at.cmp(name) {
            core::cmp::Ordering::Less => lo = mid + 1,
            core::cmp::Ordering::Greater => hi = mid,
            core::cmp::Ordering::Equal => return Ok(mid),
        }
    }
    Err(lo)
}

/// `name` with its value's index, inserted at `i` (a place `find` gave).
#[inline(never)]
fn insert_name(names: &mut Names, i: usize, name: String, value: usize) {
    names.insert(i.min(names.len()), (name, value));
}

/// Removes the name at `i` (a place `find` found); its value's index. The
/// value listed last moves to that index (`swap_remove`): its name follows.
#[cfg_attr(not(any(feature = "ffi", target_arch = "riscv32")), allow(dead_code))]
#[inline(never)]
fn remove_name(names: &mut Names, i: usize, values: usize) -> Option<usize> {
    if i >= names.len() {
        return None;
    }
    let (_, at) = names.remove(i);
    let last = values.checked_sub(1)?;
    if let Some(e) = names.iter_mut().find(|e| e.1 == last) {
        e.1 = at;
    }
    Some(at)
}

impl<V> NameMap<V> {
    pub const fn new() -> NameMap<V> {
        NameMap {
            names: Vec::new(),
            values: Vec::new(),
        }
    }

    /// Sets `name` to `v` (replacing its value if it has one).
    pub fn insert(&mut self, name: String, v: V) {
        match find(&self.names, &name) {
            // `i` and its value's index are in range (no panic exit for
            // what cannot happen).
            Ok(i) => {
                if let Some(e) = self.names.get(i).and_then(|e| self.values.get_mut(e.1)) {
                    *e = v;
                }
            }
            Err(i) => {
                insert_name(&mut self.names, i, name, self.values.len());
                self.values.push(v);
            }
        }
    }

    pub fn get(&self, name: &str) -> Option<&V> {
        let i = find(&self.names, name).ok()?;
        self.values.get(self.names.get(i)?.1)
    }

    // `Natives` (the FFI) is the user of these two.
    #[cfg_attr(not(any(feature = "ffi", target_arch = "riscv32")), allow(dead_code))]
    pub fn remove(&mut self, name: &str) -> Option<V> {
        let i = find(&self.names, name).ok()?;
        let at = remove_name(&mut self.names, i, self.values.len())?;
        (at < self.values.len()).then(|| self.values.swap_remove(at))
    }

    #[cfg_attr(not(any(feature = "ffi", target_arch = "riscv32")), allow(dead_code))]
    pub fn contains_key(&self, name: &str) -> bool {
        find(&self.names, name).is_ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::string::ToString;

    #[test]
    fn insert_replace_get_remove() {
        let mut m = NameMap::new();
        for (i, n) in ["puts", "abs", "printf", "abs", "zz"].iter().enumerate() {
            m.insert(n.to_string(), i);
        }
        assert_eq!(m.get("abs"), Some(&3), "a second insert replaces");
        assert_eq!(m.get("puts"), Some(&0));
        assert_eq!(m.get("printf"), Some(&2));
        assert_eq!(m.get("print"), None);
        assert!(m.contains_key("zz"));
        assert_eq!(m.remove("puts"), Some(0));
        assert_eq!(m.remove("puts"), None);
        assert!(!m.contains_key("puts"));
        let names: Vec<&str> = m.names.iter().map(|e| e.0.as_str()).collect();
        let vals: Vec<usize> = m.names.iter().map(|e| m.values[e.1]).collect();
        assert_eq!(vals, [3, 2, 4]);
        assert_eq!(names, ["abs", "printf", "zz"]);
        assert_eq!(m.values.len(), 3);
    }

    /// Inserts, replacements and removals against `BTreeMap`'s.
    #[test]
    fn matches_a_btree_map() {
        let mut m = NameMap::new();
        let mut r = alloc::collections::BTreeMap::new();
        let mut x: u32 = 1;
        for step in 0..20_000u32 {
            x ^= x << 13;
            x ^= x >> 17;
            x ^= x << 5;
            let name = alloc::format!("n{}", x % 97);
            match x % 3 {
                0 => assert_eq!(m.remove(&name), r.remove(&name), "{step}"),
                _ => {
                    m.insert(name.clone(), step);
                    r.insert(name, step);
                }
            }
            let probe = alloc::format!("n{}", (x >> 8) % 97);
            assert_eq!(m.get(&probe), r.get(&probe), "{step}");
            assert_eq!(m.contains_key(&probe), r.contains_key(&probe));
            assert_eq!(m.values.len(), r.len());
        }
    }
}
