//! Incremental builds: what was produced from what, kept in
//! `<out>/cache/state.json`. A script is recompiled only when its cache key
//! (compiler, flags, path) or one of the files its depfile lists (the source
//! and every header it included) changed. Timestamps are a shortcut only:
//! a file whose size and mtime match is taken as unchanged, otherwise its
//! content hash decides, so `touch` does not force a rebuild.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::UNIX_EPOCH;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// Bump when the meaning of a record changes: old state is then ignored.
const STATE_VERSION: u32 = 1;

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct BuildState {
    version: u32,
    /// Keyed by source path as given to clang.
    pub objects: BTreeMap<String, ObjectRecord>,
    /// Named whole-build steps (`link`, `translate`, …): their input key.
    pub steps: BTreeMap<String, String>,
    /// The translator's statistics for each module, by translate step.
    #[serde(default)]
    pub translations: BTreeMap<String, crate::translate::TranslationStats>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ObjectRecord {
    pub key: String,
    pub bitcode: PathBuf,
    pub deps: Vec<DepRecord>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct DepRecord {
    pub path: PathBuf,
    pub len: u64,
    pub mtime_ns: u128,
    pub hash: String,
}

impl BuildState {
    /// A missing, unreadable or outdated state is an empty one: the worst
    /// outcome is a full rebuild.
    pub fn load(path: &Path) -> BuildState {
        std::fs::read(path)
            .ok()
            .and_then(|b| serde_json::from_slice::<BuildState>(&b).ok())
            .filter(|s| s.version == STATE_VERSION)
            .unwrap_or_default()
    }

    pub fn save(&mut self, path: &Path) -> std::io::Result<()> {
        self.version = STATE_VERSION;
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir)?;
        }
        let tmp = path.with_extension("json.tmp");
        std::fs::write(
            &tmp,
            serde_json::to_vec_pretty(self).map_err(std::io::Error::other)?,
        )?;
        std::fs::rename(tmp, path)
    }
}

/// The first `n` bytes of a finished hash in hex: a short cache directory
/// name.
pub fn short_key(h: Sha256, n: usize) -> String {
    h.finalize()
        .iter()
        .take(n)
        .map(|b| format!("{b:02x}"))
        .collect()
}

pub fn hash_bytes(b: &[u8]) -> String {
    format!("{:x}", Sha256::digest(b))
}

/// Hash of a list of strings, unambiguous (each is length-prefixed).
pub fn hash_strings<S: AsRef<str>>(parts: &[S]) -> String {
    let mut h = Sha256::new();
    for p in parts {
        let p = p.as_ref().as_bytes();
        h.update((p.len() as u64).to_le_bytes());
        h.update(p);
    }
    format!("{:x}", h.finalize())
}

fn stat(path: &Path) -> std::io::Result<(u64, u128)> {
    let m = std::fs::metadata(path)?;
    let mtime = m
        .modified()?
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or(0);
    Ok((m.len(), mtime))
}

pub fn dep_record(path: &Path) -> std::io::Result<DepRecord> {
    let (len, mtime_ns) = stat(path)?;
    let hash = hash_bytes(&std::fs::read(path)?);
    Ok(DepRecord {
        path: path.to_path_buf(),
        len,
        mtime_ns,
        hash,
    })
}

/// True when no dependency changed. Refreshes the timestamps of files that
/// were touched but whose content is the same, so the next check is cheap.
pub fn deps_unchanged(deps: &mut [DepRecord]) -> bool {
    for d in deps.iter_mut() {
        let Ok((len, mtime)) = stat(&d.path) else {
            return false;
        };
        if len == d.len && mtime == d.mtime_ns {
            continue;
        }
        match std::fs::read(&d.path) {
            Ok(bytes) if len == d.len && hash_bytes(&bytes) == d.hash => d.mtime_ns = mtime,
            _ => return false,
        }
    }
    true
}

/// Parses a Makefile-syntax depfile as clang writes it with `-MD`:
/// `target: dep dep \` continuation lines, `\ ` for a space in a path.
pub fn parse_depfile(text: &str) -> Vec<PathBuf> {
    let joined = text.replace("\\\r\n", " ").replace("\\\n", " ");
    let mut out = Vec::new();
    for rule in joined.lines() {
        // The target ends at the first `: ` (a Windows drive `C:` has no space).
        let Some(colon) = rule
            .find(": ")
            .or_else(|| rule.strip_suffix(':').map(|r| r.len()))
        else {
            continue;
        };
        let deps = &rule[(colon + 1).min(rule.len())..];
        let mut cur = String::new();
        let mut chars = deps.chars().peekable();
        while let Some(c) = chars.next() {
            match c {
                '\\' if chars.peek() == Some(&' ') => {
                    cur.push(' ');
                    chars.next();
                }
                '$' if chars.peek() == Some(&'$') => {
                    cur.push('$');
                    chars.next();
                }
                c if c.is_whitespace() => {
                    if !cur.is_empty() {
                        out.push(PathBuf::from(std::mem::take(&mut cur)));
                    }
                }
                c => cur.push(c),
            }
        }
        if !cur.is_empty() {
            out.push(PathBuf::from(cur));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn depfile_with_continuations_and_spaces() {
        let d = "obj/a.bc: scripts/a.c /usr/include/x.h \\\n  /p/with\\ space.h\n";
        assert_eq!(
            parse_depfile(d),
            [
                PathBuf::from("scripts/a.c"),
                PathBuf::from("/usr/include/x.h"),
                PathBuf::from("/p/with space.h")
            ]
        );
    }

    #[test]
    fn changed_content_is_detected_and_touch_is_not() {
        let dir = tempfile::tempdir().unwrap();
        let f = dir.path().join("h.h");
        std::fs::write(&f, "int a;").unwrap();
        let mut deps = vec![dep_record(&f).unwrap()];
        assert!(deps_unchanged(&mut deps));
        // Same content, new mtime: unchanged.
        std::thread::sleep(std::time::Duration::from_millis(10));
        std::fs::write(&f, "int a;").unwrap();
        assert!(deps_unchanged(&mut deps));
        std::fs::write(&f, "int b;").unwrap();
        assert!(!deps_unchanged(&mut deps));
        std::fs::remove_file(&f).unwrap();
        assert!(!deps_unchanged(&mut deps));
    }

    #[test]
    fn corrupt_state_is_empty() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("state.json");
        std::fs::write(&p, "{not json").unwrap();
        assert!(BuildState::load(&p).objects.is_empty());
        let mut s = BuildState::default();
        s.steps.insert("link".into(), "k".into());
        s.save(&p).unwrap();
        assert_eq!(BuildState::load(&p).steps["link"], "k");
    }
}
