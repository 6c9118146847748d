//! `cargo espb dump <file.espb>`: what a module contains, for people
//! (summary tables and the disassembly) or tools (`--json`).

use std::fmt::Write;

use espb_format::writer::{HEADER_SIZE, SECTION_ENTRY_SIZE};
use espb_format::{func_flags, ArgPlace, Direction, ImportKind, Module, SectionId, SizeSpec};
use miette::{miette, Result};

use espb_runtime::jit::Plan;
use espb_runtime::JitMode;

use super::Context;
use crate::cli::DumpArgs;
use crate::summary::ModuleStats;

pub fn run(cx: &Context, a: &DumpArgs) -> Result<()> {
    let path = cx.cwd.join(&a.file);
    let bytes: espb_format::AlignedBytes = std::fs::read(&path)
        .map_err(|e| miette!("reading {}: {e}", a.file.display()))?
        .into();
    let m = espb_format::parse(&bytes).map_err(|e| {
        miette!(
            help = "the file is damaged or was not written by `cargo espb build`",
            "{} is not a valid module: {e}",
            a.file.display()
        )
    })?;
    let stats = ModuleStats::of(&m, bytes.len());
    let jit = espb_runtime::jit::plan(&m, a.jit);
    if cx.rep.json() {
        cx.rep
            .emit(&json(&m, &stats, &sections(&bytes), a.jit, &jit));
    } else {
        print!("{}", human(&m, &stats, &sections(&bytes), a.jit, &jit));
    }
    Ok(())
}

/// What the JIT does with one function, for people.
fn jit_text(p: &Plan) -> String {
    match p {
        Plan::Interpreted => "interpreted".into(),
        Plan::Compiled { bytes, stats } => format!(
            "compiled, {bytes} bytes ({} inline, {} via the interpreter ({} of them direct calls to compiled code), {} registers in machine registers)",
            stats.inline, stats.helper, stats.direct, stats.cached
        ),
        Plan::Refused(r) => format!("interpreted: {r}"),
    }
}

fn jit_json(p: &Plan) -> serde_json::Value {
    match p {
        Plan::Interpreted => serde_json::json!({"status": "interpreted"}),
        Plan::Compiled { bytes, stats } => serde_json::json!({
            "status": "compiled", "bytes": bytes, "inline": stats.inline,
            "helper": stats.helper, "direct_calls": stats.direct,
            "cached_registers": stats.cached,
        }),
        Plan::Refused(r) => serde_json::json!({"status": "refused", "reason": r.to_string()}),
    }
}

/// One entry of the file's section table.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct SectionRow {
    pub name: &'static str,
    pub offset: u32,
    pub size: u32,
}

/// The section table as it lies in the file (header: magic, version, flags,
/// count, reserved; then 12-byte entries: id, 3 reserved, offset, size; see
/// docs/format.md). Called on bytes the reader already validated, and still
/// reads with checked accesses.
pub fn sections(bytes: &[u8]) -> Vec<SectionRow> {
    let u16_at = |o: usize| {
        bytes
            .get(o..o + 2)
            .map(|b| u16::from_le_bytes([b[0], b[1]]))
    };
    let u32_at = |o: usize| {
        bytes
            .get(o..o + 4)
            .map(|b| u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
    };
    let count = u16_at(8).unwrap_or(0) as usize;
    let mut out = Vec::with_capacity(count);
    for i in 0..count {
        let at = HEADER_SIZE + i * SECTION_ENTRY_SIZE;
        let (Some(&id), Some(offset), Some(size)) = (bytes.get(at), u32_at(at + 4), u32_at(at + 8))
        else {
            break;
        };
        let name = SectionId::from_u8(id).map_or("unknown", SectionId::name);
        out.push(SectionRow { name, offset, size });
    }
    out
}

fn flags_text(flags: u8) -> String {
    let mut v = Vec::new();
    if flags & func_flags::HOT != 0 {
        v.push("hot");
    }
    if flags & func_flags::LEAF != 0 {
        v.push("leaf");
    }
    if flags & func_flags::USES_FLOAT != 0 {
        v.push("float");
    }
    v.join(",")
}

pub fn place(p: ArgPlace) -> String {
    match p {
        ArgPlace::Param(i) => format!("arg {i}"),
        ArgPlace::Field { param, offset } => format!("arg {param} +{offset}"),
    }
}

fn size(s: SizeSpec) -> String {
    match s {
        SizeSpec::Const(n) => format!("{n} bytes"),
        SizeSpec::Param { param, scale: 1 } => format!("arg {param} bytes"),
        SizeSpec::Param { param, scale } => format!("arg {param} * {scale} bytes"),
        SizeSpec::StrLen => "string".into(),
    }
}

pub fn dir(d: Direction) -> &'static str {
    match d {
        Direction::In => "in",
        Direction::Out => "out",
        Direction::InOut => "inout",
    }
}

/// FFI metadata of import `i`, one description per argument that has any.
fn ffi_of(m: &Module<'_>, i: u32) -> Vec<String> {
    let mut v = Vec::new();
    for c in m.callbacks.iter().filter(|c| c.import == i) {
        let ud = c
            .user_data
            .map(|u| format!(", user data {}", place(u)))
            .unwrap_or_default();
        v.push(format!("callback {} (ty{}){ud}", place(c.place), c.ty));
    }
    for p in m.pointers.iter().filter(|p| p.import == i) {
        let h = if p.handles { ", handles" } else { "" };
        let at = place(match p.field {
            Some(offset) => ArgPlace::Field {
                param: p.param,
                offset,
            },
            None => ArgPlace::Param(p.param),
        });
        v.push(format!("{} {at}: {}{h}", dir(p.dir), size(p.size)));
    }
    v
}

fn human(
    m: &Module<'_>,
    s: &ModuleStats,
    secs: &[SectionRow],
    mode: JitMode,
    jit: &[Plan],
) -> String {
    let mut o = String::new();
    let _ = writeln!(o, "module: {} bytes", s.size);
    let _ = writeln!(o, "\nsections:");
    let _ = writeln!(o, "  {:<10} {:>8} {:>8}", "name", "offset", "size");
    for sec in secs {
        let _ = writeln!(o, "  {:<10} {:>#8x} {:>8}", sec.name, sec.offset, sec.size);
    }
    let _ = writeln!(o);
    let _ = writeln!(
        o,
        "contents: {} types, {} imports, {} functions ({} code bytes), {} data segments ({} bytes), {} exports, \
         {} callbacks, {} pointer hints, {} symbol tables, line tables: {}",
        m.types.len(),
        m.imports.len(),
        m.functions.len(),
        s.code_bytes,
        m.data.len(),
        s.data_bytes,
        m.exports.len(),
        m.callbacks.len(),
        m.pointers.len(),
        m.symtabs.len(),
        if s.line_tables { "yes" } else { "no" }
    );
    let _ = writeln!(
        o,
        "memory: data_end {:#x}, heap {} bytes, stack {} bytes per task",
        s.data_end, s.heap_size, s.stack_size
    );
    if !m.imports.is_empty() {
        let _ = writeln!(o, "\nimports:");
        for (i, imp) in m.imports.iter().enumerate() {
            let how = match imp.kind {
                ImportKind::Name => "by name".to_string(),
                ImportKind::Fast { table, index } => format!("fast {table}:{index}"),
            };
            let _ = writeln!(o, "  imp{i:<4} {:<32} ty{:<4} {how}", imp.name, imp.ty);
            for f in ffi_of(m, i as u32) {
                let _ = writeln!(o, "           {f}");
            }
        }
    }
    if !m.exports.is_empty() {
        let _ = writeln!(o, "\nexports:");
        for e in &m.exports {
            let _ = writeln!(o, "  {:<32} f{}", e.name, e.func);
        }
    }
    let _ = writeln!(o, "\nfunctions:");
    let _ = writeln!(
        o,
        "  {:<6} {:<28} {:>5} {:>5} {:>6} {:>7}  flags",
        "index", "name", "type", "regs", "frame", "bytes"
    );
    for (i, f) in m.functions.iter().enumerate() {
        let name = m.func_name(i as u32).unwrap_or("");
        let _ = writeln!(
            o,
            "  f{i:<5} {name:<28} {:>5} {:>5} {:>6} {:>7}  {}",
            format!("ty{}", f.ty),
            f.regs,
            f.frame_size,
            f.code.len(),
            flags_text(f.flags)
        );
    }
    let _ = writeln!(o, "\nRISC-V JIT (--jit {}):", mode.name());
    for (i, p) in jit.iter().enumerate() {
        let name = m.func_name(i as u32).unwrap_or("");
        let _ = writeln!(o, "  f{i:<5} {name:<28} {}", jit_text(p));
    }
    let _ = writeln!(o, "\ndisassembly:");
    o.push_str(&espb_format::text::disassemble(m));
    o
}

fn json(
    m: &Module<'_>,
    s: &ModuleStats,
    secs: &[SectionRow],
    mode: JitMode,
    jit: &[Plan],
) -> serde_json::Value {
    let imports: Vec<_> = m
        .imports
        .iter()
        .enumerate()
        .map(|(i, imp)| {
            let kind = match imp.kind {
                ImportKind::Name => serde_json::json!({"by": "name"}),
                ImportKind::Fast { table, index } => serde_json::json!({"by": "fast", "table": table, "index": index}),
            };
            serde_json::json!({"index": i, "name": imp.name, "type": imp.ty, "kind": kind, "ffi": ffi_of(m, i as u32)})
        })
        .collect();
    let functions: Vec<_> = m
        .functions
        .iter()
        .enumerate()
        .map(|(i, f)| {
            serde_json::json!({
                "index": i, "name": m.func_name(i as u32), "type": f.ty, "regs": f.regs,
                "frame_size": f.frame_size, "code_bytes": f.code.len(), "flags": flags_text(f.flags),
                "jit": jit.get(i).map(jit_json),
            })
        })
        .collect();
    let exports: Vec<_> = m
        .exports
        .iter()
        .map(|e| serde_json::json!({"name": e.name, "func": e.func}))
        .collect();
    serde_json::json!({
        "reason": "module",
        "jit_mode": mode.name(),
        "stats": s,
        "sections": secs,
        "imports": imports,
        "exports": exports,
        "functions": functions,
        "disassembly": espb_format::text::disassemble(m),
    })
}
