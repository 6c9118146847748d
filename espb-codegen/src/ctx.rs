//! Module-wide translation state: entity indices (functions, imports, types,
//! source files) and global addresses, shared by every function's lowering.

use std::borrow::Cow;
use std::collections::HashMap;

use espb_format::{FuncType, Import, ImportKind};

use crate::llvm::{Bb, Mod, Val};
use crate::types;

pub struct Ctx {
    pub m: Mod,
    /// Defined functions, in function-index order.
    pub func_list: Vec<Val>,
    pub funcs: HashMap<Val, u32>,
    pub imports: Vec<Import<'static>>,
    import_map: HashMap<String, u32>,
    pub types: Vec<FuncType>,
    type_map: HashMap<FuncType, u32>,
    /// Linear address of every defined global variable.
    pub globals: HashMap<Val, u32>,
    pub files: Vec<String>,
    file_map: HashMap<String, u32>,
    /// Label values (`&&label`, LLVM `blockaddress`) handed out so far.
    labels: HashMap<(Val, Bb), u32>,
}

/// Where label values (`&&label`) live: above every linear address and
/// below native references, so a label is never a valid pointer and calling
/// one traps. Labels are numbered in the order they are met; differences
/// of labels in one function are small integers, and `&&a + (&&b - &&a)`
/// is `&&b` as C programs using label tables expect.
pub const LABEL_BASE: u32 = 0x6000_0000;

/// Most label values one module may take.
const MAX_LABELS: u32 = 1 << 24;

impl Ctx {
    pub fn new(m: Mod) -> Ctx {
        Ctx {
            m,
            func_list: Vec::new(),
            funcs: HashMap::new(),
            imports: Vec::new(),
            import_map: HashMap::new(),
            types: Vec::new(),
            type_map: HashMap::new(),
            globals: HashMap::new(),
            files: Vec::new(),
            file_map: HashMap::new(),
            labels: HashMap::new(),
        }
    }

    /// The value of `blockaddress(func, block)`.
    pub fn label_value(&mut self, func: Val, block: Bb) -> Result<u32, String> {
        let n = self.labels.len() as u32;
        let id = *self.labels.entry((func, block)).or_insert(n);
        if id >= MAX_LABELS {
            return Err("too many label addresses (`&&label`) in one module".into());
        }
        Ok(LABEL_BASE + id)
    }

    pub fn intern_type(&mut self, t: FuncType) -> u32 {
        if let Some(&i) = self.type_map.get(&t) {
            return i;
        }
        let i = self.types.len() as u32;
        self.types.push(t.clone());
        self.type_map.insert(t, i);
        i
    }

    /// The import index of a declared (body-less) function, created on first use.
    pub fn import_of(&mut self, f: Val) -> Result<u32, String> {
        let name = f.name();
        if let Some(&i) = self.import_map.get(&name) {
            return Ok(i);
        }
        let sig = types::signature(&self.m, f.global_value_type())
            .map_err(|e| format!("import `{}`: {}", name, e.0))?;
        let ty = self.intern_type(sig);
        let i = self.imports.len() as u32;
        self.imports.push(Import {
            name: Cow::Owned(name.clone()),
            ty,
            kind: ImportKind::Name,
        });
        self.import_map.insert(name, i);
        Ok(i)
    }

    pub fn file_id(&mut self, name: &str) -> u32 {
        if let Some(&i) = self.file_map.get(name) {
            return i;
        }
        let i = self.files.len() as u32;
        self.files.push(name.to_string());
        self.file_map.insert(name.to_string(), i);
        i
    }

    /// An import by name with a given signature (library calls the lowering introduces).
    pub fn import_named(&mut self, name: &str, ty: u32) -> Result<u32, String> {
        if let Some(&i) = self.import_map.get(name) {
            if self.imports[i as usize].ty != ty {
                return Err(format!("`{}` is used with two different signatures", name));
            }
            return Ok(i);
        }
        let i = self.imports.len() as u32;
        self.imports.push(Import {
            name: Cow::Owned(name.to_string()),
            ty,
            kind: ImportKind::Name,
        });
        self.import_map.insert(name.to_string(), i);
        Ok(i)
    }
}
