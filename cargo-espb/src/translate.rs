//! The one place that calls the translator (`espb-codegen`): linked bitcode
//! in, a module's bytes out, translator errors as diagnostics pointing at
//! the C line.

use std::path::Path;

use miette::{Diagnostic, NamedSource, Result, SourceSpan};

use crate::config::Config;

/// Translator settings taken from the project configuration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TranslateOptions {
    pub export_all: bool,
    pub heap_size: u32,
    pub stack_size: u32,
    pub debug_lines: bool,
}

impl TranslateOptions {
    pub fn from_config(c: &Config) -> TranslateOptions {
        TranslateOptions {
            export_all: c.ffi.export_all,
            heap_size: c.memory.heap_size,
            stack_size: c.memory.stack_size,
            debug_lines: c.build.debug_lines,
        }
    }

    /// Part of the translate step's cache key.
    pub fn key_parts(&self) -> Vec<String> {
        vec![
            format!("export_all={}", self.export_all),
            format!("heap={}", self.heap_size),
            format!("stack={}", self.stack_size),
            format!("lines={}", self.debug_lines),
        ]
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
    help("rewrite the construct the translator names, or report it if it is plain C")
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
