//! The `.hints` language: corrections to the translator's FFI analysis of
//! native functions (which arguments are callbacks, their user data, and which
//! pointers are read or written by the native side). Specified in
//! `docs/hints.md`.
//!
//! ```text
//! # native: item, item, ...
//! xTaskCreatePinnedToCore: cb 0 (ptr), ud 3, in 1 size strlen, out 5 handle
//! esp_timer_create: in 0 size 20, cb 0.0 (ptr), ud 0.4, out 1 handle
//! xQueueReceive: out 1
//! uart_write_bytes: in 1 size arg 2
//! ```
//!
//! How an entry combines with the analysis (see `ffi_analysis.rs`): the
//! entry decides every argument it mentions ([`FunctionHints::mentions`]),
//! the analysis keeps the others; what an item leaves open (a `cb` without
//! signature or `ud`, an `in`/`out` without `size`) is filled from the
//! analysis at the same place. [`FunctionHints::check`] applies the rules
//! the module validator and the runtime impose on the resulting metadata.

use std::collections::BTreeMap;
use std::fmt;
use std::ops::Range;

use espb_format::{ArgPlace, Direction, FuncType, SizeSpec, ValType};

/// A syntax or consistency error, with the byte span in the hints text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HintError {
    pub line: usize,
    pub span: Range<usize>,
    pub message: String,
}

impl fmt::Display for HintError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "line {}: {}", self.line, self.message)
    }
}

impl std::error::Error for HintError {}

/// A pointer argument (or struct field) the native side reads and/or writes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PointerHint {
    pub place: ArgPlace,
    pub dir: Direction,
    pub size: Option<SizeSpec>,
    /// The pointee holds a native handle (pointer-sized on the native side).
    pub handle: bool,
    /// The native only moves or compares the pointee's bytes (`qsort`'s
    /// array): module function references inside it stay as they are.
    pub opaque: bool,
}

/// A callback argument (or struct field), its signature if given, and its user data.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CallbackHint {
    pub place: ArgPlace,
    pub signature: Option<FuncType>,
    pub user_data: Option<ArgPlace>,
}

/// Everything the hints say about one native function.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct FunctionHints {
    pub pointers: Vec<PointerHint>,
    pub callbacks: Vec<CallbackHint>,
    /// Line of the entry in its file (for diagnostics).
    pub line: usize,
}

/// A parsed hints file: native name → hints.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Hints {
    pub functions: BTreeMap<String, FunctionHints>,
}

/// The hints bundled for ESP-IDF and FreeRTOS (`hints/esp-idf.hints`).
pub const BUNDLED_ESP_IDF: &str = include_str!("../../hints/esp-idf.hints");

impl Hints {
    /// The bundled ESP-IDF hints.
    pub fn bundled() -> Hints {
        // The bundled file is checked by a unit test, so this cannot fail at run time.
        Hints::parse(BUNDLED_ESP_IDF).unwrap_or_default()
    }

    /// Entries of `other` replace this set's entries for the same native
    /// (a user's hint for a function overrides the bundled one entirely).
    pub fn merge(&mut self, other: Hints) {
        self.functions.extend(other.functions);
    }

    pub fn get(&self, native: &str) -> Option<&FunctionHints> {
        self.functions.get(native)
    }

    pub fn parse(text: &str) -> Result<Hints, HintError> {
        let mut hints = Hints::default();
        let mut line_start = 0;
        for (i, raw) in text.split_inclusive('\n').enumerate() {
            let line = i + 1;
            let start = line_start;
            line_start += raw.len();
            let content = raw.split('#').next().unwrap_or("");
            if content.trim().is_empty() {
                continue;
            }
            let mut p = LineParser {
                text: content,
                pos: 0,
                base: start,
                line,
            };
            let (name, name_span) = p.ident()?;
            p.expect(':')?;
            let mut fh = FunctionHints {
                line,
                ..Default::default()
            };
            loop {
                p.item(&mut fh)?;
                p.skip_ws();
                if p.eat(',') {
                    continue;
                }
                if p.at_end() {
                    break;
                }
                return Err(p.error_here("expected `,` or the end of the line"));
            }
            if hints.functions.insert(name.clone(), fh).is_some() {
                return Err(HintError {
                    line,
                    span: name_span,
                    message: format!(
                        "`{name}` has hints twice in this file; merge them into one line"
                    ),
                });
            }
        }
        Ok(hints)
    }
}

impl FunctionHints {
    /// Checks the entry against the native's signature (from the module's
    /// import), so a wrong hint is reported, never applied. The rules are the
    /// ones the module validator and the runtime enforce on the metadata the
    /// entry becomes (`docs/format.md`, cbmeta/immeta), checked here so the
    /// message can name the hint instead of a malformed module.
    pub fn check(&self, native: &str, sig: &FuncType) -> Result<(), String> {
        let n = sig.params.len();
        let line = self.line;
        let at = |what: String| format!("hint for `{native}` (line {line}): {what}");
        let check_place = |p: &ArgPlace, what: &str| -> Result<(), String> {
            let param = match *p {
                ArgPlace::Param(i) => i,
                ArgPlace::Field { param, .. } => param,
            };
            match sig.params.get(param as usize) {
                None => Err(at(format!(
                    "{what} names argument {param}, but `{native}` takes {n} argument(s){}",
                    if sig.variadic {
                        " before its `...`"
                    } else {
                        ""
                    }
                ))),
                Some(ValType::Ptr) => Ok(()),
                Some(t) if what == "ud" => Err(at(format!(
                    "ud argument {param} is {}, not a pointer (user data that is not a \
                     pointer travels as a plain value and needs no hint)",
                    t.name()
                ))),
                Some(t) => Err(at(format!(
                    "{what} argument {param} is {}, not a pointer",
                    t.name()
                ))),
            }
        };
        // Arguments whose value is a callback or user data are marshalled as
        // such, so they cannot also be described as a buffer.
        let mut value_params: Vec<(u32, &str)> = Vec::new();
        let mut places: Vec<ArgPlace> = Vec::new();
        for cb in &self.callbacks {
            check_place(&cb.place, "cb")?;
            if let Some(ud) = &cb.user_data {
                check_place(ud, "ud")?;
            }
            for (p, what) in
                std::iter::once((cb.place, "cb")).chain(cb.user_data.map(|u| (u, "ud")))
            {
                if places.contains(&p) {
                    return Err(at(format!(
                        "{} is named twice as a callback or user data",
                        place_text(p)
                    )));
                }
                places.push(p);
                if let ArgPlace::Param(i) = p {
                    value_params.push((i, what));
                }
            }
        }
        let mut pointer_places: Vec<ArgPlace> = Vec::new();
        for ptr in &self.pointers {
            let word = match ptr.dir {
                Direction::In => "in",
                Direction::Out => "out",
                Direction::InOut => "inout",
            };
            check_place(&ptr.place, word)?;
            if pointer_places.contains(&ptr.place) {
                return Err(at(format!(
                    "{} has two pointer hints",
                    place_text(ptr.place)
                )));
            }
            pointer_places.push(ptr.place);
            if let ArgPlace::Param(i) = ptr.place {
                if let Some((_, what)) = value_params.iter().find(|(p, _)| *p == i) {
                    return Err(at(format!(
                        "argument {i} is both a buffer and a {what}; a {what} is passed as the value it is"
                    )));
                }
            }
            match ptr.size {
                Some(SizeSpec::Param { param, .. }) => match sig.params.get(param as usize) {
                    None => {
                        return Err(at(format!(
                            "size names argument {param}, but `{native}` takes {n}"
                        )))
                    }
                    Some(ValType::I32 | ValType::I64) => {}
                    Some(t) => {
                        return Err(at(format!(
                            "size argument {param} is {}, not an integer",
                            t.name()
                        )))
                    }
                },
                Some(SizeSpec::Const(c)) if ptr.handle && c % 4 != 0 => {
                    return Err(at(format!(
                        "a handle buffer holds 4-byte handles, but its size is {c}"
                    )))
                }
                _ => {}
            }
        }
        // A callback or user data inside a struct needs the struct itself
        // described as a constant-size buffer (the runtime rebuilds it with
        // native-width fields).
        for p in &places {
            let ArgPlace::Field { param, offset } = *p else {
                continue;
            };
            if offset % 4 != 0 {
                return Err(at(format!(
                    "field {param}.{offset} is not 4-byte aligned (callbacks and user data are pointers)"
                )));
            }
            let whole = self
                .pointers
                .iter()
                .find(|q| q.place == ArgPlace::Param(param));
            match whole.map(|q| q.size) {
                None => {
                    return Err(at(format!(
                        "field {param}.{offset} needs the struct described too: add `in {param} size BYTES`"
                    )))
                }
                Some(Some(SizeSpec::Const(size))) if offset.saturating_add(4) > size => {
                    return Err(at(format!(
                        "field {param}.{offset} lies outside the {size}-byte struct argument {param} points to"
                    )))
                }
                Some(Some(SizeSpec::Param { .. } | SizeSpec::StrLen)) => {
                    return Err(at(format!(
                        "argument {param} holds callbacks, so its size must be a constant (`in {param} size BYTES`)"
                    )))
                }
                Some(_) => {}
            }
        }
        Ok(())
    }
}

impl FunctionHints {
    /// Whether the entry says anything about argument `param` (itself or a
    /// field of the struct it points to).
    pub fn mentions(&self, param: u32) -> bool {
        let of = |p: &ArgPlace| match *p {
            ArgPlace::Param(i) => i,
            ArgPlace::Field { param, .. } => param,
        };
        self.pointers.iter().any(|p| of(&p.place) == param)
            || self.callbacks.iter().any(|c| {
                of(&c.place) == param || c.user_data.as_ref().is_some_and(|u| of(u) == param)
            })
    }
}

fn place_text(p: ArgPlace) -> String {
    match p {
        ArgPlace::Param(i) => format!("argument {i}"),
        ArgPlace::Field { param, offset } => format!("field {param}.{offset}"),
    }
}

struct LineParser<'a> {
    text: &'a str,
    pos: usize,
    base: usize,
    line: usize,
}

impl LineParser<'_> {
    fn skip_ws(&mut self) {
        while self.text[self.pos..].starts_with([' ', '\t', '\r', '\n']) {
            self.pos += 1;
        }
    }

    fn at_end(&mut self) -> bool {
        self.skip_ws();
        self.pos >= self.text.len()
    }

    fn eat(&mut self, c: char) -> bool {
        self.skip_ws();
        if self.text[self.pos..].starts_with(c) {
            self.pos += c.len_utf8();
            true
        } else {
            false
        }
    }

    fn expect(&mut self, c: char) -> Result<(), HintError> {
        if self.eat(c) {
            Ok(())
        } else {
            Err(self.error_here(&format!("expected `{c}`")))
        }
    }

    fn error_here(&self, message: &str) -> HintError {
        let len = self.text[self.pos..]
            .chars()
            .next()
            .map_or(0, char::len_utf8);
        HintError {
            line: self.line,
            span: self.base + self.pos..self.base + self.pos + len,
            message: message.to_string(),
        }
    }

    fn word(&mut self) -> (String, Range<usize>) {
        self.skip_ws();
        let start = self.pos;
        let len = self.text[start..]
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '-'))
            .unwrap_or(self.text.len() - start);
        self.pos += len;
        (
            self.text[start..start + len].to_string(),
            self.base + start..self.base + start + len,
        )
    }

    fn ident(&mut self) -> Result<(String, Range<usize>), HintError> {
        let (w, span) = self.word();
        if w.is_empty() || w.starts_with(|c: char| c.is_ascii_digit()) || w.contains('-') {
            return Err(HintError {
                line: self.line,
                span,
                message: "expected a C function name".into(),
            });
        }
        Ok((w, span))
    }

    fn number(&mut self) -> Result<u32, HintError> {
        let (w, span) = self.word();
        let parsed = match w.strip_prefix("0x") {
            Some(h) => u32::from_str_radix(h, 16),
            None => w.parse(),
        };
        parsed.map_err(|_| HintError {
            line: self.line,
            span,
            message: format!("expected a number, found `{w}`"),
        })
    }

    /// `N` (argument N) or `N.OFF` (field at byte OFF of the struct argument N points to).
    fn place(&mut self) -> Result<ArgPlace, HintError> {
        let param = self.number()?;
        if self.text[self.pos..].starts_with('.') {
            self.pos += 1;
            let offset = self.number()?;
            Ok(ArgPlace::Field { param, offset })
        } else {
            Ok(ArgPlace::Param(param))
        }
    }

    fn valtype(&mut self) -> Result<ValType, HintError> {
        let (w, span) = self.word();
        ValType::from_name(&w).ok_or(HintError {
            line: self.line,
            span,
            message: format!("unknown type `{w}` (expected i32, i64, f32, f64 or ptr)"),
        })
    }

    /// `(t, t, ...) [-> t]`
    fn signature(&mut self) -> Result<FuncType, HintError> {
        self.expect('(')?;
        let mut params = Vec::new();
        if !self.eat(')') {
            loop {
                params.push(self.valtype()?);
                if self.eat(')') {
                    break;
                }
                self.expect(',')?;
            }
        }
        self.skip_ws();
        let result = if self.text[self.pos..].starts_with("->") {
            self.pos += 2;
            self.skip_ws();
            if self.text[self.pos..].starts_with("void") {
                self.pos += 4;
                None
            } else {
                Some(self.valtype()?)
            }
        } else {
            None
        };
        Ok(FuncType {
            params,
            result,
            variadic: false,
        })
    }

    fn item(&mut self, fh: &mut FunctionHints) -> Result<(), HintError> {
        let (kw, span) = self.word();
        match kw.as_str() {
            "in" | "out" | "inout" => {
                let dir = match kw.as_str() {
                    "in" => Direction::In,
                    "out" => Direction::Out,
                    _ => Direction::InOut,
                };
                let place = self.place()?;
                let mut size = None;
                let mut handle = false;
                let mut opaque = false;
                loop {
                    let save = self.pos;
                    let (w, _) = self.word();
                    match w.as_str() {
                        "size" => size = Some(self.size()?),
                        "handle" => handle = true,
                        "opaque" => opaque = true,
                        _ => {
                            self.pos = save;
                            break;
                        }
                    }
                }
                fh.pointers.push(PointerHint {
                    place,
                    dir,
                    size,
                    handle,
                    opaque,
                });
            }
            "cb" => {
                let place = self.place()?;
                self.skip_ws();
                let signature = if self.text[self.pos..].starts_with('(') {
                    Some(self.signature()?)
                } else {
                    None
                };
                fh.callbacks.push(CallbackHint {
                    place,
                    signature,
                    user_data: None,
                });
            }
            "ud" => {
                let place = self.place()?;
                match fh.callbacks.last_mut() {
                    Some(cb) if cb.user_data.is_none() => cb.user_data = Some(place),
                    Some(_) => return Err(HintError {
                        line: self.line,
                        span,
                        message:
                            "this callback already has user data; write `cb N` before each `ud M`"
                                .into(),
                    }),
                    None => {
                        return Err(HintError {
                            line: self.line,
                            span,
                            message: "`ud` must follow the `cb` it belongs to".into(),
                        })
                    }
                }
            }
            _ => {
                return Err(HintError {
                    line: self.line,
                    span,
                    message: format!("unknown hint `{kw}` (expected in, out, inout, cb or ud)"),
                })
            }
        }
        Ok(())
    }

    /// `N` bytes, `arg K [* S]`, or `strlen`.
    fn size(&mut self) -> Result<SizeSpec, HintError> {
        self.skip_ws();
        let save = self.pos;
        let (w, _) = self.word();
        match w.as_str() {
            "strlen" => Ok(SizeSpec::StrLen),
            "arg" => {
                let param = self.number()?;
                let scale = if self.eat('*') { self.number()? } else { 1 };
                Ok(SizeSpec::Param { param, scale })
            }
            _ => {
                self.pos = save;
                Ok(SizeSpec::Const(self.number()?))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_every_form() {
        let h = Hints::parse(
            "# comment\n\
             xTaskCreatePinnedToCore: cb 0 (ptr), ud 3, in 1 size strlen, out 5 handle\n\
             esp_timer_create: in 0 size 20, cb 0.0 (ptr) -> void, ud 0.4, out 1 size 4 handle\n\
             uart_write_bytes: in 1 size arg 2 * 4\n",
        )
        .unwrap();
        let t = h.get("xTaskCreatePinnedToCore").unwrap();
        assert_eq!(t.callbacks[0].place, ArgPlace::Param(0));
        assert_eq!(t.callbacks[0].user_data, Some(ArgPlace::Param(3)));
        assert_eq!(
            t.callbacks[0].signature.as_ref().unwrap().params,
            vec![ValType::Ptr]
        );
        assert_eq!(
            t.pointers[0],
            PointerHint {
                place: ArgPlace::Param(1),
                dir: Direction::In,
                size: Some(SizeSpec::StrLen),
                handle: false,
                opaque: false
            }
        );
        assert!(t.pointers[1].handle && t.pointers[1].dir == Direction::Out);
        let e = h.get("esp_timer_create").unwrap();
        assert_eq!(
            e.callbacks[0].place,
            ArgPlace::Field {
                param: 0,
                offset: 0
            }
        );
        assert_eq!(
            e.callbacks[0].user_data,
            Some(ArgPlace::Field {
                param: 0,
                offset: 4
            })
        );
        assert_eq!(e.pointers[0].size, Some(SizeSpec::Const(20)));
        let u = h.get("uart_write_bytes").unwrap();
        assert_eq!(
            u.pointers[0].size,
            Some(SizeSpec::Param { param: 2, scale: 4 })
        );
    }

    #[test]
    fn errors_point_at_the_problem() {
        let text = "f: out 1\ng: cb 0, zz 2\n";
        let e = Hints::parse(text).unwrap_err();
        assert_eq!(e.line, 2);
        assert_eq!(&text[e.span.clone()], "zz");
        assert!(e.message.contains("unknown hint `zz`"));

        let e = Hints::parse("f: ud 1\n").unwrap_err();
        assert!(e.message.contains("must follow the `cb`"), "{e}");
        let e = Hints::parse("f: cb 0 (i33)\n").unwrap_err();
        assert!(e.message.contains("unknown type `i33`"), "{e}");
        let e = Hints::parse("f: out 1\nf: in 0\n").unwrap_err();
        assert!(e.message.contains("twice"), "{e}");
        let e = Hints::parse("f out 1\n").unwrap_err();
        assert!(e.message.contains("expected `:`"), "{e}");
        let e = Hints::parse("f: out x\n").unwrap_err();
        assert!(e.message.contains("expected a number"), "{e}");
    }

    #[test]
    fn check_rejects_wrong_argument_indices() {
        let h = Hints::parse("f: out 3\ng: cb 0, ud 1\n").unwrap();
        let sig = FuncType {
            params: vec![ValType::Ptr, ValType::Ptr],
            result: None,
            variadic: false,
        };
        let err = h.get("f").unwrap().check("f", &sig).unwrap_err();
        assert!(
            err.contains("names argument 3") && err.contains("takes 2"),
            "{err}"
        );
        h.get("g").unwrap().check("g", &sig).unwrap();
        let ints = FuncType {
            params: vec![ValType::I64, ValType::Ptr],
            result: None,
            variadic: false,
        };
        assert!(h
            .get("g")
            .unwrap()
            .check("g", &ints)
            .unwrap_err()
            .contains("not a pointer"));
    }

    /// Mutated hints text (every byte position replaced, deleted or given an
    /// extra character, including non-ASCII) is an error or a parse, never a
    /// panic; whatever parses is checked against signatures without panicking.
    #[test]
    fn mutated_hints_never_panic() {
        let base = BUNDLED_ESP_IDF;
        let sigs = [
            FuncType::default(),
            FuncType {
                params: vec![ValType::Ptr; 8],
                result: None,
                variadic: true,
            },
            FuncType {
                params: vec![ValType::I32, ValType::Ptr, ValType::I64],
                result: Some(ValType::I32),
                variadic: false,
            },
        ];
        let inserts = [
            "",
            ".",
            ":",
            "4294967295",
            ".4294967292",
            " cb 0.4294967292 (ptr),",
            ",",
            "0",
            "99999999999",
            "(",
            "->",
            "é",
            "\n",
            " size arg 9 *",
        ];
        let mut cases = 0;
        for (at, _) in base.char_indices().step_by(3) {
            for ins in inserts {
                let next = base[at..].chars().next().map_or(0, char::len_utf8);
                for text in [
                    format!("{}{}{}", &base[..at], ins, &base[at..]),
                    format!("{}{}{}", &base[..at], ins, &base[at + next..]),
                ] {
                    cases += 1;
                    if let Ok(h) = Hints::parse(&text) {
                        for (name, fh) in &h.functions {
                            for sig in &sigs {
                                let _ = fh.check(name, sig);
                                let _ = fh.mentions(3);
                            }
                        }
                    }
                }
            }
        }
        assert!(cases > 1000);
    }

    #[test]
    fn bundled_hints_parse_and_user_hints_override() {
        let mut h = Hints::parse(BUNDLED_ESP_IDF).unwrap();
        assert!(h.get("xTaskCreatePinnedToCore").is_some());
        assert!(h.get("esp_timer_create").is_some());
        let user = Hints::parse("esp_timer_create: out 1 handle\n").unwrap();
        h.merge(user);
        assert!(h.get("esp_timer_create").unwrap().callbacks.is_empty());
    }
}
