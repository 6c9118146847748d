//! `cargo espb check-hints [files]`: checks `.hints` files against the
//! grammar of `docs/hints.md`, reporting each error with a span in the file,
//! and lists the hints each file gives.
//!
//! The translator's own parser (`espb-codegen`'s `hints` module) also checks
//! entries against the import signatures; it is not exported yet, so this
//! command checks syntax and duplicates only.

use std::path::PathBuf;

use miette::{Diagnostic, NamedSource, Result, SourceSpan};

use super::Context;
use crate::cli::CheckHintsArgs;
use crate::project::display_name;

#[derive(Debug, thiserror::Error, Diagnostic)]
#[error("{file}:{line}: {message}")]
#[diagnostic(
    code(espb::hints),
    help("the hints language is described in docs/hints.md")
)]
pub struct HintSyntaxError {
    pub file: String,
    pub line: usize,
    pub message: String,
    #[source_code]
    pub src: NamedSource<String>,
    #[label("{message}")]
    pub span: SourceSpan,
}

/// One parsed entry: the function and its items as written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    pub function: String,
    pub line: usize,
    pub items: Vec<String>,
}

struct Err0 {
    at: usize,
    len: usize,
    message: String,
}

fn err(at: usize, len: usize, message: impl Into<String>) -> Err0 {
    Err0 {
        at,
        len: len.max(1),
        message: message.into(),
    }
}

/// Tokens of one line: words, numbers, punctuation, with byte offsets.
fn tokens(line: &str) -> Vec<(usize, &str)> {
    let mut out = Vec::new();
    let b = line.as_bytes();
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        if c.is_ascii_whitespace() {
            i += 1;
        } else if c.is_ascii_alphanumeric() || c == b'_' {
            let s = i;
            while i < b.len() && (b[i].is_ascii_alphanumeric() || b[i] == b'_') {
                i += 1;
            }
            out.push((s, &line[s..i]));
        } else if c == b'-' && b.get(i + 1) == Some(&b'>') {
            out.push((i, "->"));
            i += 2;
        } else {
            let n = line[i..].chars().next().map_or(1, char::len_utf8);
            out.push((i, &line[i..i + n]));
            i += n;
        }
    }
    out
}

struct P<'a> {
    t: Vec<(usize, &'a str)>,
    i: usize,
    end: usize,
}

impl<'a> P<'a> {
    fn peek(&self) -> Option<&'a str> {
        self.t.get(self.i).map(|x| x.1)
    }
    fn at(&self) -> usize {
        self.t.get(self.i).map_or(self.end, |x| x.0)
    }
    fn next(&mut self) -> Option<(usize, &'a str)> {
        let x = self.t.get(self.i).copied();
        self.i += 1;
        x
    }
    fn number(&mut self, what: &str) -> Result<u32, Err0> {
        match self.next() {
            Some((at, s)) => s.parse().map_err(|_| {
                err(
                    at,
                    s.len(),
                    format!("expected {what} (a number), found `{s}`"),
                )
            }),
            None => Err(err(self.end, 1, format!("expected {what} (a number)"))),
        }
    }
    fn eat(&mut self, s: &str) -> bool {
        if self.peek() == Some(s) {
            self.i += 1;
            true
        } else {
            false
        }
    }
    fn place(&mut self) -> Result<(), Err0> {
        self.number("an argument index")?;
        if self.eat(".") {
            self.number("a field offset")?;
        }
        Ok(())
    }
    fn ty(&mut self) -> Result<(), Err0> {
        match self.next() {
            Some((_, "i32" | "i64" | "f32" | "f64" | "ptr")) => Ok(()),
            Some((at, s)) => Err(err(
                at,
                s.len(),
                format!("`{s}` is not a type (i32, i64, f32, f64, ptr)"),
            )),
            None => Err(err(self.end, 1, "expected a type")),
        }
    }
}

fn parse_line(line: &str) -> Result<Option<(String, usize, Vec<String>)>, Err0> {
    let content = line.split('#').next().unwrap_or("");
    let t = tokens(content);
    if t.is_empty() {
        return Ok(None);
    }
    let mut p = P {
        t,
        i: 0,
        end: content.trim_end().len(),
    };
    let (name_at, name) = p
        .next()
        .ok_or_else(|| err(0, 1, "expected a function name"))?;
    if !name
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
    {
        return Err(err(
            name_at,
            name.len(),
            format!("`{name}` is not a function name"),
        ));
    }
    if !p.eat(":") {
        let len = p.peek().map_or(1, str::len);
        return Err(err(p.at(), len, "expected `:` after the function name"));
    }
    let mut items = Vec::new();
    let mut saw_cb = false;
    loop {
        let start = p.at();
        match p.next() {
            Some((_, "in" | "out" | "inout")) => {
                p.place()?;
                if p.eat("size") {
                    match p.peek() {
                        Some("strlen") => {
                            p.i += 1;
                        }
                        Some("arg") => {
                            p.i += 1;
                            p.number("an argument index")?;
                            if p.eat("*") {
                                p.number("a scale")?;
                            }
                        }
                        _ => {
                            p.number("a size in bytes")?;
                        }
                    }
                }
                p.eat("handle");
            }
            Some((_, "cb")) => {
                p.place()?;
                saw_cb = true;
                if p.eat("(") {
                    if !p.eat(")") {
                        loop {
                            p.ty()?;
                            if p.eat(")") {
                                break;
                            }
                            if !p.eat(",") {
                                return Err(err(p.at(), 1, "expected `,` or `)` in the signature"));
                            }
                        }
                    }
                    if p.eat("->") && !p.eat("void") {
                        p.ty()?;
                    }
                }
            }
            Some((at, "ud")) => {
                if !saw_cb {
                    return Err(err(at, 2, "`ud` must follow the `cb` it belongs to"));
                }
                p.place()?;
            }
            Some((at, s)) => {
                return Err(err(
                    at,
                    s.len(),
                    format!("expected in, out, inout, cb or ud, found `{s}`"),
                ));
            }
            None => return Err(err(p.end, 1, "expected a hint after `:`")),
        }
        items.push(
            content[start..p.at().min(content.len())]
                .trim()
                .trim_end_matches(',')
                .trim()
                .to_string(),
        );
        if p.eat(",") {
            continue;
        }
        match p.next() {
            None => break,
            Some((at, s)) => {
                return Err(err(
                    at,
                    s.len(),
                    format!("expected `,` or the end of the line, found `{s}`"),
                ))
            }
        }
    }
    Ok(Some((name.to_string(), name_at, items)))
}

/// Parses a whole file; the first error stops it (like a compiler's first
/// error, it is the one that is certainly real).
pub fn check(text: &str, file: &str) -> Result<Vec<Entry>, HintSyntaxError> {
    let mut out: Vec<Entry> = Vec::new();
    let mut off = 0;
    for (i, line) in text.split_inclusive('\n').enumerate() {
        let base = off;
        off += line.len();
        let mk = |e: Err0| HintSyntaxError {
            file: file.to_string(),
            line: i + 1,
            message: e.message,
            src: NamedSource::new(file, text.to_string()),
            span: (base + e.at, e.len).into(),
        };
        let Some((function, at, items)) = parse_line(line).map_err(mk)? else {
            continue;
        };
        if let Some(prev) = out.iter().find(|e| e.function == function) {
            return Err(mk(err(
                at,
                function.len(),
                format!(
                    "`{function}` already has hints on line {}; merge them into one line",
                    prev.line
                ),
            )));
        }
        out.push(Entry {
            function,
            line: i + 1,
            items,
        });
    }
    Ok(out)
}

pub fn run(cx: &Context, a: &CheckHintsArgs) -> Result<u8> {
    let files: Vec<PathBuf> = if a.files.is_empty() {
        let p = cx
            .project()?
            .ok_or_else(|| super::build::not_in_project(cx))?;
        p.config.ffi.hints.iter().map(|h| p.path(h)).collect()
    } else {
        a.files.iter().map(|f| cx.cwd.join(f)).collect()
    };
    if files.is_empty() {
        cx.rep
            .status("Checked", "no hints files (ffi.hints is empty)");
        return Ok(0);
    }
    for f in &files {
        let shown = display_name(f);
        let text =
            std::fs::read_to_string(f).map_err(|e| miette::miette!("reading {shown}: {e}"))?;
        let entries = check(&text, &shown)?;
        if cx.rep.json() {
            let list: Vec<_> = entries
                .iter()
                .map(|e| serde_json::json!({"function": e.function, "line": e.line, "hints": e.items}))
                .collect();
            cx.rep
                .emit(&serde_json::json!({"reason": "hints", "file": shown, "entries": list}));
        } else if !cx.rep.quiet {
            println!("{shown}: {} entries", entries.len());
            for e in &entries {
                println!("  {:<32} {}", e.function, e.items.join(", "));
            }
        }
    }
    Ok(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_documented_examples_parse() {
        let t = "# comment\n\
                 xTaskCreatePinnedToCore: cb 0 (ptr), ud 3, in 1 size strlen, out 5 size 4 handle\n\
                 esp_timer_create: in 0 size 20, cb 0.0 (ptr), ud 0.4, in 0.12 size strlen, out 1 size 4 handle\n\
                 qsort: inout 0 size arg 1, cb 3 (ptr, ptr) -> i32\n\
                 f: out 0 size arg 1 * 4, cb 1 () -> void\n";
        let e = check(t, "x.hints").unwrap();
        assert_eq!(e.len(), 4);
        assert_eq!(e[2].items, ["inout 0 size arg 1", "cb 3 (ptr, ptr) -> i32"]);
    }

    #[test]
    fn errors_have_spans() {
        for (text, bad, msg) in [
            ("f: out x\n", "x", "argument index"),
            ("f: bogus 1\n", "bogus", "expected in, out"),
            ("f: ud 1\n", "ud", "must follow"),
            ("f: cb 0 (int)\n", "int", "not a type"),
            ("f out 1\n", "out", "expected `:`"),
            ("f: out 1 out 2\n", "out", "expected `,`"),
            (
                "f: out 1\ng: in 0\nf: in 2\n",
                "f",
                "already has hints on line 1",
            ),
        ] {
            let e = check(text, "x.hints").unwrap_err();
            assert!(e.message.contains(msg), "{text:?}: {}", e.message);
            let s = e.span.offset();
            assert_eq!(&text[s..s + e.span.len()], bad, "{text:?}");
        }
    }

    #[test]
    fn bundled_hints_parse() {
        let t = std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../hints/esp-idf.hints"
        ))
        .unwrap();
        assert!(check(&t, "esp-idf.hints").unwrap().len() > 10);
    }
}
