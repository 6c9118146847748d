//! Property tests: random valid modules survive encode → decode → encode and
//! disassemble → assemble unchanged; no byte string, random or mutated from a
//! valid module, makes the reader panic.
//!
//! Modules are generated from raw numbers that a deterministic builder maps
//! into valid ranges, so shrinking a failure shrinks towards small indices,
//! short bodies and simple instructions.

mod common;

use std::borrow::Cow;

use espb_format::text::{assemble, disassemble};
use espb_format::*;
use proptest::prelude::*;

#[derive(Debug, Clone)]
struct TypeSpec {
    params: Vec<u8>,
    result: Option<u8>,
    variadic: bool,
}

#[derive(Debug, Clone)]
struct FuncSpec {
    ty: u32,
    flags: u8,
    extra_regs: u16,
    frame: u32,
    align: u8,
    /// (opcode choice, operand raws)
    code: Vec<(u16, Vec<u64>)>,
}

/// (name, type raw, fast-symbol (table raw, index))
type ImportSpec = (String, u32, Option<(u32, u32)>);
/// (files, [(function raw, rows of (offset, file, line) raws)])
type LinesSpec = (Vec<String>, Vec<(u32, Vec<[u32; 3]>)>);

#[derive(Debug, Clone)]
struct Spec {
    types: Vec<TypeSpec>,
    symtabs: Vec<(String, u64)>,
    imports: Vec<ImportSpec>,
    funcs: Vec<FuncSpec>,
    memory: (u32, u32, u32),
    data: Vec<(u32, Vec<u8>)>,
    exports: Vec<(String, u32)>,
    start: Option<u32>,
    callbacks: Vec<[u32; 6]>,
    pointers: Vec<[u32; 6]>,
    lines: Option<LinesSpec>,
    names: Vec<(u32, String)>,
    custom: Vec<(String, Vec<u8>)>,
}

/// Any characters, control characters and quotes included: names must
/// survive the text form's quoting.
fn name() -> impl Strategy<Value = String> {
    prop::collection::vec(any::<char>(), 0..6).prop_map(String::from_iter)
}

fn spec() -> impl Strategy<Value = Spec> {
    let ty = (
        prop::collection::vec(0u8..5, 0..5),
        prop::option::of(0u8..5),
        prop::bool::weighted(0.2),
    )
        .prop_map(|(params, result, variadic)| TypeSpec {
            params,
            result,
            variadic,
        });
    let instr = (any::<u16>(), prop::collection::vec(any::<u64>(), 8));
    let func = (
        any::<u32>(),
        any::<u8>(),
        0u16..40,
        0u32..64,
        0u8..13,
        prop::collection::vec(instr, 0..24),
    )
        .prop_map(|(ty, flags, extra_regs, frame, align, code)| FuncSpec {
            ty,
            flags,
            extra_regs,
            frame,
            align,
            code,
        });
    let lines = prop::option::of((
        prop::collection::vec(name(), 0..3),
        prop::collection::vec(
            (any::<u32>(), prop::collection::vec(any::<[u32; 3]>(), 0..4)),
            0..3,
        ),
    ));
    (
        (
            prop::collection::vec(ty, 1..6),
            prop::collection::vec((name(), any::<u64>()), 0..3),
            prop::collection::vec(
                (name(), any::<u32>(), prop::option::of(any::<(u32, u32)>())),
                0..5,
            ),
            prop::collection::vec(func, 1..5),
            (0u32..0x1_0000, 0u32..0x10_0000, 0u32..0x1_0000),
            prop::collection::vec(
                (any::<u32>(), prop::collection::vec(any::<u8>(), 0..16)),
                0..4,
            ),
        ),
        (
            prop::collection::vec((name(), any::<u32>()), 0..4),
            prop::option::of(any::<u32>()),
            prop::collection::vec(any::<[u32; 6]>(), 0..3),
            prop::collection::vec(any::<[u32; 6]>(), 0..3),
            lines,
            prop::collection::vec((any::<u32>(), name()), 0..3),
            prop::collection::vec((name(), prop::collection::vec(any::<u8>(), 0..8)), 0..2),
        ),
    )
        .prop_map(
            |(
                (types, symtabs, imports, funcs, memory, data),
                (exports, start, callbacks, pointers, lines, names, custom),
            )| Spec {
                types,
                symtabs,
                imports,
                funcs,
                memory,
                data,
                exports,
                start,
                callbacks,
                pointers,
                lines,
                names,
                custom,
            },
        )
}

fn pick<T: Copy>(items: &[T], raw: u64) -> Option<T> {
    (!items.is_empty()).then(|| items[(raw % items.len() as u64) as usize])
}

fn valtype(b: u8) -> ValType {
    ValType::from_u8(b % 5).unwrap()
}

/// Registers a call to a function of type `t` needs (with the hidden
/// variadic pointer for module callees).
fn window(t: &FuncType, hidden: bool) -> usize {
    (t.params.len() + (hidden && t.variadic) as usize).max(t.result.is_some() as usize)
}

/// Builds a valid module from `spec`.
fn build(spec: &Spec) -> Module<'static> {
    let mut m = Module::<'static> {
        types: spec
            .types
            .iter()
            .map(|t| FuncType {
                params: t.params.iter().map(|&p| valtype(p)).collect(),
                result: t.result.map(valtype),
                variadic: t.variadic,
            })
            .collect(),
        ..Default::default()
    };
    let ntypes = m.types.len() as u32;
    m.symtabs = spec
        .symtabs
        .iter()
        .map(|(n, h)| SymTabRef {
            name: n.clone().into(),
            hash: *h,
        })
        .collect();
    for (name, ty, fast) in &spec.imports {
        let kind = match fast {
            Some((t, i)) if !m.symtabs.is_empty() => ImportKind::Fast {
                table: t % m.symtabs.len() as u32,
                index: *i,
            },
            _ => ImportKind::Name,
        };
        m.imports.push(Import {
            name: name.clone().into(),
            ty: ty % ntypes,
            kind,
        });
    }
    // A call-site signature for each variadic import: its fixed parameters
    // and one promoted variadic argument.
    let mut var_sites = Vec::new();
    for (i, imp) in m.imports.iter().enumerate() {
        let t = &m.types[imp.ty as usize];
        if t.variadic {
            let mut params = t.params.clone();
            params.push(ValType::F64);
            var_sites.push((
                i as u32,
                FuncType {
                    params,
                    result: t.result,
                    variadic: false,
                },
            ));
        }
    }
    let var_sites: Vec<(u32, u32)> = var_sites
        .into_iter()
        .map(|(i, t)| {
            m.types.push(t);
            (i, m.types.len() as u32 - 1)
        })
        .collect();
    let fixed_imports: Vec<u32> = (0..m.imports.len() as u32)
        .filter(|&i| !m.types[m.imports[i as usize].ty as usize].variadic)
        .collect();

    let (data_end, heap, stack) = spec.memory;
    m.memory = MemoryReq {
        data_end: NULL_GUARD + data_end,
        heap_size: heap,
        stack_size: stack,
    };
    for (addr, bytes) in &spec.data {
        let room = data_end - bytes.len().min(data_end as usize) as u32;
        let bytes: Vec<u8> = bytes.iter().copied().take(data_end as usize).collect();
        m.data.push(DataSegment {
            addr: NULL_GUARD + addr % (room + 1),
            bytes: bytes.into(),
        });
    }

    let func_tys: Vec<u32> = spec
        .funcs
        .iter()
        .map(|f| f.ty % m.types.len() as u32)
        .collect();
    for (fi, f) in spec.funcs.iter().enumerate() {
        let fty = m.types[func_tys[fi] as usize].clone();
        let regs = (window(&fty, true).max(1) as u16 + f.extra_regs).min(256);
        let code = build_code(&m, &func_tys, &fixed_imports, &var_sites, &fty, regs, f);
        // LEAF is a promise the validator checks: only call-free bodies get it.
        let mut flags = f.flags & func_flags::ALL;
        if has_call(&code) {
            flags &= !func_flags::LEAF;
        }
        m.functions.push(Function {
            ty: func_tys[fi],
            flags,
            regs,
            frame_size: f.frame,
            frame_align_log2: f.align,
            code: code.into(),
        });
    }
    let nfuncs = m.functions.len() as u32;

    let mut seen = std::collections::BTreeSet::new();
    for (name, f) in &spec.exports {
        if seen.insert(name.clone()) {
            m.exports.push(Export {
                name: name.clone().into(),
                func: f % nfuncs,
            });
        }
    }
    let startable: Vec<u32> = (0..nfuncs)
        .filter(|&i| {
            let t = m.func_type(i).unwrap();
            t.params.is_empty() && t.result.is_none() && !t.variadic
        })
        .collect();
    m.start = spec.start.and_then(|s| pick(&startable, s.into()));

    // Metadata designates pointer parameters (and integer size parameters).
    let params_where = |import: u32, want: fn(ValType) -> bool| -> Vec<u32> {
        let params = &m.types[m.imports[import as usize].ty as usize].params;
        (0..params.len() as u32)
            .filter(|&p| want(params[p as usize]))
            .collect()
    };
    let is_ptr = |t: ValType| t == ValType::Ptr;
    let is_int = |t: ValType| matches!(t, ValType::I32 | ValType::I64);
    let with_ptr: Vec<u32> = (0..m.imports.len() as u32)
        .filter(|&i| !params_where(i, is_ptr).is_empty())
        .collect();
    let callback_types: Vec<u32> = (0..ntypes)
        .filter(|&t| !m.types[t as usize].variadic)
        .collect();
    let place = |param: u32, offset: u32, field: bool| {
        if field {
            ArgPlace::Field { param, offset }
        } else {
            ArgPlace::Param(param)
        }
    };
    let mut callbacks = Vec::new();
    for c in &spec.callbacks {
        let (Some(import), Some(ty)) = (
            pick(&with_ptr, c[0].into()),
            pick(&callback_types, c[2].into()),
        ) else {
            break;
        };
        let ptrs = params_where(import, is_ptr);
        let user_data =
            (c[4] % 3 != 0).then(|| place(pick(&ptrs, c[5].into()).unwrap(), c[3], c[4] % 3 == 2));
        let at = place(pick(&ptrs, c[1].into()).unwrap(), c[3], c[2] % 2 == 1);
        callbacks.push(CallbackMeta {
            import,
            place: at,
            ty,
            user_data,
        });
    }
    let mut pointers = Vec::new();
    for p in &spec.pointers {
        let Some(import) = pick(&with_ptr, p[0].into()) else {
            break;
        };
        let dir = [Direction::In, Direction::Out, Direction::InOut][(p[2] % 3) as usize];
        let size = match (p[3] % 3, pick(&params_where(import, is_int), p[4].into())) {
            (1, Some(param)) => SizeSpec::Param { param, scale: p[5] },
            (2, _) => SizeSpec::StrLen,
            _ => SizeSpec::Const(p[4]),
        };
        let param = pick(&params_where(import, is_ptr), p[1].into()).unwrap();
        pointers.push(PtrMeta {
            import,
            param,
            // Every third entry describes a pointer field inside a struct.
            field: (p[3] % 3 == 0 && p[2] % 2 == 0).then_some(p[4] & !3),
            dir,
            size,
            handles: p[5] % 2 == 1,
        });
    }
    m.callbacks = callbacks;
    m.pointers = pointers;
    if let Some((files, funcs)) = &spec.lines {
        let mut lines = LineTables {
            files: files.iter().map(|f| Cow::Owned(f.clone())).collect(),
            funcs: Vec::new(),
        };
        for (func, rows) in funcs {
            let func = func % nfuncs;
            let len = m.functions[func as usize].code.len() as u32;
            let mut rows: Vec<LineRow> = if lines.files.is_empty() {
                Vec::new()
            } else {
                rows.iter()
                    .map(|r| LineRow {
                        offset: r[0] % len,
                        file: r[1] % lines.files.len() as u32,
                        line: r[2],
                    })
                    .collect()
            };
            rows.sort_by_key(|r| r.offset);
            lines.funcs.push(FuncLines { func, rows });
        }
        m.lines = Some(lines);
    }
    m.names = spec
        .names
        .iter()
        .map(|(f, n)| (f % nfuncs, Cow::Owned(n.clone())))
        .collect();
    m.custom = spec
        .custom
        .iter()
        .map(|(n, b)| Custom {
            name: n.clone().into(),
            bytes: b.clone().into(),
        })
        .collect();
    m
}

/// A body of valid instructions: operands mapped into range, calls only where
/// the window fits, targets fixed up to instruction starts once the layout is
/// known, and a final return of the function's kind.
fn build_code(
    m: &Module<'_>,
    func_tys: &[u32],
    fixed_imports: &[u32],
    var_sites: &[(u32, u32)],
    fty: &FuncType,
    regs: u16,
    f: &FuncSpec,
) -> Vec<u8> {
    let fits = |t: &FuncType, hidden: bool| window(t, hidden) <= regs as usize;
    let base_for = |t: &FuncType, hidden: bool, raw: u64| {
        let w = window(t, hidden) as u64;
        (raw % (regs as u64 - w.min(regs as u64 - 1))) as u8
    };
    let ret = || match fty.result {
        Some(_) => Instr::Ret { src: 0 },
        None => Instr::RetVoid {},
    };
    let mut instrs: Vec<Instr> = Vec::new();
    for (choice, raw) in &f.code {
        let op = Opcode::ALL[*choice as usize % Opcode::ALL.len()];
        let mut raws = raw.iter().copied();
        let mut next = || raws.next().unwrap_or(0);
        let mut ops = Vec::new();
        // Resolved up front, as they constrain the other operands.
        let callee = (op == Opcode::Call)
            .then(|| next() % func_tys.len() as u64)
            .map(|i| i as u32);
        let import = match op {
            Opcode::CallImport | Opcode::ImportAddr => pick(fixed_imports, next()),
            Opcode::CallImportVar => pick(var_sites, next()).map(|(i, _)| i),
            _ => None,
        };
        let site = var_sites
            .iter()
            .find(|(i, _)| Some(*i) == import)
            .map(|(_, t)| *t);
        let ind_ty = (next() % m.types.len() as u64) as u32;
        let call_ty: Option<(&FuncType, bool)> = match op {
            Opcode::Call => callee.map(|c| (&m.types[func_tys[c as usize] as usize], true)),
            Opcode::CallImport => {
                import.map(|i| (&m.types[m.imports[i as usize].ty as usize], false))
            }
            Opcode::CallImportVar => site.map(|t| (&m.types[t as usize], false)),
            Opcode::CallIndirect => Some((&m.types[ind_ty as usize], true)),
            _ => None,
        };
        let unusable = matches!(
            op,
            Opcode::Call | Opcode::CallImport | Opcode::CallImportVar | Opcode::CallIndirect
        ) && !call_ty.is_some_and(|(t, h)| fits(t, h))
            || op == Opcode::ImportAddr && import.is_none()
            || op == Opcode::FrameAddr && f.frame == 0;
        if unusable {
            instrs.push(Instr::Nop {});
            continue;
        }
        for (k, kind) in op.operands().iter().enumerate() {
            let r = next();
            ops.push(match kind {
                OperandKind::Dst => Operand::Dst((r % regs as u64) as u8),
                OperandKind::Reg => Operand::Reg((r % regs as u64) as u8),
                OperandKind::Base => {
                    let (t, hidden) = call_ty.unwrap();
                    Operand::Base(base_for(t, hidden, r))
                }
                OperandKind::U8 => Operand::U8(match op {
                    Opcode::AtomicRmw => {
                        ((r % AtomicOp::COUNT as u64) as u8) << 2 | (r >> 8) as u8 & 3
                    }
                    Opcode::Trap => r as u8,
                    _ => (r % 4) as u8,
                }),
                OperandKind::I32 => Operand::I32(r as i32),
                OperandKind::U32 => Operand::U32(match op {
                    Opcode::FrameAddr => (r % f.frame as u64) as u32,
                    _ => 1 << (r % 13),
                }),
                OperandKind::I64 => Operand::I64(r as i64),
                // Raw for now: fixed up to an instruction start below.
                OperandKind::Tgt => Operand::Tgt(r as u32),
                OperandKind::Func => {
                    Operand::Func(callee.unwrap_or((r % func_tys.len() as u64) as u32))
                }
                OperandKind::Imp => Operand::Imp(import.unwrap()),
                OperandKind::Ty => Operand::Ty(match op {
                    Opcode::CallImportVar => site.unwrap(),
                    _ => ind_ty,
                }),
                OperandKind::Tbl => Operand::Tbl(
                    (0..r % 5)
                        .map(|j| (r >> (8 + j)) as u32 ^ k as u32)
                        .collect(),
                ),
            });
        }
        let instr = Instr::from_operands(op, ops).unwrap();
        instrs.push(match instr {
            Instr::Ret { .. } | Instr::RetVoid {} => ret(),
            other => other,
        });
    }
    instrs.push(ret());
    let mut starts = Vec::new();
    let mut pc = 0u32;
    for i in &instrs {
        starts.push(pc);
        pc += i.encoded_len() as u32;
    }
    let fix = |t: u32| starts[t as usize % starts.len()];
    let mut code = Vec::new();
    for instr in instrs {
        let op = instr.opcode();
        let ops = instr
            .operands()
            .into_iter()
            .map(|o| match o {
                Operand::Tgt(t) => Operand::Tgt(fix(t)),
                Operand::Tbl(ts) => Operand::Tbl(ts.into_iter().map(fix).collect()),
                o => o,
            })
            .collect();
        Instr::from_operands(op, ops).unwrap().encode(&mut code);
    }
    code
}

fn has_call(code: &[u8]) -> bool {
    let mut pc = 0;
    while let Ok((instr, len)) = Instr::decode(code, pc) {
        if instr.opcode().is_call() {
            return true;
        }
        pc += len;
    }
    false
}

/// A few byte-level mutations of `bytes`.
fn mutate(bytes: &[u8], edits: &[(u32, u8, u8)]) -> Vec<u8> {
    let mut b = bytes.to_vec();
    for &(at, value, how) in edits {
        let at = at as usize % (b.len() + 1);
        match how % 5 {
            0 if at < b.len() => b[at] = value,
            1 if at < b.len() => b[at] ^= 1 << (value % 8),
            2 => b.insert(at, value),
            3 if at < b.len() => {
                b.remove(at);
            }
            4 => b.truncate(at),
            _ => {}
        }
    }
    b
}

/// An error points into the file.
fn check_error_offset(bytes: &[u8]) {
    if let Err(e) = parse(bytes) {
        assert!(
            e.offset <= bytes.len(),
            "{e} is past the end of {} bytes",
            bytes.len()
        );
    }
}

/// Whatever the reader accepts must round-trip in both forms.
fn assert_round_trips(m: &Module<'_>) {
    let bytes = m.to_bytes();
    let decoded = parse(&bytes).expect("an encoded valid module parses");
    assert_eq!(&decoded, m);
    assert_eq!(decoded.to_bytes(), bytes, "encode → decode → encode");
    let text = disassemble(&decoded);
    let assembled = assemble(&text).unwrap_or_else(|e| panic!("{e}\n{text}"));
    assert_eq!(&assembled, m, "{text}");
    assert_eq!(assembled.to_bytes(), bytes, "disassemble → assemble");
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn random_valid_modules_round_trip(spec in spec()) {
        let m = build(&spec);
        if let Err(e) = m.validate() {
            panic!("generated module is invalid: {e}\n{}", disassemble(&m));
        }
        assert_round_trips(&m);
    }

    #[test]
    fn random_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..512)) {
        check_error_offset(&bytes);
        // With a valid header, the section table and sections get exercised too.
        let mut framed = b"ESPB".to_vec();
        framed.extend_from_slice(&[espb_format::VERSION_MAJOR, 0, 0, 0]);
        framed.extend_from_slice(&[bytes.len().min(4) as u8, 0, 0, 0]);
        framed.extend_from_slice(&bytes);
        if let Ok(m) = parse(&framed) {
            assert_round_trips(&m);
        }
        check_error_offset(&framed);
    }

    #[test]
    fn mutated_modules_never_panic(
        spec in spec(),
        edits in prop::collection::vec((any::<u32>(), any::<u8>(), any::<u8>()), 1..6),
    ) {
        let bytes = build(&spec).to_bytes();
        for base in [bytes, common::full_bytes(), common::sample_bytes()] {
            let mutated = mutate(&base, &edits);
            if let Ok(m) = parse(&mutated) {
                assert_round_trips(&m);
            }
            check_error_offset(&mutated);
        }
    }
}
