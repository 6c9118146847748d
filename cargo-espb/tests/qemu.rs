//! The runtime as the RISC-V chips carry it (`no_std`, device FFI,
//! callback trampolines), under qemu-riscv32 user mode: `cargo espb run
//! --qemu CHIP` must print what the host run prints.
//!
//! The corpus also runs on the C3 with every function compiled by the JIT
//! (`--jit all`) and with eager tier-up (`--jit hot --jit-tier-up 1`), and
//! the JIT trap programs (`tests/jit_traps`) must trap there exactly as on
//! the host; `tests/jit_tier` checks tier-up (on-stack replacement) itself.
//!
//! `ESPB_CORPUS=name` restricts the corpus test to files whose name
//! contains `name`.

use std::path::{Path, PathBuf};
use std::process::Command;

/// The chips whose ISAs span the backends: rv32imc without atomics
/// (ilp32) and rv32imafc (hard-float ilp32f).
const CHIPS: [&str; 2] = ["esp32c3", "esp32p4"];
const OPTS: [&str; 3] = ["-O0", "-O2", "-Os"];
/// The chip the JIT's whole-corpus run uses (rv32imc: the baseline ISA).
const JIT_CHIP: &str = "esp32c3";
/// `--jit hot` with tier-up at the first poll that finds a function the
/// innermost interpreted one: every function hot enough to be polled is
/// compiled while it runs and continues in machine code.
const TIER_EAGER: &str = "hot --jit-tier-up 1";

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn tmp(sub: &str) -> PathBuf {
    let d = Path::new(env!("CARGO_TARGET_TMPDIR")).join(sub);
    std::fs::create_dir_all(&d).unwrap();
    d
}

fn espb() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_cargo-espb"));
    c.arg("espb").arg("-q");
    // Runners are cached per test build, not in the user's cache.
    c.env(
        "ESPB_CACHE_DIR",
        Path::new(env!("CARGO_TARGET_TMPDIR")).join("espb-cache"),
    );
    c.env_remove("IDF_PATH");
    c
}

/// The corpus way (espb-codegen/tests/corpus.rs): riscv32 bitcode from
/// clang-19 against newlib's headers, translated with the default options.
fn module(src: &Path, opt: &str, out: &Path) -> Result<(), String> {
    module_with(src, opt, out, &[], None)
}

fn module_with(
    src: &Path,
    opt: &str,
    out: &Path,
    include: &[PathBuf],
    hints: Option<&str>,
) -> Result<(), String> {
    let bc = out.with_extension("bc");
    let st = Command::new("clang-19")
        .args([
            "--target=riscv32-unknown-elf",
            "-march=rv32imac",
            "-mabi=ilp32",
            "-isystem",
            "/usr/include/newlib",
        ])
        .arg("-I")
        .arg(repo().join("sdk/include"))
        .args(include.iter().flat_map(|d| [Path::new("-I"), d]))
        .args([opt, "-g", "-w", "-emit-llvm", "-c"])
        .arg(src)
        .arg("-o")
        .arg(&bc)
        .output()
        .map_err(|e| e.to_string())?;
    if !st.status.success() {
        return Err(String::from_utf8_lossy(&st.stderr).into_owned());
    }
    let bytes = std::fs::read(&bc).map_err(|e| e.to_string())?;
    let mut o = espb_codegen::Options::default();
    if let Some(h) = hints {
        o.hints.push(("test.hints".into(), h.into()));
    }
    let m = espb_codegen::translate(&bytes, &o).map_err(|d| format!("translate: {d}"))?;
    std::fs::write(out, m.to_bytes()).map_err(|e| e.to_string())
}

/// stdout, stderr and the exit status of `cargo espb run [--qemu CHIP] M`.
fn run(module: &Path, chip: Option<&str>) -> (String, String, i32) {
    run_with(module, chip, &[])
}

fn run_with(module: &Path, chip: Option<&str>, natives: &[PathBuf]) -> (String, String, i32) {
    run_jit(module, chip, natives, None)
}

/// As `run_with`, the JIT compiling what `jit` selects (default: `hot`).
fn run_jit(
    module: &Path,
    chip: Option<&str>,
    natives: &[PathBuf],
    jit: Option<&str>,
) -> (String, String, i32) {
    let mut c = espb();
    if !natives.is_empty() {
        c.env("ESPB_QEMU_NATIVES", std::env::join_paths(natives).unwrap());
    }
    c.arg("run");
    if let Some(chip) = chip {
        c.args(["--qemu", chip]);
    }
    if let Some(jit) = jit {
        // A mode, then perhaps more JIT options (`"hot --jit-tier-up 1"`).
        let mut w = jit.split_whitespace();
        c.args(["--jit", w.next().unwrap()]).args(w);
    }
    let o = c.arg(module).output().unwrap();
    (
        String::from_utf8_lossy(&o.stdout).into_owned(),
        String::from_utf8_lossy(&o.stderr).into_owned(),
        o.status.code().unwrap_or(-1),
    )
}

/// Builds the runners once, before the parallel part.
fn prepare_runners() {
    let m = tmp("qemu").join("warm.espb");
    module(&repo().join("tests/c/hello_printf.c"), "-O2", &m).unwrap();
    for chip in CHIPS {
        let (out, err, code) = run(&m, Some(chip));
        assert_eq!(code, 0, "{chip}: {out}{err}");
    }
}

fn check(src: &Path) -> Vec<String> {
    let name = src.file_stem().unwrap().to_string_lossy().to_string();
    let mut fails = Vec::new();
    for opt in OPTS {
        let m = tmp("qemu").join(format!("{name}{opt}.espb"));
        if let Err(e) = module(src, opt, &m) {
            fails.push(format!("{name} {opt}: {e}"));
            continue;
        }
        let host = run(&m, None);
        // Each chip with the default JIT mode (`hot`), and the C3 with
        // every function compiled by the JIT.
        let runs = CHIPS
            .iter()
            .map(|&c| (c, None))
            .chain([(JIT_CHIP, Some("all")), (JIT_CHIP, Some(TIER_EAGER))]);
        for (chip, jit) in runs {
            let got = run_jit(&m, Some(chip), &[], jit);
            if got.0 != host.0 || got.2 != host.2 {
                fails.push(format!(
                    "{name} {opt} on {chip} (--jit {}): exit {} (host {})\n--- qemu stdout\n{}\n--- qemu stderr\n{}\n--- host stdout\n{}",
                    jit.unwrap_or("hot"), got.2, host.2, got.0, got.1, host.0
                ));
            }
        }
    }
    fails
}

#[test]
fn corpus_prints_the_same_under_qemu_as_on_the_host() {
    prepare_runners();
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
    assert!(!files.is_empty());
    let workers = std::thread::available_parallelism().map_or(2, |n| n.get());
    let chunks: Vec<Vec<PathBuf>> = (0..workers)
        .map(|k| files.iter().skip(k).step_by(workers).cloned().collect())
        .collect();
    let fails: Vec<String> = std::thread::scope(|s| {
        let hs: Vec<_> = chunks
            .iter()
            .map(|c| s.spawn(move || c.iter().flat_map(|f| check(f)).collect::<Vec<_>>()))
            .collect();
        hs.into_iter().flat_map(|h| h.join().unwrap()).collect()
    });
    assert!(
        fails.is_empty(),
        "{} difference(s) over {} programs x {} levels x {} runs:\n\n{}",
        fails.len(),
        files.len(),
        OPTS.len(),
        CHIPS.len() + 2,
        fails.join("\n\n")
    );
}

fn jit_traps_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/jit_traps")
}

/// Every trap of the interpreter, raised inside functions the JIT compiled
/// (`--jit all` on the C3), is the same trap: the same message, function,
/// offset, C line and backtrace as on the host. Each program names the line
/// it must trap on with a `TRAPS HERE` comment.
#[test]
fn jit_compiled_code_traps_like_the_interpreter() {
    let mut files: Vec<PathBuf> = std::fs::read_dir(jit_traps_dir())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "c"))
        .collect();
    files.sort();
    assert!(files.len() >= 8, "{files:?}");
    let check = |src: &PathBuf| -> Vec<String> {
        let name = src.file_stem().unwrap().to_string_lossy().to_string();
        let text = std::fs::read_to_string(src).unwrap();
        let line = text
            .lines()
            .position(|l| l.contains("TRAPS HERE"))
            .unwrap_or_else(|| panic!("{name}: no TRAPS HERE line"))
            + 1;
        let at = format!("{name}.c:{line}");
        let mut fails = Vec::new();
        for opt in OPTS {
            let m = tmp("qemu-jit").join(format!("{name}{opt}.espb"));
            module(src, opt, &m).unwrap();
            let host = run(&m, None);
            let jit = run_jit(&m, Some(JIT_CHIP), &[], Some("all"));
            if host.2 != 101 || !host.1.contains(&at) {
                fails.push(format!(
                    "{name} {opt}: the host run does not trap at {at}:\n{}",
                    host.1
                ));
            }
            if (jit.0.as_str(), jit.1.as_str(), jit.2) != (host.0.as_str(), host.1.as_str(), host.2)
            {
                fails.push(format!(
                    "{name} {opt}: exit {} (host {})\n--- jit stdout\n{}--- host stdout\n{}--- jit stderr\n{}\n--- host stderr\n{}",
                    jit.2, host.2, jit.0, host.0, jit.1, host.1
                ));
            }
        }
        fails
    };
    let fails: Vec<String> = std::thread::scope(|s| {
        let hs: Vec<_> = files
            .chunks(files.len().div_ceil(2))
            .map(|c| s.spawn(move || c.iter().flat_map(check).collect::<Vec<_>>()))
            .collect();
        hs.into_iter().flat_map(|h| h.join().unwrap()).collect()
    });
    assert!(fails.is_empty(), "{}", fails.join("\n\n"));
}

fn ffi_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/qemu_ffi")
}

/// What the device-FFI script's natives need beyond the analysis.
const FFI_HINTS: &str = "\
dev_mix: out 0 size arg 1
dev_vformat: out 0 size arg 1, in 2 size strlen
dev_store: cb 0 (ptr, i32) -> i32, ud 1
dev_divmod: out 2 size 4, out 3 size 4
dev_obj_get: out 0 size 4 handle
";

/// The script and its natives built natively for 32-bit x86, linked
/// together as one C program: what the FFI must reproduce.
fn native_oracle(script: &Path, natives: &Path) -> (String, i32) {
    let exe = tmp("qemu").join(format!(
        "{}.native",
        script.file_stem().unwrap().to_string_lossy()
    ));
    let st = Command::new("clang-19")
        .args([
            "-m32",
            "-msse2",
            "-mfpmath=sse",
            "-funsigned-char",
            "-O2",
            "-w",
        ])
        .arg("-I")
        .arg(ffi_dir())
        .arg("-I")
        .arg(repo().join("qemu-runner/c"))
        .arg(script)
        .arg(natives)
        .arg("-o")
        .arg(&exe)
        .output()
        .unwrap();
    assert!(
        st.status.success(),
        "{}",
        String::from_utf8_lossy(&st.stderr)
    );
    let o = Command::new(&exe).output().unwrap();
    (
        String::from_utf8_lossy(&o.stdout).into_owned(),
        o.status.code().unwrap_or(-1),
    )
}

/// Natives called with every argument class of ilp32 and ilp32f (more than
/// eight arguments, 64-bit pairs split between a7 and the stack, floats in
/// FP registers on the P4, variadic doubles in aligned pairs, a small struct
/// by value), out-parameters, handles, picolibc's snprintf and qsort with a
/// module comparator, callbacks stored with user data (a pointer and a plain
/// integer) and called later, and after the instance is gone.
#[test]
fn device_ffi_calls_natives_like_native_code() {
    let script = ffi_dir().join("script.c");
    let natives = ffi_dir().join("natives.c");
    let (want, want_code) = native_oracle(&script, &natives);
    for opt in OPTS {
        let m = tmp("qemu").join(format!("ffi{opt}.espb"));
        module_with(&script, opt, &m, &[ffi_dir()], Some(FFI_HINTS)).unwrap();
        for chip in ["esp32c3", "esp32c6", "esp32p4"] {
            let (out, err, code) = run_with(&m, Some(chip), std::slice::from_ref(&natives));
            let (main, after) = out
                .split_once("after unload: ")
                .unwrap_or_else(|| panic!("{chip} {opt}: no after-unload line\n{out}{err}"));
            assert_eq!(
                (main, code),
                (want.as_str(), want_code),
                "{chip} {opt}: stderr:\n{err}"
            );
            assert_eq!(after, "2 callbacks returned 0\n", "{chip} {opt}");
        }
    }
}

/// A diagnostic as one line: miette wraps long messages in its box.
fn flat(err: &str) -> String {
    err.replace(['│', '\n'], " ")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// Builds `name.c` of the device-FFI scripts at -O2 and runs it with the
/// test natives on `chip`; the stdout before the natives' after-unload line,
/// that line, stderr as one line, and the exit status.
fn run_ffi_script(name: &str, chip: &str) -> (String, String, String, i32) {
    let m = tmp("qemu").join(format!("ffi-{name}.espb"));
    module_with(
        &ffi_dir().join(format!("{name}.c")),
        "-O2",
        &m,
        &[ffi_dir()],
        Some(FFI_HINTS),
    )
    .unwrap();
    let (out, err, code) = run_with(&m, Some(chip), &[ffi_dir().join("natives.c")]);
    let (main, after) = out.split_once("after unload: ").unwrap_or((&out, ""));
    (main.to_string(), after.to_string(), flat(&err), code)
}

/// The 33rd distinct callback finds the 32 trampolines bound: a trap naming
/// the call and the callback, after the 32 that worked.
#[test]
fn trampoline_pool_exhaustion_is_a_trap_naming_the_callback() {
    for chip in ["esp32c3", "esp32p4"] {
        let (out, after, err, code) = run_ffi_script("pool", chip);
        assert_eq!(code, 101, "{chip}: {out}{err}");
        assert!(
            out.starts_with("0:100 1:101 ") && out.contains(" 31:131 "),
            "{chip}: {out}"
        );
        // The 32 bound trampolines, called after the instance is gone.
        assert_eq!(after, "32 callbacks returned 0\n", "{chip}");
        assert!(
            err.contains(
                "dev_store: cannot make callback argument 0 (`cb32`) a C function pointer"
            ) && err.contains("all 32 callback trampolines are in use"),
            "{chip}: {err}"
        );
    }
}

/// A native pointer the module made up is not a handle: the call traps
/// before the native runs.
#[test]
fn forged_handles_trap_before_the_native_runs() {
    for chip in ["esp32c3", "esp32p4"] {
        let (out, _, err, code) = run_ffi_script("forged", chip);
        assert_eq!((out.as_str(), code), ("real 5\n", 101), "{chip}: {err}");
        assert!(
            err.contains("dev_obj_id: argument 0 is 0x80000001, not a live native handle"),
            "{chip}: {err}"
        );
        assert!(err.contains("forged.c:10"), "{chip}: {err}");
    }
}

/// A trap in a callback that a native calls (picolibc's qsort calling the
/// module's comparator) becomes the trap of the native call, with the
/// comparator's C line.
#[test]
fn a_callback_trap_inside_a_native_call_traps_that_call() {
    for chip in ["esp32c3", "esp32p4"] {
        let (out, _, err, code) = run_ffi_script("cb_trap", chip);
        assert_eq!((out.as_str(), code), ("sorting\n", 101), "{chip}: {err}");
        assert!(err.contains("integer division by zero"), "{chip}: {err}");
        assert!(err.contains("cb_trap.c:8"), "{chip}: {err}");
    }
}

/// The newest C3 runner `cargo espb run --qemu esp32c3` built for these
/// tests.
fn c3_runner() -> PathBuf {
    // `qemu-runner/<source key>/elf/esp32c3-<image key>/espb-qemu-runner`.
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("espb-cache/qemu-runner");
    let entries = |d: &Path| -> Vec<PathBuf> {
        std::fs::read_dir(d)
            .map(|r| r.map(|e| e.unwrap().path()).collect())
            .unwrap_or_default()
    };
    entries(&dir)
        .iter()
        .flat_map(|k| entries(&k.join("elf")))
        .filter(|p| {
            p.file_name()
                .unwrap()
                .to_string_lossy()
                .starts_with("esp32c3-")
        })
        .map(|p| p.join("espb-qemu-runner"))
        .filter(|p| p.exists())
        .max_by_key(|p| p.metadata().unwrap().modified().unwrap())
        .expect("a built C3 runner")
}

/// A runaway loop stops in compiled code as in interpreted code: with the
/// same instruction budget (`--fuel`, ticks of calls and backward
/// branches) the compiled run traps `OutOfFuel` at the same function,
/// offset and C line as the interpreted one, so fuel is counted exactly
/// alike (and the interrupt flag is looked at on the same ticks).
#[test]
fn runaway_compiled_loop_runs_out_of_fuel_like_the_interpreter() {
    let dir = tmp("qemu-fuel");
    let src = dir.join("spin.c");
    std::fs::write(
        &src,
        "#include <stdio.h>\nvolatile unsigned x;\nstatic unsigned step(unsigned v) { return v * 3 + 1; }\n\
         static void spin(void) {\n    for (;;) {\n        x = step(x);\n        if (x == 7) x++;\n    }\n}\n\
         int main(void) { puts(\"spinning\"); spin(); return 0; }\n",
    )
    .unwrap();
    // Builds (or finds) the runner.
    let hello = dir.join("hello.espb");
    module(&repo().join("tests/c/hello_printf.c"), "-O2", &hello).unwrap();
    let (out, err, code) = run(&hello, Some(JIT_CHIP));
    assert_eq!(code, 0, "{out}{err}");
    let runner = c3_runner();
    for opt in ["-O0", "-O2"] {
        let m = dir.join(format!("spin{opt}.espb"));
        module(&src, opt, &m).unwrap();
        for fuel in ["100000", "123457"] {
            let trap = |jit: &str| {
                let o = Command::new("qemu-riscv32")
                    .args(["-cpu", "rv32,a=false,f=false,d=false"])
                    .arg(&runner)
                    .arg("--jit")
                    .args(jit.split_whitespace())
                    .args(["--fuel", fuel])
                    .arg(&m)
                    .output()
                    .unwrap();
                let err = String::from_utf8_lossy(&o.stderr).into_owned();
                (
                    String::from_utf8_lossy(&o.stdout).into_owned(),
                    err,
                    o.status.code(),
                )
            };
            let (interp, jit) = (trap("off"), trap("all"));
            assert!(
                interp.1.contains("out of fuel") && interp.1.contains("spin.c:"),
                "{opt} {fuel}: {}",
                interp.1
            );
            assert_eq!(jit, interp, "{opt} fuel {fuel}");
            // The same loop tiered up while it runs (`spin` and `step` are
            // not JIT_HOT): the compiled continuation counts alike.
            let tiered = trap("hot --jit-tier-up 1 --jit-tier-report");
            assert!(
                tiered.1.contains("espb-tier-up\t"),
                "{opt} {fuel}: nothing tiered up: {}",
                tiered.1
            );
            let without_report = |t: &(String, String, Option<i32>)| {
                let e: Vec<&str> =
                    t.1.lines()
                        .filter(|l| !l.starts_with("espb-tier-up"))
                        .collect();
                (t.0.clone(), e.join("\n"), t.2)
            };
            assert_eq!(
                without_report(&tiered),
                without_report(&interp),
                "{opt} fuel {fuel} tier-up"
            );
        }
    }
}

fn jit_tier_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/jit_tier")
}

/// The runner run directly on the C3 with `args` before the module:
/// stdout, stderr, exit status.
fn c3_direct(module: &Path, args: &[&str]) -> (String, String, i32) {
    let o = Command::new("qemu-riscv32")
        .args(["-cpu", "rv32,a=false,f=false,d=false"])
        .arg(c3_runner())
        .args(args)
        .arg(module)
        .output()
        .unwrap();
    (
        String::from_utf8_lossy(&o.stdout).into_owned(),
        String::from_utf8_lossy(&o.stderr).into_owned(),
        o.status.code().unwrap_or(-1),
    )
}

/// The functions the runner reports tiered up (`--jit-tier-report`).
fn tiered_up(stderr: &str) -> Vec<String> {
    stderr
        .lines()
        .filter_map(|l| l.strip_prefix("espb-tier-up\t"))
        .map(|l| l.split(':').next().unwrap_or("").to_string())
        .collect()
}

/// Tier-up with on-stack replacement: a loop function that is not
/// `JIT_HOT` is compiled while it runs and continues in machine code; the
/// output (`osr_loop.c`) or the trap after the switch (`osr_trap.c`:
/// message, function, C line, backtrace) is the host interpreter's. The
/// runner's report proves the function was tiered up; with tier-up off,
/// and with `--jit off` whatever the threshold, nothing is.
#[test]
fn tier_up_continues_hot_loops_in_compiled_code() {
    let hello = tmp("qemu-tier").join("hello.espb");
    module(&repo().join("tests/c/hello_printf.c"), "-O2", &hello).unwrap();
    let (out, err, code) = run(&hello, Some(JIT_CHIP));
    assert_eq!(code, 0, "{out}{err}");
    let mut fails = Vec::new();
    for (name, func) in [("osr_loop", "walk"), ("osr_trap", "scan")] {
        let src = jit_tier_dir().join(format!("{name}.c"));
        for opt in OPTS {
            let m = tmp("qemu-tier").join(format!("{name}{opt}.espb"));
            module(&src, opt, &m).unwrap();
            let host = run(&m, None);
            if name == "osr_trap" {
                let text = std::fs::read_to_string(&src).unwrap();
                let line = text.lines().position(|l| l.contains("TRAPS HERE")).unwrap() + 1;
                let at = format!("{name}.c:{line}");
                if host.2 != 101 || !host.1.contains(&at) {
                    fails.push(format!(
                        "{name} {opt}: the host run does not trap at {at}:\n{}",
                        host.1
                    ));
                }
            }
            for tier in ["1", "4"] {
                let jit = run_jit(
                    &m,
                    Some(JIT_CHIP),
                    &[],
                    Some(&format!("hot --jit-tier-up {tier}")),
                );
                if (jit.0.as_str(), jit.1.as_str(), jit.2)
                    != (host.0.as_str(), host.1.as_str(), host.2)
                {
                    fails.push(format!(
                        "{name} {opt} tier-up {tier}: exit {} (host {})\n--- jit stdout\n{}--- host stdout\n{}--- jit stderr\n{}\n--- host stderr\n{}",
                        jit.2, host.2, jit.0, host.0, jit.1, host.1
                    ));
                }
                let report = c3_direct(
                    &m,
                    &["--jit", "hot", "--jit-tier-up", tier, "--jit-tier-report"],
                );
                let t = tiered_up(&report.1);
                if !t.iter().any(|f| f.ends_with(&format!(" {func}"))) {
                    fails.push(format!(
                        "{name} {opt} tier-up {tier}: {func} not tiered up: {t:?}\n{}",
                        report.1
                    ));
                }
            }
            for args in [
                ["--jit", "hot", "--jit-tier-up", "0"],
                ["--jit", "off", "--jit-tier-up", "1"],
            ] {
                let mut a = args.to_vec();
                a.push("--jit-tier-report");
                let r = c3_direct(&m, &a);
                // The newest runner may carry the FFI tests' natives, whose
                // unload hook prints a line of its own.
                let out: String =
                    r.0.lines()
                        .filter(|l| !l.starts_with("after unload"))
                        .map(|l| format!("{l}\n"))
                        .collect();
                if !tiered_up(&r.1).is_empty() || out != host.0 || r.2 != host.2 {
                    fails.push(format!(
                        "{name} {opt} {args:?}: {:?} exit {}\n{}",
                        tiered_up(&r.1),
                        r.2,
                        r.1
                    ));
                }
            }
        }
    }
    assert!(fails.is_empty(), "{}", fails.join("\n\n"));
}
