//! `nvs.h` / `nvs_flash.h`: non-volatile storage as ESP-IDF's API presents it,
//! kept in memory, read from `HostConfig::nvs_file` by `nvs_flash_init` and
//! written to it by `nvs_commit`, so a value survives runs. A malformed file
//! is a corrupted partition: `nvs_flash_init` returns
//! ESP_ERR_NVS_NO_FREE_PAGES and `nvs_flash_erase` starts afresh, as
//! ESP-IDF's examples handle it.
//!
//! File format: one entry per line, `namespace<TAB>key<TAB>type<TAB>hex`,
//! type one of `i8 u8 i16 u16 i32 u32 i64 u64 str blob`.

use std::collections::BTreeMap;
use std::path::Path;

use crate::imports::Caller;
use crate::trap::Trap;

use super::api::{a32, a64, ret, Imp, ESP_ERR_INVALID_ARG, ESP_OK, R};
use super::kernel::{add_object, slot_of, Kernel, State};
use super::objects::Obj;

pub(crate) const TABLE: &[(&str, &str, Imp)] = &[
    ("nvs_flash_init", "() -> i32", flash_init),
    ("nvs_flash_erase", "() -> i32", flash_erase),
    ("nvs_open", "(ptr, i32, ptr) -> i32", open),
    ("nvs_close", "(i32)", close),
    ("nvs_commit", "(i32) -> i32", commit),
    ("nvs_erase_key", "(i32, ptr) -> i32", erase_key),
    ("nvs_erase_all", "(i32) -> i32", erase_all),
    ("nvs_set_i8", "(i32, ptr, i32) -> i32", set_i8),
    ("nvs_set_u8", "(i32, ptr, i32) -> i32", set_u8),
    ("nvs_set_i16", "(i32, ptr, i32) -> i32", set_i16),
    ("nvs_set_u16", "(i32, ptr, i32) -> i32", set_u16),
    ("nvs_set_i32", "(i32, ptr, i32) -> i32", set_i32),
    ("nvs_set_u32", "(i32, ptr, i32) -> i32", set_u32),
    ("nvs_set_i64", "(i32, ptr, i64) -> i32", set_i64),
    ("nvs_set_u64", "(i32, ptr, i64) -> i32", set_u64),
    ("nvs_get_i8", "(i32, ptr, ptr) -> i32", get_i8),
    ("nvs_get_u8", "(i32, ptr, ptr) -> i32", get_u8),
    ("nvs_get_i16", "(i32, ptr, ptr) -> i32", get_i16),
    ("nvs_get_u16", "(i32, ptr, ptr) -> i32", get_u16),
    ("nvs_get_i32", "(i32, ptr, ptr) -> i32", get_i32),
    ("nvs_get_u32", "(i32, ptr, ptr) -> i32", get_u32),
    ("nvs_get_i64", "(i32, ptr, ptr) -> i32", get_i64),
    ("nvs_get_u64", "(i32, ptr, ptr) -> i32", get_u64),
    ("nvs_set_str", "(i32, ptr, ptr) -> i32", set_str),
    ("nvs_get_str", "(i32, ptr, ptr, ptr) -> i32", get_str),
    ("nvs_set_blob", "(i32, ptr, ptr, i32) -> i32", set_blob),
    ("nvs_get_blob", "(i32, ptr, ptr, ptr) -> i32", get_blob),
];

const ESP_ERR_NVS_NOT_INITIALIZED: u32 = 0x1101;
const ESP_ERR_NVS_NOT_FOUND: u32 = 0x1102;
const ESP_ERR_NVS_READ_ONLY: u32 = 0x1104;
const ESP_ERR_NVS_INVALID_HANDLE: u32 = 0x1107;
const ESP_ERR_NVS_KEY_TOO_LONG: u32 = 0x1109;
const ESP_ERR_NVS_INVALID_LENGTH: u32 = 0x110c;
const ESP_ERR_NVS_VALUE_TOO_LONG: u32 = 0x110e;
const ESP_ERR_NVS_INVALID_NAME: u32 = 0x1106;
const ESP_ERR_NVS_NO_FREE_PAGES: u32 = 0x110d;

/// `NVS_KEY_NAME_MAX_SIZE` - 1.
const MAX_KEY: usize = 15;
/// Longest string value (ESP-IDF: 4000 bytes including the NUL).
const MAX_STR: u32 = 4000;
/// Longest blob (ESP-IDF's limit with the default page layout).
const MAX_BLOB: u32 = 508 * 1024;

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Item {
    Int { ty: &'static str, bits: u64 },
    Str(Vec<u8>),
    Blob(Vec<u8>),
}

const INT_TYPES: [(&str, u32, bool); 8] = [
    ("i8", 1, true),
    ("u8", 1, false),
    ("i16", 2, true),
    ("u16", 2, false),
    ("i32", 4, true),
    ("u32", 4, false),
    ("i64", 8, true),
    ("u64", 8, false),
];

/// The NVS contents: (namespace, key) → item.
pub(crate) type Store = BTreeMap<(Vec<u8>, Vec<u8>), Item>;

fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

fn unhex(s: &str) -> Option<Vec<u8>> {
    if s.len() & 1 != 0 {
        return None;
    }
    (0..s.len())
        .step_by(2)
        .map(|i| s.get(i..i + 2).and_then(|h| u8::from_str_radix(h, 16).ok()))
        .collect()
}

pub(crate) enum LoadError {
    Io(String),
    /// A malformed line or encoding.
    Corrupt,
}

/// Reads a store file (a missing file is an empty store).
pub(crate) fn load(path: &Path) -> Result<Store, LoadError> {
    let mut st = Store::new();
    let text = match std::fs::read(path) {
        Ok(t) => String::from_utf8(t).map_err(|_| LoadError::Corrupt)?,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(st),
        Err(e) => return Err(LoadError::Io(format!("{}: {e}", path.display()))),
    };
    for line in text.lines() {
        let bad = || LoadError::Corrupt;
        let f: Vec<&str> = line.split('\t').collect();
        let [ns, key, ty, val] = f[..] else {
            return Err(bad());
        };
        let (ns, key, val) = (
            unhex(ns).ok_or_else(bad)?,
            unhex(key).ok_or_else(bad)?,
            unhex(val).ok_or_else(bad)?,
        );
        let item = match ty {
            "str" => Item::Str(val),
            "blob" => Item::Blob(val),
            t => {
                let (name, size, _) = INT_TYPES.iter().find(|i| i.0 == t).ok_or_else(bad)?;
                if val.len() != 8 || *size > 8 {
                    return Err(bad());
                }
                let mut b = [0u8; 8];
                b.copy_from_slice(&val);
                Item::Int {
                    ty: name,
                    bits: u64::from_le_bytes(b),
                }
            }
        };
        st.insert((ns, key), item);
    }
    Ok(st)
}

fn save(path: &Path, st: &Store) -> Result<(), String> {
    let mut out = String::new();
    for ((ns, key), item) in st {
        let (ty, val) = match item {
            Item::Int { ty, bits } => (*ty, bits.to_le_bytes().to_vec()),
            Item::Str(s) => ("str", s.clone()),
            Item::Blob(b) => ("blob", b.clone()),
        };
        out.push_str(&format!("{}\t{}\t{ty}\t{}\n", hex(ns), hex(key), hex(&val)));
    }
    let tmp = path.with_extension("tmp");
    std::fs::write(&tmp, out)
        .and_then(|_| std::fs::rename(&tmp, path))
        .map_err(|e| format!("{}: {e}", path.display()))
}

/// An open handle: its namespace and whether it may write.
fn handle(st: &State, h: u32) -> Option<(Vec<u8>, bool)> {
    match slot_of(st, h).and_then(|s| st.objects[s as usize].as_ref()) {
        Some(Obj::Nvs {
            namespace,
            writable,
        }) => Some((namespace.clone(), *writable)),
        _ => None,
    }
}

fn read_name(c: &Caller<'_>, p: u32) -> Result<Option<Vec<u8>>, Trap> {
    if p == 0 {
        return Ok(None);
    }
    let s = c.read_cstr(p, 256)?;
    Ok(Some(s))
}

fn flash_init(k: &Kernel, _c: &mut Caller<'_>, _a: &[u64]) -> R {
    let (mut g, _) = k.enter_any()?;
    if g.ext.nvs_ready {
        return ret(ESP_OK);
    }
    if let Some(p) = g.ext.nvs_file.clone() {
        match load(&p) {
            Ok(st) => g.ext.nvs = st,
            Err(LoadError::Corrupt) => return ret(ESP_ERR_NVS_NO_FREE_PAGES),
            Err(LoadError::Io(m)) => return Err(Trap::host(format!("nvs_flash_init: {m}"))),
        }
    }
    g.ext.nvs_ready = true;
    ret(ESP_OK)
}

fn flash_erase(k: &Kernel, _c: &mut Caller<'_>, _a: &[u64]) -> R {
    let (mut g, _) = k.enter_any()?;
    g.ext.nvs.clear();
    g.ext.nvs_namespaces.clear();
    g.ext.nvs_ready = false;
    if let Some(p) = g.ext.nvs_file.clone() {
        save(&p, &g.ext.nvs).map_err(Trap::host)?;
    }
    ret(ESP_OK)
}

fn open(k: &Kernel, c: &mut Caller<'_>, a: &[u64]) -> R {
    let (mode, out) = (a32(a, 1), a32(a, 2));
    let Some(ns) = read_name(c, a32(a, 0))? else {
        return ret(ESP_ERR_INVALID_ARG);
    };
    if out == 0 || mode > 1 {
        return ret(ESP_ERR_INVALID_ARG);
    }
    let (mut g, _) = k.enter_any()?;
    if !g.ext.nvs_ready {
        return ret(ESP_ERR_NVS_NOT_INITIALIZED);
    }
    if ns.is_empty() || ns.len() > MAX_KEY {
        return ret(ESP_ERR_NVS_INVALID_NAME);
    }
    let exists = g.ext.nvs.keys().any(|(n, _)| *n == ns) || g.ext.nvs_namespaces.contains(&ns);
    if mode == 0 && !exists {
        return ret(ESP_ERR_NVS_NOT_FOUND);
    }
    g.ext.nvs_namespaces.insert(ns.clone());
    let h = add_object(
        &mut g,
        Obj::Nvs {
            namespace: ns,
            writable: mode == 1,
        },
    );
    drop(g);
    if h == 0 {
        return ret(super::api::ESP_ERR_NO_MEM);
    }
    c.write_u32(out, h)?;
    ret(ESP_OK)
}

fn close(k: &Kernel, _c: &mut Caller<'_>, a: &[u64]) -> R {
    let (mut g, _) = k.enter_any()?;
    if let Some(s) = slot_of(&g, a32(a, 0)) {
        if matches!(g.objects[s as usize], Some(Obj::Nvs { .. })) {
            g.objects[s as usize] = None;
        }
    }
    Ok(None)
}

fn commit(k: &Kernel, _c: &mut Caller<'_>, a: &[u64]) -> R {
    let (g, _) = k.enter_any()?;
    if handle(&g, a32(a, 0)).is_none() {
        return ret(ESP_ERR_NVS_INVALID_HANDLE);
    }
    if let Some(p) = &g.ext.nvs_file {
        save(p, &g.ext.nvs).map_err(Trap::host)?;
    }
    ret(ESP_OK)
}

/// Runs `f` on the store for a writable handle and a valid key.
fn write(
    k: &Kernel,
    c: &Caller<'_>,
    h: u32,
    key: u32,
    f: impl FnOnce(&mut Store, (Vec<u8>, Vec<u8>)),
) -> R {
    let Some(key) = read_name(c, key)? else {
        return ret(ESP_ERR_INVALID_ARG);
    };
    let (mut g, _) = k.enter_any()?;
    let Some((ns, writable)) = handle(&g, h) else {
        return ret(ESP_ERR_NVS_INVALID_HANDLE);
    };
    if !writable {
        return ret(ESP_ERR_NVS_READ_ONLY);
    }
    if key.is_empty() || key.len() > MAX_KEY {
        return ret(ESP_ERR_NVS_KEY_TOO_LONG);
    }
    f(&mut g.ext.nvs, (ns, key));
    ret(ESP_OK)
}

fn lookup(k: &Kernel, c: &Caller<'_>, h: u32, key: u32) -> Result<Result<Item, u32>, Trap> {
    let Some(key) = read_name(c, key)? else {
        return Ok(Err(ESP_ERR_INVALID_ARG));
    };
    let (g, _) = k.enter_any()?;
    let Some((ns, _)) = handle(&g, h) else {
        return Ok(Err(ESP_ERR_NVS_INVALID_HANDLE));
    };
    Ok(g.ext
        .nvs
        .get(&(ns, key))
        .cloned()
        .ok_or(ESP_ERR_NVS_NOT_FOUND))
}

fn erase_key(k: &Kernel, c: &mut Caller<'_>, a: &[u64]) -> R {
    let mut found = false;
    let r = write(k, c, a32(a, 0), a32(a, 1), |st, k| {
        found = st.remove(&k).is_some()
    })?;
    if r == Some(ESP_OK as u64) && !found {
        return ret(ESP_ERR_NVS_NOT_FOUND);
    }
    Ok(r)
}

fn erase_all(k: &Kernel, _c: &mut Caller<'_>, a: &[u64]) -> R {
    let (mut g, _) = k.enter_any()?;
    let Some((ns, writable)) = handle(&g, a32(a, 0)) else {
        return ret(ESP_ERR_NVS_INVALID_HANDLE);
    };
    if !writable {
        return ret(ESP_ERR_NVS_READ_ONLY);
    }
    g.ext.nvs.retain(|(n, _), _| *n != ns);
    ret(ESP_OK)
}

fn set_int(k: &Kernel, c: &Caller<'_>, a: &[u64], ty: &'static str) -> R {
    let &(_, size, signed) = INT_TYPES
        .iter()
        .find(|t| t.0 == ty)
        .unwrap_or(&INT_TYPES[7]);
    let v = a64(a, 2);
    let bits = match (size, signed) {
        (8, _) => v,
        (n, true) => (((v << (64 - 8 * n)) as i64) >> (64 - 8 * n)) as u64,
        (n, false) => v & ((1u64 << (8 * n)) - 1),
    };
    write(k, c, a32(a, 0), a32(a, 1), |st, key| {
        st.insert(key, Item::Int { ty, bits });
    })
}

fn get_int(k: &Kernel, c: &Caller<'_>, a: &[u64], ty: &'static str) -> R {
    let out = a32(a, 2);
    if out == 0 {
        return ret(ESP_ERR_INVALID_ARG);
    }
    match lookup(k, c, a32(a, 0), a32(a, 1))? {
        Ok(Item::Int { ty: t, bits }) if t == ty => {
            let size = INT_TYPES.iter().find(|i| i.0 == ty).map_or(8, |i| i.1);
            c.write(out, &bits.to_le_bytes()[..size as usize])?;
            ret(ESP_OK)
        }
        // ESP-IDF looks items up by key and type.
        Ok(_) => ret(ESP_ERR_NVS_NOT_FOUND),
        Err(e) => ret(e),
    }
}

macro_rules! ints {
    ($($set:ident $get:ident $t:literal),*) => {$(
        fn $set(k: &Kernel, c: &mut Caller<'_>, a: &[u64]) -> R { set_int(k, c, a, $t) }
        fn $get(k: &Kernel, c: &mut Caller<'_>, a: &[u64]) -> R { get_int(k, c, a, $t) }
    )*};
}
ints!(set_i8 get_i8 "i8", set_u8 get_u8 "u8", set_i16 get_i16 "i16", set_u16 get_u16 "u16",
      set_i32 get_i32 "i32", set_u32 get_u32 "u32", set_i64 get_i64 "i64", set_u64 get_u64 "u64");

fn set_str(k: &Kernel, c: &mut Caller<'_>, a: &[u64]) -> R {
    let p = a32(a, 2);
    if p == 0 {
        return ret(ESP_ERR_INVALID_ARG);
    }
    let Some(len) = c.memory().strlen(p, MAX_STR).map_err(Trap::new)? else {
        return ret(ESP_ERR_NVS_VALUE_TOO_LONG);
    };
    let s = c.read_cstr(p, len + 1)?;
    write(k, c, a32(a, 0), a32(a, 1), |st, key| {
        st.insert(key, Item::Str(s));
    })
}

fn set_blob(k: &Kernel, c: &mut Caller<'_>, a: &[u64]) -> R {
    let (p, len) = (a32(a, 2), a32(a, 3));
    if p == 0 && len > 0 {
        return ret(ESP_ERR_INVALID_ARG);
    }
    if len > MAX_BLOB {
        return ret(ESP_ERR_NVS_VALUE_TOO_LONG);
    }
    let mut b = vec![0u8; len as usize];
    c.read(p, &mut b)?;
    write(k, c, a32(a, 0), a32(a, 1), |st, key| {
        st.insert(key, Item::Blob(b));
    })
}

/// `nvs_get_str`/`nvs_get_blob`: with a NULL buffer, reports the length
/// needed; with a short buffer, ESP_ERR_NVS_INVALID_LENGTH.
fn get_bytes(k: &Kernel, c: &Caller<'_>, a: &[u64], want_str: bool) -> R {
    let (out, len_p) = (a32(a, 2), a32(a, 3));
    if len_p == 0 {
        return ret(ESP_ERR_INVALID_ARG);
    }
    let data = match lookup(k, c, a32(a, 0), a32(a, 1))? {
        Ok(Item::Str(mut s)) if want_str => {
            s.push(0);
            s
        }
        Ok(Item::Blob(b)) if !want_str => b,
        Ok(_) => return ret(ESP_ERR_NVS_NOT_FOUND),
        Err(e) => return ret(e),
    };
    let n = data.len() as u32;
    if out == 0 {
        c.write_u32(len_p, n)?;
        return ret(ESP_OK);
    }
    if c.read_u32(len_p)? < n {
        return ret(ESP_ERR_NVS_INVALID_LENGTH);
    }
    c.write(out, &data)?;
    c.write_u32(len_p, n)?;
    ret(ESP_OK)
}

fn get_str(k: &Kernel, c: &mut Caller<'_>, a: &[u64]) -> R {
    get_bytes(k, c, a, true)
}

fn get_blob(k: &Kernel, c: &mut Caller<'_>, a: &[u64]) -> R {
    get_bytes(k, c, a, false)
}

/// Names of the NVS error codes for `esp_err_to_name`.
pub fn err_name(code: i32) -> Option<&'static str> {
    Some(match code {
        0x1101 => "ESP_ERR_NVS_NOT_INITIALIZED",
        0x1102 => "ESP_ERR_NVS_NOT_FOUND",
        0x1103 => "ESP_ERR_NVS_TYPE_MISMATCH",
        0x1104 => "ESP_ERR_NVS_READ_ONLY",
        0x1105 => "ESP_ERR_NVS_NOT_ENOUGH_SPACE",
        0x1106 => "ESP_ERR_NVS_INVALID_NAME",
        0x1107 => "ESP_ERR_NVS_INVALID_HANDLE",
        0x1109 => "ESP_ERR_NVS_KEY_TOO_LONG",
        0x110c => "ESP_ERR_NVS_INVALID_LENGTH",
        0x110d => "ESP_ERR_NVS_NO_FREE_PAGES",
        0x110e => "ESP_ERR_NVS_VALUE_TOO_LONG",
        _ => return None,
    })
}
