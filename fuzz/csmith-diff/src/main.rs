//! Differential execution fuzzing with csmith (`fuzz/README.md`).
//!
//! Each random C program csmith writes (it prints a checksum of all its
//! global state) is compiled natively for i386 (`-m32 -funsigned-char`: the
//! type sizes and char signedness of riscv32 ilp32) and, through clang's
//! riscv32 bitcode and the translator, to `.espb` at `-O0` and `-O2`, run on
//! the interpreter with fuel. The three outputs must agree; a panic, a
//! module the validator refuses, a trap or a disagreement is a finding,
//! saved with its program under `--out`.
//!
//! ```text
//! LLVM_SYS_191_PREFIX=/usr/lib/llvm-19 cargo run --release -p csmith-diff -- \
//!     --seconds 3600 [--seed N] [--out DIR] [--fuel N]
//! ```

use std::collections::BTreeMap;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use espb_runtime::{Config, Imports, Instance, Module, Output};

const CSMITH_INC: &str = "/usr/include/csmith";
const NATIVE_TIMEOUT: Duration = Duration::from_secs(10);

struct Args {
    seconds: u64,
    count: u64,
    seed: u64,
    out: PathBuf,
    fuel: u64,
}

fn args() -> Args {
    let mut a = Args {
        seconds: 600,
        count: u64::MAX,
        seed: std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(1, |d| d.as_secs()),
        out: PathBuf::from("csmith-findings"),
        fuel: 20_000_000_000,
    };
    let mut it = std::env::args().skip(1);
    while let Some(k) = it.next() {
        let v = it.next().unwrap_or_else(|| panic!("{k} needs a value"));
        let n = || v.parse::<u64>().unwrap_or_else(|_| panic!("{k}: `{v}` is not a number"));
        match k.as_str() {
            "--seconds" => a.seconds = n(),
            "--count" => a.count = n(),
            "--seed" => a.seed = n(),
            "--fuel" => a.fuel = n(),
            "--out" => a.out = PathBuf::from(&v),
            _ => panic!("unknown option {k} (--seconds, --count, --seed, --fuel, --out)"),
        }
    }
    a
}

/// Runs `cmd`, killing it after `limit`; returns its stdout if it exited 0.
fn run_with_timeout(cmd: &mut Command, limit: Duration) -> Result<Vec<u8>, String> {
    let mut child = cmd
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| e.to_string())?;
    let t = Instant::now();
    loop {
        if let Some(st) = child.try_wait().map_err(|e| e.to_string())? {
            let out = child.wait_with_output().map_err(|e| e.to_string())?;
            return if st.success() {
                Ok(out.stdout)
            } else {
                Err(format!("{st}: {}", String::from_utf8_lossy(&out.stderr)))
            };
        }
        if t.elapsed() > limit {
            let _ = child.kill();
            let _ = child.wait();
            return Err("timeout".into());
        }
        std::thread::sleep(Duration::from_millis(5));
    }
}

/// What the `.espb` build of a program did.
enum Espb {
    Output(Vec<u8>, u64),
    TranslateError(String),
    Invalid(String),
    Trap(String),
    Panic(String),
}

fn espb(src: &Path, dir: &Path, opt: &str, fuel: u64) -> Espb {
    let bc = dir.join(format!("p{opt}.bc"));
    let o = Command::new("clang-19")
        .args(["--target=riscv32-unknown-elf", "-march=rv32imac", "-mabi=ilp32"])
        .args(["-isystem", "/usr/include/newlib", "-I", CSMITH_INC, "-w", opt])
        .args(["-emit-llvm", "-c"])
        .arg(src)
        .arg("-o")
        .arg(&bc)
        .output()
        .expect("clang-19 runs");
    if !o.status.success() {
        return Espb::TranslateError(format!("clang: {}", String::from_utf8_lossy(&o.stderr)));
    }
    let bitcode = std::fs::read(&bc).unwrap();
    let r = catch_unwind(AssertUnwindSafe(|| {
        let m = match espb_codegen::translate(&bitcode, &espb_codegen::Options::default()) {
            Ok(m) => m,
            Err(d) => return Espb::TranslateError(d.to_string()),
        };
        let bytes = m.to_bytes();
        let module = match Module::parse(&bytes) {
            Ok(m) => m,
            Err(e) => return Espb::Invalid(e.to_string()),
        };
        let (out, buf) = Output::buffer();
        let cfg = Config {
            fuel: Some(fuel),
            output: out,
            max_contexts: 1,
            ..Config::default()
        };
        let inst = match Instance::new(&module, &Imports::new(), cfg) {
            Ok(i) => i,
            Err(e) => return Espb::Trap(format!("instantiate: {e}")),
        };
        let Some(main) = module.export("main") else {
            return Espb::Trap("no main".into());
        };
        let nparams = module.func_type(main).map_or(0, |t| t.params.len());
        match inst.call_raw(main, &[1, 0][..nparams.min(2)]) {
            Ok(_) => Espb::Output(buf.contents(), fuel - inst.fuel_remaining().unwrap_or(0)),
            Err(t) => Espb::Trap(t.to_string()),
        }
    }));
    r.unwrap_or_else(|p| {
        let msg = p
            .downcast_ref::<String>()
            .cloned()
            .or_else(|| p.downcast_ref::<&str>().map(|s| s.to_string()))
            .unwrap_or_default();
        Espb::Panic(msg)
    })
}

fn first_line(s: &str) -> String {
    s.lines().next().unwrap_or("").chars().take(160).collect()
}

fn main() {
    let a = args();
    std::fs::create_dir_all(&a.out).unwrap();
    let work = std::env::temp_dir().join(format!("csmith-diff-{}", std::process::id()));
    std::fs::create_dir_all(&work).unwrap();
    let start = Instant::now();
    let mut counts: BTreeMap<String, u64> = BTreeMap::new();
    let mut kinds: BTreeMap<String, u64> = BTreeMap::new();
    let (mut programs, mut compared, mut ticks) = (0u64, 0u64, 0u64);
    let mut seed = a.seed;
    // Writes a finding (once per kind and message) with its program.
    let mut finding = |seed: u64, kind: &str, msg: &str, src: &Path| {
        let key = format!("{kind}: {}", first_line(msg));
        let n = kinds.entry(key).or_insert(0);
        *n += 1;
        if *n == 1 {
            let d = a.out.join(format!("{kind}-{seed}"));
            std::fs::create_dir_all(&d).unwrap();
            std::fs::copy(src, d.join("program.c")).unwrap();
            std::fs::write(d.join("finding.txt"), format!("seed {seed}\n{kind}\n{msg}\n")).unwrap();
        }
    };
    while start.elapsed() < Duration::from_secs(a.seconds) && programs < a.count {
        seed += 1;
        programs += 1;
        let src = work.join("p.c");
        // csmith writes platform.info into its working directory.
        let gen = Command::new("csmith")
            .current_dir(&work)
            .args(["--seed", &seed.to_string(), "-o"])
            .arg(&src)
            .output()
            .expect("csmith runs");
        if !gen.status.success() {
            *counts.entry("csmith failed".into()).or_default() += 1;
            continue;
        }
        let exe = work.join("native");
        let cc = Command::new("clang-19")
            .args(["-m32", "-funsigned-char", "-O0", "-w", "-I", CSMITH_INC])
            .arg(&src)
            .arg("-o")
            .arg(&exe)
            .output()
            .expect("clang-19 runs");
        if !cc.status.success() {
            *counts.entry("native build failed".into()).or_default() += 1;
            continue;
        }
        let native = match run_with_timeout(&mut Command::new(&exe), NATIVE_TIMEOUT) {
            Ok(o) => o,
            Err(_) => {
                // An endless or crashing program: nothing to compare with.
                *counts.entry("native timeout or crash (skipped)".into()).or_default() += 1;
                continue;
            }
        };
        let mut outs = Vec::new();
        for opt in ["-O0", "-O2"] {
            match espb(&src, &work, opt, a.fuel) {
                Espb::Output(o, t) => {
                    ticks += t;
                    outs.push(o);
                }
                Espb::TranslateError(m) => {
                    *counts.entry(format!("translate error {opt}")).or_default() += 1;
                    finding(seed, &format!("translate{opt}"), &m, &src);
                }
                Espb::Invalid(m) => {
                    *counts.entry(format!("invalid module {opt}")).or_default() += 1;
                    finding(seed, &format!("invalid{opt}"), &m, &src);
                }
                Espb::Trap(m) if m.contains("out of fuel") => {
                    *counts.entry(format!("out of fuel {opt} (skipped)")).or_default() += 1;
                }
                Espb::Trap(m) => {
                    *counts.entry(format!("trap {opt}")).or_default() += 1;
                    finding(seed, &format!("trap{opt}"), &m, &src);
                }
                Espb::Panic(m) => {
                    *counts.entry(format!("PANIC {opt}")).or_default() += 1;
                    finding(seed, &format!("panic{opt}"), &m, &src);
                }
            }
        }
        if outs.len() == 2 {
            compared += 1;
            let (o0, o2) = (&outs[0], &outs[1]);
            if o0 != o2 {
                *counts.entry("-O0 and -O2 disagree".into()).or_default() += 1;
                let m = format!(
                    "-O0: {}\n-O2: {}\nnative: {}",
                    String::from_utf8_lossy(o0),
                    String::from_utf8_lossy(o2),
                    String::from_utf8_lossy(&native)
                );
                finding(seed, "o0-o2", &m, &src);
            } else if *o0 != native {
                *counts.entry("espb and native disagree".into()).or_default() += 1;
                let m = format!(
                    "espb: {}\nnative: {}",
                    String::from_utf8_lossy(o0),
                    String::from_utf8_lossy(&native)
                );
                finding(seed, "native", &m, &src);
            } else {
                *counts.entry("agree".into()).or_default() += 1;
            }
        }
        if programs % 50 == 0 {
            eprintln!("{programs} programs, {:?}", start.elapsed());
        }
    }
    println!(
        "csmith-diff: {programs} programs from seed {} in {:.0} s; {compared} compared at -O0 and -O2 ({} espb executions, {ticks} interpreter ticks)",
        a.seed + 1,
        start.elapsed().as_secs_f64(),
        2 * compared
    );
    for (k, n) in &counts {
        println!("  {n:6}  {k}");
    }
    if !kinds.is_empty() {
        println!("distinct findings (saved under {}):", a.out.display());
        for (k, n) in &kinds {
            println!("  {n:6}  {k}");
        }
    }
    let _ = std::fs::remove_dir_all(&work);
}
