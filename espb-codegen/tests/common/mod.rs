//! Shared by the FFI tests: the repository root and riscv32 bitcode of the
//! C files in `tests/ffi/`, compiled against the bundled SDK headers.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Command;

pub fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .unwrap()
        .to_path_buf()
}

/// riscv32 bitcode of `tests/ffi/<name>.c` at `opt`; `suite` keeps each test
/// binary's files apart (test binaries run in parallel).
pub fn bitcode(suite: &str, name: &str, opt: &str) -> Vec<u8> {
    let src = repo()
        .join("espb-codegen/tests/ffi")
        .join(format!("{name}.c"));
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(suite);
    std::fs::create_dir_all(&dir).unwrap();
    let bc = dir.join(format!("{name}{opt}.bc"));
    let out = Command::new("clang-19")
        .args([
            "--target=riscv32-unknown-elf",
            "-march=rv32imac",
            "-mabi=ilp32",
            "-isystem",
            "/usr/include/newlib",
        ])
        .arg("-I")
        .arg(repo().join("sdk/include"))
        .args([opt, "-emit-llvm", "-c"])
        .arg(&src)
        .arg("-o")
        .arg(&bc)
        .output()
        .expect("clang-19 runs");
    assert!(
        out.status.success(),
        "clang failed on {name}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    std::fs::read(&bc).unwrap()
}
