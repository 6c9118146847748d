//! `espb-benches --rv32`: the suite on the RISC-V chips, under qemu-riscv32
//! user mode, counting executed guest instructions (qemu's timing distorts
//! dispatch-heavy code; instruction counts are exact and repeatable).
//!
//! For each chip's ISA, in one run and with the same C start-up and picolibc
//! (`qemu-runner/c`):
//! * native: the program built by clang-19 for the ISA (`-O2`);
//! * espb: the module (riscv32 `-O2` bitcode, `espb_codegen::translate`)
//!   run by `cargo espb run --qemu CHIP --jit off` — the interpreter as the
//!   chip carries it, built `no_std` at opt-level 3;
//! * espb JIT: the same runtime with `--jit all`, every function compiled to
//!   machine code by the RISC-V JIT at instantiation (the compile time is
//!   in the count);
//! * wasm3: wasm3 0.5.0 (`vendor/wasm3`, `-O3` as its release builds) for
//!   the same ISA, running the wasm32-wasi build of the program.
//!
//! After each chip's table, fib(85) without start-up (`fib_goal`): the
//! issue's JIT goal for a `JIT_HOT` function, measured as the difference of
//! two builds of `fib.c` (`-DREPS=14000` minus `-DREPS=7000`) run native,
//! interpreted and with `--jit hot`.
//!
//! Every run's output must equal the native build's. Counts include the
//! process start-up (the same C start-up everywhere) and loading (espb:
//! parse and validate; wasm3: parse and compile).
//!
//! RAM: every run has `ESPB_HEAP_REPORT=1`, so the C start-up reports the
//! heap's high-water mark, the module file's buffer and the instance's
//! linear memory (`qemu-runner/c/glue.c`); the RAM table gives what the
//! engine itself held beyond the file and the linear memory.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use crate::programs::{Program, CLANG};

/// Flags every RV32 build shares with the host suite (`build.rs`).
const COMMON_FLAGS: &[&str] = &["-O2", "-ffp-contract=off", "-fno-math-errno"];
const PICOLIBC: &str = "/usr/lib/picolibc/riscv64-unknown-elf";
const LIBGCC: &str = "/usr/lib/gcc/riscv64-unknown-elf/12.2.0";

struct Chip {
    name: &'static str,
    march: &'static str,
    mabi: &'static str,
    multilib: &'static str,
    cpu: &'static str,
}

/// The two ends of the RISC-V line: no atomics and no FPU (ESP32-C3), and
/// single-precision hard float (ESP32-P4).
const CHIPS: &[Chip] = &[
    Chip {
        name: "esp32c3",
        march: "rv32imc",
        mabi: "ilp32",
        multilib: "rv32im/ilp32",
        cpu: "rv32,a=false,f=false,d=false",
    },
    Chip {
        name: "esp32p4",
        march: "rv32imafc",
        mabi: "ilp32f",
        multilib: "rv32imafc/ilp32f",
        cpu: "rv32,d=false",
    },
];

pub struct Rv32Args {
    pub chips: Vec<String>,
    pub out: PathBuf,
    pub write: bool,
    /// Run native and wasm3 too (`--engines` without them: espb only, the
    /// others' counts taken from `baseline`; instruction counts are exact
    /// and repeatable, so a previous run's stand in for them).
    pub peers: bool,
    /// Run espb with `--jit all` too (`--engines` without `jit`: its count
    /// is taken from `baseline`).
    pub jit: bool,
    /// A previous run's `results-rv32.json`: espb after/before ratios, and
    /// the peers' counts when they are not run.
    pub baseline: Option<PathBuf>,
}

/// One row of a `results-rv32.json`: (chip, program) → [native, espb, espb
/// JIT, wasm3].
type Counts = std::collections::HashMap<(String, String), [Option<u64>; 4]>;

/// Reads a `results-rv32.json` written by this module (one object a line).
fn read_counts(path: &Path) -> Result<Counts, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let field = |line: &str, key: &str| -> Option<String> {
        let at = line.find(&format!("\"{key}\":"))? + key.len() + 3;
        let rest = line[at..].trim_start_matches('"');
        let end = rest.find(['"', ',', '}'])?;
        Some(rest[..end].to_string())
    };
    let mut out = Counts::new();
    for line in text.lines().filter(|l| l.contains("\"chip\"")) {
        let (Some(chip), Some(program)) = (field(line, "chip"), field(line, "program")) else {
            continue;
        };
        let n = |k: &str| field(line, k).and_then(|v| v.parse().ok());
        out.insert(
            (chip, program),
            [
                n("native_insns"),
                n("espb_insns"),
                n("espb_jit_insns"),
                n("wasm3_insns"),
            ],
        );
    }
    Ok(out)
}

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn run_tool(cmd: &mut Command, what: &str) -> Result<Vec<u8>, String> {
    let out = cmd
        .output()
        .map_err(|e| format!("{what}: cannot run {:?}: {e}", cmd.get_program()))?;
    if !out.status.success() {
        return Err(format!(
            "{what} failed:\n{}",
            String::from_utf8_lossy(&out.stderr).trim_end()
        ));
    }
    Ok(out.stdout)
}

/// Compiles C or assembly for `chip` against picolibc's headers.
fn compile(chip: &Chip, src: &Path, obj: &Path, extra: &[&str]) -> Result<(), String> {
    let mut c = Command::new(CLANG);
    c.arg("--target=riscv32-unknown-elf")
        .arg(format!("-march={}", chip.march))
        .arg(format!("-mabi={}", chip.mabi))
        .args(COMMON_FLAGS)
        .args([
            "-ffunction-sections",
            "-fdata-sections",
            "-nostdlibinc",
            "-w",
        ])
        .arg("-isystem")
        .arg(Path::new(PICOLIBC).join("include"))
        .args(extra)
        .arg("-c")
        .arg(src)
        .arg("-o")
        .arg(obj);
    run_tool(&mut c, &format!("compiling {}", src.display())).map(drop)
}

/// Links objects with the runner's linker script, picolibc and libgcc.
fn link(chip: &Chip, objs: &[PathBuf], out: &Path) -> Result<(), String> {
    let lib = Path::new(PICOLIBC).join("lib").join(chip.multilib);
    let mut c = Command::new("ld.lld-19");
    c.arg("-T")
        .arg(repo().join("qemu-runner/c/link.ld"))
        .arg("--gc-sections")
        .args(objs)
        .arg("--start-group")
        .arg(lib.join("libc.a"))
        .arg(Path::new(LIBGCC).join(chip.multilib).join("libgcc.a"))
        .arg("--end-group")
        .arg("-o")
        .arg(out);
    run_tool(&mut c, &format!("linking {}", out.display())).map(drop)
}

/// One qemu run: output, exit status, executed instructions, wall time,
/// RAM.
struct Sample {
    out: String,
    code: i32,
    insns: Option<u64>,
    ms: f64,
    heap: Option<Heap>,
}

/// The C start-up's `espb-heap` line: the heap's high-water mark, the
/// module file's buffer in it, the instance's linear memory in it (bytes).
#[derive(Clone, Copy)]
struct Heap {
    peak: u64,
    file: u64,
    linear: u64,
}

impl Heap {
    /// What the engine held beyond the module file and the linear memory:
    /// its own RAM per instance (parsed or compiled code, tables, stacks).
    fn own(&self) -> u64 {
        self.peak.saturating_sub(self.file + self.linear)
    }
}

fn parse_heap(stderr: &str) -> Option<Heap> {
    let l = stderr.lines().find_map(|l| l.strip_prefix("espb-heap\t"))?;
    let mut n = l.split('\t').map(|v| v.trim().parse::<u64>().ok());
    Some(Heap {
        peak: n.next()??,
        file: n.next()??,
        linear: n.next()??,
    })
}

fn parse_insns(stderr: &str) -> Option<u64> {
    stderr
        .lines()
        .find_map(|l| l.strip_prefix("insns: "))
        .and_then(|n| n.trim().parse().ok())
}

fn qemu(chip: &Chip, plugin: &Path, image: &Path, arg: &Path) -> Result<Sample, String> {
    let t = Instant::now();
    let o = Command::new("qemu-riscv32")
        .args(["-cpu", chip.cpu])
        .arg("-plugin")
        .arg(plugin)
        .args(["-d", "plugin"])
        .arg(image)
        .arg(arg)
        .env("ESPB_HEAP_REPORT", "1")
        .output()
        .map_err(|e| format!("qemu-riscv32: {e}"))?;
    let err = String::from_utf8_lossy(&o.stderr);
    Ok(Sample {
        out: String::from_utf8_lossy(&o.stdout).into_owned(),
        code: o.status.code().unwrap_or(-1),
        insns: parse_insns(&err),
        ms: t.elapsed().as_secs_f64() * 1e3,
        heap: parse_heap(&err),
    })
}

fn espb_run(
    chip: &Chip,
    cargo_espb: &Path,
    plugin: &Path,
    module: &Path,
    jit: &str,
) -> Result<Sample, String> {
    let t = Instant::now();
    let o = Command::new(cargo_espb)
        .args(["espb", "-q", "run", "--qemu", chip.name, "--jit", jit])
        // The heap the host suite gives the modules (`peer_espb`).
        .args(["--heap-size", &crate::peer_espb::HEAP_BYTES.to_string()])
        .arg(module)
        .env(
            "ESPB_QEMU_FLAGS",
            format!("-plugin {} -d plugin", plugin.display()),
        )
        .env("ESPB_HEAP_REPORT", "1")
        .output()
        .map_err(|e| format!("cargo espb: {e}"))?;
    let err = String::from_utf8_lossy(&o.stderr);
    let insns = parse_insns(&err);
    if insns.is_none() {
        return Err(format!("cargo espb run --qemu: {}", err.trim()));
    }
    Ok(Sample {
        out: String::from_utf8_lossy(&o.stdout).into_owned(),
        code: o.status.code().unwrap_or(-1),
        insns,
        ms: t.elapsed().as_secs_f64() * 1e3,
        heap: parse_heap(&err),
    })
}

struct Row {
    name: String,
    /// native, espb (interpreter), espb JIT, wasm3 instruction counts.
    insns: [Option<u64>; 4],
    ms: [Option<f64>; 4],
    /// The same runs' RAM.
    heap: [Option<Heap>; 4],
    errors: Vec<String>,
}

fn ratio(a: Option<u64>, b: Option<u64>) -> Option<f64> {
    Some(a? as f64 / b? as f64)
}

fn geomean(v: &[f64]) -> Option<f64> {
    (!v.is_empty()).then(|| (v.iter().map(|x| x.ln()).sum::<f64>() / v.len() as f64).exp())
}

fn fmt_ratio(r: Option<f64>) -> String {
    r.map_or("—".into(), |r| format!("{r:.2}"))
}

fn fmt_count(n: Option<u64>) -> String {
    n.map_or("—".into(), |n| format!("{:.1} M", n as f64 / 1e6))
}

pub fn run(args: &Rv32Args, programs: &[&Program]) -> Result<(), String> {
    let before = args.baseline.as_deref().map(read_counts).transpose()?;
    if !args.peers && before.is_none() {
        return Err("--rv32 without native and wasm3 needs --baseline results-rv32.json".into());
    }
    let work = repo().join("target/rv32-bench");
    std::fs::create_dir_all(&work).map_err(|e| e.to_string())?;
    let plugin = work.join("insncount.so");
    run_tool(
        Command::new("gcc")
            .args(["-O2", "-shared", "-fPIC", "-o"])
            .arg(&plugin)
            .arg(repo().join("benches/rv32/qemu-insncount.c")),
        "building the qemu instruction-count plugin",
    )?;
    eprintln!("building cargo-espb (release) for the espb runs");
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    run_tool(
        Command::new(cargo).current_dir(repo()).args([
            "build",
            "--release",
            "-q",
            "-p",
            "cargo-espb",
        ]),
        "building cargo-espb",
    )?;
    let cargo_espb = repo().join("target/release/cargo-espb");

    // The modules and wasm files every chip runs.
    for p in programs {
        let bc = p.bitcode.map_err(|e| format!("{}: {e}", p.name))?;
        let m = espb_codegen::translate(bc, &espb_codegen::Options::default())
            .map_err(|d| format!("{}: translate: {d}", p.name))?;
        std::fs::write(work.join(format!("{}.espb", p.name)), m.to_bytes())
            .map_err(|e| e.to_string())?;
        let wasm = p.wasm.map_err(|e| format!("{}: {e}", p.name))?;
        std::fs::write(work.join(format!("{}.wasm", p.name)), wasm).map_err(|e| e.to_string())?;
    }

    let mut md = String::new();
    let mut json = Vec::new();
    for chip in CHIPS
        .iter()
        .filter(|c| args.chips.iter().any(|n| n == c.name))
    {
        let dir = work.join(chip.name);
        std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
        let cdir = repo().join("qemu-runner/c");
        let start = dir.join("start.o");
        let glue = dir.join("glue.o");
        compile(chip, &cdir.join("start.S"), &start, &[])?;
        compile(chip, &cdir.join("glue.c"), &glue, &[])?;
        // wasm3 for this ISA, one image for every program.
        let vendor = repo().join("benches/vendor/wasm3");
        let support = repo().join("benches/support");
        let mut w3_objs = vec![start.clone(), glue.clone()];
        let w3_flags = [
            "-O3",
            "-fomit-frame-pointer",
            "-Dd_m3HasWASI=0",
            "-Dd_m3LogOutput=0",
            "-DNDEBUG",
            "-DNASSERTS",
        ];
        let incs = [
            format!("-I{}", vendor.display()),
            format!("-I{}", support.display()),
        ];
        let mut flags: Vec<&str> = w3_flags.to_vec();
        flags.extend(incs.iter().map(String::as_str));
        let mut w3_srcs: Vec<PathBuf> = std::fs::read_dir(&vendor)
            .map_err(|e| e.to_string())?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x == "c"))
            .collect();
        w3_srcs.sort();
        w3_srcs.push(repo().join("benches/rv32/wasm3_driver.c"));
        for (i, s) in w3_srcs.iter().enumerate() {
            let o = dir.join(format!("w3-{i}.o"));
            compile(chip, s, &o, &flags)?;
            w3_objs.push(o);
        }
        let wasm3 = dir.join("wasm3.elf");
        link(chip, &w3_objs, &wasm3)?;
        let driver = dir.join("native_driver.o");
        compile(
            chip,
            &repo().join("benches/rv32/native_driver.c"),
            &driver,
            &[],
        )?;

        let mut rows = Vec::new();
        for p in programs {
            eprint!("{:<8} {:<14}", chip.name, p.name);
            let mut row = Row {
                name: p.name.to_string(),
                insns: [None; 4],
                ms: [None; 4],
                heap: [None; 4],
                errors: Vec::new(),
            };
            let old = before
                .as_ref()
                .and_then(|b| b.get(&(chip.name.to_string(), p.name.to_string())));
            let src = repo().join(format!("benches/c/{}.c", p.name));
            // Without the peers, the programs' own checks (exit status 0)
            // stand in for the comparison with the native output.
            let n = if args.peers {
                let obj = dir.join(format!("{}.o", p.name));
                let native = dir.join(format!("{}.elf", p.name));
                compile(chip, &src, &obj, &["-Dmain=bench_main"])?;
                link(
                    chip,
                    &[start.clone(), glue.clone(), driver.clone(), obj],
                    &native,
                )?;
                // The native image ignores its argument: any readable file.
                let n = qemu(chip, &plugin, &native, &src)?;
                if n.code != 0 {
                    row.errors.push(format!("native exit {}", n.code));
                }
                row.insns[0] = n.insns;
                row.ms[0] = Some(n.ms);
                row.heap[0] = n.heap;
                Some(n)
            } else {
                row.insns[0] = old.and_then(|o| o[0]);
                row.insns[3] = old.and_then(|o| o[3]);
                None
            };
            let module = work.join(format!("{}.espb", p.name));
            let e = espb_run(chip, &cargo_espb, &plugin, &module, "off");
            let j = args
                .jit
                .then(|| espb_run(chip, &cargo_espb, &plugin, &module, "all"));
            if !args.jit {
                row.insns[2] = old.and_then(|o| o[2]);
            }
            let w = args.peers.then(|| {
                qemu(
                    chip,
                    &plugin,
                    &wasm3,
                    &work.join(format!("{}.wasm", p.name)),
                )
            });
            let runs = [("espb", Some(e)), ("espb JIT", j), ("wasm3", w)];
            for (k, (label, s)) in runs.into_iter().enumerate() {
                let Some(s) = s else { continue };
                let same = |s: &Sample| match &n {
                    Some(n) => s.out == n.out && s.code == n.code,
                    None => s.code == 0,
                };
                match s {
                    Ok(s) if same(&s) => {
                        row.insns[k + 1] = s.insns;
                        row.ms[k + 1] = Some(s.ms);
                        row.heap[k + 1] = s.heap;
                    }
                    Ok(s) => row.errors.push(format!(
                        "{label}: output differs (exit {}): {}",
                        s.code,
                        s.out.lines().next().unwrap_or("")
                    )),
                    Err(err) => row.errors.push(format!("{label}: {err}")),
                }
            }
            eprintln!(
                " native {}  espb {} ({}x)  JIT {} ({}x)  wasm3 {} ({}x){}",
                fmt_count(row.insns[0]),
                fmt_count(row.insns[1]),
                fmt_ratio(ratio(row.insns[1], row.insns[0])),
                fmt_count(row.insns[2]),
                fmt_ratio(ratio(row.insns[2], row.insns[0])),
                fmt_count(row.insns[3]),
                fmt_ratio(ratio(row.insns[3], row.insns[0])),
                match old.and_then(|o| ratio(row.insns[1], o[1])) {
                    Some(r) => format!("  espb after/before {r:.3}"),
                    None => String::new(),
                }
            );
            for e in &row.errors {
                eprintln!("    {e}");
            }
            rows.push(row);
        }
        table(&mut md, chip, &rows, before.as_ref());
        ram_table(&mut md, chip, &rows);
        if programs.iter().any(|p| p.name == "fib") {
            let objs = [start.clone(), glue.clone(), driver.clone()];
            match fib_goal(chip, &dir, &objs, &plugin, &cargo_espb) {
                Ok(s) => md.push_str(&s),
                Err(e) => {
                    eprintln!("fib(85) without start-up: {e}");
                    let _ = writeln!(md, "\nfib(85) without start-up: not measured ({e})");
                }
            }
        }
        for r in &rows {
            json.push(format!(
                "{{\"chip\":\"{}\",\"program\":\"{}\",\"native_insns\":{},\"espb_insns\":{},\"espb_jit_insns\":{},\"wasm3_insns\":{},\"native_ms\":{},\"espb_ms\":{},\"espb_jit_ms\":{},\"wasm3_ms\":{},\"errors\":{}}}",
                chip.name,
                r.name,
                r.insns[0].map_or("null".into(), |v| v.to_string()),
                r.insns[1].map_or("null".into(), |v| v.to_string()),
                r.insns[2].map_or("null".into(), |v| v.to_string()),
                r.insns[3].map_or("null".into(), |v| v.to_string()),
                r.ms[0].map_or("null".into(), |v| format!("{v:.1}")),
                r.ms[1].map_or("null".into(), |v| format!("{v:.1}")),
                r.ms[2].map_or("null".into(), |v| format!("{v:.1}")),
                r.ms[3].map_or("null".into(), |v| format!("{v:.1}")),
                r.errors.len()
            ));
        }
    }
    println!("{md}");
    if args.write {
        let p = args.out.join("results-rv32.json");
        std::fs::write(&p, format!("[\n  {}\n]\n", json.join(",\n  ")))
            .map_err(|e| e.to_string())?;
        eprintln!("wrote {}", p.display());
    }
    Ok(())
}

/// The two repetition counts of `benches/c/fib.c` whose difference is the
/// cost of fib's calls alone (start-up, loading, zeroing the heap and the
/// JIT's compile time cancel out).
const FIB_REPS: [u32; 2] = [7000, 14000];

/// The fib goal, measured without start-up: `fib.c` built with
/// `-DREPS=7000` and `-DREPS=14000`, each run native, interpreted
/// (`--jit off`) and with `--jit hot` (fib is marked `JIT_HOT`); the
/// difference of the two counts is 7000 calls of fib(85) and the loop
/// around them. Returns the Markdown paragraph.
fn fib_goal(
    chip: &Chip,
    dir: &Path,
    objs: &[PathBuf],
    plugin: &Path,
    cargo_espb: &Path,
) -> Result<String, String> {
    let src = repo().join("benches/c/fib.c");
    // native, interpreter, JIT hot; per repetition count.
    let mut counts = [[0u64; 2]; 3];
    for (k, reps) in FIB_REPS.iter().enumerate() {
        let def = format!("-DREPS={reps}");
        let obj = dir.join(format!("fib-{reps}.o"));
        compile(chip, &src, &obj, &["-Dmain=bench_main", &def])?;
        let elf = dir.join(format!("fib-{reps}.elf"));
        let mut all = objs.to_vec();
        all.push(obj);
        link(chip, &all, &elf)?;
        let n = qemu(chip, plugin, &elf, &src)?;
        let bc = dir.join(format!("fib-{reps}.bc"));
        run_tool(
            Command::new(CLANG)
                // The flags `build.rs` builds the modules' bitcode with.
                .args(crate::programs::ESPB_FLAGS.split_whitespace())
                .arg(&def)
                .arg("-o")
                .arg(&bc)
                .arg(&src),
            "building fib's bitcode",
        )?;
        let bytes = std::fs::read(&bc).map_err(|e| format!("{}: {e}", bc.display()))?;
        let m = espb_codegen::translate(&bytes, &espb_codegen::Options::default())
            .map_err(|d| format!("fib: translate: {d}"))?;
        let module = dir.join(format!("fib-{reps}.espb"));
        std::fs::write(&module, m.to_bytes()).map_err(|e| e.to_string())?;
        let e = espb_run(chip, cargo_espb, plugin, &module, "off")?;
        let j = espb_run(chip, cargo_espb, plugin, &module, "hot")?;
        for (r, (label, s)) in [("native", &n), ("interpreter", &e), ("JIT", &j)]
            .into_iter()
            .enumerate()
        {
            if s.code != 0 || s.out != n.out {
                return Err(format!(
                    "{label} with REPS={reps}: exit {}, output {:?}",
                    s.code, s.out
                ));
            }
            counts[r][k] = s.insns.ok_or_else(|| format!("{label}: no count"))?;
        }
    }
    let net: Vec<u64> = counts.iter().map(|c| c[1].saturating_sub(c[0])).collect();
    let net_m = |n: u64| format!("{:.2} M", n as f64 / 1e6);
    let speedup = net[1] as f64 / net[2].max(1) as f64;
    let vs_native = net[2] as f64 / net[0].max(1) as f64;
    eprintln!(
        "{:<8} fib(85) x{} without start-up: native {}  interpreter {}  JIT hot {}  ({speedup:.2}x faster than the interpreter, {vs_native:.2}x native)",
        chip.name,
        FIB_REPS[1] - FIB_REPS[0],
        net_m(net[0]),
        net_m(net[1]),
        net_m(net[2]),
    );
    Ok(format!(
        "\n**fib(85) without start-up** ({} calls: the counts of `fib.c` built with `-DREPS={}` minus `-DREPS={}`): \
         native {}, interpreter (`--jit off`) {}, JIT (`--jit hot`, fib marked `JIT_HOT`) {} — \
         **{speedup:.2}× faster than the interpreter** (goal ≥ 5), **{vs_native:.2}× native** (goal ≤ 2).\n",
        FIB_REPS[1] - FIB_REPS[0],
        FIB_REPS[1],
        FIB_REPS[0],
        net_m(net[0]),
        net_m(net[1]),
        net_m(net[2]),
    ))
}

fn table(md: &mut String, chip: &Chip, rows: &[Row], before: Option<&Counts>) {
    let _ = writeln!(
        md,
        "\n### {} ({}, {})\n\n| program | native | espb | espb JIT | wasm3 | espb / native | **JIT / native** | wasm3 / native | **espb / wasm3** | JIT speed-up | time native / espb / JIT / wasm3 (ms) |{}\n|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|{}",
        chip.name,
        chip.march,
        chip.mabi,
        if before.is_some() { " espb after / before |" } else { "" },
        if before.is_some() { "---:|" } else { "" },
    );
    let mut g: [Vec<f64>; 6] = Default::default();
    for r in rows {
        let ab = before.and_then(|b| {
            let old = b.get(&(chip.name.to_string(), r.name.clone()))?;
            ratio(r.insns[1], old[1])
        });
        let (en, jn, wn, ew, ej) = (
            ratio(r.insns[1], r.insns[0]),
            ratio(r.insns[2], r.insns[0]),
            ratio(r.insns[3], r.insns[0]),
            ratio(r.insns[1], r.insns[3]),
            ratio(r.insns[1], r.insns[2]),
        );
        for (v, x) in g.iter_mut().zip([en, jn, wn, ew, ej, ab]) {
            v.extend(x);
        }
        let ms =
            r.ms.iter()
                .map(|m| m.map_or("—".into(), |m| format!("{m:.0}")))
                .collect::<Vec<_>>()
                .join(" / ");
        let _ = writeln!(
            md,
            "| {} | {} | {} | {} | {} | {} | **{}** | {} | **{}** | {} | {} |{}",
            r.name,
            fmt_count(r.insns[0]),
            fmt_count(r.insns[1]),
            fmt_count(r.insns[2]),
            fmt_count(r.insns[3]),
            fmt_ratio(en),
            fmt_ratio(jn),
            fmt_ratio(wn),
            fmt_ratio(ew),
            fmt_ratio(ej),
            ms,
            if before.is_some() {
                format!(" {} |", fmt_ratio(ab))
            } else {
                String::new()
            }
        );
    }
    let _ = writeln!(
        md,
        "| geomean | | | | | {} | **{}** | {} | **{}** | {} | |{}",
        fmt_ratio(geomean(&g[0])),
        fmt_ratio(geomean(&g[1])),
        fmt_ratio(geomean(&g[2])),
        fmt_ratio(geomean(&g[3])),
        fmt_ratio(geomean(&g[4])),
        if before.is_some() {
            format!(" {} |", fmt_ratio(geomean(&g[5])))
        } else {
            String::new()
        }
    );
}

fn kib(n: Option<u64>) -> String {
    n.map_or("—".into(), |n| format!("{:.1}", n as f64 / 1024.0))
}

/// RAM per instance: what each engine held at its peak beyond the module
/// file and the linear memory (KiB; the linear memory in parentheses).
/// Native's column is the program's own heap (its arrays; the engines keep
/// theirs in linear memory).
fn ram_table(md: &mut String, chip: &Chip, rows: &[Row]) {
    if rows.iter().all(|r| r.heap.iter().all(Option::is_none)) {
        return;
    }
    let _ = writeln!(
        md,
        "\nRAM on {} (KiB): the heap's high-water mark beyond the module file and the linear memory (in parentheses), from the same runs (`ESPB_HEAP_REPORT`, picolibc's `mallinfo().arena`; the JIT's code is in its own mapping, not counted)\n\n| program | native (its heap) | espb | espb JIT | wasm3 | **espb / wasm3** |\n|---|---:|---:|---:|---:|---:|",
        chip.name
    );
    let mut g = Vec::new();
    for r in rows {
        let cell = |h: Option<Heap>| match h {
            Some(h) => format!("{} ({})", kib(Some(h.own())), kib(Some(h.linear))),
            None => "—".into(),
        };
        let ew = match (r.heap[1], r.heap[3]) {
            (Some(e), Some(w)) => Some(e.own() as f64 / w.own().max(1) as f64),
            _ => None,
        };
        g.extend(ew);
        let _ = writeln!(
            md,
            "| {} | {} | {} | {} | {} | **{}** |",
            r.name,
            kib(r.heap[0].map(|h| h.peak.saturating_sub(h.file))),
            cell(r.heap[1]),
            cell(r.heap[2]),
            cell(r.heap[3]),
            fmt_ratio(ew)
        );
    }
    let _ = writeln!(md, "| geomean | | | | | **{}** |", fmt_ratio(geomean(&g)));
}
