//! The firmware's native table: a C source listing the real addresses of
//! the functions the project's modules import (and of the slots of the
//! fast-symbol tables they were built against), each guarded by the ESP-IDF
//! component that provides it, plus the CMake list of those components. The
//! template's `espb_runtime` component compiles it, so the linker pulls in
//! exactly those functions, and `main.c` registers it with one call
//! (`espb_register_natives`). See docs/firmware.md for the trade-off between
//! firmware size and what later modules may call, and `[firmware] keep`.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write;

use espb_format::symtab::SymbolTable;
use espb_format::ImportKind;

/// File names inside the output directory.
pub const NATIVES_SOURCE: &str = "espb_natives.c";
pub const NATIVES_CMAKE: &str = "espb_natives.cmake";

/// The bundled default fast-symbol table, keepable as `"esp-idf"`.
pub const BUNDLED_TABLE: &str = include_str!("../../../symtabs/esp-idf.espbsym");

/// Which component provides which functions (`providers.txt`).
pub struct Providers {
    /// (pattern, component); a pattern ending in `*` is a prefix.
    rules: Vec<(String, String)>,
}

impl Providers {
    pub fn bundled() -> Providers {
        Providers::parse(include_str!("providers.txt"))
    }

    fn parse(text: &str) -> Providers {
        let mut rules = Vec::new();
        for line in text.lines().map(str::trim) {
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            if let Some((component, patterns)) = line.split_once(':') {
                for p in patterns.split_whitespace() {
                    rules.push((p.to_string(), component.trim().to_string()));
                }
            }
        }
        Providers { rules }
    }

    /// The component providing `name`: an exact pattern, else the longest
    /// matching prefix.
    pub fn component(&self, name: &str) -> Option<&str> {
        if let Some((_, c)) = self.rules.iter().find(|(p, _)| p == name) {
            return Some(c);
        }
        self.rules
            .iter()
            .filter_map(|(p, c)| Some((p.strip_suffix('*')?, c)))
            .filter(|(prefix, _)| name.starts_with(prefix))
            .max_by_key(|(prefix, _)| prefix.len())
            .map(|(_, c)| c.as_str())
    }

    /// Every component named, in file order, without repeats.
    fn components(&self) -> Vec<&str> {
        let mut seen = BTreeSet::new();
        self.rules
            .iter()
            .map(|(_, c)| c.as_str())
            .filter(|c| seen.insert(*c))
            .collect()
    }

    /// The patterns of `component`.
    fn patterns<'a>(&'a self, component: &'a str) -> impl Iterator<Item = &'a str> + 'a {
        self.rules
            .iter()
            .filter(move |(_, c)| c == component)
            .map(|(p, _)| p.as_str())
    }
}

/// One function the firmware carries.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Native {
    pub name: String,
    /// The component that provides it, when known.
    pub component: Option<String>,
    /// An sdkconfig option it needs (`if CONFIG_X` in a symbol table).
    pub condition: Option<String>,
}

/// What to generate: by-name natives and fast-symbol tables.
#[derive(Debug, Clone, Default)]
pub struct NativeTable {
    /// Carried by name, sorted.
    pub natives: Vec<Native>,
    /// Fast-symbol tables the module was built against: every slot, with the
    /// carried ones named in `natives`.
    pub tables: Vec<SymbolTable>,
}

/// Inputs of [`NativeTable::plan`].
pub struct Plan<'a> {
    /// The module's imports: (name, by fast symbol?).
    pub imports: Vec<(String, Option<String>)>,
    /// Names the runtime serves itself (its builtins): never carried.
    pub builtins: &'a BTreeSet<String>,
    /// More functions to carry (`[firmware] keep`).
    pub keep: Vec<String>,
    /// Tables whose every function is carried (`[firmware] keep-tables`).
    pub keep_tables: Vec<SymbolTable>,
    /// The fast-symbol tables the module was built against.
    pub module_tables: Vec<SymbolTable>,
    pub providers: &'a Providers,
}

impl NativeTable {
    pub fn plan(p: Plan<'_>) -> NativeTable {
        let conditions: BTreeMap<&str, &str> = p
            .keep_tables
            .iter()
            .chain(&p.module_tables)
            .flat_map(|t| &t.entries)
            .filter_map(|e| Some((e.name.as_str(), e.condition.as_deref()?)))
            .collect();
        let mut names: BTreeSet<String> = p.imports.iter().map(|(n, _)| n.clone()).collect();
        names.extend(p.keep.iter().cloned());
        for t in &p.keep_tables {
            names.extend(t.entries.iter().map(|e| e.name.clone()));
        }
        let natives = names
            .into_iter()
            .filter(|n| !p.builtins.contains(n))
            .map(|name| Native {
                component: p.providers.component(&name).map(str::to_string),
                condition: conditions.get(name.as_str()).map(|c| c.to_string()),
                name,
            })
            .collect();
        NativeTable {
            natives,
            tables: p.module_tables,
        }
    }

    /// The components the carried functions come from, sorted.
    pub fn components(&self) -> Vec<String> {
        let set: BTreeSet<&str> = self
            .natives
            .iter()
            .filter_map(|n| n.component.as_deref())
            .collect();
        set.into_iter().map(str::to_string).collect()
    }

    /// `espb_natives.cmake`: the components the firmware must require.
    pub fn cmake(&self) -> String {
        let mut s = String::from(
            "# Generated by `cargo espb build`: the ESP-IDF components the\n\
             # firmware's native table (espb_natives.c) takes functions from.\n",
        );
        let _ = writeln!(
            s,
            "set(ESPB_NATIVE_COMPONENTS {})",
            self.components().join(" ")
        );
        s
    }

    /// `espb_natives.c`.
    pub fn c_source(&self, project: &str, providers: &Providers) -> String {
        let mut s = String::new();
        let _ = writeln!(
            s,
            "/* Generated by `cargo espb build` for `{project}`; do not edit.\n \
             *\n \
             * The firmware functions this project's modules import, by address:\n \
             * compiling this file makes the linker pull exactly these in, and\n \
             * espb_register_natives(espb_firmware_natives, espb_firmware_natives_count)\n \
             * hands them to the runtime. Each is guarded by the component that\n \
             * provides it (ESPB_HAVE_<COMPONENT>, set by the espb_runtime\n \
             * component); one the firmware lacks is a NULL entry naming what\n \
             * provides it, which a module importing it reports at load. A module\n \
             * loaded later (module-only update) can call only what is listed\n \
             * here: list more in espb.toml [firmware] keep / keep-tables.\n \
             * (docs/firmware.md) */"
        );
        s.push_str(
            "#include <stddef.h>\n#include \"sdkconfig.h\"\n#include \"espb_runtime.h\"\n\n",
        );
        s.push_str(
            "/* Each function is declared under its own name (so no ESP-IDF header\n \
             * is needed and none can conflict) and bound to the real symbol. */\n\
             #define ESPB_STR2(x) #x\n\
             #define ESPB_STR(x) ESPB_STR2(x)\n\
             #define ESPB_SYM(name) ESPB_STR(__USER_LABEL_PREFIX__) name\n\n",
        );
        let guard = |n: &Native| -> Option<String> {
            let mut parts = Vec::new();
            if let Some(c) = &n.component {
                parts.push(format!("ESPB_HAVE_{}", macro_name(c)));
            }
            if let Some(cond) = &n.condition {
                parts.push(format!("defined({cond})"));
            }
            (!parts.is_empty()).then(|| parts.join(" && "))
        };
        let reason = |n: &Native| -> String {
            let mut r = Vec::new();
            if let Some(c) = &n.component {
                r.push(format!("component {c}"));
            }
            if let Some(cond) = &n.condition {
                r.push(cond.clone());
            }
            r.join(" with ")
        };
        for (i, n) in self.natives.iter().enumerate() {
            let decl = format!(
                "extern void espb_native_{i}(void) __asm__(ESPB_SYM(\"{}\"));",
                n.name
            );
            match guard(n) {
                Some(g) => {
                    let _ = writeln!(s, "#if {g}\n{decl}\n#endif");
                }
                None => {
                    let _ = writeln!(s, "{decl}");
                }
            }
        }
        let entry = |s: &mut String, i: usize, n: &Native| match guard(n) {
            Some(g) => {
                let _ = writeln!(
                    s,
                    "#if {g}\n    {{\"{name}\", (const void *)&espb_native_{i}, NULL}},\n#else\n    {{\"{name}\", NULL, \"{r}\"}},\n#endif",
                    name = n.name,
                    r = reason(n)
                );
            }
            None => {
                let _ = writeln!(
                    s,
                    "    {{\"{}\", (const void *)&espb_native_{i}, NULL}},",
                    n.name
                );
            }
        };
        s.push_str("\nstatic const espb_native_t by_name[] = {\n");
        for (i, n) in self.natives.iter().enumerate() {
            entry(&mut s, i, n);
        }
        s.push_str(
            "    /* Functions not listed above: what provides them, for the load\n     \
             * error of a module that imports one. */\n",
        );
        for c in providers.components() {
            let _ = writeln!(s, "#if !ESPB_HAVE_{}", macro_name(c));
            for p in providers.patterns(c) {
                let _ = writeln!(s, "    {{\"{p}\", NULL, \"component {c}\"}},");
            }
            s.push_str("#endif\n");
        }
        s.push_str("};\n");
        let index: BTreeMap<&str, usize> = self
            .natives
            .iter()
            .enumerate()
            .map(|(i, n)| (n.name.as_str(), i))
            .collect();
        for (t, table) in self.tables.iter().enumerate() {
            let _ = writeln!(
                s,
                "\n/* Fast-symbol table `{}`: one entry per slot. */\nstatic const espb_native_t symtab_{t}[] = {{",
                table.name
            );
            for e in &table.entries {
                match index.get(e.name.as_str()) {
                    Some(&i) => entry(&mut s, i, &self.natives[i]),
                    None => {
                        let _ = writeln!(s, "    {{\"{}\", NULL, NULL}},", e.name);
                    }
                }
            }
            s.push_str("};\n");
        }
        s.push_str("\nconst espb_native_table_t espb_firmware_natives[] = {\n");
        s.push_str("    {NULL, 0, by_name, sizeof by_name / sizeof by_name[0]},\n");
        for (t, table) in self.tables.iter().enumerate() {
            let _ = writeln!(
                s,
                "    {{\"{}\", 0x{:016x}ull, symtab_{t}, sizeof symtab_{t} / sizeof symtab_{t}[0]}},",
                table.name,
                table.hash()
            );
        }
        s.push_str("};\nconst size_t espb_firmware_natives_count =\n    sizeof espb_firmware_natives / sizeof espb_firmware_natives[0];\n");
        s
    }
}

/// `nvs_flash` → `NVS_FLASH`, as the component's CMake does it.
fn macro_name(component: &str) -> String {
    component
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_uppercase()
            } else {
                '_'
            }
        })
        .collect()
}

/// The module's imports as (name, fast-symbol table name).
pub fn module_imports(m: &espb_format::Module<'_>) -> Vec<(String, Option<String>)> {
    m.imports
        .iter()
        .map(|i| {
            let table = match i.kind {
                ImportKind::Fast { table, .. } => {
                    m.symtabs.get(table as usize).map(|t| t.name.to_string())
                }
                ImportKind::Name => None,
            };
            (i.name.to_string(), table)
        })
        .collect()
}

#[cfg(test)]
mod tests;
