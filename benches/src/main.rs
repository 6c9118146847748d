//! The espb benchmark harness.
//!
//! ```text
//! cargo run --release -p espb-benches -- [--runs N] [--warmup N] [--filter NAME[,NAME]]
//!                                        [--engines native,espb,wasm3,wasmi,wamr] [--out DIR] [--no-write]
//! ```
//!
//! Every program in `benches/c/` is built (by `build.rs`) natively, to
//! wasm32-wasi and to riscv32 bitcode; the bitcode is translated to `.espb`
//! here. Every engine is embedded in this one process and measured the same
//! way: the program is loaded/translated/compiled first, then each run makes
//! a fresh instance and times only the call of its entry point (`main` or
//! `_start`). Runs are interleaved across engines; the median is reported.
//! Each run's exit code must be 0 and its output must equal the native
//! build's, otherwise the cell shows the reason instead of a time.

mod baseline;
mod engine;
mod memory;
mod native;
mod peer_espb;
#[cfg(feature = "wamr")]
mod peer_wamr;
#[cfg(feature = "wasm3")]
mod peer_wasm3;
#[cfg(feature = "wasmi")]
mod peer_wasmi;
mod programs;
mod report;
mod rv32;
mod stats;
#[allow(dead_code)]
mod wasi;

use std::io::Write as _;
use std::path::PathBuf;
use std::process::{Command, ExitCode};

use engine::{one_line, Engine, Prepared};
use report::{Cell, EngineInfo, Meta, Report, Row};

struct Args {
    runs: usize,
    warmup: usize,
    filter: Vec<String>,
    engines: Option<Vec<String>>,
    out: PathBuf,
    write: bool,
    memory: bool,
    baseline: Option<PathBuf>,
    /// Run the RISC-V table under qemu instead (`rv32.rs`), for these chips.
    rv32: Option<Vec<String>>,
}

const USAGE: &str = "usage: espb-benches [--runs N] [--warmup N] [--filter NAME[,NAME..]] \
[--engines native,espb,wasm3,wasmi,wamr] [--out DIR] [--no-write] [--list] [--memory] [--baseline OLD.csv] \
[--rv32 [--chips esp32c3,esp32p4] [--baseline OLD/results-rv32.json [--engines espb[,jit]]]]";

fn parse_args() -> Result<Option<Args>, String> {
    let mut a = Args {
        runs: 5,
        warmup: 1,
        filter: Vec::new(),
        engines: None,
        out: PathBuf::from(env!("CARGO_MANIFEST_DIR")),
        write: true,
        memory: false,
        baseline: None,
        rv32: None,
    };
    let mut it = std::env::args().skip(1);
    while let Some(arg) = it.next() {
        let mut val = |name: &str| {
            it.next()
                .ok_or_else(|| format!("{name} needs a value\n{USAGE}"))
        };
        match arg.as_str() {
            "--runs" => a.runs = val("--runs")?.parse().map_err(|e| format!("--runs: {e}"))?,
            "--warmup" => {
                a.warmup = val("--warmup")?
                    .parse()
                    .map_err(|e| format!("--warmup: {e}"))?
            }
            "--filter" => a
                .filter
                .extend(val("--filter")?.split(',').map(str::to_string)),
            "--engines" => {
                a.engines = Some(val("--engines")?.split(',').map(str::to_string).collect())
            }
            "--out" => a.out = PathBuf::from(val("--out")?),
            "--no-write" => a.write = false,
            "--memory" => a.memory = true,
            "--rv32" => {
                a.rv32 = a
                    .rv32
                    .take()
                    .or_else(|| Some(vec!["esp32c3".into(), "esp32p4".into()]))
            }
            "--chips" => a.rv32 = Some(val("--chips")?.split(',').map(str::to_string).collect()),
            "--baseline" => a.baseline = Some(PathBuf::from(val("--baseline")?)),
            "--list" => {
                for p in programs::PROGRAMS {
                    println!("{}", p.name);
                }
                return Ok(None);
            }
            "-h" | "--help" => {
                println!("{USAGE}");
                return Ok(None);
            }
            other => return Err(format!("unknown argument {other:?}\n{USAGE}")),
        }
    }
    if a.runs == 0 {
        return Err("--runs must be at least 1".into());
    }
    Ok(Some(a))
}

fn all_engines() -> Vec<Box<dyn Engine>> {
    let mut v: Vec<Box<dyn Engine>> = vec![Box::new(native::Native), Box::new(peer_espb::Espb)];
    #[cfg(feature = "wasm3")]
    v.push(Box::new(peer_wasm3::Wasm3));
    #[cfg(feature = "wasmi")]
    v.push(Box::new(peer_wasmi::Wasmi));
    #[cfg(feature = "wamr")]
    v.push(Box::new(peer_wamr::Wamr));
    v
}

fn command_line(cmd: &str, args: &[&str]) -> Option<String> {
    let out = Command::new(cmd).args(args).output().ok()?;
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).trim().to_string())
}

fn meta(args: &Args) -> Meta {
    let repo = concat!(env!("CARGO_MANIFEST_DIR"), "/..");
    let mut commit =
        command_line("git", &["-C", repo, "rev-parse", "--short=12", "HEAD"]).unwrap_or_default();
    if command_line(
        "git",
        &["-C", repo, "status", "--porcelain", "--untracked-files=no"],
    )
    .is_some_and(|s| !s.is_empty())
    {
        commit.push_str(" (+ uncommitted changes)");
    }
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("model name"))
                .and_then(|l| l.split(':').nth(1))
                .map(|m| m.trim().to_string())
        })
        .unwrap_or_default();
    Meta {
        date: command_line("date", &["-u", "+%Y-%m-%d %H:%M UTC"]).unwrap_or_default(),
        commit,
        cpu,
        cores: std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(0),
        runs: args.runs,
        warmup: args.warmup,
    }
}

/// Runs once and checks the result against the native output.
fn checked_run(p: &mut dyn Prepared, expected: Option<&str>) -> Result<engine::RunOutcome, String> {
    let out = p.run()?;
    if out.exit_code != 0 {
        return Err(format!(
            "exit code {}: {}",
            out.exit_code,
            one_line(&out.output)
        ));
    }
    if let Some(exp) = expected {
        if out.output.trim() != exp.trim() {
            return Err(format!(
                "wrong output {:?}, native printed {:?}",
                one_line(&out.output),
                one_line(exp)
            ));
        }
    }
    Ok(out)
}

fn main() -> ExitCode {
    let args = match parse_args() {
        Ok(Some(a)) => a,
        Ok(None) => return ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("{e}");
            return ExitCode::from(2);
        }
    };
    let engines: Vec<Box<dyn Engine>> = all_engines()
        .into_iter()
        .filter(|e| {
            e.name() == "native"
                || args
                    .engines
                    .as_ref()
                    .is_none_or(|list| list.iter().any(|n| n == e.name()))
        })
        .collect();
    let selected: Vec<&programs::Program> = programs::PROGRAMS
        .iter()
        .filter(|p| {
            args.filter.is_empty() || args.filter.iter().any(|f| p.name.contains(f.as_str()))
        })
        .collect();
    if selected.is_empty() {
        eprintln!("no benchmark matches {:?}", args.filter);
        return ExitCode::from(2);
    }

    if args.memory {
        memory_table(&selected);
        return ExitCode::SUCCESS;
    }
    if let Some(chips) = &args.rv32 {
        let a = rv32::Rv32Args {
            chips: chips.clone(),
            out: args.out.clone(),
            write: args.write,
            peers: args
                .engines
                .as_ref()
                .is_none_or(|list| list.iter().any(|n| n == "native" || n == "wasm3")),
            jit: args
                .engines
                .as_ref()
                .is_none_or(|list| list.iter().any(|n| n == "jit")),
            baseline: args.baseline.clone(),
        };
        return match rv32::run(&a, &selected) {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => {
                eprintln!("{e}");
                ExitCode::FAILURE
            }
        };
    }

    let mut rows = Vec::new();
    for program in &selected {
        eprint!("{:<14}", program.name);
        let mut prepared: Vec<Option<Box<dyn Prepared>>> = Vec::new();
        let mut cells: Vec<Cell> = Vec::new();
        for e in &engines {
            match e.prepare(program) {
                Ok(p) => {
                    prepared.push(Some(p));
                    cells.push(Cell::default());
                }
                Err(err) => {
                    prepared.push(None);
                    cells.push(Cell {
                        samples: Vec::new(),
                        error: Some(format!("{}: {}", e.name(), one_line(&err))),
                    });
                }
            }
        }
        let mut expected: Option<String> = None;
        for run in 0..args.warmup + args.runs {
            for (i, e) in engines.iter().enumerate() {
                let Some(p) = prepared[i].as_mut() else {
                    continue;
                };
                // Native (index 0) defines the expected output; if it fails,
                // nothing can be checked and the row is dropped below.
                let exp = if i == 0 { None } else { expected.as_deref() };
                if i > 0 && expected.is_none() {
                    cells[i].error.get_or_insert_with(|| {
                        "native build failed, nothing to compare with".into()
                    });
                    prepared[i] = None;
                    continue;
                }
                match checked_run(p.as_mut(), exp) {
                    Ok(out) => {
                        if i == 0 && expected.is_none() {
                            expected = Some(out.output.clone());
                        }
                        if run >= args.warmup {
                            cells[i].samples.push(out.elapsed);
                        }
                    }
                    Err(err) => {
                        cells[i].error = Some(format!("{}: {}", e.name(), one_line(&err)));
                        cells[i].samples.clear();
                        prepared[i] = None;
                    }
                }
            }
            eprint!(".");
            let _ = std::io::stderr().flush();
        }
        drop(prepared);
        let summary: Vec<String> = engines
            .iter()
            .zip(&cells)
            .map(|(e, c)| match c.median() {
                Some(m) => format!("{} {:.1}ms", e.name(), m.as_secs_f64() * 1e3),
                None => format!("{} n/a", e.name()),
            })
            .collect();
        eprintln!(" {}", summary.join("  "));
        rows.push(Row {
            program: program.name.to_string(),
            output: expected.unwrap_or_default(),
            cells,
        });
    }

    let report = Report {
        meta: meta(&args),
        engines: engines
            .iter()
            .map(|e| EngineInfo {
                name: e.name().into(),
                describe: e.describe(),
            })
            .collect(),
        rows,
    };
    let m = &report.meta;
    println!(
        "\n{} · commit {} · {} ({} cores) · median of {} runs after {} warm-up\n",
        m.date, m.commit, m.cpu, m.cores, m.runs, m.warmup
    );
    print!("{}", report.table());
    println!();
    for e in &report.engines {
        println!("- {}: {}", e.name, e.describe);
    }
    println!(
        "- wasm builds: {} {}",
        programs::CLANG,
        programs::WASM_FLAGS
    );
    println!(
        "- espb builds: {} {} → espb_codegen::translate",
        programs::CLANG,
        programs::ESPB_FLAGS
    );
    if let Some(path) = &args.baseline {
        match std::fs::read_to_string(path)
            .map_err(|e| e.to_string())
            .and_then(|t| baseline::parse_csv(&t))
        {
            Ok(before) => println!("\n{}", baseline::compare(&report, &before)),
            Err(e) => eprintln!("baseline {}: {e}", path.display()),
        }
    }
    if args.write {
        let json = args.out.join("results.json");
        let csv = args.out.join("results.csv");
        if let Err(e) =
            std::fs::write(&json, report.json()).and_then(|_| std::fs::write(&csv, report.csv()))
        {
            eprintln!("cannot write results: {e}");
            return ExitCode::FAILURE;
        }
        println!("\nwrote {} and {}", json.display(), csv.display());
    }
    ExitCode::SUCCESS
}

/// `--memory`: RAM per instance beyond linear memory, every engine.
fn memory_table(selected: &[&programs::Program]) {
    fn kib(b: usize) -> String {
        format!("{:.1}", b as f64 / 1024.0)
    }
    type Measure = fn(&programs::Program) -> Result<memory::MemFigures, String>;
    let mut engines: Vec<(&str, Measure)> = vec![("espb", memory::espb)];
    #[cfg(feature = "wasm3")]
    engines.push(("wasm3", memory::wasm3));
    #[cfg(feature = "wasmi")]
    engines.push(("wasmi", memory::wasmi));
    #[cfg(feature = "wamr")]
    engines.push(("wamr", memory::wamr));
    println!("KiB: overhead = load + instantiate + one run, beyond linear memory (linear in parentheses)\n");
    let mut head = String::from("| benchmark | .espb | .wasm |");
    let mut rule = String::from("|---|---:|---:|");
    for (name, _) in &engines {
        head += &format!(" {name} |");
        rule += "---:|";
    }
    println!("{head}\n{rule}");
    for p in selected {
        let espb_len = memory::espb_module_len(p)
            .map(kib)
            .unwrap_or_else(|e| format!("n/a: {}", one_line(&e)));
        let wasm_len = p
            .wasm
            .map(|w| kib(w.len()))
            .unwrap_or_else(|e| format!("n/a: {}", one_line(e)));
        let mut line = format!("| {} | {espb_len} | {wasm_len} |", p.name);
        for (_, f) in &engines {
            match f(p) {
                Ok(m) => line += &format!(" {} ({}) |", kib(m.overhead), kib(m.linear)),
                Err(e) => line += &format!(" n/a: {} |", one_line(&e)),
            }
        }
        println!("{line}");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The wiring of every engine (not its speed): the seed benchmark runs
    /// and prints exactly what the native build prints.
    #[test]
    fn every_engine_runs_fib_like_native() {
        let fib = programs::PROGRAMS.iter().find(|p| p.name == "fib").unwrap();
        let engines = all_engines();
        let mut native = engines[0].prepare(fib).unwrap();
        let expected = checked_run(native.as_mut(), None).unwrap().output;
        assert!(expected.contains("259695496911122585"), "{expected}");
        for e in &engines[1..] {
            let mut p = e
                .prepare(fib)
                .unwrap_or_else(|err| panic!("{}: {err}", e.name()));
            checked_run(p.as_mut(), Some(&expected))
                .unwrap_or_else(|err| panic!("{}: {err}", e.name()));
        }
    }

    #[test]
    fn a_wrong_answer_is_rejected() {
        struct Liar;
        impl Prepared for Liar {
            fn run(&mut self) -> Result<engine::RunOutcome, String> {
                Ok(engine::RunOutcome {
                    elapsed: std::time::Duration::ZERO,
                    output: "fib: fib(85) = 1 x7000 ok\n".into(),
                    exit_code: 0,
                })
            }
        }
        let err = checked_run(
            &mut Liar,
            Some("fib: fib(85) = 259695496911122585 x7000 ok\n"),
        )
        .unwrap_err();
        assert!(err.contains("wrong output"), "{err}");
    }
}
