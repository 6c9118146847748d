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

/// Names and values in two parallel lists: the search over the names is one
/// function for every value type (with `(String, V)` pairs each map's
/// binary search and insertion were a copy of their own).
#[derive(Debug, Clone)]
pub struct NameMap<V> {
    names: Vec<String>,
    vals: Vec<V>,
}

impl<V> Default for NameMap<V> {
    fn default() -> NameMap<V> {
        NameMap::new()
    }
}

/// Where `name` is in the sorted `names` (`Err`: where it would go).
#[inline(never)]
fn find(names: &[String], name: &str) -> Result<usize, usize> {
    names.binary_search_by(|k| k.as_str().cmp(name))
}

/// Finds `name` in the sorted `names` (`Ok`: its index) or inserts it
/// (`Err`: where it went), for any map's values.
#[inline(never)]
fn place_name(names: &mut Vec<String>, name: String) -> Result<usize, usize> {
    let at = find(names, &name);
    if let Err(i) = at {
        names.insert(i, name);
    }
    at
}

impl<V> NameMap<V> {
    pub const fn new() -> NameMap<V> {
        NameMap {
            names: Vec::new(),
            vals: Vec::new(),
        }
    }

    /// Sets `name` to `v` (replacing its value if it has one).
    pub fn insert(&mut self, name: String, v: V) {
        match place_name(&mut self.names, name) {
            Ok(i) => self.vals[i] = v,
            Err(i) => self.vals.insert(i, v),
        }
    }

    pub fn get(&self, name: &str) -> Option<&V> {
        self.vals.get(find(&self.names, name).ok()?)
    }

    // `Natives` (the FFI) is the user of these two.
    #[cfg_attr(not(any(feature = "ffi", target_arch = "riscv32")), allow(dead_code))]
    pub fn remove(&mut self, name: &str) -> Option<V> {
        let i = find(&self.names, name).ok()?;
        self.names.remove(i);
        Some(self.vals.remove(i))
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
        let names: Vec<&str> = m.names.iter().map(|n| n.as_str()).collect();
        assert_eq!(m.vals, [3, 2, 4]);
        assert_eq!(names, ["abs", "printf", "zz"]);
    }
}
