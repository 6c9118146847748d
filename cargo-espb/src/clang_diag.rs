//! clang's diagnostics turned into miette diagnostics with a span into the C
//! source, so compile errors look like every other error of `cargo espb` and
//! can be emitted as JSON.

use std::path::Path;

use miette::{Diagnostic, NamedSource, Severity, SourceSpan};

/// One clang diagnostic (`file:line:col: level: message`).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct ClangMessage {
    pub file: String,
    pub line: u32,
    pub column: u32,
    pub level: String,
    pub message: String,
}

/// Parses clang's output (run with `-fno-caret-diagnostics
/// -fno-color-diagnostics`); lines that are not diagnostics (`N errors
/// generated.`, include stacks) are skipped.
pub fn parse(stderr: &str) -> Vec<ClangMessage> {
    stderr.lines().filter_map(parse_line).collect()
}

fn parse_line(line: &str) -> Option<ClangMessage> {
    for level in ["fatal error", "error", "warning", "note"] {
        let marker = format!(": {level}: ");
        let Some(at) = line.find(&marker) else {
            continue;
        };
        let loc = &line[..at];
        let message = line[at + marker.len()..].to_string();
        // `file:line:col`, where the file itself may contain colons.
        let mut parts = loc.rsplitn(3, ':');
        let column = parts.next()?.parse().ok()?;
        let line_no = parts.next()?.parse().ok()?;
        let file = parts.next()?.to_string();
        let level = if level == "fatal error" {
            "error"
        } else {
            level
        };
        return Some(ClangMessage {
            file,
            line: line_no,
            column,
            level: level.to_string(),
            message,
        });
    }
    None
}

/// A clang diagnostic with its source attached.
#[derive(Debug, thiserror::Error)]
#[error("{file}:{line}:{column}: {message}")]
pub struct CDiagnostic {
    pub file: String,
    pub line: u32,
    pub column: u32,
    pub message: String,
    pub severity: Severity,
    pub src: Option<NamedSource<String>>,
    pub span: Option<SourceSpan>,
    pub related: Vec<CDiagnostic>,
}

impl Diagnostic for CDiagnostic {
    fn severity(&self) -> Option<Severity> {
        Some(self.severity)
    }
    fn code<'a>(&'a self) -> Option<Box<dyn std::fmt::Display + 'a>> {
        Some(Box::new("clang"))
    }
    fn source_code(&self) -> Option<&dyn miette::SourceCode> {
        self.src.as_ref().map(|s| s as &dyn miette::SourceCode)
    }
    fn labels(&self) -> Option<Box<dyn Iterator<Item = miette::LabeledSpan> + '_>> {
        let span = self.span?;
        Some(Box::new(std::iter::once(
            miette::LabeledSpan::new_with_span(Some(self.message.clone()), span),
        )))
    }
    fn related<'a>(&'a self) -> Option<Box<dyn Iterator<Item = &'a dyn Diagnostic> + 'a>> {
        if self.related.is_empty() {
            return None;
        }
        Some(Box::new(self.related.iter().map(|d| d as &dyn Diagnostic)))
    }
}

/// Attaches the source text (read relative to `cwd`, where clang ran) and
/// groups each error or warning with the notes that follow it.
pub fn to_diagnostics(messages: &[ClangMessage], cwd: &Path) -> Vec<CDiagnostic> {
    let mut out: Vec<CDiagnostic> = Vec::new();
    for m in messages {
        let d = attach(m, cwd);
        match (m.level.as_str(), out.last_mut()) {
            ("note", Some(last)) => last.related.push(d),
            _ => out.push(d),
        }
    }
    out
}

fn attach(m: &ClangMessage, cwd: &Path) -> CDiagnostic {
    let severity = match m.level.as_str() {
        "error" => Severity::Error,
        "warning" => Severity::Warning,
        _ => Severity::Advice,
    };
    let text = std::fs::read_to_string(cwd.join(&m.file)).ok();
    let span = text
        .as_deref()
        .and_then(|t| offset_of(t, m.line, m.column))
        .map(|o| SourceSpan::from(o..o));
    CDiagnostic {
        file: m.file.clone(),
        line: m.line,
        column: m.column,
        message: m.message.clone(),
        severity,
        src: text.map(|t| NamedSource::new(&m.file, t).with_language("c")),
        span,
        related: Vec::new(),
    }
}

/// Byte offset of 1-based `line`/`column` (clang counts columns in bytes).
fn offset_of(text: &str, line: u32, column: u32) -> Option<usize> {
    let mut offset = 0;
    for (i, l) in text.split_inclusive('\n').enumerate() {
        if i + 1 == line as usize {
            let mut col = ((column.max(1) - 1) as usize).min(l.len());
            // The file may have changed since clang read it: never point
            // inside a UTF-8 sequence.
            while !l.is_char_boundary(col) {
                col -= 1;
            }
            return Some(offset + col);
        }
        offset += l.len();
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_errors_notes_and_paths_with_colons() {
        let out = "scripts/main.c:2:12: error: expected ';' at end of declaration\n\
                   C:/x/y.h:10:1: note: previous definition is here\n\
                   In file included from a.c:1:\n\
                   1 error generated.\n";
        let m = parse(out);
        assert_eq!(m.len(), 2);
        assert_eq!(
            m[0],
            ClangMessage {
                file: "scripts/main.c".into(),
                line: 2,
                column: 12,
                level: "error".into(),
                message: "expected ';' at end of declaration".into()
            }
        );
        assert_eq!(m[1].file, "C:/x/y.h");
        assert_eq!(m[1].level, "note");
        let d = to_diagnostics(&m, Path::new("/nonexistent"));
        assert_eq!(d.len(), 1);
        assert_eq!(d[0].related.len(), 1);
    }

    #[test]
    fn offsets_count_bytes() {
        assert_eq!(offset_of("ab\ncd\n", 2, 2), Some(4));
        assert_eq!(offset_of("é\n", 1, 2), Some(0));
        assert_eq!(offset_of("ab\n", 5, 1), None);
    }
}
