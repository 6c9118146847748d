//! Differential test: every C program in `tests/c/` is built natively for
//! 32-bit x86 and run, then built for riscv32 at -O0, -O2 and -Os, translated,
//! validated, and run in the espb runtime; stdout and exit status must match.
//!
//! `ESPB_CORPUS=name` restricts the run to files whose name contains `name`.

use std::path::{Path, PathBuf};
use std::process::Command;

use espb_runtime::{Config, Imports, Instance, Module, Output};

#[path = "common/differential.rs"]
mod differential;

const OPTS: [&str; 3] = ["-O0", "-O2", "-Os"];

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .unwrap()
        .to_path_buf()
}

fn tmp() -> PathBuf {
    let d = Path::new(env!("CARGO_TARGET_TMPDIR")).join("corpus");
    std::fs::create_dir_all(&d).unwrap();
    d
}

fn native(src: &Path) -> Result<(Vec<u8>, i32), String> {
    // One executable per call: two tests may build the same program at once,
    // and running a file another clang is writing fails with ETXTBSY.
    static BUILDS: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let n = BUILDS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let exe = tmp().join(format!(
        "{}.{n}.native",
        src.file_stem().unwrap().to_string_lossy()
    ));
    let inc = repo().join("sdk/include");
    differential::native_build(src, &exe, &["-O2", "-I", &inc.to_string_lossy()])?;
    let out = Command::new(&exe).output().map_err(|e| e.to_string())?;
    Ok((out.stdout, out.status.code().unwrap_or(-1)))
}

pub fn bitcode(src: &Path, opt: &str) -> Result<Vec<u8>, String> {
    let bc = tmp().join(format!(
        "{}{}.bc",
        src.file_stem().unwrap().to_string_lossy(),
        opt
    ));
    let inc = repo().join("sdk/include");
    differential::rv32_bitcode(src, &bc, opt, &["-I", &inc.to_string_lossy()])
}

fn run_espb(bc: &[u8]) -> Result<(Vec<u8>, i32), String> {
    differential::run_espb(bc, 2_000_000_000)
}

fn check(src: &Path) -> Vec<String> {
    let name = src.file_name().unwrap().to_string_lossy().to_string();
    let mut fails = Vec::new();
    let (want, want_code) = match native(src) {
        Ok(x) => x,
        Err(e) => return vec![format!("{name}: {e}")],
    };
    for opt in OPTS {
        let r = bitcode(src, opt).and_then(|bc| run_espb(&bc));
        match r {
            Ok((got, code)) => {
                if got != want || code != want_code {
                    fails.push(format!(
                        "{name} {opt}: output differs (exit {code} vs native {want_code})\n--- espb\n{}\n--- native\n{}",
                        String::from_utf8_lossy(&got),
                        String::from_utf8_lossy(&want)
                    ));
                }
            }
            Err(e) => fails.push(format!("{name} {opt}: {e}")),
        }
    }
    fails
}

#[test]
fn c_corpus_matches_native() {
    let filter = std::env::var("ESPB_CORPUS").ok();
    let mut files: Vec<PathBuf> = std::fs::read_dir(repo().join("tests/c"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "c"))
        .filter(|p| {
            filter
                .as_ref()
                .is_none_or(|f| p.to_string_lossy().contains(f.as_str()))
        })
        .collect();
    files.sort();
    assert!(!files.is_empty(), "no C programs found");
    let chunks: Vec<Vec<PathBuf>> = (0..2)
        .map(|k| files.iter().skip(k).step_by(2).cloned().collect())
        .collect();
    let fails: Vec<String> = std::thread::scope(|s| {
        let hs: Vec<_> = chunks
            .iter()
            .map(|c| s.spawn(move || c.iter().flat_map(|f| check(f)).collect::<Vec<_>>()))
            .collect();
        hs.into_iter().flat_map(|h| h.join().unwrap()).collect()
    });
    let n = files.len();
    if !fails.is_empty() {
        panic!(
            "{} failure(s) over {} programs x {} levels:\n\n{}",
            fails.len(),
            n,
            OPTS.len(),
            fails.join("\n\n")
        );
    }
}

/// Any 32-bit little-endian datalayout is accepted: programs built for i686
/// (by-value struct arguments, 4-byte-aligned doubles in varargs) also run.
#[test]
fn i686_bitcode_matches_native() {
    let programs = [
        "byval_struct_args.c",
        "structs.c",
        "many_args.c",
        "varargs_forward.c",
        "return_structs.c",
        "int_ops_i64.c",
    ];
    let mut fails = Vec::new();
    for p in programs {
        let src = repo().join("tests/c").join(p);
        let (want, want_code) = native(&src).unwrap();
        let bc = tmp().join(format!("{p}.i686.bc"));
        let st = Command::new("clang-19")
            .args([
                "--target=i686-unknown-linux-gnu",
                "-O2",
                "-w",
                "-emit-llvm",
                "-c",
            ])
            .arg(&src)
            .arg("-o")
            .arg(&bc)
            .status()
            .unwrap();
        assert!(st.success());
        match run_espb(&std::fs::read(&bc).unwrap()) {
            Ok((got, code)) if got == want && code == want_code => {}
            Ok((got, code)) => fails.push(format!(
                "{p}: exit {code}\n{}",
                String::from_utf8_lossy(&got)
            )),
            Err(e) => fails.push(format!("{p}: {e}")),
        }
    }
    assert!(fails.is_empty(), "{}", fails.join("\n"));
}

/// A trap in translated code names the C function and source line through
/// the line tables.
#[test]
fn traps_report_the_c_source_line() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/programs/trap_line.c");
    for opt in ["-O0", "-O2"] {
        let bc = bitcode(&src, opt).unwrap();
        let m = espb_codegen::translate(&bc, &espb_codegen::Options::default()).unwrap();
        let bytes = m.to_bytes();
        let module = Module::parse(&bytes).unwrap();
        let (out, buf) = Output::buffer();
        let inst = Instance::new(
            &module,
            &Imports::new(),
            Config {
                output: out,
                ..Config::default()
            },
        )
        .unwrap();
        let t = inst
            .call_i32("main", &[])
            .expect_err("division by zero must trap");
        assert_eq!(buf.to_string_lossy(), "before\n");
        let (file, line) = t
            .source
            .clone()
            .unwrap_or_else(|| panic!("{opt}: no source line in {t}"));
        assert!(file.ends_with("trap_line.c"), "{file}");
        assert_eq!(line, 4, "{opt}: {t}");
    }
}

/// On rv32imc (ESP32-C3: no atomic instructions) clang calls `__atomic_*`
/// library functions for some `_Atomic` objects; the translator lowers them to
/// atomic opcodes, so the module imports none of them and still matches native.
#[test]
fn rv32imc_atomic_libcalls_are_lowered() {
    let src = repo().join("tests/c/atomics.c");
    let (want, want_code) = native(&src).unwrap();
    let bc = tmp().join("atomics.rv32imc.bc");
    let st = Command::new("clang-19")
        .args([
            "--target=riscv32-unknown-elf",
            "-march=rv32imc",
            "-mabi=ilp32",
            "-isystem",
            "/usr/include/newlib",
            "-O2",
            "-w",
            "-emit-llvm",
            "-c",
        ])
        .arg(&src)
        .arg("-o")
        .arg(&bc)
        .status()
        .unwrap();
    assert!(st.success());
    let bc = std::fs::read(&bc).unwrap();
    let m = espb_codegen::translate(&bc, &espb_codegen::Options::default()).unwrap();
    assert!(
        m.imports.iter().all(|i| !i.name.starts_with("__atomic")),
        "{:?}",
        m.imports
    );
    let (got, code) = run_espb(&bc).unwrap();
    assert_eq!(
        (String::from_utf8_lossy(&got), code),
        (String::from_utf8_lossy(&want), want_code)
    );
}
