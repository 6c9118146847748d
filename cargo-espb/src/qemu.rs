//! `cargo espb run --qemu CHIP`: the module on the runtime as a RISC-V chip
//! carries it (`no_std`, the device FFI and callback trampolines), built for
//! the chip's ISA and run under `qemu-riscv32` in user mode with picolibc's
//! natives. The runner (`qemu-runner/`) is built on first use with cargo and
//! cached; later runs only start qemu.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use miette::{miette, Result};

use crate::output::Reporter;

/// A RISC-V ESP32 as qemu-user can model it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct QemuChip {
    pub name: &'static str,
    /// The Rust target the runtime is built for.
    pub target: &'static str,
    /// qemu's CPU model: only the extensions the chip has.
    pub cpu: &'static str,
}

const CHIPS: &[QemuChip] = &[
    // No atomics, no FPU: qemu's A/F/D are turned off, so an AMO or FP
    // instruction in the runtime dies with SIGILL as it would on the chip.
    QemuChip { name: "esp32c3", target: "riscv32imc-unknown-none-elf", cpu: "rv32,a=false,f=false,d=false" },
    QemuChip { name: "esp32c2", target: "riscv32imc-unknown-none-elf", cpu: "rv32,a=false,f=false,d=false" },
    QemuChip { name: "esp32c6", target: "riscv32imac-unknown-none-elf", cpu: "rv32,f=false,d=false" },
    QemuChip { name: "esp32h2", target: "riscv32imac-unknown-none-elf", cpu: "rv32,f=false,d=false" },
    QemuChip { name: "esp32c5", target: "riscv32imac-unknown-none-elf", cpu: "rv32,f=false,d=false" },
    QemuChip { name: "esp32c61", target: "riscv32imac-unknown-none-elf", cpu: "rv32,f=false,d=false" },
    // Single-precision FPU, hard-float ilp32f ABI.
    QemuChip { name: "esp32p4", target: "riscv32imafc-unknown-none-elf", cpu: "rv32,d=false" },
];

impl QemuChip {
    pub fn find(name: &str) -> Result<QemuChip> {
        if let Some(c) = CHIPS.iter().find(|c| c.name == name) {
            return Ok(*c);
        }
        let known: Vec<&str> = CHIPS.iter().map(|c| c.name).collect();
        let help = if matches!(name, "esp32" | "esp32s2" | "esp32s3") {
            "the Xtensa chips have no qemu-user model; build the runtime for them with Espressif's Rust toolchain (docs/runtime.md)".to_string()
        } else {
            format!("qemu runs the RISC-V chips: {}", known.join(", "))
        };
        Err(miette!(help = help, "no qemu model for chip `{name}`"))
    }
}

/// Where the runner's sources are: `$ESPB_SOURCE_DIR`, else the checkout
/// cargo-espb was built from.
fn source_dir() -> Result<PathBuf> {
    let dir = std::env::var_os("ESPB_SOURCE_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join(".."));
    let manifest = dir.join("qemu-runner/Cargo.toml");
    if !manifest.exists() {
        return Err(miette!(
            help = "set ESPB_SOURCE_DIR to an espb checkout (the runner is built from its qemu-runner/ directory)",
            "the qemu runner's sources are not at {}",
            manifest.display()
        ));
    }
    Ok(dir)
}

/// Where built runners are cached (`$ESPB_CACHE_DIR`, else the user cache).
fn cache_dir() -> PathBuf {
    if let Some(d) = std::env::var_os("ESPB_CACHE_DIR") {
        return PathBuf::from(d);
    }
    let base = std::env::var_os("XDG_CACHE_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cache")))
        .unwrap_or_else(std::env::temp_dir);
    base.join("espb")
}

/// Builds (or finds up to date) the runner for `chip`; returns the ELF.
/// `natives`: extra C files whose `ESPB_NATIVE(f)` lines register natives.
pub fn build_runner(rep: &Reporter, chip: QemuChip, natives: &[PathBuf]) -> Result<PathBuf> {
    let src = source_dir()?;
    let target_dir = cache_dir().join("qemu-runner");
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let joined = std::env::join_paths(natives)
        .map_err(|e| miette!("natives path: {e}"))?;
    let mut cmd = Command::new(cargo);
    cmd.arg("build")
        .arg("--release")
        .arg("--quiet")
        .args(["--target", chip.target])
        .arg("--manifest-path")
        .arg(src.join("qemu-runner/Cargo.toml"))
        .arg("--target-dir")
        .arg(&target_dir)
        .env("ESPB_QEMU_NATIVES", joined)
        // The host build's flags (e.g. a global target-cpu) do not apply.
        .env_remove("RUSTFLAGS")
        .env_remove("CARGO_ENCODED_RUSTFLAGS")
        .env_remove("CARGO_TARGET_DIR");
    rep.command(&cmd);
    let spinner = rep.spinner(&format!("the RISC-V runtime for {}", chip.name));
    let out = cmd
        .output()
        .map_err(|e| miette!("cannot run cargo to build the qemu runner: {e}"))?;
    spinner.finish_and_clear();
    if !out.status.success() {
        let err = String::from_utf8_lossy(&out.stderr);
        let help = if err.contains("target may not be installed") || err.contains("can't find crate for `core`") {
            format!("install the target: rustup target add {}", chip.target)
        } else if err.contains("picolibc") || err.contains("clang-19") {
            "install clang-19, lld-19 and picolibc-riscv64-unknown-elf (README command 1 does)".to_string()
        } else {
            "the build's own messages are above".to_string()
        };
        return Err(miette!(
            help = help,
            "building the qemu runner for {} failed:\n{}",
            chip.name,
            err.trim_end()
        ));
    }
    Ok(target_dir
        .join(chip.target)
        .join("release")
        .join("espb-qemu-runner"))
}

/// How a qemu run ended.
pub enum QemuEnd {
    /// The module's exit status.
    Exit(u8),
    /// A trap: the task, the C source position and the trap's text.
    Trap {
        task: String,
        source: Option<(String, u32)>,
        message: String,
    },
    /// The module could not be loaded (invalid, a native missing, …).
    LoadError(String),
}

fn unescape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut it = s.chars();
    while let Some(c) = it.next() {
        if c == '\\' {
            match it.next() {
                Some('n') => out.push('\n'),
                Some(o) => out.push(o),
                None => {}
            }
        } else {
            out.push(c);
        }
    }
    out
}

/// Runs `module` under qemu on `chip`'s CPU model. The module's stdout is
/// passed through; the runner's `espb-trap`/`espb-error` lines become the
/// result, any other stderr output is passed through.
pub fn run(rep: &Reporter, runner: &Path, chip: QemuChip, module: &Path, args: &[String]) -> Result<QemuEnd> {
    let qemu = which::which("qemu-riscv32").map_err(|_| {
        miette!(
            help = "install qemu-user (Debian: apt-get install qemu-user)",
            "qemu-riscv32 is not installed"
        )
    })?;
    let mut cmd = Command::new(qemu);
    cmd.args(["-cpu", chip.cpu])
        .arg(runner)
        .arg(module)
        .args(args)
        .stdin(Stdio::inherit())
        .stdout(Stdio::inherit())
        .stderr(Stdio::piped());
    rep.command(&cmd);
    let mut child = cmd
        .spawn()
        .map_err(|e| miette!("cannot start qemu-riscv32: {e}"))?;
    let mut end = None;
    if let Some(err) = child.stderr.take() {
        for line in BufReader::new(err).lines().map_while(|l| l.ok()) {
            let fields: Vec<&str> = line.splitn(5, '\t').collect();
            match fields.as_slice() {
                ["espb-trap", task, file, line_no, msg] => {
                    end = Some(QemuEnd::Trap {
                        task: task.to_string(),
                        source: line_no
                            .parse()
                            .ok()
                            .filter(|_| !file.is_empty())
                            .map(|l| (file.to_string(), l)),
                        message: unescape(msg),
                    })
                }
                ["espb-error", rest @ ..] => end = Some(QemuEnd::LoadError(unescape(&rest.join("\t")))),
                _ => eprintln!("{line}"),
            }
        }
    }
    let status = child
        .wait()
        .map_err(|e| miette!("waiting for qemu-riscv32: {e}"))?;
    if let Some(e) = end {
        return Ok(e);
    }
    match status.code() {
        Some(c) => Ok(QemuEnd::Exit(c as u8)),
        None => Err(miette!(
            "qemu-riscv32 was killed by a signal ({status}); an illegal instruction means the runtime used an extension {} lacks",
            chip.name
        )),
    }
}
