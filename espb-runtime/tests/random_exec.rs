//! Random programs: instruction sequences drawn from the whole opcode table
//! with random (mostly in-range) operands. Whatever the validator accepts
//! must run to a result or a trap under fuel — never a panic, a hang or a
//! host crash (the interpreter's unchecked reads rely on validation alone).

mod common;

use espb_runtime::format::{
    DataSegment, Export, FuncType, Function, Import, ImportKind, MemoryReq, ValType,
};
use espb_runtime::format::{Instr, Module as FModule, Opcode, Operand, OperandKind};
use espb_runtime::{Config, Imports, Instance, Module};

struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
}

const INTERESTING: [i64; 12] = [
    0,
    1,
    -1,
    2,
    7,
    31,
    32,
    63,
    64,
    0x1000,
    i32::MIN as i64,
    i64::MIN,
];

/// A random operand: in range almost always (so most modules validate),
/// out of range now and then (so the validator's refusals are exercised).
fn operand(r: &mut Rng, kind: OperandKind, f: &Shape, op: Opcode) -> Operand {
    let rare = |r: &mut Rng| r.below(100) == 0;
    let reg = |r: &mut Rng| {
        if rare(r) {
            f.regs as u8
        } else {
            r.below(f.regs as u64) as u8
        }
    };
    match kind {
        OperandKind::Dst => Operand::Dst(reg(r)),
        OperandKind::Reg => Operand::Reg(reg(r)),
        // Every window here is at most 2 registers.
        OperandKind::Base => Operand::Base(if rare(r) {
            f.regs as u8 - 1
        } else {
            r.below(f.regs as u64 - 1) as u8
        }),
        OperandKind::U8 if op == Opcode::AtomicRmw => {
            let ops = if rare(r) { 12 } else { 11 };
            Operand::U8((r.below(ops) << 2 | r.below(4)) as u8)
        }
        OperandKind::U8 if op == Opcode::Trap => Operand::U8(r.below(2) as u8),
        OperandKind::U8 => {
            let widths = if rare(r) { 5 } else { 4 };
            Operand::U8(r.below(widths) as u8)
        }
        OperandKind::I32 => {
            Operand::I32(INTERESTING[r.below(12) as usize] as i32 ^ (r.below(4) as i32))
        }
        OperandKind::U32 => Operand::U32(match op {
            Opcode::Alloca => 1 << r.below(6),
            Opcode::FrameAddr => r.below(f.frame_size.max(1) as u64) as u32,
            _ => r.below(40) as u32,
        }),
        OperandKind::I64 => Operand::I64(INTERESTING[r.below(12) as usize] ^ r.below(3) as i64),
        OperandKind::Tgt => Operand::Tgt(u32::MAX), // patched after layout
        OperandKind::Func => {
            let n = f.nfuncs as u64 + rare(r) as u64;
            Operand::Func(r.below(n) as u32)
        }
        OperandKind::Imp => Operand::Imp(match op {
            Opcode::CallImportVar => 2,
            _ => r.below(2) as u32,
        }),
        OperandKind::Ty => Operand::Ty(match op {
            Opcode::CallImportVar => 6,
            _ => r.below(NTYPES as u64) as u32,
        }),
        OperandKind::Tbl => Operand::Tbl(vec![u32::MAX; r.below(4) as usize]),
    }
}

/// What the body generator needs to know about its function.
struct Shape {
    regs: u16,
    frame_size: u32,
    nfuncs: u32,
    has_result: bool,
}

const NTYPES: u32 = 7;

fn body(r: &mut Rng, f: &Shape) -> Vec<u8> {
    let n = 1 + r.below(24) as usize;
    let mut instrs: Vec<Instr> = Vec::new();
    for _ in 0..n {
        let op = Opcode::ALL[r.below(Opcode::ALL.len() as u64) as usize];
        let op = match op {
            Opcode::Ret | Opcode::RetVoid if f.has_result => Opcode::Ret,
            Opcode::Ret | Opcode::RetVoid => Opcode::RetVoid,
            op => op,
        };
        let ops = op
            .operands()
            .iter()
            .map(|&k| operand(r, k, f, op))
            .collect();
        if let Some(i) = Instr::from_operands(op, ops) {
            instrs.push(i);
        }
    }
    instrs.push(if f.has_result {
        Instr::Ret { src: 0 }
    } else {
        Instr::RetVoid {}
    });
    // Lay out, then point every target at a random instruction start.
    let mut starts = Vec::new();
    let mut off = 0u32;
    for i in &instrs {
        starts.push(off);
        off += i.encoded_len() as u32;
    }
    let mut code = Vec::new();
    for i in instrs {
        let op = i.opcode();
        let ops: Vec<Operand> = i
            .operands()
            .into_iter()
            .map(|o| match o {
                Operand::Tgt(_) => Operand::Tgt(starts[r.below(starts.len() as u64) as usize]),
                Operand::Tbl(ts) => Operand::Tbl(
                    ts.iter()
                        .map(|_| starts[r.below(starts.len() as u64) as usize])
                        .collect(),
                ),
                o => o,
            })
            .collect();
        Instr::from_operands(op, ops).unwrap().encode(&mut code);
    }
    code
}

fn module(r: &mut Rng) -> FModule<'static> {
    let types = vec![
        FuncType {
            params: vec![],
            result: Some(ValType::I32),
            variadic: false,
        },
        FuncType {
            params: vec![ValType::I32, ValType::I32],
            result: Some(ValType::I32),
            variadic: false,
        },
        FuncType {
            params: vec![ValType::I64],
            result: None,
            variadic: false,
        },
        FuncType {
            params: vec![ValType::Ptr],
            result: None,
            variadic: false,
        },
        FuncType {
            params: vec![ValType::I32],
            result: Some(ValType::Ptr),
            variadic: false,
        },
        FuncType {
            params: vec![ValType::Ptr],
            result: Some(ValType::I32),
            variadic: true,
        },
        FuncType {
            params: vec![ValType::Ptr, ValType::I32],
            result: Some(ValType::I32),
            variadic: false,
        },
    ];
    assert_eq!(types.len() as u32, NTYPES);
    let nfuncs = 1 + r.below(3) as u32;
    let mut functions = Vec::new();
    for _ in 0..nfuncs {
        let ty = r.below(3) as u32;
        let shape = Shape {
            regs: 3 + r.below(8) as u16,
            frame_size: r.below(64) as u32,
            nfuncs,
            has_result: types[ty as usize].result.is_some(),
        };
        functions.push(Function {
            ty,
            flags: 0,
            regs: shape.regs,
            frame_size: shape.frame_size,
            frame_align_log2: r.below(4) as u8,
            code: body(r, &shape).into(),
        });
    }
    FModule {
        types,
        imports: vec![
            Import {
                name: "free".into(),
                ty: 3,
                kind: ImportKind::Name,
            },
            Import {
                name: "malloc".into(),
                ty: 4,
                kind: ImportKind::Name,
            },
            Import {
                name: "printf".into(),
                ty: 5,
                kind: ImportKind::Name,
            },
        ],
        exports: (0..nfuncs)
            .map(|i| Export {
                name: format!("f{i}").into(),
                func: i,
            })
            .collect(),
        functions,
        memory: MemoryReq {
            data_end: 0x1100,
            heap_size: 0x400,
            stack_size: 0x400,
        },
        data: vec![DataSegment {
            addr: 0x1000,
            bytes: vec![0x25, 0x64, 0x25, 0x73, 0].into(),
        }],
        ..Default::default()
    }
}

#[test]
fn random_valid_programs_never_crash_the_host() {
    let iterations: u64 = std::env::var("ESPB_RANDOM_ITERS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(4000);
    let mut r = Rng(0x9E37_79B9_7F4A_7C15);
    let (mut valid, mut ran) = (0, 0);
    for case in 0..iterations {
        let m = module(&mut r);
        let bytes = m.to_bytes();
        let Ok(parsed) = Module::parse(&bytes) else {
            continue;
        };
        valid += 1;
        let (cfg, _out) = common::buffered();
        let cfg = Config {
            fuel: Some(2_000),
            max_call_depth: 64,
            max_registers: 2048,
            max_contexts: 1,
            ..cfg
        };
        let Ok(inst) = Instance::new(&parsed, &Imports::new(), cfg) else {
            continue;
        };
        for f in 0..parsed.num_functions() {
            let nparams = parsed.func_type(f).unwrap().params.len();
            let args = vec![0x1000u64; nparams];
            let res =
                std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| inst.call_raw(f, &args)));
            assert!(
                res.is_ok(),
                "case {case} f{f} panicked:\n{}",
                espb_runtime::format::text::disassemble(&m)
            );
            ran += 1;
        }
    }
    eprintln!("{valid} of {iterations} random modules validated; {ran} function runs");
    assert!(
        valid > iterations / 20,
        "the generator should produce enough valid modules ({valid})"
    );
}
