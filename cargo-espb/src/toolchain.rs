//! Finding the LLVM tools: clang (which compiles scripts to bitcode) and
//! llvm-link (which joins the per-file bitcode into one module).

use std::path::{Path, PathBuf};
use std::process::Command;

use miette::{miette, Result};

use crate::idf_flags::ClangKind;

#[derive(Debug, Clone)]
pub struct Tools {
    pub clang: PathBuf,
    pub clang_kind: ClangKind,
    /// `clang --version`'s first line: part of every cache key, so switching
    /// compilers recompiles everything.
    pub clang_version: String,
    pub llvm_link: PathBuf,
}

const INSTALL_HELP: &str = "install clang 19 (Debian/Ubuntu: `apt-get install clang-19 llvm-19`), \
     or point ESPB_CLANG at a clang binary";

/// Looks for clang in the order: `$ESPB_CLANG`, `clang-19`, `clang`, then
/// ESP-IDF's esp-clang under `$IDF_TOOLS_PATH` (or `~/.espressif`).
///
/// `cache_dir` keeps clang's `--version` line keyed by the binary's path,
/// size and mtime: starting clang costs more than a whole up-to-date build.
pub fn find_tools(cache_dir: &Path) -> Result<Tools> {
    let clang = find_clang()?;
    let version = cached_version(&clang, &cache_dir.join("clang-version.json"))?;
    let clang_kind = kind_of(&version);
    let llvm_link = find_llvm_link(&clang)?;
    Ok(Tools {
        clang,
        clang_kind,
        clang_version: version,
        llvm_link,
    })
}

/// esp-clang names Espressif's LLVM fork and an `esp-<version>` tag in its
/// `--version` line; upstream builds do not.
fn kind_of(version: &str) -> ClangKind {
    let lower = version.to_lowercase();
    if lower.contains("espressif") || lower.contains("(esp-") || lower.contains(" esp-") {
        ClangKind::Espressif
    } else {
        ClangKind::Upstream
    }
}

fn find_clang() -> Result<PathBuf> {
    if let Some(v) = std::env::var_os("ESPB_CLANG") {
        let p = PathBuf::from(&v);
        return which::which(&p).map_err(|_| {
            miette!(
                help = INSTALL_HELP,
                "ESPB_CLANG is set to `{}`, which is not an executable clang",
                p.display()
            )
        });
    }
    for name in ["clang-19", "clang"] {
        if let Ok(p) = which::which(name) {
            return Ok(p);
        }
    }
    if let Some(p) = esp_clang() {
        return Ok(p);
    }
    Err(miette!(
        help = INSTALL_HELP,
        "no clang found (looked for $ESPB_CLANG, clang-19, clang and ESP-IDF's esp-clang)"
    ))
}

/// ESP-IDF installs esp-clang as `<tools>/esp-clang/<version>/esp-clang/bin/clang`.
fn esp_clang() -> Option<PathBuf> {
    let tools = std::env::var_os("IDF_TOOLS_PATH")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| Path::new(&h).join(".espressif")))?;
    let mut versions: Vec<PathBuf> = std::fs::read_dir(tools.join("tools/esp-clang"))
        .ok()?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .collect();
    versions.sort();
    versions
        .into_iter()
        .rev()
        .map(|v| v.join("esp-clang/bin/clang"))
        .find(|p| p.is_file())
}

#[derive(serde::Serialize, serde::Deserialize, PartialEq)]
struct VersionCache {
    binary: PathBuf,
    len: u64,
    mtime_ns: u128,
    version: String,
}

fn cached_version(clang: &Path, cache: &Path) -> Result<String> {
    let binary = std::fs::canonicalize(clang).unwrap_or_else(|_| clang.to_path_buf());
    let stamp = std::fs::metadata(&binary).ok().and_then(|m| {
        let mtime = m
            .modified()
            .ok()?
            .duration_since(std::time::UNIX_EPOCH)
            .ok()?
            .as_nanos();
        Some((m.len(), mtime))
    });
    let Some((len, mtime_ns)) = stamp else {
        return clang_version(clang);
    };
    if let Some(c) = std::fs::read(cache)
        .ok()
        .and_then(|b| serde_json::from_slice::<VersionCache>(&b).ok())
    {
        if c.binary == binary && c.len == len && c.mtime_ns == mtime_ns {
            return Ok(c.version);
        }
    }
    let version = clang_version(clang)?;
    let entry = VersionCache {
        binary,
        len,
        mtime_ns,
        version: version.clone(),
    };
    // Only a speed-up: failing to write it is not an error.
    if let (Some(dir), Ok(bytes)) = (cache.parent(), serde_json::to_vec(&entry)) {
        let _ = std::fs::create_dir_all(dir).and_then(|_| std::fs::write(cache, bytes));
    }
    Ok(version)
}

fn clang_version(clang: &Path) -> Result<String> {
    let out = Command::new(clang)
        .arg("--version")
        .output()
        .map_err(|e| miette!(help = INSTALL_HELP, "cannot run {}: {e}", clang.display()))?;
    if !out.status.success() {
        return Err(miette!(
            help = INSTALL_HELP,
            "`{} --version` failed",
            clang.display()
        ));
    }
    let text = String::from_utf8_lossy(&out.stdout);
    let first = text.lines().next().unwrap_or("").trim().to_string();
    if !first.contains("clang") {
        return Err(miette!(
            help = INSTALL_HELP,
            "{} is not clang (it says `{first}`)",
            clang.display()
        ));
    }
    Ok(first)
}

/// llvm-link must read the bitcode clang writes, so prefer the one beside the
/// chosen clang, then LLVM 19's.
fn find_llvm_link(clang: &Path) -> Result<PathBuf> {
    if let Some(v) = std::env::var_os("ESPB_LLVM_LINK") {
        return which::which(PathBuf::from(&v)).map_err(|_| {
            miette!(
                "ESPB_LLVM_LINK is set to `{}`, which is not executable",
                Path::new(&v).display()
            )
        });
    }
    let resolved = std::fs::canonicalize(clang).unwrap_or_else(|_| clang.to_path_buf());
    let mut candidates: Vec<PathBuf> = Vec::new();
    if let Some(dir) = resolved.parent() {
        candidates.push(dir.join("llvm-link"));
    }
    for name in ["llvm-link-19"] {
        if let Ok(p) = which::which(name) {
            candidates.push(p);
        }
    }
    candidates.push("/usr/lib/llvm-19/bin/llvm-link".into());
    if let Ok(p) = which::which("llvm-link") {
        candidates.push(p);
    }
    candidates.into_iter().find(|p| p.is_file()).ok_or_else(|| {
        miette!(
            help = "install LLVM 19 (Debian/Ubuntu: `apt-get install llvm-19`), or set ESPB_LLVM_LINK",
            "no llvm-link found (looked beside {}, for llvm-link-19, /usr/lib/llvm-19/bin/llvm-link and llvm-link)",
            clang.display()
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn version_is_asked_once_per_binary() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let clang = dir.path().join("clang");
        let calls = dir.path().join("calls");
        let write = |v: &str| {
            let script = format!(
                "#!/bin/sh\necho x >> {}\necho 'clang version {v}'\n",
                calls.display()
            );
            std::fs::write(&clang, script).unwrap();
            std::fs::set_permissions(&clang, std::fs::Permissions::from_mode(0o755)).unwrap();
        };
        let count = || {
            std::fs::read_to_string(&calls)
                .map(|t| t.lines().count())
                .unwrap_or(0)
        };
        write("1");
        let cache = dir.path().join("cache/v.json");
        assert_eq!(cached_version(&clang, &cache).unwrap(), "clang version 1");
        assert_eq!(cached_version(&clang, &cache).unwrap(), "clang version 1");
        assert_eq!(count(), 1);
        // A new binary (other size) is asked again.
        write("19.1");
        assert_eq!(
            cached_version(&clang, &cache).unwrap(),
            "clang version 19.1"
        );
        assert_eq!(count(), 2);
    }

    #[test]
    fn recognises_esp_clang() {
        assert_eq!(
            kind_of("clang version 19.1.2 (https://github.com/espressif/llvm-project esp-19.1.2_20250312)"),
            ClangKind::Espressif
        );
        assert_eq!(kind_of("Debian clang version 19.1.7 (++20250114103320+cd708029e0b2-1~exp1~20250114103432.75)"), ClangKind::Upstream);
        assert_eq!(
            kind_of("Ubuntu clang version 18.1.3 (1ubuntu1)"),
            ClangKind::Upstream
        );
    }
}
