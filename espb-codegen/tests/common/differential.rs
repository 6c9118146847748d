//! The two sides of a differential run: a C program built natively for
//! 32-bit x86, and the same program as riscv32 bitcode translated and run
//! in the espb runtime (in process, stdout captured).

use std::path::Path;
use std::process::Command;

use espb_runtime::{Config, Imports, Instance, Module, Output, Value};

/// Builds `src` natively (`clang-19 -m32 -msse2 -mfpmath=sse`, plus
/// `extra`) into `exe`.
pub fn native_build(src: &Path, exe: &Path, extra: &[&str]) -> Result<(), String> {
    let st = Command::new("clang-19")
        .args(["-m32", "-msse2", "-mfpmath=sse", "-w"])
        .args(extra)
        .arg(src)
        .arg("-o")
        .arg(exe)
        .arg("-lm")
        .output()
        .map_err(|e| e.to_string())?;
    if !st.status.success() {
        return Err(format!(
            "native build failed: {}",
            String::from_utf8_lossy(&st.stderr)
        ));
    }
    Ok(())
}

/// riscv32 bitcode of `src` at `opt` (newlib headers, plus `extra`), written to `bc`.
pub fn rv32_bitcode(src: &Path, bc: &Path, opt: &str, extra: &[&str]) -> Result<Vec<u8>, String> {
    let st = Command::new("clang-19")
        .args([
            "--target=riscv32-unknown-elf",
            "-march=rv32imac",
            "-mabi=ilp32",
            "-isystem",
            "/usr/include/newlib",
        ])
        .args(extra)
        .args([opt, "-g", "-w", "-emit-llvm", "-c"])
        .arg(src)
        .arg("-o")
        .arg(bc)
        .output()
        .map_err(|e| e.to_string())?;
    if !st.status.success() {
        return Err(format!(
            "riscv32 build failed: {}",
            String::from_utf8_lossy(&st.stderr)
        ));
    }
    std::fs::read(bc).map_err(|e| e.to_string())
}

/// Translates `bc`, runs its `main` with at most `fuel` instructions and
/// returns stdout and the exit status (low 8 bits, as a process has).
pub fn run_espb(bc: &[u8], fuel: u64) -> Result<(Vec<u8>, i32), String> {
    let m = espb_codegen::translate(bc, &espb_codegen::Options::default())
        .map_err(|d| format!("translate: {d}"))?;
    let bytes = m.to_bytes();
    let module = Module::parse(&bytes).map_err(|e| format!("validate: {e:?}"))?;
    let (out, buf) = Output::buffer();
    let cfg = Config {
        output: out,
        fuel: Some(fuel),
        ..Config::default()
    };
    let inst =
        Instance::new(&module, &Imports::new(), cfg).map_err(|e| format!("instantiate: {e:?}"))?;
    // `main` in any of its C forms: (void), (argc), (argc, argv[, envp]).
    let (_, entry) = espb_runtime::entry::find_entry(&module, Some("main"))?;
    let argv = espb_runtime::entry::build_argv(&inst, &[])?;
    let (vals, n) = entry.values(argv, 0);
    let args: Vec<Value> = vals[..n].iter().map(|&v| Value::I32(v as i32)).collect();
    let code = match inst.call("main", &args) {
        Ok(Some(Value::I32(c))) => c,
        Ok(_) => 0,
        Err(t) => match t.exit_code() {
            Some(c) => c,
            None => {
                return Err(format!(
                    "trap: {t}\noutput so far:\n{}",
                    buf.to_string_lossy()
                ))
            }
        },
    };
    Ok((buf.contents(), code & 0xff))
}
