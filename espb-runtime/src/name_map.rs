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

#[derive(Debug, Clone)]
pub struct NameMap<V> {
    items: Vec<(String, V)>,
}

impl<V> Default for NameMap<V> {
    fn default() -> NameMap<V> {
        NameMap::new()
    }
}

impl<V> NameMap<V> {
    pub const fn new() -> NameMap<V> {
        NameMap { items: Vec::new() }
    }

    fn find(&self, name: &str) -> Result<usize, usize> {
        self.items.binary_search_by(|(k, _)| k.as_str().cmp(name))
    }

    /// Sets `name` to `v` (replacing its value if it has one).
    pub fn insert(&mut self, name: String, v: V) {
        match self.find(&name) {
            Ok(i) => self.items[i].1 = v,
            Err(i) => self.items.insert(i, (name, v)),
        }
    }

    pub fn get(&self, name: &str) -> Option<&V> {
        self.find(name).ok().map(|i| &self.items[i].1)
    }

    // `Natives` (the FFI) is the user of these two.
    #[cfg_attr(not(any(feature = "ffi", target_arch = "riscv32")), allow(dead_code))]
    pub fn remove(&mut self, name: &str) -> Option<V> {
        self.find(name).ok().map(|i| self.items.remove(i).1)
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
        assert_eq!(names, ["abs", "printf", "zz"]);
    }
}
