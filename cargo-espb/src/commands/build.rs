//! `cargo espb build`: flags → clang per source → llvm-link → translate →
//! module, firmware blob and partition image; `--firmware` then `idf.py build`.

use std::path::{Path, PathBuf};
use std::time::Instant;

use miette::{miette, IntoDiagnostic, Result, WrapErr};

use super::Context;
use crate::cache::{self, BuildState};
use crate::cli::{BuildArgs, CompileArgs};
use crate::compile::{self, Job};
use crate::config::{Config, IdfMode};
use crate::embed;
use crate::idf::{self, NO_IDF_HELP};
use crate::idf_flags::{self, ClangKind};
use crate::native_table::{self, NativeTable, Providers};
use crate::project::Project;
use crate::sdk;
use crate::summary::ModuleStats;
use crate::toolchain::{self, Tools};
use crate::translate::{self, TranslateOptions, TranslationStats};
use espb_format::symtab::SymbolTable;

/// A built module.
pub struct Built {
    pub module: PathBuf,
    pub bytes: Vec<u8>,
    pub stats: ModuleStats,
    pub translation: TranslationStats,
}

pub fn run(cx: &Context, args: &BuildArgs) -> Result<()> {
    let project = if args.compile.files.is_empty() {
        cx.project()?
    } else {
        None
    };
    match &project {
        Some(p) => {
            build_project(cx, p, &args.compile)?;
            if args.firmware {
                firmware(cx, p)?;
            }
        }
        None if args.compile.files.is_empty() => return Err(not_in_project(cx)),
        None => {
            if args.firmware {
                return Err(miette!(
                    "--firmware needs a project (an ESP-IDF project with espb.toml)"
                ));
            }
            build_files(cx, &args.compile, FilesFor::Device)?;
        }
    }
    Ok(())
}

pub fn not_in_project(cx: &Context) -> miette::Report {
    miette!(
        help = "run it inside a project (`cargo espb new <name>` creates one), or name the sources: `cargo espb build a.c -o a.espb`",
        "no espb.toml (or Cargo.toml with [package.metadata.espb]) in {} or above",
        cx.cwd.display()
    )
}

/// Where the flags came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
enum FlagSource {
    EspIdf,
    BundledSdk,
}

/// Options common to both flag sources, appended after them.
fn common_flags(
    config: &Config,
    args: &CompileArgs,
    include_dirs: &[PathBuf],
) -> Result<Vec<String>> {
    let opt = args.opt.unwrap_or(config.build.opt_level);
    let mut f = vec![opt.flag().to_string()];
    if config.build.debug_lines && !args.no_debug_lines {
        // Line tables are all the translator needs for `file.c:line` traps.
        f.push("-gline-tables-only".into());
    }
    f.push("-D__ESPB__=1".into());
    for d in include_dirs.iter().chain(&args.include) {
        f.push(format!("-I{}", d.display()));
    }
    for d in config.build.defines.iter().chain(&args.define) {
        f.push(format!("-D{d}"));
    }
    f.extend(config.build.cflags.iter().cloned());
    for c in &args.cflags {
        let split = shlex::split(c).ok_or_else(|| {
            miette!(
                help = "quote the flags as a shell would: --cflags \"-DNAME='a b' -fwrapv\"",
                "--cflags {c:?}: unbalanced quotes"
            )
        })?;
        f.extend(split);
    }
    Ok(f)
}

/// Flags of the bundled-SDK fallback: generic riscv32 ilp32, the SDK's
/// ESP-IDF/FreeRTOS declarations and newlib's libc headers.
fn sdk_flags(out_dir: &Path) -> Result<Vec<String>> {
    let include = sdk::materialize(&out_dir.join("sdk"))?;
    let mut f: Vec<String> = sdk::SDK_TARGET.iter().map(|s| s.to_string()).collect();
    f.extend([
        "-isystem".into(),
        include.display().to_string(),
        "-isystem".into(),
        sdk::NEWLIB_INCLUDE.into(),
    ]);
    Ok(f)
}

/// Debian's newlib declares `_global_impure_ptr` const and ESP-IDF's
/// `sys/reent.h` redeclares it without; renaming newlib's declaration lets
/// real ESP-IDF headers build with upstream clang.
const REENT_SHIM: &str = "/* Written by cargo espb: lets ESP-IDF's sys/reent.h redeclare\n \
     * _global_impure_ptr over Debian newlib's const declaration. */\n\
     #define _global_impure_ptr __espb_newlib_global_impure_ptr\n\
     #include_next <sys/reent.h>\n\
     #undef _global_impure_ptr\n";

/// libc headers for ESP-IDF flags with upstream clang (esp-clang has its own).
fn newlib_flags(out_dir: &Path) -> Result<Vec<String>> {
    let shim = out_dir.join("newlib-shim");
    embed::write_if_changed(&shim.join("sys/reent.h"), REENT_SHIM.as_bytes())?;
    Ok(vec![
        "-isystem".into(),
        shim.display().to_string(),
        "-isystem".into(),
        sdk::NEWLIB_INCLUDE.into(),
    ])
}

fn jobs_for_project(
    cx: &Context,
    p: &Project,
    tools: &Tools,
    args: &CompileArgs,
) -> Result<(Vec<Job>, FlagSource)> {
    let sources = p.sources()?;
    let mut includes = vec![p.config.build.scripts.clone()];
    includes.extend(p.config.build.include_dirs.iter().cloned());
    let common = common_flags(&p.config, args, &includes)?;
    let out_dir = p.out_dir();

    let use_idf = match p.config.build.idf {
        IdfMode::Never => None,
        IdfMode::Auto if !p.is_idf_project() => None,
        IdfMode::Auto => idf::detect(),
        IdfMode::Require => Some(idf::detect().ok_or_else(|| {
            miette!(
                help = NO_IDF_HELP,
                "espb.toml sets `build.idf = \"require\"` but ESP-IDF is not available"
            )
        })?),
    };
    if let Some(idf) = use_idf {
        let build_dir = idf.ensure_configured(&p.root, cx.rep)?;
        let entries = idf_flags::read_compile_commands(&build_dir.join("compile_commands.json"))?;
        let info = idf_flags::read_build_info(&build_dir);
        let sdk_include = sdk::materialize(&out_dir.join("sdk"))?;
        let mut jobs = Vec::new();
        for s in sources {
            let entry = idf_flags::select_entry(&entries, &p.root.join(&s), &p.root);
            let f = idf_flags::extract(entry, &info, tools.clang_kind, p.config.project.chip)?;
            if cx.rep.verbose > 1 {
                cx.rep.verbose_status(
                    "Dropped",
                    &format!("{}: {}", s.display(), f.dropped.join(" ")),
                );
            }
            let mut args = f.all();
            if tools.clang_kind == ClangKind::Upstream {
                args.extend(newlib_flags(&out_dir)?);
            }
            // Searched last, so ESP-IDF's own headers always win; it only
            // supplies what ESP-IDF lacks, such as espb.h (JIT_HOT).
            args.extend(["-idirafter".to_string(), sdk_include.display().to_string()]);
            args.extend(common.iter().cloned());
            jobs.push(Job { source: s, args });
        }
        return Ok((jobs, FlagSource::EspIdf));
    }
    cx.rep.note_once(
        "ESP-IDF not found (IDF_PATH/idf.py): compiling against espb's bundled SDK headers",
    );
    let mut base = sdk_flags(&out_dir)?;
    base.extend(common);
    Ok((
        sources
            .into_iter()
            .map(|s| Job {
                source: s,
                args: base.clone(),
            })
            .collect(),
        FlagSource::BundledSdk,
    ))
}

pub fn build_project(cx: &Context, p: &Project, args: &CompileArgs) -> Result<Built> {
    build_project_as(cx, p, args, false)
}

/// The module as the translator makes it without the project's hints, for
/// `check-hints` to check them against the imports' signatures before the
/// translator applies them. It has its own file (and cache entry), and
/// nothing is embedded from it.
pub fn build_probe(cx: &Context, p: &Project) -> Result<Built> {
    build_project_as(cx, p, &CompileArgs::default(), true)
}

fn build_project_as(cx: &Context, p: &Project, args: &CompileArgs, probe: bool) -> Result<Built> {
    let started = Instant::now();
    cx.rep
        .verbose_status("Config", &crate::project::display_name(p.source.path()));
    let tools = toolchain::find_tools(&p.out_dir().join("cache"))?;
    let (jobs, flag_source) = jobs_for_project(cx, p, &tools, args)?;
    let out_dir = p.out_dir();
    let module = match (&args.output, probe) {
        (_, true) => out_dir.join("cache/probe.espb"),
        (Some(o), false) => cx.cwd.join(o),
        (None, false) => p.module_path(),
    };
    let mut opts = TranslateOptions::from_config(&p.config);
    apply_overrides(&mut opts, args);
    if !probe {
        opts.hints = read_hints(p)?;
        opts.hints.extend(read_extra_hints(cx, args)?);
    }
    opts.symbol_tables = read_symbol_tables(p)?;
    let module_tables = opts.symbol_tables.clone();
    let built = pipeline(
        cx,
        &tools,
        &jobs,
        &[],
        &p.root,
        &out_dir,
        &module,
        &opts,
        &p.name,
    )?;
    if probe {
        return Ok(built);
    }

    if p.config.output.embed {
        embed::write_if_changed(
            &out_dir.join(embed::BLOB_SOURCE),
            embed::blob_source(&p.name, &built.bytes).as_bytes(),
        )?;
    }
    if p.config.output.partition_image {
        embed::write_if_changed(
            &p.partition_image_path(),
            &embed::partition_image(&built.bytes),
        )?;
    }
    if p.config.firmware.native_table {
        write_native_table(cx, p, &built, module_tables)?;
    }
    warn_if_too_big(cx, p, built.bytes.len());
    finish(cx, &built, flag_source, started);
    Ok(built)
}

/// Writes the firmware's native table for the module just built (see
/// `native_table`).
fn write_native_table(
    cx: &Context,
    p: &Project,
    built: &Built,
    symbol_tables: Vec<SymbolTable>,
) -> Result<()> {
    let m = espb_format::parse(&built.bytes)
        .map_err(|e| miette!("the translator produced an invalid module: {e}"))?;
    let used: Vec<String> = m.symtabs.iter().map(|t| t.name.to_string()).collect();
    let module_tables = symbol_tables
        .into_iter()
        .filter(|t| used.contains(&t.name))
        .collect();
    let mut keep_tables = Vec::new();
    for k in &p.config.firmware.keep_tables {
        keep_tables.push(read_keep_table(p, k)?);
    }
    let builtins = espb_runtime::builtins::names()
        .into_iter()
        .map(str::to_string)
        .collect();
    let providers = Providers::bundled();
    let table = NativeTable::plan(native_table::Plan {
        imports: native_table::module_imports(&m),
        builtins: &builtins,
        keep: p.config.firmware.keep.clone(),
        keep_tables,
        module_tables,
        providers: &providers,
    });
    let out = p.out_dir();
    embed::write_if_changed(
        &out.join(native_table::NATIVES_SOURCE),
        table.c_source(&p.name, &providers).as_bytes(),
    )?;
    embed::write_if_changed(
        &out.join(native_table::NATIVES_CMAKE),
        table.cmake().as_bytes(),
    )?;
    cx.rep.verbose_status(
        "Natives",
        &format!(
            "{} firmware function(s) from {} in {}",
            table.natives.len(),
            table.components().join(", "),
            crate::project::display_name(&out.join(native_table::NATIVES_SOURCE))
        ),
    );
    Ok(())
}

/// A `[firmware] keep-tables` entry: `"esp-idf"` or a `.espbsym` file.
fn read_keep_table(p: &Project, k: &str) -> Result<SymbolTable> {
    let (shown, text) = if k == "esp-idf" {
        (
            "esp-idf (bundled)".to_string(),
            native_table::BUNDLED_TABLE.to_string(),
        )
    } else {
        let path = p.path(Path::new(k));
        let shown = crate::project::display_name(&path);
        let text = std::fs::read_to_string(&path).map_err(|e| {
            miette!(
                help = "fix `firmware.keep-tables`: \"esp-idf\" or a .espbsym file",
                "symbol table {shown}: {e}"
            )
        })?;
        (shown, text)
    };
    parse_symbol_table(shown, text)
}

/// The module must fit the `espb` partition to be flashed with
/// `--module-only`; say so at build time rather than at the board.
fn warn_if_too_big(cx: &Context, p: &Project, module_len: usize) {
    let table = p.path(&p.config.flash.partition_table);
    let Ok(text) = std::fs::read_to_string(&table) else {
        return;
    };
    let Ok(parts) = crate::partitions::parse(&text, "", p.config.flash.partition_table_offset)
    else {
        return;
    };
    let Some(part) = parts.iter().find(|x| x.name == p.config.flash.partition) else {
        return;
    };
    let need = embed::IMAGE_HEADER + module_len;
    if need as u64 > part.size as u64 {
        let w = miette!(
            severity = miette::Severity::Warning,
            help = "enlarge the partition, or shrink the module (opt-level = \"s\" or \"z\")",
            "the module image ({need} bytes) does not fit the `{}` partition ({} bytes): `flash --module-only` will refuse it",
            part.name,
            part.size
        );
        cx.rep.warning(w.as_ref());
    }
}

/// The project's hints files as (path shown in messages, text). A syntax
/// error fails the build here, with the offending word underlined.
fn read_hints(p: &Project) -> Result<Vec<(String, String)>> {
    let mut out = Vec::new();
    for rel in &p.config.ffi.hints {
        let path = p.path(rel);
        let shown = crate::project::display_name(&path);
        let text = std::fs::read_to_string(&path).map_err(|e| {
            miette!(
                help = "fix `ffi.hints` in the project configuration",
                "hints file {shown}: {e}"
            )
        })?;
        super::check_hints::check(&text, &shown)?;
        out.push((shown, text));
    }
    Ok(out)
}

/// `--hints FILE` files, checked like the project's.
fn read_extra_hints(cx: &Context, args: &CompileArgs) -> Result<Vec<(String, String)>> {
    let mut out = Vec::new();
    for f in &args.hints {
        let path = cx.cwd.join(f);
        let shown = f.display().to_string();
        let text = std::fs::read_to_string(&path).map_err(|e| {
            miette!(
                help = "check the path given to --hints",
                "hints file {shown}: {e}"
            )
        })?;
        super::check_hints::check(&text, &shown)?;
        out.push((shown, text));
    }
    Ok(out)
}

/// Command-line settings that override the configuration's.
fn apply_overrides(opts: &mut TranslateOptions, args: &CompileArgs) {
    opts.debug_lines &= !args.no_debug_lines;
    if let Some(s) = args.stack_size {
        opts.stack_size = s;
    }
    if let Some(h) = args.heap_size {
        opts.heap_size = h;
    }
}

/// Memory for a module `cargo espb run` builds from files outside a
/// project: what a PC program expects (a project keeps what its device
/// affords, `memory.*` in espb.toml).
pub const PC_STACK_SIZE: u32 = 8 << 20;
pub const PC_HEAP_SIZE: u32 = 64 << 20;

/// What the files outside a project are built for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FilesFor {
    /// `build`: the project defaults, a module a device can run.
    Device,
    /// `run`: a PC program's stack and heap.
    Pc,
}

/// The project's fast-symbol tables (`ffi.symbol-tables`); an error names
/// the line.
fn read_symbol_tables(p: &Project) -> Result<Vec<SymbolTable>> {
    let mut out = Vec::new();
    for rel in &p.config.ffi.symbol_tables {
        let path = p.path(rel);
        let shown = crate::project::display_name(&path);
        let text = std::fs::read_to_string(&path).map_err(|e| {
            miette!(
                help = "fix `ffi.symbol-tables` in the project configuration",
                "symbol table {shown}: {e}"
            )
        })?;
        out.push(parse_symbol_table(shown, text)?);
    }
    Ok(out)
}

/// Parses a symbol table; an error shows its line.
fn parse_symbol_table(shown: String, text: String) -> Result<SymbolTable> {
    SymbolTable::parse(&text).map_err(|e| {
        let span = translate::line_span(&text, e.line as u32);
        SymbolTableError {
            message: format!("{shown}:{}: {}", e.line, e.message),
            src: miette::NamedSource::new(shown, text.clone()),
            span,
        }
        .into()
    })
}

#[derive(Debug, thiserror::Error, miette::Diagnostic)]
#[error("{message}")]
#[diagnostic(
    code(espb::symtab),
    help("the symbol-table format is described in docs/symtab.md")
)]
struct SymbolTableError {
    message: String,
    #[source_code]
    src: miette::NamedSource<String>,
    #[label("here")]
    span: Option<miette::SourceSpan>,
}

/// Outside a project: the sources named on the command line.
pub fn build_files(cx: &Context, args: &CompileArgs, purpose: FilesFor) -> Result<Built> {
    let started = Instant::now();
    let mut c_sources = Vec::new();
    let mut bitcode = Vec::new();
    for f in &args.files {
        let abs = cx.cwd.join(f);
        if !abs.is_file() {
            return Err(miette!("{} does not exist", f.display()));
        }
        match f.extension().and_then(|e| e.to_str()) {
            Some("c") => c_sources.push(f.clone()),
            Some("bc") | Some("ll") => bitcode.push(abs),
            Some("espb") => {
                return Err(miette!(
                    help = "`cargo espb run` runs a .espb directly",
                    "{} is already a module",
                    f.display()
                ))
            }
            _ => {
                return Err(miette!(
                    help = "give C sources (.c), LLVM bitcode (.bc) or LLVM IR text (.ll)",
                    "{}: unknown kind of file",
                    f.display()
                ))
            }
        }
    }
    let first = &args.files[0];
    let name = first
        .file_stem()
        .and_then(|s| s.to_str())
        .unwrap_or("module")
        .to_string();
    let module = cx.cwd.join(
        args.output
            .clone()
            .unwrap_or_else(|| PathBuf::from(format!("{name}.espb"))),
    );
    // Intermediate files live outside the user's directory, keyed by it.
    let key = cache::hash_strings(&[cx.cwd.to_string_lossy(), module.to_string_lossy()]);
    let out_dir = std::env::temp_dir().join("espb-cache").join(&key[..16]);
    let tools = if c_sources.is_empty() && bitcode.len() == 1 {
        None
    } else {
        Some(toolchain::find_tools(&out_dir.join("cache"))?)
    };
    let mut config = Config::default();
    if purpose == FilesFor::Pc {
        config.memory.stack_size = PC_STACK_SIZE;
        config.memory.heap_size = PC_HEAP_SIZE;
    }
    let mut jobs = Vec::new();
    if !c_sources.is_empty() {
        cx.rep
            .note_once("compiling against espb's bundled SDK headers");
        let mut base = sdk_flags(&out_dir)?;
        base.extend(common_flags(&config, args, &[])?);
        jobs = c_sources
            .into_iter()
            .map(|s| Job {
                source: s,
                args: base.clone(),
            })
            .collect();
    }
    let mut opts = TranslateOptions::from_config(&config);
    apply_overrides(&mut opts, args);
    opts.hints = read_extra_hints(cx, args)?;
    let built = match tools {
        Some(t) => pipeline(
            cx, &t, &jobs, &bitcode, &cx.cwd, &out_dir, &module, &opts, &name,
        )?,
        None => translate_only(cx, &bitcode[0], &out_dir, &module, &opts)?,
    };
    finish(cx, &built, FlagSource::BundledSdk, started);
    Ok(built)
}

#[allow(clippy::too_many_arguments)]
fn pipeline(
    cx: &Context,
    tools: &Tools,
    jobs: &[Job],
    extra_bitcode: &[PathBuf],
    cwd: &Path,
    out_dir: &Path,
    module: &Path,
    opts: &TranslateOptions,
    name: &str,
) -> Result<Built> {
    let state_path = out_dir.join("cache/state.json");
    let mut state = BuildState::load(&state_path);
    let result = (|| {
        let compiled =
            compile::compile(tools, jobs, cwd, &out_dir.join("obj"), &mut state, cx.rep)?;
        cx.rep.verbose_status(
            "Compiled",
            &format!(
                "{} source(s), {} up to date",
                compiled.compiled, compiled.fresh
            ),
        );
        let mut inputs = compiled.bitcode;
        inputs.extend(extra_bitcode.iter().cloned());
        let linked = out_dir.join(format!("{name}.bc"));
        compile::link(tools, &inputs, &linked, &mut state, cx.rep)?;
        translate_step(cx, &linked, module, opts, cwd, &mut state)
    })();
    // Keep what did compile even when a later step failed.
    state
        .save(&state_path)
        .into_diagnostic()
        .wrap_err("saving the build state")?;
    result
}

fn translate_only(
    cx: &Context,
    bc: &Path,
    out_dir: &Path,
    module: &Path,
    opts: &TranslateOptions,
) -> Result<Built> {
    let state_path = out_dir.join("cache/state.json");
    let mut state = BuildState::load(&state_path);
    let r = translate_step(cx, bc, module, opts, &cx.cwd, &mut state);
    state.save(&state_path).into_diagnostic()?;
    r
}

/// Translates unless the linked bitcode and the options (including the
/// hints and symbol tables) are what produced the module already on disk.
fn translate_step(
    cx: &Context,
    linked: &Path,
    module: &Path,
    opts: &TranslateOptions,
    src_root: &Path,
    state: &mut BuildState,
) -> Result<Built> {
    let bitcode = std::fs::read(linked)
        .into_diagnostic()
        .wrap_err_with(|| format!("reading {}", linked.display()))?;
    let mut parts = vec![
        env!("CARGO_PKG_VERSION").to_string(),
        cache::hash_bytes(&bitcode),
    ];
    parts.extend(opts.key_parts());
    let key = cache::hash_strings(&parts);
    let step = format!("translate:{}", module.display());
    let (bytes, translation) = match std::fs::read(module) {
        Ok(b) if state.steps.get(&step) == Some(&key) => {
            cx.rep
                .skipped("translation", "bitcode, options and hints unchanged");
            (
                b,
                state.translations.get(&step).cloned().unwrap_or_default(),
            )
        }
        _ => {
            let pb = cx.rep.spinner("Translating bitcode to espb");
            let r = translate::translate(&bitcode, opts, src_root);
            pb.finish_and_clear();
            let (b, st) = r?;
            embed::write_if_changed(module, &b)?;
            state.steps.insert(step.clone(), key);
            state.translations.insert(step, st.clone());
            (b, st)
        }
    };
    let parsed = espb_format::parse(&bytes)
        .map_err(|e| miette!("the translator produced an invalid module: {e}"))?;
    let stats = ModuleStats::of(&parsed, bytes.len());
    Ok(Built {
        module: module.to_path_buf(),
        bytes,
        stats,
        translation,
    })
}

fn finish(cx: &Context, b: &Built, source: FlagSource, started: Instant) {
    let elapsed = started.elapsed();
    if cx.rep.json() {
        cx.rep.emit(&serde_json::json!({
            "reason": "build-finished",
            "module": b.module,
            "flags": source,
            "stats": b.stats,
            "translation": b.translation,
            "elapsed_ms": elapsed.as_millis() as u64,
        }));
        return;
    }
    let shown = crate::project::display_name(&b.module);
    cx.rep.status(
        "Finished",
        &format!("{shown} in {:.2}s", elapsed.as_secs_f64()),
    );
    let spills = b.translation.spills();
    let spilled = if spills == 0 {
        String::new()
    } else {
        format!(", {spills} spilled values")
    };
    cx.rep.status(
        "Module",
        &format!("{}, {}{spilled}", b.stats.line(), b.translation.ffi_line()),
    );
    for i in &b.translation.ffi {
        for n in &i.notes {
            cx.rep.verbose_status("FFI", &format!("{}: {n}", i.name));
        }
    }
}

fn firmware(cx: &Context, p: &Project) -> Result<()> {
    if !p.is_idf_project() {
        return Err(miette!(
            help = "`cargo espb new` creates an ESP-IDF project",
            "{} is not an ESP-IDF project (no CMakeLists.txt)",
            p.root.display()
        ));
    }
    let idf = idf::detect().ok_or_else(|| {
        miette!(
            help = NO_IDF_HELP,
            "--firmware needs ESP-IDF, which is not available in this shell"
        )
    })?;
    // The firmware always compiles the blob and the native table (stand-ins
    // until now), and reconfigures by itself when the table's component
    // list changed.
    idf.run(&p.root, &["build".into()], cx.rep)
}
