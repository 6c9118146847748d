//! `cargo espb run --qemu CHIP`: the module on the runtime as a RISC-V chip
//! carries it (`no_std`, the device FFI and callback trampolines), built for
//! the chip's ISA and run under `qemu-riscv32` in user mode with picolibc's
//! natives. The runtime part (`qemu-runner/`, a static library) is built on
//! first use with cargo; it is then linked with the C start-up, picolibc and
//! the run's natives by clang-19/ld.lld-19. Both are cached; later runs
//! only start qemu.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use miette::{miette, Result};
use sha2::{Digest, Sha256};

use crate::output::Reporter;

/// A RISC-V ESP32 as qemu-user can model it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct QemuChip {
    pub name: &'static str,
    /// The Rust target the runtime is built for.
    pub target: &'static str,
    /// qemu's CPU model: only the extensions the chip has.
    pub cpu: &'static str,
    /// clang's `-march`/`-mabi` for the natives, and the picolibc/libgcc
    /// multilib directory (Debian has no rv32imc one: rv32im is the same ABI).
    pub march: &'static str,
    pub mabi: &'static str,
    pub multilib: &'static str,
}

const IMC: (&str, &str, &str, &str) = (
    "riscv32imc-unknown-none-elf",
    "rv32imc",
    "ilp32",
    "rv32im/ilp32",
);
const IMAC: (&str, &str, &str, &str) = (
    "riscv32imac-unknown-none-elf",
    "rv32imac",
    "ilp32",
    "rv32imac/ilp32",
);
const IMAFC: (&str, &str, &str, &str) = (
    "riscv32imafc-unknown-none-elf",
    "rv32imafc",
    "ilp32f",
    "rv32imafc/ilp32f",
);

const fn chip(
    name: &'static str,
    isa: (&'static str, &'static str, &'static str, &'static str),
    cpu: &'static str,
) -> QemuChip {
    QemuChip {
        name,
        target: isa.0,
        cpu,
        march: isa.1,
        mabi: isa.2,
        multilib: isa.3,
    }
}

const CHIPS: &[QemuChip] = &[
    // No atomics, no FPU: qemu's A/F/D are turned off, so an AMO or FP
    // instruction in the runtime dies with SIGILL as it would on the chip.
    chip("esp32c3", IMC, "rv32,a=false,f=false,d=false"),
    chip("esp32c2", IMC, "rv32,a=false,f=false,d=false"),
    chip("esp32c6", IMAC, "rv32,f=false,d=false"),
    chip("esp32h2", IMAC, "rv32,f=false,d=false"),
    chip("esp32c5", IMAC, "rv32,f=false,d=false"),
    chip("esp32c61", IMAC, "rv32,f=false,d=false"),
    // Single-precision FPU, hard-float ilp32f ABI.
    chip("esp32p4", IMAFC, "rv32,d=false"),
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

const PICOLIBC: &str = "/usr/lib/picolibc/riscv64-unknown-elf";
const LIBGCC: &str = "/usr/lib/gcc/riscv64-unknown-elf/12.2.0";

fn tool(cmd: &mut Command, rep: &Reporter, what: &str) -> Result<()> {
    rep.command(cmd);
    let out = cmd.output().map_err(|e| {
        miette!(
            help = "README command 1 installs clang-19, lld-19 and picolibc-riscv64-unknown-elf",
            "cannot run {:?} ({what}): {e}",
            cmd.get_program()
        )
    })?;
    if !out.status.success() {
        return Err(miette!(
            "{what} failed:\n{}",
            String::from_utf8_lossy(&out.stderr).trim_end()
        ));
    }
    Ok(())
}

/// The runtime as a static library for `chip`'s ISA (cargo decides what is
/// fresh).
fn build_runtime_lib(
    rep: &Reporter,
    chip: QemuChip,
    src: &Path,
    target_dir: &Path,
) -> Result<PathBuf> {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let mut cmd = Command::new(cargo);
    // In the runner's directory, so its `.cargo/config.toml` applies.
    cmd.current_dir(src.join("qemu-runner"))
        .arg("build")
        .arg("--release")
        .arg("--quiet")
        .args(["--target", chip.target])
        .arg("--manifest-path")
        .arg(src.join("qemu-runner/Cargo.toml"))
        .arg("--target-dir")
        .arg(target_dir)
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
        let help = if err.contains("target may not be installed")
            || err.contains("can't find crate for `core`")
        {
            format!("install the target: rustup target add {}", chip.target)
        } else {
            "the build's own messages are above".to_string()
        };
        return Err(miette!(
            help = help,
            "building the runtime for {} failed:\n{}",
            chip.name,
            err.trim_end()
        ));
    }
    Ok(target_dir
        .join(chip.target)
        .join("release")
        .join("libespb_qemu_runner.a"))
}

/// Builds (or finds up to date) the runner for `chip` with the extra
/// `natives` (C files whose `ESPB_NATIVE(f)` lines register natives, see
/// `qemu-runner/c/espb_native.h`); returns the ELF.
pub fn build_runner(rep: &Reporter, chip: QemuChip, natives: &[PathBuf]) -> Result<PathBuf> {
    let src = source_dir()?;
    let cdir = src.join("qemu-runner/c");
    // One cache per source tree: two checkouts must not overwrite each
    // other's runtime library.
    let tree = src.canonicalize().unwrap_or_else(|_| src.clone());
    let mut h = Sha256::new();
    h.update(tree.to_string_lossy().as_bytes());
    let tree_key = crate::cache::short_key(h, 6);
    let cache = cache_dir().join("qemu-runner").join(tree_key);
    let lib = build_runtime_lib(rep, chip, &src, &cache.join("target"))?;
    let libc_dir = Path::new(PICOLIBC).join("lib").join(chip.multilib);
    let libgcc = Path::new(LIBGCC).join(chip.multilib).join("libgcc.a");
    for p in [&libc_dir.join("libc.a"), &libgcc] {
        if !p.exists() {
            return Err(miette!(
                help = "install Debian's picolibc-riscv64-unknown-elf (README command 1 does)",
                "{} is missing",
                p.display()
            ));
        }
    }
    let mut sources: Vec<PathBuf> = ["start.S", "glue.c", "natives_libc.c"]
        .iter()
        .map(|f| cdir.join(f))
        .collect();
    sources.extend(natives.iter().cloned());
    // Everything the image is made of names it.
    let mut h = Sha256::new();
    h.update(chip.target);
    for f in sources
        .iter()
        .chain([&cdir.join("espb_native.h"), &cdir.join("link.ld"), &lib])
    {
        let bytes = std::fs::read(f).map_err(|e| miette!("reading {}: {e}", f.display()))?;
        h.update(f.to_string_lossy().as_bytes());
        h.update((bytes.len() as u64).to_le_bytes());
        h.update(&bytes);
    }
    let key = crate::cache::short_key(h, 8);
    let dir = cache.join("elf").join(format!("{}-{key}", chip.name));
    let elf = dir.join("espb-qemu-runner");
    if elf.exists() {
        return Ok(elf);
    }
    let tmp = dir.join(format!("tmp-{}", std::process::id()));
    std::fs::create_dir_all(&tmp).map_err(|e| miette!("creating {}: {e}", tmp.display()))?;
    let mut objs = Vec::new();
    for (i, s) in sources.iter().enumerate() {
        let o = tmp.join(format!("{i}.o"));
        let mut cc = Command::new("clang-19");
        cc.arg("--target=riscv32-unknown-elf")
            .arg(format!("-march={}", chip.march))
            .arg(format!("-mabi={}", chip.mabi))
            .args([
                "-O2",
                "-ffunction-sections",
                "-fdata-sections",
                "-nostdlibinc",
                "-w",
            ])
            .arg("-isystem")
            .arg(Path::new(PICOLIBC).join("include"))
            .arg("-I")
            .arg(&cdir)
            .arg("-c")
            .arg(s)
            .arg("-o")
            .arg(&o);
        tool(&mut cc, rep, &format!("compiling {}", s.display()))?;
        objs.push(o);
    }
    let out = tmp.join("espb-qemu-runner");
    let mut ld = Command::new("ld.lld-19");
    ld.arg("-T")
        .arg(cdir.join("link.ld"))
        .arg("--gc-sections")
        .args(&objs)
        .arg(&lib)
        .arg("--start-group")
        .arg(libc_dir.join("libc.a"))
        .arg(&libgcc)
        .arg("--end-group")
        .arg("-o")
        .arg(&out);
    tool(&mut ld, rep, "linking the qemu runner")?;
    // Another run may have linked the same image meanwhile: either is it.
    std::fs::rename(&out, &elf).map_err(|e| miette!("writing {}: {e}", elf.display()))?;
    let _ = std::fs::remove_dir_all(&tmp);
    Ok(elf)
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
pub fn run(
    rep: &Reporter,
    runner: &Path,
    chip: QemuChip,
    runner_args: &[String],
    module: &Path,
    args: &[String],
) -> Result<QemuEnd> {
    let qemu = which::which("qemu-riscv32").map_err(|_| {
        miette!(
            help = "install qemu-user (Debian: apt-get install qemu-user)",
            "qemu-riscv32 is not installed"
        )
    })?;
    let mut cmd = Command::new(qemu);
    cmd.args(["-cpu", chip.cpu]);
    // More qemu options: a plugin (`-plugin insncount.so -d plugin`), a gdb
    // stub (`-g 1234`), traces.
    if let Some(extra) = std::env::var_os("ESPB_QEMU_FLAGS") {
        cmd.args(extra.to_string_lossy().split_whitespace());
    }
    cmd.arg(runner)
        .args(runner_args)
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
                ["espb-error", rest @ ..] => {
                    end = Some(QemuEnd::LoadError(unescape(&rest.join("\t"))))
                }
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
