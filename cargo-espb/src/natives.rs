//! The user's own native functions for `cargo espb run`: `--natives FILE`
//! (repeatable) and `[run] natives = [...]` in `espb.toml`. A `.c` file is
//! compiled with the system C compiler into a shared library (cached by
//! content); a `.so` is used as it is. Every function the library itself
//! defines becomes a native the module may import; the call interface of
//! each comes from the module's import — the script's declaration and the
//! hints — exactly as on the device.

use std::path::{Path, PathBuf};
use std::process::Command;

use espb_runtime::ffi::{Library, Natives};
use miette::{miette, Result};
use object::{Object, ObjectSymbol};
use sha2::{Digest, Sha256};

use crate::output::Reporter;

/// The native files of a run, in order: `--natives` (relative to the
/// working directory), then the project's `[run] natives` (relative to its
/// root). The one place both are read; the qemu runner's list comes from
/// here too.
pub fn sources(cwd: &Path, cli: &[PathBuf], project: Option<(&Path, &[PathBuf])>) -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = cli.iter().map(|p| cwd.join(p)).collect();
    if let Some((root, list)) = project {
        out.extend(list.iter().map(|p| root.join(p)));
    }
    out
}

/// Loads every file of `files` and registers the functions they define.
pub fn load(rep: &Reporter, files: &[PathBuf]) -> Result<Natives> {
    let mut natives = Natives::new();
    for f in files {
        let lib = match f.extension().and_then(|e| e.to_str()) {
            Some("c") => compile(rep, f)?,
            Some("so") => f.clone(),
            _ if f.to_string_lossy().contains(".so.") => f.clone(),
            _ => {
                return Err(miette!(
                    help =
                        "give a C source (`.c`, compiled for this PC) or a shared library (`.so`)",
                    "--natives {}: not a `.c` or `.so` file",
                    f.display()
                ))
            }
        };
        let names = defined_functions(&lib)?;
        if names.is_empty() {
            rep.note_once(&format!("{} defines no functions", f.display()));
        }
        let path = lib.to_string_lossy();
        let handle = Library::open(&path).map_err(|e| miette!("--natives {}: {e}", f.display()))?;
        for name in names {
            let Some(addr) = handle.symbol(&name) else {
                continue;
            };
            // SAFETY: `addr` is a function the user's library defines (its
            // own dynamic symbol table says so, and it stays loaded for the
            // process' life). Its C signature is the one the script
            // declares, which the module's import carries — the contract
            // the device relies on as well.
            unsafe {
                natives.add(&name, addr, None);
            }
        }
    }
    Ok(natives)
}

/// Names of the functions a shared library defines and exports (not the
/// ones it merely uses from libc: those must stay the runtime's).
fn defined_functions(lib: &Path) -> Result<Vec<String>> {
    let data = std::fs::read(lib)
        .map_err(|e| miette!("--natives {}: cannot read it: {e}", lib.display()))?;
    let file = object::File::parse(&*data).map_err(|e| {
        miette!(
            help = "give a shared library built for this PC (`cc -shared -fPIC`)",
            "--natives {}: not a shared library this PC can load: {e}",
            lib.display()
        )
    })?;
    Ok(file
        .dynamic_symbols()
        .filter(|s| s.is_definition() && s.is_global() && s.kind() == object::SymbolKind::Text)
        .filter_map(|s| s.name().ok().map(str::to_string))
        .filter(|n| !n.is_empty() && !n.starts_with('_'))
        .collect())
}

/// The system C compiler: `$CC`, else `cc`, `clang-19`, `clang`, `gcc`.
fn compiler() -> Result<PathBuf> {
    if let Some(cc) = std::env::var_os("CC").filter(|c| !c.is_empty()) {
        return which::which(&cc)
            .map_err(|_| miette!("$CC is `{}`, which is not on PATH", cc.to_string_lossy()));
    }
    ["cc", "clang-19", "clang", "gcc"]
        .iter()
        .find_map(|c| which::which(c).ok())
        .ok_or_else(|| {
            miette!(
                help = "install a C compiler (apt-get install clang-19) or set $CC",
                "no C compiler to build --natives sources with"
            )
        })
}

/// Compiles `src` into a shared library under the cache directory, reusing
/// one built from the same source with the same compiler.
fn compile(rep: &Reporter, src: &Path) -> Result<PathBuf> {
    let text = std::fs::read(src)
        .map_err(|e| miette!("--natives {}: cannot read it: {e}", src.display()))?;
    let cc = compiler()?;
    let mut h = Sha256::new();
    h.update(cc.to_string_lossy().as_bytes());
    h.update([0]);
    h.update(src.to_string_lossy().as_bytes());
    h.update([0]);
    h.update(&text);
    let key = crate::cache::short_key(h, 8);
    let dir = std::env::temp_dir().join("espb-cache").join("natives");
    std::fs::create_dir_all(&dir).map_err(|e| miette!("creating {}: {e}", dir.display()))?;
    let stem = src
        .file_stem()
        .map_or("natives".into(), |s| s.to_string_lossy());
    let out = dir.join(format!("lib{stem}-{key}.so"));
    if out.exists() {
        return Ok(out);
    }
    let tmp = dir.join(format!("lib{stem}-{key}.{}.tmp", std::process::id()));
    let mut cmd = Command::new(&cc);
    cmd.args(["-shared", "-fPIC", "-O2", "-w", "-o"])
        .arg(&tmp)
        .arg(src);
    if let Some(d) = src.parent() {
        cmd.arg("-I").arg(d);
    }
    rep.command(&cmd);
    let o = cmd
        .output()
        .map_err(|e| miette!("running {}: {e}", cc.display()))?;
    if !o.status.success() {
        let _ = std::fs::remove_file(&tmp);
        return Err(miette!(
            help = "--natives sources are built for this PC with its own headers, not the ESP-IDF ones",
            "compiling {} with {} failed:\n{}",
            src.display(),
            cc.display(),
            String::from_utf8_lossy(&o.stderr).trim_end()
        ));
    }
    std::fs::rename(&tmp, &out).map_err(|e| miette!("writing {}: {e}", out.display()))?;
    Ok(out)
}
