//! The one place that calls the translator (`espb-codegen`): linked bitcode
//! in, a module's bytes out, translator errors as diagnostics pointing at
//! the C line.

use std::path::Path;

use miette::{Diagnostic, NamedSource, Result, SourceSpan};

use espb_format::symtab::SymbolTable;
use espb_format::{ArgPlace, Direction, SizeSpec};

use crate::config::Config;

/// Translator settings taken from the project configuration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TranslateOptions {
    pub export_all: bool,
    pub heap_size: u32,
    pub stack_size: u32,
    pub debug_lines: bool,
    pub unroll_loops: bool,
    /// User hints files: (path as shown in messages, text).
    pub hints: Vec<(String, String)>,
    /// Fast-symbol tables imports are resolved through.
    pub symbol_tables: Vec<SymbolTable>,
}

impl TranslateOptions {
    pub fn from_config(c: &Config) -> TranslateOptions {
        TranslateOptions {
            export_all: c.ffi.export_all,
            heap_size: c.memory.heap_size,
            stack_size: c.memory.stack_size,
            debug_lines: c.build.debug_lines,
            unroll_loops: c.build.unroll_loops,
            hints: Vec::new(),
            symbol_tables: Vec::new(),
        }
    }

    /// Part of the translate step's cache key.
    pub fn key_parts(&self) -> Vec<String> {
        let mut k = vec![
            format!("export_all={}", self.export_all),
            format!("heap={}", self.heap_size),
            format!("stack={}", self.stack_size),
            format!("lines={}", self.debug_lines),
            format!("unroll={}", self.unroll_loops),
        ];
        for (name, text) in &self.hints {
            k.push(format!(
                "hints {name} {}",
                crate::cache::hash_bytes(text.as_bytes())
            ));
        }
        for t in &self.symbol_tables {
            k.push(format!("symtab {} {:016x}", t.name, t.hash()));
        }
        k
    }
}

/// One translator error, with the C line when debug info named it.
#[derive(Debug, thiserror::Error)]
#[error("{message}")]
pub struct TranslateError {
    message: String,
    src: Option<NamedSource<String>>,
    span: Option<SourceSpan>,
}

impl Diagnostic for TranslateError {
    fn code<'a>(&'a self) -> Option<Box<dyn std::fmt::Display + 'a>> {
        Some(Box::new("espb::translate"))
    }
    fn source_code(&self) -> Option<&dyn miette::SourceCode> {
        self.src.as_ref().map(|s| s as &dyn miette::SourceCode)
    }
    fn labels(&self) -> Option<Box<dyn Iterator<Item = miette::LabeledSpan> + '_>> {
        let span = self.span?;
        Some(Box::new(std::iter::once(
            miette::LabeledSpan::new_with_span(Some("here".into()), span),
        )))
    }
}

#[derive(Debug, thiserror::Error, Diagnostic)]
#[error("could not translate the scripts to espb")]
#[diagnostic(
    code(espb::translate),
    help("rewrite the C construct it names (or report it if it is plain C); for a hint, `cargo espb check-hints` points at the word")
)]
pub struct TranslateFailed {
    #[related]
    pub errors: Vec<TranslateError>,
}

/// What the translator reports about each function and import, for
/// `--message-format json` (kept in the build state so a build that skips
/// translation reports it too).
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct TranslationStats {
    pub functions: Vec<FunctionStats>,
    pub imports: Vec<ImportStats>,
    /// Per import: its FFI metadata and where each piece came from.
    #[serde(default)]
    pub ffi: Vec<ImportFfiStats>,
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct ImportFfiStats {
    pub import: u32,
    pub name: String,
    /// `(table, index)` when resolved through a fast-symbol table.
    pub fast: Option<(String, u32)>,
    pub call_sites: u32,
    pub items: Vec<FfiItem>,
    /// What the translator wants the user to know (conflicts, unused hints).
    pub notes: Vec<String>,
}

/// One argument's FFI role.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct FfiItem {
    /// `arg N` or `arg N +OFF` (a field of the struct argument N points to).
    pub argument: String,
    /// `callback`, `user data`, `in`, `out`, `inout`, with the size.
    pub role: String,
    /// `analysis`, `bundled hints FILE:LINE` or `user hints FILE:LINE`.
    pub source: String,
    /// `analysis`, `bundled` or `user`.
    pub origin: String,
    /// Whether it is recorded in the module (an item without a known
    /// signature or size is reported but not emitted).
    pub emitted: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct FunctionStats {
    pub name: String,
    pub instructions: u32,
    pub registers: u16,
    pub spills: u32,
    pub bytes: u32,
    pub frame_size: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct ImportStats {
    pub name: String,
    pub signature: String,
}

impl TranslationStats {
    pub fn spills(&self) -> u32 {
        self.functions.iter().map(|f| f.spills).sum()
    }

    /// `N callbacks (from ...), M out-params (from ...)` for the summary.
    pub fn ffi_line(&self) -> String {
        let count = |pred: &dyn Fn(&FfiItem) -> bool| {
            let items: Vec<&FfiItem> = self
                .ffi
                .iter()
                .flat_map(|i| &i.items)
                .filter(|x| x.emitted && pred(x))
                .collect();
            let mut parts = Vec::new();
            for (origin, label) in [
                ("analysis", "analysis"),
                ("bundled", "bundled hints"),
                ("user", "user hints"),
            ] {
                let n = items.iter().filter(|x| x.origin == origin).count();
                if n > 0 {
                    parts.push(format!("{n} {label}"));
                }
            }
            let by = if parts.is_empty() {
                String::new()
            } else {
                format!(" ({})", parts.join(", "))
            };
            (items.len(), by)
        };
        let (cbs, cb_by) = count(&|x| x.role == "callback");
        let (outs, out_by) = count(&|x| x.role.starts_with("out") || x.role.starts_with("inout"));
        let fast = self.ffi.iter().filter(|i| i.fast.is_some()).count();
        let fast = if fast == 0 {
            String::new()
        } else {
            format!(", {fast} imports by fast symbol")
        };
        format!("{cbs} callbacks{cb_by}, {outs} out-params{out_by}{fast}")
    }
}

fn place_text(p: ArgPlace) -> String {
    match p {
        ArgPlace::Param(i) => format!("arg {i}"),
        ArgPlace::Field { param, offset } => format!("arg {param} +{offset}"),
    }
}

fn source_text(s: &espb_codegen::FfiSource) -> (String, String) {
    let origin = match s {
        espb_codegen::FfiSource::Analysis => "analysis",
        espb_codegen::FfiSource::BundledHints { .. } => "bundled",
        espb_codegen::FfiSource::UserHints { .. } => "user",
    };
    (s.to_string(), origin.to_string())
}

fn ffi_stats(i: espb_codegen::ImportFfi) -> ImportFfiStats {
    let mut items = Vec::new();
    for c in &i.callbacks {
        let (source, origin) = source_text(&c.source);
        items.push(FfiItem {
            argument: place_text(c.place),
            role: "callback".into(),
            source,
            origin,
            emitted: c.emitted,
        });
        if let Some(u) = c.user_data {
            let (source, origin) = source_text(c.user_data_source.as_ref().unwrap_or(&c.source));
            items.push(FfiItem {
                argument: place_text(u),
                role: "user data".into(),
                source,
                origin,
                emitted: c.emitted,
            });
        }
    }
    for p in &i.pointers {
        let dir = match p.dir {
            Direction::In => "in",
            Direction::Out => "out",
            Direction::InOut => "inout",
        };
        let size = match p.size {
            Some(SizeSpec::Const(n)) => format!(" {n} bytes"),
            Some(SizeSpec::Param { param, scale: 1 }) => format!(" arg {param} bytes"),
            Some(SizeSpec::Param { param, scale }) => format!(" arg {param} * {scale} bytes"),
            Some(SizeSpec::StrLen) => " string".into(),
            None => String::new(),
        };
        let handles = if p.handles { ", handles" } else { "" };
        let (source, origin) = source_text(&p.source);
        items.push(FfiItem {
            argument: place_text(p.place),
            role: format!("{dir}{size}{handles}"),
            source,
            origin,
            emitted: p.emitted,
        });
    }
    ImportFfiStats {
        import: i.import,
        name: i.name,
        fast: i.fast,
        call_sites: i.call_sites,
        items,
        notes: i.notes,
    }
}

/// Translates linked bitcode into the bytes of a `.espb` module. `src_root`
/// is where relative source paths of the debug info are found.
pub fn translate(
    bitcode: &[u8],
    opts: &TranslateOptions,
    src_root: &Path,
) -> Result<(Vec<u8>, TranslationStats)> {
    let o = espb_codegen::Options {
        export_all: opts.export_all,
        heap_size: opts.heap_size,
        stack_size: opts.stack_size,
        debug_lines: opts.debug_lines,
        unroll_loops: opts.unroll_loops,
        hints: opts.hints.clone(),
        symbol_tables: opts.symbol_tables.clone(),
        ..espb_codegen::Options::default()
    };
    match espb_codegen::translate_with_stats(bitcode, &o) {
        Ok((m, st)) => {
            let stats = TranslationStats {
                functions: st
                    .functions
                    .into_iter()
                    .map(|f| FunctionStats {
                        name: f.name,
                        instructions: f.instructions,
                        registers: f.registers,
                        spills: f.spills,
                        bytes: f.bytes,
                        frame_size: f.frame_size,
                    })
                    .collect(),
                imports: st
                    .imports
                    .into_iter()
                    .map(|i| ImportStats {
                        name: i.name,
                        signature: i.signature,
                    })
                    .collect(),
                ffi: st.ffi.into_iter().map(ffi_stats).collect(),
            };
            Ok((m.to_bytes(), stats))
        }
        Err(diags) => Err(TranslateFailed {
            errors: diags.0.iter().map(|d| to_error(d, src_root)).collect(),
        }
        .into()),
    }
}

fn to_error(d: &espb_codegen::Diagnostic, src_root: &Path) -> TranslateError {
    let mut message = d.message.clone();
    if let Some(f) = &d.function {
        message.push_str(&format!(" (in function `{f}`)"));
    }
    let (mut src, mut span) = (None, None);
    if let Some((file, line)) = &d.location {
        message = format!("{file}:{line}: {message}");
        if let Ok(text) = std::fs::read_to_string(src_root.join(file)) {
            span = line_span(&text, *line);
            src = Some(NamedSource::new(file, text).with_language("c"));
        }
    }
    TranslateError { message, src, span }
}

/// The span of a 1-based line, without its indentation.
pub fn line_span(text: &str, line: u32) -> Option<SourceSpan> {
    let mut off = 0;
    for (i, l) in text.split_inclusive('\n').enumerate() {
        if i + 1 == line as usize {
            let trimmed = l.trim_end();
            let lead = trimmed.len() - trimmed.trim_start().len();
            return Some(SourceSpan::from(off + lead..off + trimmed.len()));
        }
        off += l.len();
    }
    None
}
