//! Shared by the FFI tests: the native test library and translated scripts.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use espb_runtime::ffi::Library;
use espb_runtime::format::{
    ArgPlace, CallbackMeta, Direction, FuncType, PtrMeta, SizeSpec, ValType,
};

pub fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .unwrap()
        .to_path_buf()
}

pub fn tmp() -> PathBuf {
    let d = Path::new(env!("CARGO_TARGET_TMPDIR")).join("ffi");
    std::fs::create_dir_all(&d).unwrap();
    d
}

/// The test library keeps process-global state (`tl_register`'s saved
/// callback and user data, like a real native library's driver state), so
/// tests that run modules against it take this lock: run in parallel, one
/// test's module would fire the other's callback.
pub fn testlib_lock() -> std::sync::MutexGuard<'static, ()> {
    static LOCK: std::sync::Mutex<()> = std::sync::Mutex::new(());
    LOCK.lock().unwrap_or_else(|e| e.into_inner())
}

/// The test library, built once per test process.
pub fn testlib() -> Library {
    static LIB: OnceLock<Library> = OnceLock::new();
    *LIB.get_or_init(|| build_lib("testlib"))
}

/// `tests/ffi_c/<name>.c` built into a shared library for this process.
pub fn build_lib(name: &str) -> Library {
    let so = tmp().join(format!("lib{name}-{}.so", std::process::id()));
    let out = Command::new("clang-19")
        .args(["-shared", "-fPIC", "-O2", "-pthread", "-w"])
        .arg(repo().join(format!("espb-runtime/tests/ffi_c/{name}.c")))
        .arg("-o")
        .arg(&so)
        .output()
        .expect("clang-19 runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    Library::open(so.to_str().unwrap()).unwrap()
}

pub fn script(name: &str, opt: &str) -> espb_runtime::format::Module<'static> {
    script_with(name, opt, &espb_codegen::Options::default()).unwrap()
}

/// `tests/scripts/<name>.c` compiled at `opt` and translated with `opts`.
pub fn script_with(
    name: &str,
    opt: &str,
    opts: &espb_codegen::Options,
) -> Result<espb_runtime::format::Module<'static>, espb_codegen::Diagnostics> {
    let src = repo()
        .join("espb-runtime/tests/scripts")
        .join(format!("{name}.c"));
    // Unique per call: tests run in parallel and may build the same script.
    static N: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
    let n = N.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let bc = tmp().join(format!("{name}{opt}-{}-{n}.bc", std::process::id()));
    let out = Command::new("clang-19")
        .args([
            "--target=riscv32-unknown-elf",
            "-march=rv32imac",
            "-mabi=ilp32",
            "-isystem",
            "/usr/include/newlib",
        ])
        .args([opt, "-emit-llvm", "-c"])
        .arg(&src)
        .arg("-o")
        .arg(&bc)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let b = std::fs::read(&bc).unwrap();
    let _ = std::fs::remove_file(&bc);
    espb_codegen::translate(&b, opts)
}

pub fn ty(
    m: &mut espb_runtime::format::Module<'_>,
    params: &[ValType],
    result: Option<ValType>,
) -> u32 {
    m.types.push(FuncType {
        params: params.to_vec(),
        result,
        variadic: false,
    });
    (m.types.len() - 1) as u32
}

pub fn imp(m: &espb_runtime::format::Module<'_>, name: &str) -> u32 {
    m.imports
        .iter()
        .position(|i| i.name == name)
        .unwrap_or_else(|| panic!("no import {name}")) as u32
}

pub fn ptr(
    m: &mut espb_runtime::format::Module<'_>,
    f: &str,
    param: u32,
    dir: Direction,
    size: SizeSpec,
    handles: bool,
) {
    let import = imp(m, f);
    m.pointers.push(PtrMeta {
        import,
        param,
        field: None,
        dir,
        size,
        handles,
    });
}

pub fn cb(
    m: &mut espb_runtime::format::Module<'_>,
    f: &str,
    place: ArgPlace,
    ty: u32,
    ud: Option<ArgPlace>,
) {
    let import = imp(m, f);
    m.callbacks.push(CallbackMeta {
        import,
        place,
        ty,
        user_data: ud,
    });
}
