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

/// Entries sorted by name. The binary search is one function for every
/// value type (it reads the names through `name_at`): each map's own copy
/// was a few hundred bytes on a chip.
#[derive(Debug, Clone)]
pub struct NameMap<V> {
    items: Vec<(String, V)>,
}

impl<V> Default for NameMap<V> {
    fn default() -> NameMap<V> {
        NameMap::new()
    }
}

/// Where `name` is among `len` sorted names, `name_at(i)` the `i`th
/// (`Err`: where it would go).
#[inline(never)]
fn find<'a>(len: usize, name_at: &dyn Fn(usize) -> &'a str, name: &str) -> Result<usize, usize> {
    let (mut lo, mut hi) = (0, len);
    while lo < hi {
        let mid = lo + (hi - lo) / 2;
        match name_at(mid).cmp(name) {
            core::cmp::Ordering::Less => lo = mid + 1,
            core::cmp::Ordering::Greater => hi = mid,
            core::cmp::Ordering::Equal => return Ok(mid),
        }
    }
    Err(lo)
}

impl<V> NameMap<V> {
    pub const fn new() -> NameMap<V> {
        NameMap { items: Vec::new() }
    }

    fn find(&self, name: &str) -> Result<usize, usize> {
        let items = &self.items;
        find(
            items.len(),
            &|i| items.get(i).map_or("", |e| e.0.as_str()),
            name,
        )
    }

    /// Sets `name` to `v` (replacing its value if it has one).
    pub fn insert(&mut self, name: String, v: V) {
        match self.find(&name) {
            // `i` is in range (no panic exit for what cannot happen).
            Ok(i) => {
                if let Some(e) = self.items.get_mut(i) {
                    e.1 = v;
                }
            }
            Err(i) => self.items.insert(i, (name, v)),
        }
    }

    pub fn get(&self, name: &str) -> Option<&V> {
        self.items.get(self.find(name).ok()?).map(|e| &e.1)
    }

    // `Natives` (the FFI) is the user of these two.
    #[cfg_attr(not(any(feature = "ffi", target_arch = "riscv32")), allow(dead_code))]
    pub fn remove(&mut self, name: &str) -> Option<V> {
        let i = self.find(name).ok()?;
        Some(self.items.remove(i).1)
    }

    #[cfg_attr(not(any(feature = "ffi", target_arch = "riscv32")), allow(dead_code))]
    pub fn contains_key(&self, name: &str) -> bool {
        self.find(name).is_ok()
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
        let names: Vec<&str> = m.items.iter().map(|e| e.0.as_str()).collect();
        let vals: Vec<usize> = m.items.iter().map(|e| e.1).collect();
        assert_eq!(vals, [3, 2, 4]);
        assert_eq!(names, ["abs", "printf", "zz"]);
    }
}
