//! `cargo espb check-hints [files]`: checks `.hints` files, reporting each
//! error with a span in the file, and lists the hints each file gives.
//!
//! Validity is the translator's (`espb_codegen::hints` parses and checks), so
//! the two can never disagree; the small parser here only locates each
//! argument a hint names, so that a signature error underlines that number.
//! In a project the entries are checked against the signatures the module
//! imports its functions with, and the FFI metadata the translator applied
//! is printed with where each piece came from.

use std::path::PathBuf;

use espb_format::{Module, ValType};

use crate::translate::TranslationStats;
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
    /// Byte offset of the function name in the file.
    pub at: usize,
    pub items: Vec<String>,
    /// The argument (or field) each item is about, e.g. `arg 0 +12`.
    pub places: Vec<String>,
    pub uses: Vec<ArgUse>,
}

/// One argument (or struct field) a hint item talks about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ArgUse {
    /// `in`, `out`, `inout`, `cb`, `ud`, or `size` (an argument holding a size).
    pub role: &'static str,
    pub param: u32,
    pub field: Option<u32>,
    /// Byte offset and length of the argument index in the file.
    pub at: usize,
    pub len: usize,
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
    fn place(&mut self, role: &'static str, uses: &mut Vec<ArgUse>) -> Result<(), Err0> {
        let (at, len) = self
            .t
            .get(self.i)
            .map_or((self.end, 1), |x| (x.0, x.1.len()));
        let param = self.number("an argument index")?;
        let field = if self.eat(".") {
            Some(self.number("a field offset")?)
        } else {
            None
        };
        uses.push(ArgUse {
            role,
            param,
            field,
            at,
            len,
        });
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

type Parsed = (String, usize, Vec<String>, Vec<String>, Vec<ArgUse>);

fn parse_line(line: &str) -> Result<Option<Parsed>, Err0> {
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
    let mut places = Vec::new();
    let mut uses: Vec<ArgUse> = Vec::new();
    let mut saw_cb = false;
    loop {
        let start = p.at();
        let first_use = uses.len();
        match p.next() {
            Some((_, dir @ ("in" | "out" | "inout"))) => {
                let role = match dir {
                    "in" => "in",
                    "out" => "out",
                    _ => "inout",
                };
                p.place(role, &mut uses)?;
                if p.eat("size") {
                    match p.peek() {
                        Some("strlen") => {
                            p.i += 1;
                        }
                        Some("arg") => {
                            p.i += 1;
                            let (at, len) = p.t.get(p.i).map_or((p.end, 1), |x| (x.0, x.1.len()));
                            let param = p.number("an argument index")?;
                            uses.push(ArgUse {
                                role: "size",
                                param,
                                field: None,
                                at,
                                len,
                            });
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
                p.eat("opaque");
            }
            Some((_, "cb")) => {
                p.place("cb", &mut uses)?;
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
                p.place("ud", &mut uses)?;
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
        places.push(
            uses.get(first_use)
                .map_or_else(String::new, |u| match u.field {
                    Some(off) => format!("arg {} +{off}", u.param),
                    None => format!("arg {}", u.param),
                }),
        );
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
    Ok(Some((name.to_string(), name_at, items, places, uses)))
}

/// Parses a whole file; the first error stops it (like a compiler's first
/// error, it is the one that is certainly real).
pub fn check(text: &str, file: &str) -> Result<Vec<Entry>, HintSyntaxError> {
    // The translator's parser decides what is valid; this file's parser
    // only adds the spans the signature checks below point at.
    if let Err(e) = espb_codegen::hints::Hints::parse(text) {
        let start = e.span.start.min(text.len());
        return Err(HintSyntaxError {
            file: file.to_string(),
            line: e.line,
            message: e.message,
            src: NamedSource::new(file, text.to_string()),
            span: (start, e.span.len().max(1)).into(),
        });
    }
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
        let Some((function, at, items, places, mut uses)) = parse_line(line).map_err(mk)? else {
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
        for u in &mut uses {
            u.at += base;
        }
        out.push(Entry {
            function,
            line: i + 1,
            at: base + at,
            items,
            places,
            uses,
        });
    }
    Ok(out)
}

/// A hint that is well-formed but does not fit the function it names.
#[derive(Debug, thiserror::Error, Diagnostic)]
#[error("{file}:{line}: {message}")]
#[diagnostic(code(espb::hints))]
pub struct HintMismatch {
    pub file: String,
    pub line: usize,
    pub message: String,
    #[source_code]
    pub src: NamedSource<String>,
    #[label("{message}")]
    pub span: SourceSpan,
}

/// A hint for a function the scripts never call: harmless, but probably a typo.
#[derive(Debug, thiserror::Error, Diagnostic)]
#[error("{file}:{line}: `{function}` is not called by the scripts; this hint has no effect")]
#[diagnostic(
    code(espb::hints::unused),
    severity(Warning),
    help("check the spelling against the functions the scripts call (`cargo espb dump`)")
)]
pub struct UnusedHint {
    pub file: String,
    pub line: usize,
    pub function: String,
    #[source_code]
    pub src: NamedSource<String>,
    #[label("not an import of the module")]
    pub span: SourceSpan,
}

#[derive(Debug, thiserror::Error, Diagnostic)]
#[error("{count} hint(s) do not fit the functions they name")]
#[diagnostic(code(espb::hints), help("argument indices are 0-based and count the function's arguments after macro expansion (docs/hints.md)"))]
pub struct HintsInvalid {
    pub count: usize,
    #[related]
    pub errors: Vec<HintMismatch>,
}

/// Checks each entry against the signature the module imports its function
/// with: argument indices in range, pointers where a pointer is needed,
/// integers where a size is read.
pub fn check_against(
    entries: &[Entry],
    m: &Module<'_>,
    text: &str,
    file: &str,
) -> (Vec<HintMismatch>, Vec<UnusedHint>) {
    let (mut errors, mut unused) = (Vec::new(), Vec::new());
    for e in entries {
        let Some(imp) = m.imports.iter().find(|i| i.name == e.function) else {
            unused.push(UnusedHint {
                file: file.to_string(),
                line: e.line,
                function: e.function.clone(),
                src: NamedSource::new(file, text.to_string()),
                span: (e.at, e.function.len()).into(),
            });
            continue;
        };
        let Some(sig) = m.types.get(imp.ty as usize) else {
            continue;
        };
        // Places already described, per kind: a callback/user-data value, or
        // a buffer the native reads or writes.
        let mut seen: Vec<(bool, u32, Option<u32>)> = Vec::new();
        let errors_before = errors.len();
        for u in &e.uses {
            let is_value = matches!(u.role, "cb" | "ud");
            let key = (is_value, u.param, u.field);
            let twice = u.role != "size" && seen.contains(&key);
            if u.role != "size" {
                seen.push(key);
            }
            let problem = match sig.params.get(u.param as usize) {
                _ if twice => Some(format!(
                    "argument {}{} of `{}` is described twice",
                    u.param,
                    u.field.map(|f| format!(" +{f}")).unwrap_or_default(),
                    e.function
                )),
                None => Some(format!(
                    "argument {} is out of range: `{}` takes {} argument(s)",
                    u.param,
                    e.function,
                    sig.params.len()
                )),
                Some(t)
                    if (u.field.is_some()
                        || matches!(u.role, "in" | "out" | "inout" | "cb" | "ud"))
                        && *t != ValType::Ptr =>
                {
                    Some(format!(
                        "argument {} of `{}` is {}, not a pointer",
                        u.param,
                        e.function,
                        t.name()
                    ))
                }
                Some(t) if u.role == "size" && !matches!(t, ValType::I32 | ValType::I64) => {
                    Some(format!(
                        "argument {} of `{}` is {}, not an integer size",
                        u.param,
                        e.function,
                        t.name()
                    ))
                }
                _ => None,
            };
            if let Some(message) = problem {
                errors.push(HintMismatch {
                    file: file.to_string(),
                    line: e.line,
                    message,
                    src: NamedSource::new(file, text.to_string()),
                    span: (u.at, u.len).into(),
                });
            }
        }
        // Then the translator's own check of the entry (what it would
        // refuse), pointing at the function name.
        if errors.len() == errors_before {
            let line = text.lines().nth(e.line.saturating_sub(1)).unwrap_or("");
            let parsed = espb_codegen::hints::Hints::parse(line).ok();
            if let Some(fh) = parsed.as_ref().and_then(|h| h.get(&e.function)) {
                if let Err(message) = fh.check(&e.function, sig) {
                    errors.push(HintMismatch {
                        file: file.to_string(),
                        line: e.line,
                        message,
                        src: NamedSource::new(file, text.to_string()),
                        span: (e.at, e.function.len()).into(),
                    });
                }
            }
        }
    }
    (errors, unused)
}

pub fn run(cx: &Context, a: &CheckHintsArgs) -> Result<u8> {
    let project = cx.project()?;
    let files: Vec<PathBuf> = if a.files.is_empty() {
        let p = project
            .as_ref()
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
    let mut parsed = Vec::new();
    for f in &files {
        let shown = display_name(f);
        let text =
            std::fs::read_to_string(f).map_err(|e| miette::miette!("reading {shown}: {e}"))?;
        let entries = check(&text, &shown)?;
        parsed.push((shown, text, entries));
    }

    // In a project, check against the imports of the module the scripts
    // build to (translated without the project's hints, which could not be
    // applied if they are wrong).
    let built = match &project {
        Some(p) => Some(super::build::build_probe(cx, p)?),
        None => None,
    };
    let module = match &built {
        Some(b) => Some(espb_format::parse(&b.bytes).map_err(|e| miette::miette!("{e}"))?),
        None => None,
    };
    let mut errors = Vec::new();
    for (shown, text, entries) in &parsed {
        if let Some(m) = &module {
            let (errs, unused) = check_against(entries, m, text, shown);
            for w in &unused {
                cx.rep.warning(w);
            }
            errors.extend(errs);
        }
        if cx.rep.json() {
            let list: Vec<_> = entries
                .iter()
                .map(|e| serde_json::json!({"function": e.function, "line": e.line, "hints": e.items}))
                .collect();
            cx.rep
                .emit(&serde_json::json!({"reason": "hints", "file": shown, "entries": list}));
        } else if !cx.rep.quiet {
            println!("{shown}: {} entries", entries.len());
            for e in entries {
                println!("  {:<32} {}", e.function, e.items.join(", "));
            }
        }
    }
    if !errors.is_empty() {
        return Err(HintsInvalid {
            count: errors.len(),
            errors,
        }
        .into());
    }
    if let Some(p) = &project {
        let built = super::build::build_project(cx, p, &Default::default())?;
        print_table(cx, &built.translation);
    }
    Ok(0)
}

/// The final FFI metadata as the translator applied it: per import, each
/// argument's role and where it came from (analysis, bundled hints, the
/// project's hints), then what the translator wants the user to know.
fn print_table(cx: &Context, t: &TranslationStats) {
    if cx.rep.json() {
        cx.rep
            .emit(&serde_json::json!({"reason": "ffi-table", "imports": t.ffi}));
        return;
    }
    if cx.rep.quiet {
        return;
    }
    println!("\nFFI metadata ({} imports):", t.ffi.len());
    println!(
        "  {:<28} {:<12} {:<28} source",
        "import", "argument", "role"
    );
    for i in &t.ffi {
        let fast = i
            .fast
            .as_ref()
            .map(|(t, n)| format!(" [{t}:{n}]"))
            .unwrap_or_default();
        if i.items.is_empty() {
            println!(
                "  {:<28} {:<12} {:<28} -",
                format!("{}{fast}", i.name),
                "",
                "(plain values)"
            );
        }
        for x in &i.items {
            let role = if x.emitted {
                x.role.clone()
            } else {
                format!("{} (not emitted)", x.role)
            };
            println!(
                "  {:<28} {:<12} {:<28} {}",
                format!("{}{fast}", i.name),
                x.argument,
                role,
                x.source
            );
        }
    }
    for i in &t.ffi {
        for n in &i.notes {
            println!("  note: {}: {n}", i.name);
        }
    }
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
            ("f: out x\n", "x", "expected a number"),
            ("f: bogus 1\n", "bogus", "unknown hint `bogus`"),
            ("f: ud 1\n", "ud", "must follow"),
            ("f: cb 0 (int)\n", "int", "unknown type `int`"),
            ("f out 1\n", "out", "expected `:`"),
            ("f: out 1 out 2\n", "out", "expected `,`"),
            ("f: out 1\ng: in 0\nf: in 2\n", "f: in 2", "hints twice"),
        ] {
            let e = check(text, "x.hints").unwrap_err();
            assert!(e.message.contains(msg), "{text:?}: {}", e.message);
            // The span starts at the offending word.
            assert!(
                text[e.span.offset()..].starts_with(bad),
                "{text:?}: span at {}",
                e.span.offset()
            );
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
