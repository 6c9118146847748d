//! The text form (`.espbs`): the disassembler's output, which the assembler
//! reads back to the identical module. Syntax in `docs/format.md` §Text form.

use alloc::borrow::Cow;
use alloc::collections::BTreeMap;
use alloc::collections::BTreeSet;
use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;
use core::fmt::Write;

use crate::instr::{Instr, Operand};
use crate::module::*;
use crate::opcodes::OperandKind;

// ------------------------------------------------------------------------
// disassembler

fn quote(s: &str) -> String {
    let mut out = String::from("\"");
    for ch in s.chars() {
        match ch {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if (c as u32) < 0x20 || c as u32 == 0x7f => {
                let _ = write!(out, "\\x{:02x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

fn hex(bytes: &[u8]) -> String {
    let mut s = String::with_capacity(bytes.len() * 2 + 2);
    s.push('"');
    for b in bytes {
        let _ = write!(s, "{b:02x}");
    }
    s.push('"');
    s
}

fn place_text(p: &ArgPlace) -> String {
    match *p {
        ArgPlace::Param(i) => format!("p{i}"),
        ArgPlace::Field { param, offset } => format!("p{param}+{offset}"),
    }
}

fn type_text(t: &FuncType) -> String {
    let mut params: Vec<&str> = t.params.iter().map(|p| p.name()).collect();
    if t.variadic {
        params.push("...");
    }
    format!(
        "({}) -> {}",
        params.join(", "),
        t.result.map_or("void", |r| r.name())
    )
}

/// Formats one instruction; branch targets print as `L<offset>`.
pub fn instr_text(instr: &Instr) -> String {
    let mut s = String::from(instr.opcode().mnemonic());
    for (i, op) in instr.operands().iter().enumerate() {
        s.push_str(if i == 0 { " " } else { ", " });
        match op {
            Operand::Dst(r) | Operand::Reg(r) | Operand::Base(r) => {
                let _ = write!(s, "r{r}");
            }
            Operand::U8(v) => {
                let _ = write!(s, "{v}");
            }
            Operand::I32(v) => {
                let _ = write!(s, "{v}");
            }
            Operand::U32(v) => {
                let _ = write!(s, "{v}");
            }
            Operand::I64(v) => {
                let _ = write!(s, "{v}");
            }
            Operand::Tgt(t) => {
                let _ = write!(s, "L{t}");
            }
            Operand::Func(f) => {
                let _ = write!(s, "f{f}");
            }
            Operand::Imp(f) => {
                let _ = write!(s, "imp{f}");
            }
            Operand::Ty(f) => {
                let _ = write!(s, "ty{f}");
            }
            Operand::Tbl(ts) => {
                s.push('[');
                for (j, t) in ts.iter().enumerate() {
                    if j > 0 {
                        s.push_str(", ");
                    }
                    let _ = write!(s, "L{t}");
                }
                s.push(']');
            }
        }
    }
    s
}

/// Disassembles a (valid) module to text that [`assemble`] reads back.
pub fn disassemble(m: &Module<'_>) -> String {
    let mut out = String::new();
    let w = &mut out;
    for (i, t) in m.types.iter().enumerate() {
        let _ = writeln!(w, ".type {}  ; ty{i}", type_text(t));
    }
    for t in &m.symtabs {
        let _ = writeln!(w, ".symtab {} {:#018x}", quote(&t.name), t.hash);
    }
    for (i, imp) in m.imports.iter().enumerate() {
        let _ = write!(w, ".import {} ty{}", quote(&imp.name), imp.ty);
        if let ImportKind::Fast { table, index } = imp.kind {
            let _ = write!(w, " fast {table} {index}");
        }
        let _ = writeln!(w, "  ; imp{i}");
    }
    let _ = writeln!(
        w,
        ".memory data_end {:#x} heap {:#x} stack {:#x}",
        m.memory.data_end, m.memory.heap_size, m.memory.stack_size
    );
    for d in &m.data {
        let _ = writeln!(w, ".data {:#x} {}", d.addr, hex(&d.bytes));
    }
    // One map rather than `func_name` per function: that scan is linear,
    // which would make disassembly quadratic in a hostile module.
    let mut names: BTreeMap<u32, &str> = BTreeMap::new();
    for (f, n) in &m.names {
        names.entry(*f).or_insert(n);
    }
    for (i, f) in m.functions.iter().enumerate() {
        let _ = write!(
            w,
            "\n.func ty{} regs {} frame {} align {}",
            f.ty, f.regs, f.frame_size, f.frame_align_log2
        );
        let mut flags = Vec::new();
        if f.flags & func_flags::HOT != 0 {
            flags.push("hot");
        }
        if f.flags & func_flags::LEAF != 0 {
            flags.push("leaf");
        }
        if f.flags & func_flags::USES_FLOAT != 0 {
            flags.push("float");
        }
        if !flags.is_empty() {
            let _ = write!(w, " flags {}", flags.join("|"));
        }
        let _ = write!(w, "  ; f{i}");
        if let Some(n) = names.get(&(i as u32)) {
            // Quoted: a raw name could end the comment with a line break.
            let _ = write!(w, " {}", quote(n));
        }
        w.push('\n');
        // Collect the branch targets to print labels.
        let mut decoded = Vec::new();
        let mut labels = BTreeSet::new();
        let mut pc = 0;
        while pc < f.code.len() {
            match Instr::decode(&f.code, pc) {
                Ok((instr, len)) => {
                    for op in instr.operands() {
                        match op {
                            Operand::Tgt(t) => {
                                labels.insert(t);
                            }
                            Operand::Tbl(ts) => labels.extend(ts),
                            _ => {}
                        }
                    }
                    decoded.push((pc, Some(instr)));
                    pc += len;
                }
                Err(_) => {
                    decoded.push((pc, None));
                    break;
                }
            }
        }
        for (pc, instr) in decoded {
            if labels.contains(&(pc as u32)) {
                let _ = writeln!(w, "L{pc}:");
            }
            match instr {
                Some(instr) => {
                    let _ = writeln!(w, "    {}", instr_text(&instr));
                }
                None => {
                    let rest = f.code.get(pc..).unwrap_or_default();
                    let _ = writeln!(w, "    .bytes {}  ; undecodable", hex(rest));
                }
            }
        }
        let _ = writeln!(w, ".end");
    }
    if !m.functions.is_empty() {
        w.push('\n');
    }
    for e in &m.exports {
        let _ = writeln!(w, ".export {} f{}", quote(&e.name), e.func);
    }
    if let Some(s) = m.start {
        let _ = writeln!(w, ".start f{s}");
    }
    for c in &m.callbacks {
        let _ = write!(
            w,
            ".callback imp{} {} ty{}",
            c.import,
            place_text(&c.place),
            c.ty
        );
        if let Some(ud) = &c.user_data {
            let _ = write!(w, " ud {}", place_text(ud));
        }
        w.push('\n');
    }
    for p in &m.pointers {
        let dir = match p.dir {
            Direction::In => "in",
            Direction::Out => "out",
            Direction::InOut => "inout",
        };
        let place = match p.field {
            Some(offset) => place_text(&ArgPlace::Field {
                param: p.param,
                offset,
            }),
            None => place_text(&ArgPlace::Param(p.param)),
        };
        let _ = write!(w, ".pointer imp{} {place} {dir} ", p.import);
        match p.size {
            SizeSpec::Const(n) => {
                let _ = write!(w, "const {n}");
            }
            SizeSpec::Param { param, scale } => {
                let _ = write!(w, "p{param}*{scale}");
            }
            SizeSpec::StrLen => w.push_str("strlen"),
        }
        if p.handles {
            w.push_str(" handles");
        }
        w.push('\n');
    }
    if let Some(lines) = &m.lines {
        let _ = writeln!(w, ".lines");
        for f in &lines.files {
            let _ = writeln!(w, ".file {}", quote(f));
        }
        for fl in &lines.funcs {
            let _ = write!(w, ".linetable f{}", fl.func);
            for r in &fl.rows {
                let _ = write!(w, " {}:{}:{}", r.offset, r.file, r.line);
            }
            w.push('\n');
        }
    }
    for (f, n) in &m.names {
        let _ = writeln!(w, ".name f{f} {}", quote(n));
    }
    for c in &m.custom {
        let _ = writeln!(w, ".custom {} {}", quote(&c.name), hex(&c.bytes));
    }
    out
}

// ------------------------------------------------------------------------
// assembler

/// An assembler error: the 1-based line and what is wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AsmError {
    pub line: usize,
    pub message: String,
}

impl core::fmt::Display for AsmError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "line {}: {}", self.line, self.message)
    }
}

#[cfg(feature = "std")]
impl std::error::Error for AsmError {}

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Word(String),
    Str(String),
}

fn tokenize(line: &str) -> Result<Vec<Tok>, String> {
    let mut toks = Vec::new();
    let mut chars = line.chars().peekable();
    while let Some(&c) = chars.peek() {
        match c {
            ';' => break,
            c if c.is_whitespace() || c == ',' || c == '(' || c == ')' || c == '[' || c == ']' => {
                chars.next();
            }
            '"' => {
                chars.next();
                let mut s = String::new();
                loop {
                    match chars.next() {
                        None => return Err("unterminated string".into()),
                        Some('"') => break,
                        Some('\\') => match chars.next() {
                            Some('"') => s.push('"'),
                            Some('\\') => s.push('\\'),
                            Some('n') => s.push('\n'),
                            Some('x') => {
                                let h: String = chars.by_ref().take(2).collect();
                                let v = match h
                                    .chars()
                                    .map(|c| c.to_digit(16))
                                    .collect::<Option<Vec<_>>>()
                                {
                                    Some(d) if d.len() == 2 => {
                                        d.iter().fold(0, |acc, d| acc * 16 + d)
                                    }
                                    _ => return Err(format!("bad escape \\x{h}")),
                                };
                                s.push(char::from_u32(v).ok_or("bad escape")?);
                            }
                            other => return Err(format!("bad escape {other:?}")),
                        },
                        Some(c) => s.push(c),
                    }
                }
                toks.push(Tok::Str(s));
            }
            _ => {
                let mut s = String::new();
                while let Some(&c) = chars.peek() {
                    if c.is_whitespace() || matches!(c, ',' | '(' | ')' | '[' | ']' | ';' | '"') {
                        break;
                    }
                    s.push(c);
                    chars.next();
                }
                toks.push(Tok::Word(s));
            }
        }
    }
    Ok(toks)
}

fn parse_int(s: &str) -> Result<i128, String> {
    let (neg, body) = match s.strip_prefix('-') {
        Some(b) => (true, b),
        None => (false, s),
    };
    // `from_str_radix` and `parse` accept a sign of their own; one is enough.
    if body.starts_with(['+', '-']) {
        return Err(format!("expected a number, found `{s}`"));
    }
    let v = if let Some(h) = body.strip_prefix("0x") {
        i128::from_str_radix(h, 16)
    } else {
        body.parse::<i128>()
    }
    .map_err(|_| format!("expected a number, found `{s}`"))?;
    Ok(if neg { -v } else { v })
}

fn int<T: TryFrom<i128>>(s: &str) -> Result<T, String> {
    let v = parse_int(s)?;
    T::try_from(v).map_err(|_| format!("number `{s}` out of range"))
}

fn prefixed<T: TryFrom<i128>>(s: &str, prefix: &str) -> Result<T, String> {
    let body = s
        .strip_prefix(prefix)
        .ok_or_else(|| format!("expected `{prefix}N`, found `{s}`"))?;
    int(body)
}

fn unhex(s: &str) -> Result<Vec<u8>, String> {
    // Work on bytes: slicing the `str` could split a multi-byte character.
    let digit = |b: u8| {
        (b as char)
            .to_digit(16)
            .ok_or_else(|| format!("bad hex digit in \"{s}\""))
    };
    let bytes = s.as_bytes();
    if !bytes.len().is_multiple_of(2) {
        return Err("hex string has an odd length".into());
    }
    bytes
        .chunks_exact(2)
        .map(|pair| match *pair {
            [hi, lo] => Ok((digit(hi)? * 16 + digit(lo)?) as u8),
            _ => Err("hex string has an odd length".into()),
        })
        .collect()
}

fn parse_place(s: &str) -> Result<ArgPlace, String> {
    let body = s
        .strip_prefix('p')
        .ok_or_else(|| format!("expected `pN` or `pN+OFF`, found `{s}`"))?;
    match body.split_once('+') {
        Some((p, o)) => Ok(ArgPlace::Field {
            param: int(p)?,
            offset: int(o)?,
        }),
        None => Ok(ArgPlace::Param(int(body)?)),
    }
}

struct Toks {
    toks: Vec<Tok>,
    pos: usize,
}

impl Toks {
    fn word(&mut self) -> Result<String, String> {
        match self.toks.get(self.pos) {
            Some(Tok::Word(w)) => {
                self.pos += 1;
                Ok(w.clone())
            }
            Some(Tok::Str(s)) => Err(format!("expected a word, found string \"{s}\"")),
            None => Err("unexpected end of line".into()),
        }
    }
    fn string(&mut self) -> Result<String, String> {
        match self.toks.get(self.pos) {
            Some(Tok::Str(s)) => {
                self.pos += 1;
                Ok(s.clone())
            }
            Some(Tok::Word(w)) => Err(format!("expected a quoted string, found `{w}`")),
            None => Err("unexpected end of line".into()),
        }
    }
    fn keyword(&mut self, kw: &str) -> Result<(), String> {
        let w = self.word()?;
        if w == kw {
            Ok(())
        } else {
            Err(format!("expected `{kw}`, found `{w}`"))
        }
    }
    fn peek_word(&self) -> Option<&str> {
        match self.toks.get(self.pos) {
            Some(Tok::Word(w)) => Some(w),
            _ => None,
        }
    }
    fn done(&self) -> Result<(), String> {
        match self.toks.get(self.pos) {
            Some(Tok::Word(w)) => Err(format!("unexpected `{w}` at end of line")),
            Some(Tok::Str(s)) => Err(format!("unexpected string \"{s}\" at end of line")),
            None => Ok(()),
        }
    }
}

struct PendingFunc {
    ty: u32,
    regs: u16,
    frame_size: u32,
    frame_align_log2: u8,
    flags: u8,
    /// (line, instruction text tokens) in order, with label definitions.
    items: Vec<(usize, FuncItem)>,
}

enum FuncItem {
    Label(String),
    Instr(Vec<Tok>),
    Bytes(Vec<u8>),
}

/// Assembles `.espbs` text into a module. The result is not validated: call
/// [`Module::validate`] (tests deliberately assemble invalid modules).
pub fn assemble(text: &str) -> Result<Module<'static>, AsmError> {
    let mut m = Module::<'static> {
        memory: MemoryReq {
            data_end: NULL_GUARD,
            ..Default::default()
        },
        ..Default::default()
    };
    let mut func: Option<PendingFunc> = None;
    for (idx, raw) in text.lines().enumerate() {
        let line = idx + 1;
        let err = |message: String| AsmError { line, message };
        let toks = tokenize(raw).map_err(err)?;
        if toks.is_empty() {
            continue;
        }
        let mut t = Toks { toks, pos: 0 };
        if let Some(mut f) = func.take() {
            let first = t.word().map_err(err)?;
            if first == ".end" {
                let code = assemble_body(&f).map_err(|(l, m)| AsmError {
                    line: l,
                    message: m,
                })?;
                m.functions.push(Function {
                    ty: f.ty,
                    flags: f.flags,
                    regs: f.regs,
                    frame_size: f.frame_size,
                    frame_align_log2: f.frame_align_log2,
                    code: Cow::Owned(code),
                });
            } else {
                if let Some(label) = first.strip_suffix(':') {
                    f.items.push((line, FuncItem::Label(label.into())));
                } else if first == ".bytes" {
                    let s = t.string().map_err(err)?;
                    f.items
                        .push((line, FuncItem::Bytes(unhex(&s).map_err(err)?)));
                } else {
                    f.items.push((line, FuncItem::Instr(t.toks)));
                }
                func = Some(f);
            }
            continue;
        }
        directive(&mut m, &mut func, &mut t).map_err(err)?;
    }
    if func.is_some() {
        return Err(AsmError {
            line: text.lines().count(),
            message: "missing `.end` for the last `.func`".into(),
        });
    }
    Ok(m)
}

fn directive(
    m: &mut Module<'static>,
    func: &mut Option<PendingFunc>,
    t: &mut Toks,
) -> Result<(), String> {
    let d = t.word()?;
    match d.as_str() {
        ".type" => {
            let mut params = Vec::new();
            let mut variadic = false;
            loop {
                let w = t.word()?;
                if w == "->" {
                    break;
                }
                if w == "..." {
                    variadic = true;
                    continue;
                }
                params.push(ValType::from_name(&w).ok_or_else(|| format!("unknown type `{w}`"))?);
            }
            let r = t.word()?;
            let result = if r == "void" {
                None
            } else {
                Some(ValType::from_name(&r).ok_or_else(|| format!("unknown type `{r}`"))?)
            };
            m.types.push(FuncType {
                params,
                result,
                variadic,
            });
        }
        ".symtab" => {
            let name = t.string()?;
            let hash = int::<u64>(&t.word()?)?;
            m.symtabs.push(SymTabRef {
                name: name.into(),
                hash,
            });
        }
        ".import" => {
            let name = t.string()?;
            let ty = prefixed(&t.word()?, "ty")?;
            let kind = if t.peek_word() == Some("fast") {
                t.word()?;
                ImportKind::Fast {
                    table: int(&t.word()?)?,
                    index: int(&t.word()?)?,
                }
            } else {
                ImportKind::Name
            };
            m.imports.push(Import {
                name: name.into(),
                ty,
                kind,
            });
        }
        ".memory" => {
            t.keyword("data_end")?;
            m.memory.data_end = int(&t.word()?)?;
            t.keyword("heap")?;
            m.memory.heap_size = int(&t.word()?)?;
            t.keyword("stack")?;
            m.memory.stack_size = int(&t.word()?)?;
        }
        ".data" => {
            let addr = int(&t.word()?)?;
            let bytes = unhex(&t.string()?)?;
            m.data.push(DataSegment {
                addr,
                bytes: Cow::Owned(bytes),
            });
        }
        ".func" => {
            let ty = prefixed(&t.word()?, "ty")?;
            t.keyword("regs")?;
            let regs = int(&t.word()?)?;
            t.keyword("frame")?;
            let frame_size = int(&t.word()?)?;
            t.keyword("align")?;
            let frame_align_log2 = int(&t.word()?)?;
            let mut flags = 0;
            if t.peek_word() == Some("flags") {
                t.word()?;
                for f in t.word()?.split('|') {
                    flags |= match f {
                        "hot" => func_flags::HOT,
                        "leaf" => func_flags::LEAF,
                        "float" => func_flags::USES_FLOAT,
                        _ => return Err(format!("unknown function flag `{f}`")),
                    };
                }
            }
            *func = Some(PendingFunc {
                ty,
                regs,
                frame_size,
                frame_align_log2,
                flags,
                items: Vec::new(),
            });
        }
        ".export" => {
            let name = t.string()?;
            let func = prefixed(&t.word()?, "f")?;
            m.exports.push(Export {
                name: name.into(),
                func,
            });
        }
        ".start" => m.start = Some(prefixed(&t.word()?, "f")?),
        ".callback" => {
            let import = prefixed(&t.word()?, "imp")?;
            let place = parse_place(&t.word()?)?;
            let ty = prefixed(&t.word()?, "ty")?;
            let user_data = if t.peek_word() == Some("ud") {
                t.word()?;
                Some(parse_place(&t.word()?)?)
            } else {
                None
            };
            m.callbacks.push(CallbackMeta {
                import,
                place,
                ty,
                user_data,
            });
        }
        ".pointer" => {
            let import = prefixed(&t.word()?, "imp")?;
            let (param, field) = match parse_place(&t.word()?)? {
                ArgPlace::Param(param) => (param, None),
                ArgPlace::Field { param, offset } => (param, Some(offset)),
            };
            let dir = match t.word()?.as_str() {
                "in" => Direction::In,
                "out" => Direction::Out,
                "inout" => Direction::InOut,
                w => return Err(format!("expected in/out/inout, found `{w}`")),
            };
            let w = t.word()?;
            let size = if w == "const" {
                SizeSpec::Const(int(&t.word()?)?)
            } else if w == "strlen" {
                SizeSpec::StrLen
            } else {
                let (p, s) = w
                    .split_once('*')
                    .ok_or_else(|| format!("expected a size, found `{w}`"))?;
                SizeSpec::Param {
                    param: prefixed(p, "p")?,
                    scale: int(s)?,
                }
            };
            let handles = if t.peek_word() == Some("handles") {
                t.word()?;
                true
            } else {
                false
            };
            m.pointers.push(PtrMeta {
                import,
                param,
                field,
                dir,
                size,
                handles,
            });
        }
        ".lines" => {
            m.lines.get_or_insert_with(Default::default);
        }
        ".file" => {
            let f = t.string()?;
            m.lines
                .get_or_insert_with(Default::default)
                .files
                .push(f.into());
        }
        ".linetable" => {
            let func = prefixed(&t.word()?, "f")?;
            let mut rows = Vec::new();
            while t.pos < t.toks.len() {
                let w = t.word()?;
                let parts: Vec<&str> = w.split(':').collect();
                let [offset, file, line] = parts[..] else {
                    return Err(format!("expected offset:file:line, found `{w}`"));
                };
                rows.push(LineRow {
                    offset: int(offset)?,
                    file: int(file)?,
                    line: int(line)?,
                });
            }
            m.lines
                .get_or_insert_with(Default::default)
                .funcs
                .push(FuncLines { func, rows });
        }
        ".name" => {
            let f = prefixed(&t.word()?, "f")?;
            let n = t.string()?;
            m.names.push((f, n.into()));
        }
        ".custom" => {
            let name = t.string()?;
            let bytes = unhex(&t.string()?)?;
            m.custom.push(Custom {
                name: name.into(),
                bytes: Cow::Owned(bytes),
            });
        }
        other => return Err(format!("unknown directive `{other}`")),
    }
    t.done()
}

/// Two passes: lay out instructions to find label offsets, then encode.
fn assemble_body(f: &PendingFunc) -> Result<Vec<u8>, (usize, String)> {
    let mut labels: BTreeMap<String, u32> = BTreeMap::new();
    // Instruction sizes never depend on target values, so pass 1 resolves every label to 0.
    let mut offset = 0u32;
    for (line, item) in &f.items {
        match item {
            FuncItem::Label(l) => {
                if labels.insert(l.clone(), offset).is_some() {
                    return Err((*line, format!("label `{l}` defined twice")));
                }
            }
            FuncItem::Bytes(b) => offset += b.len() as u32,
            FuncItem::Instr(toks) => {
                let instr = parse_instr(toks, &|_| Some(0)).map_err(|e| (*line, e))?;
                offset += instr.encoded_len() as u32;
            }
        }
    }
    let resolve = |name: &str| -> Option<u32> {
        if let Some(o) = labels.get(name) {
            return Some(*o);
        }
        // `L<offset>` names a raw offset even where no label is defined (the
        // disassembler of an invalid module prints targets that are not starts).
        name.strip_prefix('L').and_then(|n| n.parse().ok())
    };
    let mut code = Vec::new();
    for (line, item) in &f.items {
        match item {
            FuncItem::Label(_) => {}
            FuncItem::Bytes(b) => code.extend_from_slice(b),
            FuncItem::Instr(toks) => parse_instr(toks, &resolve)
                .map_err(|e| (*line, e))?
                .encode(&mut code),
        }
    }
    Ok(code)
}

fn parse_instr(toks: &[Tok], resolve: &dyn Fn(&str) -> Option<u32>) -> Result<Instr, String> {
    let mut t = Toks {
        toks: toks.to_vec(),
        pos: 0,
    };
    let mn = t.word()?;
    let op = crate::instr::Opcode::from_mnemonic(&mn)
        .ok_or_else(|| format!("unknown instruction `{mn}`"))?;
    let label = |w: &str| resolve(w).ok_or_else(|| format!("unknown label `{w}`"));
    let mut operands = Vec::new();
    for (&kind, name) in op.operands().iter().zip(op.operand_names()) {
        let ctx = |e: String| format!("{mn}: operand `{name}`: {e}");
        let operand = match kind {
            OperandKind::Dst => Operand::Dst(prefixed(&t.word()?, "r").map_err(ctx)?),
            OperandKind::Reg => Operand::Reg(prefixed(&t.word()?, "r").map_err(ctx)?),
            OperandKind::Base => Operand::Base(prefixed(&t.word()?, "r").map_err(ctx)?),
            OperandKind::U8 => Operand::U8(int(&t.word()?).map_err(ctx)?),
            OperandKind::I32 => Operand::I32(int(&t.word()?).map_err(ctx)?),
            OperandKind::U32 => Operand::U32(int(&t.word()?).map_err(ctx)?),
            OperandKind::I64 => Operand::I64(int(&t.word()?).map_err(ctx)?),
            OperandKind::Tgt => Operand::Tgt(label(&t.word()?).map_err(ctx)?),
            OperandKind::Func => Operand::Func(prefixed(&t.word()?, "f").map_err(ctx)?),
            OperandKind::Imp => Operand::Imp(prefixed(&t.word()?, "imp").map_err(ctx)?),
            OperandKind::Ty => Operand::Ty(prefixed(&t.word()?, "ty").map_err(ctx)?),
            OperandKind::Tbl => {
                let mut ts = Vec::new();
                while t.pos < t.toks.len() {
                    ts.push(label(&t.word()?).map_err(ctx)?);
                }
                Operand::Tbl(ts)
            }
        };
        operands.push(operand);
    }
    t.done().map_err(|e| format!("{mn}: {e}"))?;
    Instr::from_operands(op, operands).ok_or_else(|| format!("{mn}: wrong operands"))
}
