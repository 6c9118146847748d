//! C sources → one LLVM bitcode module: clang per source (in parallel,
//! skipping sources whose inputs did not change), then llvm-link.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Mutex;

use miette::{miette, Diagnostic, IntoDiagnostic, Result};
use rayon::prelude::*;

use crate::cache::{self, BuildState, ObjectRecord};
use crate::clang_diag::{self, CDiagnostic};
use crate::output::Reporter;
use crate::toolchain::Tools;

/// One source and the flags it is compiled with (everything except the
/// input, output and depfile arguments).
#[derive(Debug, Clone)]
pub struct Job {
    /// As given to clang (relative to the working directory when possible,
    /// so diagnostics read `scripts/main.c:3:5`).
    pub source: PathBuf,
    pub args: Vec<String>,
}

pub struct Compiled {
    pub bitcode: Vec<PathBuf>,
    pub compiled: usize,
    pub fresh: usize,
}

/// Some scripts did not compile.
#[derive(Debug, thiserror::Error, Diagnostic)]
#[error("could not compile {what}")]
#[diagnostic(
    code(espb::compile),
    help("fix the errors above; `cargo espb build -v` shows the clang commands")
)]
pub struct CompileFailed {
    pub what: String,
    #[related]
    pub errors: Vec<CDiagnostic>,
}

/// The full clang command for a job.
pub fn clang_command(tools: &Tools, job: &Job, out: &Path, depfile: &Path) -> Command {
    let mut cmd = Command::new(&tools.clang);
    cmd.args(&job.args)
        .args([
            "-fno-color-diagnostics",
            "-fno-caret-diagnostics",
            "-emit-llvm",
            "-c",
        ])
        .arg(&job.source)
        .arg("-o")
        .arg(out)
        .arg("-MD")
        .arg("-MF")
        .arg(depfile);
    cmd
}

fn object_name(source: &Path) -> String {
    let stem = source.file_stem().and_then(|s| s.to_str()).unwrap_or("src");
    let tag = &cache::hash_strings(&[source.to_string_lossy()])[..10];
    format!("{stem}-{tag}")
}

enum Outcome {
    Built(ObjectRecord, Vec<CDiagnostic>),
    Failed(Vec<CDiagnostic>, String),
}

/// Compiles every job whose inputs changed, in parallel. `cwd` is where
/// clang runs; `obj_dir` receives the `.bc` and depfiles.
pub fn compile(
    tools: &Tools,
    jobs: &[Job],
    cwd: &Path,
    obj_dir: &Path,
    state: &mut BuildState,
    rep: &Reporter,
) -> Result<Compiled> {
    std::fs::create_dir_all(obj_dir).into_diagnostic()?;
    let keys: Vec<String> = jobs
        .iter()
        .map(|j| {
            let mut parts = vec![
                tools.clang.to_string_lossy().into_owned(),
                tools.clang_version.clone(),
            ];
            parts.extend(j.args.iter().cloned());
            parts.push(j.source.to_string_lossy().into_owned());
            cache::hash_strings(&parts)
        })
        .collect();

    // Freshness first (cheap), so the progress bar only counts real work.
    let stale: Vec<usize> = (0..jobs.len())
        .filter(|&i| {
            let key = &keys[i];
            match state
                .objects
                .get_mut(&jobs[i].source.to_string_lossy().into_owned())
            {
                Some(rec) => {
                    !(rec.key == *key
                        && rec.bitcode.is_file()
                        && cache::deps_unchanged(&mut rec.deps))
                }
                None => true,
            }
        })
        .collect();

    let mut is_stale = vec![false; jobs.len()];
    for &i in &stale {
        is_stale[i] = true;
    }
    for (i, j) in jobs.iter().enumerate() {
        if !is_stale[i] {
            rep.skipped(
                &j.source.display().to_string(),
                "source, headers and flags unchanged",
            );
        }
    }
    let pb = if stale.is_empty() {
        indicatif::ProgressBar::hidden()
    } else {
        rep.progress(stale.len() as u64, "Compiling")
    };
    let results: Mutex<Vec<(usize, Outcome)>> = Mutex::new(Vec::new());
    stale.par_iter().for_each(|&i| {
        let job = &jobs[i];
        pb.set_message(job.source.display().to_string());
        let outcome = compile_one(tools, job, &keys[i], cwd, obj_dir, rep);
        pb.inc(1);
        results
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push((i, outcome));
    });
    pb.finish_and_clear();

    let mut results = results.into_inner().unwrap_or_else(|e| e.into_inner());
    results.sort_by_key(|(i, _)| *i);
    let mut errors = Vec::new();
    let mut raw_failures = Vec::new();
    let mut failed = 0;
    for (i, outcome) in results {
        match outcome {
            Outcome::Built(rec, warnings) => {
                for w in &warnings {
                    rep.warning(w);
                }
                state
                    .objects
                    .insert(jobs[i].source.to_string_lossy().into_owned(), rec);
            }
            Outcome::Failed(diags, raw) => {
                failed += 1;
                state
                    .objects
                    .remove(&jobs[i].source.to_string_lossy().into_owned());
                if diags.iter().all(|d| d.severity != miette::Severity::Error) {
                    raw_failures.push(format!("{}: {}", jobs[i].source.display(), raw.trim()));
                }
                errors.extend(diags);
            }
        }
    }
    if failed > 0 {
        if !raw_failures.is_empty() {
            return Err(miette!(
                help = "`cargo espb build -v` shows the clang commands",
                "clang failed without a diagnostic:\n{}",
                raw_failures.join("\n")
            ));
        }
        let what = if failed == 1 {
            "1 script".to_string()
        } else {
            format!("{failed} scripts")
        };
        return Err(CompileFailed { what, errors }.into());
    }

    let bitcode = jobs
        .iter()
        .map(|j| {
            state.objects[&j.source.to_string_lossy().into_owned()]
                .bitcode
                .clone()
        })
        .collect();
    Ok(Compiled {
        bitcode,
        compiled: stale.len(),
        fresh: jobs.len() - stale.len(),
    })
}

fn compile_one(
    tools: &Tools,
    job: &Job,
    key: &str,
    cwd: &Path,
    obj_dir: &Path,
    rep: &Reporter,
) -> Outcome {
    let name = object_name(&job.source);
    let bc = obj_dir.join(format!("{name}.bc"));
    let tmp = obj_dir.join(format!("{name}.bc.tmp"));
    let dep = obj_dir.join(format!("{name}.d"));
    let mut cmd = clang_command(tools, job, &tmp, &dep);
    cmd.current_dir(cwd);
    rep.command(&cmd);
    let out = match cmd.output() {
        Ok(o) => o,
        Err(e) => {
            return Outcome::Failed(
                Vec::new(),
                format!("cannot run {}: {e}", tools.clang.display()),
            )
        }
    };
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    let diags = clang_diag::to_diagnostics(&clang_diag::parse(&stderr), cwd);
    if !out.status.success() {
        let _ = std::fs::remove_file(&tmp);
        return Outcome::Failed(diags, stderr);
    }
    let deps = std::fs::read_to_string(&dep)
        .map(|t| cache::parse_depfile(&t))
        .unwrap_or_default();
    let mut records = Vec::with_capacity(deps.len() + 1);
    let mut all = vec![job.source.clone()];
    all.extend(deps);
    all.dedup();
    for d in all {
        match cache::dep_record(&cwd.join(&d)) {
            Ok(r) => records.push(r),
            Err(e) => {
                return Outcome::Failed(
                    Vec::new(),
                    format!("reading {} (named by the depfile): {e}", d.display()),
                )
            }
        }
    }
    if let Err(e) = std::fs::rename(&tmp, &bc) {
        return Outcome::Failed(Vec::new(), format!("writing {}: {e}", bc.display()));
    }
    let warnings = diags
        .into_iter()
        .filter(|d| d.severity == miette::Severity::Warning)
        .collect();
    Outcome::Built(
        ObjectRecord {
            key: key.to_string(),
            bitcode: bc,
            deps: records,
        },
        warnings,
    )
}

/// Links the per-source bitcode into `out` unless the inputs are the same as
/// last time. Returns whether it ran.
pub fn link(
    tools: &Tools,
    inputs: &[PathBuf],
    out: &Path,
    state: &mut BuildState,
    rep: &Reporter,
) -> Result<bool> {
    let mut parts = vec![tools.llvm_link.to_string_lossy().into_owned()];
    for i in inputs {
        let bytes = std::fs::read(i).map_err(|e| miette!("reading {}: {e}", i.display()))?;
        parts.push(cache::hash_bytes(&bytes));
    }
    let key = cache::hash_strings(&parts);
    if state.steps.get("link") == Some(&key) && out.is_file() {
        rep.skipped("llvm-link", "no bitcode changed");
        return Ok(false);
    }
    let tmp = out.with_extension("bc.tmp");
    let mut cmd = Command::new(&tools.llvm_link);
    cmd.arg("-o").arg(&tmp).args(inputs);
    rep.command(&cmd);
    let res = cmd
        .output()
        .map_err(|e| miette!("cannot run {}: {e}", tools.llvm_link.display()))?;
    if !res.status.success() {
        let _ = std::fs::remove_file(&tmp);
        return Err(miette!(
            help =
                "two scripts probably define the same non-static symbol; make one of them `static`",
            "llvm-link failed:\n{}",
            String::from_utf8_lossy(&res.stderr).trim()
        ));
    }
    std::fs::rename(&tmp, out).into_diagnostic()?;
    state.steps.insert("link".into(), key);
    Ok(true)
}
