//! `cargo espb run`: build if needed, then execute the module on this PC.
//! The module's exit status (the entry's `int` result, or `exit(n)`)
//! becomes the process's; a trap is a diagnostic naming the C line.

use std::path::{Path, PathBuf};

use espb_format::ValType;
use espb_runtime::{Config, Imports, Instance, Module, Trap, Value};
use miette::{miette, Diagnostic, NamedSource, Result, SourceSpan};

use super::build::{self, not_in_project};
use super::Context;
use crate::cli::RunArgs;

/// Exit status when the module traps (like a Rust panic's).
pub const EXIT_TRAP: u8 = 101;

pub fn run(cx: &Context, args: &RunArgs) -> Result<u8> {
    let (module_path, entry, src_root) = if args.compile.files.is_empty() {
        let p = cx.project()?.ok_or_else(|| not_in_project(cx))?;
        let built = build::build_project(cx, &p, &args.compile)?;
        let entry = args.entry.clone().or(Some(p.config.project.entry.clone()));
        (built.module, entry, p.root.clone())
    } else if args.compile.files.len() == 1
        && args.compile.files[0]
            .extension()
            .is_some_and(|e| e == "espb")
    {
        (
            cx.cwd.join(&args.compile.files[0]),
            args.entry.clone(),
            cx.cwd.clone(),
        )
    } else {
        let built = build::build_files(cx, &args.compile)?;
        (built.module, args.entry.clone(), cx.cwd.clone())
    };
    if args.virtual_time {
        // espb-runtime's host platform (tasks, timers, simulated clock)
        // is not in this build yet; refusing beats running in real time
        // while claiming virtual time.
        return Err(miette!(
            help = "run without --virtual-time until the runtime's host platform lands",
            "this build of the runtime has no host platform with a simulated clock yet"
        ));
    }
    execute(cx, &module_path, entry.as_deref(), &args.args, &src_root)
}

fn execute(
    cx: &Context,
    path: &Path,
    entry: Option<&str>,
    argv: &[String],
    src_root: &Path,
) -> Result<u8> {
    let bytes = std::fs::read(path).map_err(|e| miette!("reading {}: {e}", path.display()))?;
    let module = Module::parse(&bytes).map_err(|e| {
        miette!(
            help = "rebuild it with `cargo espb build`",
            "{} is not a valid module: {e}",
            path.display()
        )
    })?;
    let imports = Imports::new();
    let instance = Instance::new(&module, &imports, Config::default()).map_err(|e| {
        miette!(
            help = "the host platform does not provide everything the module imports",
            "cannot instantiate {}: {e}",
            path.display()
        )
    })?;

    let name = match entry {
        Some(e) if module.export(e).is_some() => e.to_string(),
        Some("app_main") | None
            if module.export("app_main").is_none() && module.export("main").is_some() =>
        {
            "main".into()
        }
        Some(e) => {
            return Err(miette!(
                help = "pass `--entry <function>` naming an exported function",
                "the module exports no `{e}`"
            ))
        }
        None if module.export("app_main").is_some() => "app_main".into(),
        None => {
            return Err(miette!(
                help = "define `void app_main(void)` or `int main(void)`",
                "the module exports neither `app_main` nor `main`"
            ))
        }
    };
    let func = module
        .export(&name)
        .ok_or_else(|| miette!("the module exports no `{name}`"))?;
    let ty = module
        .func_type(func)
        .cloned()
        .ok_or_else(|| miette!("`{name}` has no type"))?;
    let call_args = entry_args(&instance, &ty.params, &name, path, argv)?;
    cx.rep
        .verbose_status("Running", &format!("`{name}` of {}", path.display()));

    match instance.call(&name, &call_args) {
        Ok(Some(Value::I32(code))) => Ok(code as u8),
        Ok(Some(Value::I64(code))) => Ok(code as u8),
        Ok(_) => Ok(0),
        Err(trap) => match trap.exit_code() {
            Some(code) => Ok(code as u8),
            None => {
                let d = TrapDiagnostic::new(&trap, src_root);
                if cx.rep.json() {
                    cx.rep.emit(&crate::output::diagnostic_json(&d));
                } else {
                    eprintln!("{:?}", miette::Report::new(d));
                }
                Ok(EXIT_TRAP)
            }
        },
    }
}

/// `()` or C's `(int argc, char **argv)`: argv strings are placed in the
/// module heap, like a C runtime would before calling `main`.
fn entry_args(
    instance: &Instance<'_>,
    params: &[ValType],
    name: &str,
    path: &Path,
    argv: &[String],
) -> Result<Vec<Value>> {
    match params {
        [] => {
            if !argv.is_empty() {
                return Err(miette!(
                    help = "declare it `int main(int argc, char **argv)`",
                    "`{name}` takes no arguments"
                ));
            }
            Ok(Vec::new())
        }
        [ValType::I32, ValType::Ptr] => {
            let mut strings = vec![path
                .file_stem()
                .map(|s| s.to_string_lossy().into_owned())
                .unwrap_or_default()];
            strings.extend(argv.iter().cloned());
            let mem = instance.memory();
            let oom = || miette!("the module heap is too small for the program arguments");
            let table = instance.malloc(4 * (strings.len() as u32 + 1));
            if table == 0 {
                return Err(oom());
            }
            for (i, s) in strings.iter().enumerate() {
                let addr = instance.malloc(s.len() as u32 + 1);
                if addr == 0 {
                    return Err(oom());
                }
                for (k, b) in s.bytes().chain([0]).enumerate() {
                    mem.store8(addr + k as u32, b)
                        .map_err(|e| miette!("writing argv: {e}"))?;
                }
                mem.store32(table + 4 * i as u32, addr)
                    .map_err(|e| miette!("writing argv: {e}"))?;
            }
            mem.store32(table + 4 * strings.len() as u32, 0)
                .map_err(|e| miette!("writing argv: {e}"))?;
            Ok(vec![
                Value::I32(strings.len() as i32),
                Value::I32(table as i32),
            ])
        }
        other => Err(miette!(
            help = "an entry takes no arguments, or (int argc, char **argv)",
            "`{name}` has parameters ({}), which `run` cannot supply",
            other
                .iter()
                .map(|t| t.name())
                .collect::<Vec<_>>()
                .join(", ")
        )),
    }
}

/// A trap, pointing at the C line when the module has line tables.
#[derive(Debug, thiserror::Error)]
#[error("the module trapped: {message}")]
pub struct TrapDiagnostic {
    message: String,
    src: Option<NamedSource<String>>,
    span: Option<SourceSpan>,
}

impl TrapDiagnostic {
    pub fn new(trap: &Trap, src_root: &Path) -> TrapDiagnostic {
        // The trap's own text already carries the backtrace.
        let (src, span) = match &trap.source {
            Some((file, line)) => {
                let p = PathBuf::from(&**file);
                let full = if p.is_absolute() { p } else { src_root.join(p) };
                match std::fs::read_to_string(&full) {
                    Ok(text) => {
                        let span = crate::translate::line_span(&text, *line);
                        (
                            Some(NamedSource::new(&**file, text).with_language("c")),
                            span,
                        )
                    }
                    Err(_) => (None, None),
                }
            }
            None => (None, None),
        };
        TrapDiagnostic {
            message: trap.to_string(),
            src,
            span,
        }
    }
}

impl Diagnostic for TrapDiagnostic {
    fn code<'a>(&'a self) -> Option<Box<dyn std::fmt::Display + 'a>> {
        Some(Box::new("espb::trap"))
    }
    fn help<'a>(&'a self) -> Option<Box<dyn std::fmt::Display + 'a>> {
        if self.src.is_some() {
            None
        } else {
            Some(Box::new(
                "build with line tables (`build.debug-lines = true`) to see the C line",
            ))
        }
    }
    fn source_code(&self) -> Option<&dyn miette::SourceCode> {
        self.src.as_ref().map(|s| s as &dyn miette::SourceCode)
    }
    fn labels(&self) -> Option<Box<dyn Iterator<Item = miette::LabeledSpan> + '_>> {
        let span = self.span?;
        Some(Box::new(std::iter::once(
            miette::LabeledSpan::new_with_span(Some("trapped here".into()), span),
        )))
    }
}
