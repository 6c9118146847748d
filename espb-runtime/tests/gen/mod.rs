//! Modules built from bytes (`arbitrary::Unstructured`: the fuzzer's, or a
//! seeded generator's in `tests/random_exec.rs`): every
//! instruction of the opcode table, operands almost always in range (so most
//! modules pass the validator and run), branch targets at instruction starts
//! (so loops come out), a few registers preset to addresses inside linear
//! memory (so loads, stores and the builtins' buffers mostly hit), calls to
//! the module's functions and to builtins (`malloc`, `free`, `memcpy`,
//! `memset`, `strlen`, `snprintf`, `printf`). Now and then an operand is out
//! of range, so the validator's refusals are exercised too.

use arbitrary::{Result, Unstructured};
use espb_format::{
    DataSegment, Export, FuncType, Function, Import, ImportKind, Instr, MemoryReq, Module, Opcode,
    Operand, OperandKind, ValType,
};

/// Where data starts; the generated addresses point around here.
pub const DATA: u32 = 0x1000;
const DATA_LEN: u32 = 0x100;

const INTERESTING_I32: [i32; 14] = [
    0,
    1,
    -1,
    2,
    7,
    8,
    31,
    32,
    63,
    0x1000,
    0x1008,
    0x10ff,
    i32::MIN,
    i32::MAX,
];
const INTERESTING_I64: [i64; 8] = [0, 1, -1, 63, 64, 0x1000, i64::MIN, i64::MAX];

/// The module's function types (the builtins' first).
fn types() -> Vec<FuncType> {
    let t = |params: &[ValType], result: Option<ValType>, variadic: bool| FuncType {
        params: params.to_vec(),
        result,
        variadic,
    };
    use ValType::*;
    vec![
        t(&[], Some(I32), false),                   // 0: f()
        t(&[I32, I32], Some(I32), false),           // 1: f(a, b)
        t(&[I64], None, false),                     // 2: f(x)
        t(&[Ptr], None, false),                     // 3: free
        t(&[I32], Some(Ptr), false),                // 4: malloc
        t(&[Ptr], Some(I32), true),                 // 5: printf
        t(&[Ptr, Ptr, I32], Some(Ptr), false),      // 6: memcpy
        t(&[Ptr, I32, I32], Some(Ptr), false),      // 7: memset
        t(&[Ptr], Some(I32), false),                // 8: strlen
        t(&[Ptr, I32, Ptr], Some(I32), true),       // 9: snprintf
        t(&[Ptr, I32], Some(I32), false),           // 10: printf("%d") call site
        t(&[Ptr, I32, Ptr, I32], Some(I32), false), // 11: snprintf(.., "%d", v) call site
        t(&[F64, F32], Some(F64), false),           // 12: f(d, f)
    ]
}

/// Builtins imported: (name, type).
const IMPORTS: [(&str, u32); 7] = [
    ("free", 3),
    ("malloc", 4),
    ("printf", 5),
    ("memcpy", 6),
    ("memset", 7),
    ("strlen", 8),
    ("snprintf", 9),
];
/// Module function types the generator uses.
const FUNC_TYPES: [u32; 4] = [0, 1, 2, 12];

struct Shape {
    regs: u16,
    frame_size: u32,
    nfuncs: u32,
    has_result: bool,
}

fn rare(u: &mut Unstructured<'_>) -> Result<bool> {
    u.ratio(1u8, 64u8)
}

fn operand(u: &mut Unstructured<'_>, kind: OperandKind, f: &Shape, op: Opcode) -> Result<Operand> {
    let regs = f.regs as u64;
    let reg = |u: &mut Unstructured<'_>| -> Result<u8> {
        Ok(if rare(u)? {
            f.regs.min(255) as u8
        } else {
            u.int_in_range(0..=regs - 1)? as u8
        })
    };
    Ok(match kind {
        OperandKind::Dst => Operand::Dst(reg(u)?),
        OperandKind::Reg => Operand::Reg(reg(u)?),
        // Call windows take at most 4 registers here.
        OperandKind::Base => Operand::Base(if rare(u)? {
            (regs - 1) as u8
        } else {
            u.int_in_range(0..=regs.saturating_sub(5))? as u8
        }),
        OperandKind::U8 if op == Opcode::AtomicRmw => {
            let ops = if rare(u)? { 12 } else { 11 };
            Operand::U8((u.int_in_range(0..=ops - 1)? << 2 | u.int_in_range(0..=3u8)?) as u8)
        }
        OperandKind::U8 if op == Opcode::Trap => Operand::U8(u.int_in_range(0..=1)?),
        OperandKind::U8 => {
            let widths = if rare(u)? { 4 } else { 3 };
            Operand::U8(u.int_in_range(0..=widths)?)
        }
        OperandKind::I32 => Operand::I32(if u.ratio(3u8, 4u8)? {
            *u.choose(&INTERESTING_I32)? ^ u.int_in_range(0..=3)?
        } else {
            u.arbitrary()?
        }),
        OperandKind::U32 => Operand::U32(match op {
            Opcode::Alloca => 1 << u.int_in_range(0..=6)?,
            Opcode::FrameAddr => u.int_in_range(0..=f.frame_size.max(1) - 1)?,
            _ => u.int_in_range(0..=64)?,
        }),
        OperandKind::I64 => Operand::I64(if u.ratio(3u8, 4u8)? {
            *u.choose(&INTERESTING_I64)? ^ u.int_in_range(0..=3)?
        } else {
            u.arbitrary()?
        }),
        OperandKind::Tgt => Operand::Tgt(u32::MAX), // set after layout
        OperandKind::Func => {
            let last = f.nfuncs - 1 + rare(u)? as u32;
            Operand::Func(u.int_in_range(0..=last)?)
        }
        OperandKind::Imp => Operand::Imp(match op {
            Opcode::CallImportVar => *u.choose(&[2u32, 6])?,
            _ => u.int_in_range(0..=IMPORTS.len() as u32 - 1)?,
        }),
        OperandKind::Ty => Operand::Ty(match op {
            Opcode::CallImportVar => *u.choose(&[10u32, 11])?,
            _ => {
                let last = types().len() as u32 - 1 + rare(u)? as u32;
                u.int_in_range(0..=last)?
            }
        }),
        OperandKind::Tbl => Operand::Tbl(vec![u32::MAX; u.int_in_range(0..=4)?]),
    })
}

fn body(u: &mut Unstructured<'_>, f: &Shape) -> Result<Vec<u8>> {
    let mut instrs: Vec<Instr> = Vec::new();
    // Registers preset to addresses in the data segment.
    for r in 0..f.regs.min(4) as u8 {
        if u.ratio(1u8, 2u8)? {
            instrs.push(Instr::Const32 {
                dst: r,
                value: (DATA + 8 * r as u32) as i32,
            });
        }
    }
    let n = u.int_in_range(1..=40)?;
    for _ in 0..n {
        if u.is_empty() {
            break;
        }
        let op = *u.choose(Opcode::ALL)?;
        let op = match op {
            Opcode::Ret | Opcode::RetVoid if f.has_result => Opcode::Ret,
            Opcode::Ret | Opcode::RetVoid => Opcode::RetVoid,
            op => op,
        };
        let mut ops = Vec::new();
        for &k in op.operands() {
            ops.push(operand(u, k, f, op)?);
        }
        if let Some(i) = Instr::from_operands(op, ops) {
            instrs.push(i);
        }
    }
    instrs.push(if f.has_result {
        Instr::Ret { src: 0 }
    } else {
        Instr::RetVoid {}
    });
    let mut starts = Vec::new();
    let mut off = 0u32;
    for i in &instrs {
        starts.push(off);
        off += i.encoded_len() as u32;
    }
    let mut code = Vec::new();
    for i in instrs {
        let op = i.opcode();
        let mut ops = Vec::new();
        for o in i.operands() {
            ops.push(match o {
                Operand::Tgt(_) => Operand::Tgt(*u.choose(&starts)?),
                Operand::Tbl(ts) => {
                    let mut t = Vec::new();
                    for _ in ts {
                        t.push(*u.choose(&starts)?);
                    }
                    Operand::Tbl(t)
                }
                o => o,
            });
        }
        if let Some(i) = Instr::from_operands(op, ops) {
            i.encode(&mut code);
        }
    }
    Ok(code)
}

/// A module from the fuzzer's bytes; most of them validate.
pub fn module(u: &mut Unstructured<'_>) -> Result<Module<'static>> {
    let types = types();
    let nfuncs = u.int_in_range(1..=4)?;
    let mut functions = Vec::new();
    for _ in 0..nfuncs {
        let ty = *u.choose(&FUNC_TYPES)?;
        let shape = Shape {
            regs: u.int_in_range(6..=40)?,
            frame_size: u.int_in_range(0..=96)?,
            nfuncs,
            has_result: types[ty as usize].result.is_some(),
        };
        functions.push(Function {
            ty,
            flags: 0,
            regs: shape.regs,
            frame_size: shape.frame_size,
            frame_align_log2: u.int_in_range(0..=4)?,
            code: body(u, &shape)?.into(),
        });
    }
    let mut data: Vec<u8> = b"%d %s\0".to_vec();
    data.resize(DATA_LEN as usize, 0);
    for b in data.iter_mut().skip(8) {
        *b = u.arbitrary().unwrap_or(0);
    }
    Ok(Module {
        types,
        imports: IMPORTS
            .iter()
            .map(|&(name, ty)| Import {
                name: name.into(),
                ty,
                kind: ImportKind::Name,
            })
            .collect(),
        exports: (0..nfuncs)
            .map(|i| Export {
                name: format!("f{i}").into(),
                func: i,
            })
            .collect(),
        functions,
        memory: MemoryReq {
            data_end: DATA + DATA_LEN,
            heap_size: 0x800,
            stack_size: 0x400,
        },
        data: vec![DataSegment {
            addr: DATA,
            bytes: data.into(),
        }],
        ..Default::default()
    })
}
