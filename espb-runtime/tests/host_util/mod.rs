//! Shared by the host-platform tests: compile a C script against the bundled
//! SDK headers with clang-19 (riscv32), translate it, run it.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Command;

use espb_runtime::host::{run_app, ExitStatus, HostConfig, RunError};
use espb_runtime::{Module, Output};

pub fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .unwrap()
        .to_path_buf()
}

/// riscv32 bitcode of `tests/scripts/<name>.c` at `opt` (`-O0`, `-O2`, `-Os`).
pub fn bitcode(name: &str, opt: &str) -> Vec<u8> {
    bitcode_with(name, opt, &[])
}

/// `bitcode` with more clang flags (`-g` for line tables).
pub fn bitcode_with(name: &str, opt: &str, extra: &[&str]) -> Vec<u8> {
    let src = repo()
        .join("espb-runtime/tests/scripts")
        .join(format!("{name}.c"));
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("host_scripts");
    std::fs::create_dir_all(&dir).unwrap();
    // Unique per call: tests run in parallel and may build the same script.
    static N: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
    let n = N.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let bc = dir.join(format!("{name}{opt}-{}-{n}.bc", std::process::id()));
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
        .args(extra)
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
    let b = std::fs::read(&bc).unwrap();
    let _ = std::fs::remove_file(&bc);
    b
}

/// The encoded module of script `name`.
pub fn module_bytes(name: &str, opt: &str) -> Vec<u8> {
    let bc = bitcode(name, opt);
    let m = espb_codegen::translate(&bc, &espb_codegen::Options::default())
        .unwrap_or_else(|d| panic!("translate {name}{opt}: {d}"));
    m.to_bytes()
}

/// The encoded module of script `name`, with line tables (`-g`) and the
/// given `.hints` text.
pub fn module_bytes_with_lines(name: &str, opt: &str, hints: &str) -> Vec<u8> {
    let bc = bitcode_with(name, opt, &["-g"]);
    let opts = espb_codegen::Options {
        debug_lines: true,
        hints: vec![(format!("{name}.hints"), hints.to_string())],
        ..espb_codegen::Options::default()
    };
    let m = espb_codegen::translate(&bc, &opts)
        .unwrap_or_else(|d| panic!("translate {name}{opt}: {d}"));
    m.to_bytes()
}

/// The line of `tests/scripts/<name>.c` that carries the mark `/* L:<mark> */`.
pub fn marked_line(name: &str, mark: &str) -> u32 {
    let src = std::fs::read_to_string(
        repo()
            .join("espb-runtime/tests/scripts")
            .join(format!("{name}.c")),
    )
    .unwrap();
    let tag = format!("/* L:{mark} */");
    src.lines()
        .position(|l| l.contains(&tag))
        .unwrap_or_else(|| panic!("no mark {tag} in {name}.c")) as u32
        + 1
}

/// Runs script `name` in virtual time; returns the output and the status.
pub fn run_script(
    name: &str,
    opt: &str,
    cfg: HostConfig,
) -> (String, Result<ExitStatus, RunError>) {
    let bytes = module_bytes(name, opt);
    let module = Module::parse(&bytes).expect("valid module");
    let (out, buf) = Output::buffer();
    let r = run_app(&module, HostConfig { output: out, ..cfg });
    (buf.to_string_lossy(), r)
}

pub fn virt() -> HostConfig {
    HostConfig {
        virtual_time: true,
        ..HostConfig::default()
    }
}

pub const OPTS: [&str; 3] = ["-O0", "-O2", "-Os"];
