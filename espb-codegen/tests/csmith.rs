//! The standing differential check: random C programs from csmith (Debian's
//! `csmith`), fixed seeds, built natively (`-m32 -funsigned-char`, plain
//! `char` is unsigned on riscv32) and through espb at -O0, -O2 and -Os;
//! the checksum each prints and the exit status must match.
//!
//! Programs are kept small (few functions, shallow blocks) so that the
//! default run — `ESPB_CSMITH_COUNT` seeds from `ESPB_CSMITH_SEED`, 120 from
//! 1 — takes a couple of minutes in a debug build. Thousands run on demand
//! with `tests/conformance/csmith.py`, which also reduces mismatches.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

#[path = "common/differential.rs"]
mod differential;

const OPTS: [&str; 3] = ["-O0", "-O2", "-Os"];

/// csmith options for programs that build and run in well under a second.
/// `tests/conformance/csmith.py` uses the same ones.
const CSMITH_ARGS: &[&str] = &[
    "--max-funcs",
    "3",
    "--max-block-depth",
    "3",
    "--max-block-size",
    "4",
    "--max-expr-complexity",
    "5",
    "--max-array-len-per-dim",
    "5",
    "--max-struct-fields",
    "5",
];

const CSMITH_INCLUDE: &str = "/usr/include/csmith";

fn tmp() -> PathBuf {
    let d = Path::new(env!("CARGO_TARGET_TMPDIR")).join("csmith");
    std::fs::create_dir_all(&d).unwrap();
    d
}

fn env_u64(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// Runs `exe`, killed after `limit`; `None` when it did not finish.
fn run_native(exe: &Path, limit: Duration) -> Option<(Vec<u8>, i32)> {
    let mut child = Command::new(exe)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .ok()?;
    let start = Instant::now();
    loop {
        match child.try_wait() {
            Ok(Some(st)) => {
                let mut out = Vec::new();
                use std::io::Read;
                child.stdout.take()?.read_to_end(&mut out).ok()?;
                return Some((out, st.code().unwrap_or(-1)));
            }
            Ok(None) if start.elapsed() < limit => std::thread::sleep(Duration::from_millis(5)),
            _ => {
                let _ = child.kill();
                let _ = child.wait();
                return None;
            }
        }
    }
}

enum Outcome {
    /// Native build or run unusable (time-out, crash), or espb out of
    /// fuel: the seed does not count.
    Skipped,
    Same,
    Differs(String),
}

fn check(seed: u64) -> Outcome {
    let dir = tmp();
    let src = dir.join(format!("s{seed}.c"));
    // csmith writes `platform.info` into its working directory.
    let gen = Command::new("csmith")
        .current_dir(&dir)
        .args(["--seed", &seed.to_string()])
        .args(CSMITH_ARGS)
        .arg("-o")
        .arg(&src)
        .output()
        .expect("csmith runs (apt-get install csmith)");
    assert!(gen.status.success(), "csmith failed for seed {seed}");
    let exe = dir.join(format!("s{seed}.native"));
    let inc = format!("-I{CSMITH_INCLUDE}");
    if differential::native_build(&src, &exe, &["-O1", "-funsigned-char", &inc]).is_err() {
        return Outcome::Skipped;
    }
    let Some((want, want_code)) = run_native(&exe, Duration::from_secs(2)) else {
        return Outcome::Skipped;
    };
    if want_code != 0 {
        return Outcome::Skipped;
    }
    for opt in OPTS {
        let bc = dir.join(format!("s{seed}{opt}.bc"));
        let got = differential::rv32_bitcode(&src, &bc, opt, &[&inc])
            .and_then(|bc| differential::run_espb(&bc, 4_000_000_000));
        match got {
            Ok((out, code)) if out == want && code == want_code => {}
            // Interpreted unoptimised code may run out of fuel where the
            // native -O1 build takes no time: too slow to compare.
            Err(e) if e.contains("fuel") => return Outcome::Skipped,
            Ok((out, code)) => {
                return Outcome::Differs(format!(
                    "seed {seed} {opt}: exit {code} (native {want_code})\n  espb:   {}  native: {}",
                    String::from_utf8_lossy(&out),
                    String::from_utf8_lossy(&want)
                ))
            }
            Err(e) => return Outcome::Differs(format!("seed {seed} {opt}: {e}")),
        }
    }
    Outcome::Same
}

#[test]
fn csmith_programs_match_native() {
    // csmith writes `platform.info` wherever it runs, even for --version.
    let probe = Command::new("csmith")
        .current_dir(tmp())
        .arg("--version")
        .output();
    if probe.is_err() {
        panic!("csmith is not installed: apt-get install csmith (see .ci/setup)");
    }
    let first = env_u64("ESPB_CSMITH_SEED", 1);
    let count = env_u64("ESPB_CSMITH_COUNT", 120);
    let seeds: Vec<u64> = (first..first + count).collect();
    let results: Vec<Outcome> = std::thread::scope(|s| {
        let hs: Vec<_> = (0..2)
            .map(|k| {
                let mine: Vec<u64> = seeds.iter().copied().skip(k).step_by(2).collect();
                s.spawn(move || mine.into_iter().map(check).collect::<Vec<_>>())
            })
            .collect();
        hs.into_iter().flat_map(|h| h.join().unwrap()).collect()
    });
    let same = results
        .iter()
        .filter(|r| matches!(r, Outcome::Same))
        .count();
    let skipped = results
        .iter()
        .filter(|r| matches!(r, Outcome::Skipped))
        .count();
    let fails: Vec<&String> = results
        .iter()
        .filter_map(|r| match r {
            Outcome::Differs(m) => Some(m),
            _ => None,
        })
        .collect();
    println!(
        "csmith seeds {first}..{}: {same} identical at -O0/-O2/-Os, {} differ, {skipped} skipped (native time-out or failure)",
        first + count - 1,
        fails.len()
    );
    assert!(
        fails.is_empty(),
        "{}",
        fails
            .iter()
            .map(|s| s.as_str())
            .collect::<Vec<_>>()
            .join("\n")
    );
    assert!(
        same * 2 >= results.len(),
        "too few csmith programs ran ({same} of {})",
        results.len()
    );
}
