//! Compiles the runner's C side (start-up, syscalls, picolibc streams, the
//! native table) with clang-19 for the target's ISA and links it with
//! picolibc and libgcc (Debian's `picolibc-riscv64-unknown-elf`).
//!
//! `ESPB_QEMU_NATIVES`: more C files (`:`-separated) to compile and link;
//! their `ESPB_NATIVE(f)` lines (`c/espb_native.h`) add natives.

use std::path::{Path, PathBuf};

const PICOLIBC: &str = "/usr/lib/picolibc/riscv64-unknown-elf";
const LIBGCC: &str = "/usr/lib/gcc/riscv64-unknown-elf/12.2.0";

fn main() {
    let target = std::env::var("TARGET").unwrap_or_default();
    let (march, mabi, multilib) = match target.as_str() {
        "riscv32imc-unknown-none-elf" => ("rv32imc", "ilp32", "rv32im/ilp32"),
        "riscv32imac-unknown-none-elf" => ("rv32imac", "ilp32", "rv32imac/ilp32"),
        "riscv32imafc-unknown-none-elf" => ("rv32imafc", "ilp32f", "rv32imafc/ilp32f"),
        other => panic!(
            "espb-qemu-runner is built for riscv32imc/imac/imafc-unknown-none-elf, not {other:?}"
        ),
    };
    let dir = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").unwrap());
    let link_ld = dir.join("link.ld");
    for f in [
        "link.ld",
        "c/start.S",
        "c/glue.c",
        "c/natives_libc.c",
        "c/espb_native.h",
    ] {
        println!("cargo::rerun-if-changed={}", dir.join(f).display());
    }
    println!("cargo::rerun-if-env-changed=ESPB_QEMU_NATIVES");
    let libc_dir = Path::new(PICOLIBC).join("lib").join(multilib);
    let libgcc = Path::new(LIBGCC).join(multilib).join("libgcc.a");
    for p in [&libc_dir.join("libc.a"), &libgcc] {
        if !p.exists() {
            panic!(
                "{} is missing: install Debian's picolibc-riscv64-unknown-elf (it brings gcc-riscv64-unknown-elf's libgcc)",
                p.display()
            );
        }
    }
    let mut sources: Vec<PathBuf> = ["c/start.S", "c/glue.c", "c/natives_libc.c"]
        .iter()
        .map(|f| dir.join(f))
        .collect();
    if let Ok(extra) = std::env::var("ESPB_QEMU_NATIVES") {
        for f in extra.split(':').filter(|f| !f.is_empty()) {
            println!("cargo::rerun-if-changed={f}");
            sources.push(PathBuf::from(f));
        }
    }
    let mut cc = cc::Build::new();
    cc.compiler("clang-19")
        .archiver("llvm-ar-19")
        .no_default_flags(true)
        .flag("--target=riscv32-unknown-elf")
        .flag(format!("-march={march}"))
        .flag(format!("-mabi={mabi}"))
        .flag("-O2")
        .flag("-ffunction-sections")
        .flag("-fdata-sections")
        .flag("-nostdlibinc")
        .flag("-w")
        .include(Path::new(PICOLIBC).join("include"))
        .include(dir.join("c"));
    for s in &sources {
        cc.file(s);
    }
    // Objects, not an archive: the native tables are only referenced through
    // their section, so the linker must see every object.
    for o in cc.compile_intermediates() {
        println!("cargo::rustc-link-arg={}", o.display());
    }
    println!("cargo::rustc-link-arg=-T{}", link_ld.display());
    println!("cargo::rustc-link-arg=--gc-sections");
    println!("cargo::rustc-link-arg=--start-group");
    println!(
        "cargo::rustc-link-arg={}",
        libc_dir.join("libc.a").display()
    );
    println!("cargo::rustc-link-arg={}", libgcc.display());
    println!("cargo::rustc-link-arg=--end-group");
}
