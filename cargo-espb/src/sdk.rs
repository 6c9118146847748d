//! The bundled SDK headers (`sdk/include` of the espb repository, embedded in
//! the binary so an installed `cargo espb` needs no checkout). They declare
//! the ESP-IDF/FreeRTOS surface with ESP-IDF's signatures and are used when
//! no ESP-IDF installation provides the real headers.

use std::path::{Path, PathBuf};

use include_dir::{include_dir, Dir};
use miette::{Context, IntoDiagnostic, Result};
use sha2::{Digest, Sha256};

static SDK_INCLUDE: Dir<'static> = include_dir!("$CARGO_MANIFEST_DIR/../sdk/include");

/// libc headers for the riscv32 target (Debian's `libnewlib-dev`).
pub const NEWLIB_INCLUDE: &str = "/usr/include/newlib";

/// Target used with the bundled SDK: generic riscv32 ilp32 with atomics.
pub const SDK_TARGET: [&str; 3] = [
    "--target=riscv32-unknown-elf",
    "-march=rv32imac",
    "-mabi=ilp32",
];

fn files(dir: &'static Dir<'static>, out: &mut Vec<(&'static Path, &'static [u8])>) {
    for f in dir.files() {
        out.push((f.path(), f.contents()));
    }
    for d in dir.dirs() {
        files(d, out);
    }
}

fn digest() -> String {
    let mut all = Vec::new();
    files(&SDK_INCLUDE, &mut all);
    all.sort();
    let mut h = Sha256::new();
    for (p, c) in &all {
        h.update(p.to_string_lossy().as_bytes());
        h.update((c.len() as u64).to_le_bytes());
        h.update(c);
    }
    format!("{:x}", h.finalize())
}

/// Writes the headers under `root` (once per SDK version: rewriting them
/// would change their timestamps and defeat incremental builds) and returns
/// the include directory.
pub fn materialize(root: &Path) -> Result<PathBuf> {
    let include = root.join("include");
    let stamp = root.join("STAMP");
    let want = digest();
    if std::fs::read_to_string(&stamp).ok().as_deref() == Some(want.as_str()) && include.is_dir() {
        return Ok(include);
    }
    let mut all = Vec::new();
    files(&SDK_INCLUDE, &mut all);
    for (p, c) in all {
        let dest = include.join(p);
        if let Some(parent) = dest.parent() {
            std::fs::create_dir_all(parent)
                .into_diagnostic()
                .wrap_err_with(|| format!("creating {}", parent.display()))?;
        }
        std::fs::write(&dest, c)
            .into_diagnostic()
            .wrap_err_with(|| format!("writing {}", dest.display()))?;
    }
    std::fs::write(&stamp, want).into_diagnostic()?;
    Ok(include)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headers_are_written_once() {
        let dir = tempfile::tempdir().unwrap();
        let inc = materialize(dir.path()).unwrap();
        let h = inc.join("freertos/FreeRTOS.h");
        assert!(h.is_file());
        let t0 = std::fs::metadata(&h).unwrap().modified().unwrap();
        std::thread::sleep(std::time::Duration::from_millis(20));
        materialize(dir.path()).unwrap();
        assert_eq!(std::fs::metadata(&h).unwrap().modified().unwrap(), t0);
    }
}
