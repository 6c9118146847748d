use super::*;

fn run(code: Vec<Instr>, starts: &mut [usize]) -> Vec<Instr> {
    let mut out: Vec<(Instr, ())> = code.into_iter().map(|i| (i, ())).collect();
    fuse(&mut out, starts);
    out.into_iter().map(|(i, _)| i).collect()
}

#[test]
fn fuses_a_crc_step_in_the_second_pass() {
    // The CRC-8 step as the emitter lays it out (statemachine's crc8).
    let step = |sext: Instr| {
        vec![
            Instr::I32ShlI {
                dst: 2,
                a: 1,
                imm: 1,
            },
            Instr::I32AndI {
                dst: 2,
                a: 2,
                imm: 255,
            },
            Instr::I32XorI {
                dst: 3,
                a: 2,
                imm: 7,
            },
            sext,
            Instr::I32LtSI {
                dst: 1,
                a: 1,
                imm: 0,
            },
            Instr::Select {
                dst: 1,
                cond: 1,
                a: 3,
                b: 2,
            },
        ]
    };
    let fused = Instr::I32CrcStep {
        dst: 1,
        tmp: 2,
        t: 2,
        u: 3,
        x: 1,
        shift: 1,
        bit: 7,
        mask: 255,
        poly: 7,
    };
    let mut code = step(Instr::I32Sext8 { dst: 1, a: 1 });
    code.push(Instr::RetVoid {});
    assert_eq!(run(code, &mut [0]), vec![fused, Instr::RetVoid {}]);
    // The sign extension reads another register: not the same step.
    let mut code = step(Instr::I32Sext8 { dst: 1, a: 4 });
    code.push(Instr::RetVoid {});
    assert_eq!(run(code, &mut [0]).len(), 5);
    // A block starting inside the step: no fusion across it.
    let mut code = step(Instr::I32Sext8 { dst: 1, a: 1 });
    code.push(Instr::RetVoid {});
    assert!(!run(code, &mut [0, 3])
        .iter()
        .any(|i| matches!(i, Instr::I32CrcStep { .. })));
}

#[test]
fn drops_dead_crc_step_writes() {
    let step = |y: u8| {
        vec![
            Instr::I32ShlI {
                dst: 2,
                a: 1,
                imm: 1,
            },
            Instr::I32AndI {
                dst: 2,
                a: 2,
                imm: 255,
            },
            Instr::I32XorI {
                dst: 3,
                a: 2,
                imm: 7,
            },
            Instr::I32Sext8 { dst: 1, a: y },
            Instr::I32LtSI {
                dst: 1,
                a: 1,
                imm: 0,
            },
            Instr::Select {
                dst: 1,
                cond: 1,
                a: 3,
                b: 2,
            },
        ]
    };
    let lean = |y: u8| Instr::I32CrcStepT {
        dst: 1,
        t: 2,
        x: 1,
        y,
        shift: 1,
        bit: 7,
        mask: 255,
        poly: 7,
    };
    // `u` (r3) is overwritten before anything reads it.
    let overwrite = Instr::Const32 { dst: 3, value: 0 };
    for y in [1, 4] {
        let mut code = step(y);
        code.extend([
            Instr::Mov { dst: 5, src: 2 },
            overwrite.clone(),
            Instr::RetVoid {},
        ]);
        assert_eq!(
            run(code, &mut [0]),
            vec![
                lean(y),
                Instr::Mov { dst: 5, src: 2 },
                overwrite.clone(),
                Instr::RetVoid {}
            ]
        );
    }
    // `u` is read afterwards, or the block ends first: the full step
    // (when the sign comes from the shifted register), else nothing.
    let mut code = step(1);
    code.extend([Instr::Mov { dst: 5, src: 3 }, Instr::RetVoid {}]);
    assert!(matches!(run(code, &mut [0])[0], Instr::I32CrcStep { .. }));
    let mut code = step(4);
    code.extend([overwrite.clone(), Instr::RetVoid {}]);
    let got = run(code, &mut [0, 6]);
    assert_eq!(got.len(), 6);
    assert!(!got.iter().any(|i| matches!(i, Instr::I32CrcStepT { .. })));
    // The sign read from `u`: not the same step.
    let mut code = step(3);
    code.extend([overwrite, Instr::RetVoid {}]);
    assert!(!run(code, &mut [0])
        .iter()
        .any(|i| matches!(i, Instr::I32CrcStepT { .. })));
}

#[test]
fn fuses_an_lsb_first_crc_step() {
    // coremark_like's crc16 bit: `crc >> 1`, `^ 0xa001`, select.
    let step = |x: u8, y: u8, imm: i32| {
        vec![
            Instr::I32ShrUI { dst: 1, a: 1, imm },
            Instr::I32XorI {
                dst: 5,
                a: 1,
                imm: 0xa001,
            },
            Instr::Select {
                dst: 1,
                cond: 3,
                a: x,
                b: y,
            },
            Instr::RetVoid {},
        ]
    };
    let fused = |inv: u8| Instr::I32CrcStepR {
        dst: 1,
        tmp: 1,
        u: 5,
        a: 1,
        cond: 3,
        shift: 1,
        inv,
        poly: 0xa001,
    };
    assert_eq!(
        run(step(5, 1, 1), &mut [0]),
        vec![fused(0), Instr::RetVoid {}]
    );
    assert_eq!(
        run(step(1, 5, 1), &mut [0]),
        vec![fused(1), Instr::RetVoid {}]
    );
    // Another value selected, or an out-of-range shift: not a step.
    assert_eq!(run(step(5, 2, 1), &mut [0]).len(), 4);
    assert_eq!(run(step(5, 1, 32), &mut [0]).len(), 4);
    // A block starting at the select: not fused.
    assert_eq!(run(step(5, 1, 1), &mut [0, 2]).len(), 4);
}

#[test]
fn negates_a_fresh_boolean() {
    // cmp_int_desc's `(a < b) - (a > b)`: `-(a > b)` by two shifts.
    let code = |cmp_dst: u8| {
        vec![
            Instr::I32GtS {
                dst: cmp_dst,
                a: 0,
                b: 1,
            },
            Instr::I32ShlI {
                dst: 0,
                a: 0,
                imm: 31,
            },
            Instr::I32ShrSI {
                dst: 0,
                a: 0,
                imm: 31,
            },
            Instr::RetVoid {},
        ]
    };
    let got = run(code(0), &mut [0]);
    assert_eq!(
        got[1],
        Instr::I32SubIFrom {
            dst: 0,
            a: 0,
            imm: 0
        }
    );
    assert_eq!(got.len(), 3);
    // The shifted register was not just written by a compare, or a
    // block begins at the shift: left alone.
    assert_eq!(run(code(2), &mut [0]).len(), 4);
    assert_eq!(run(code(0), &mut [0, 1]).len(), 4);
}

#[test]
fn sign_extends_narrow_loads_in_place() {
    let code = vec![
        Instr::Load16U {
            dst: 2,
            addr: 2,
            offset: 6,
        },
        Instr::I32Sext16 { dst: 2, a: 2 },
        Instr::Load8U {
            dst: 3,
            addr: 1,
            offset: 1,
        },
        Instr::I32Sext8 { dst: 3, a: 3 },
        // Another destination keeps the zero-extended value: not fused.
        Instr::Load16U {
            dst: 6,
            addr: 0,
            offset: 4,
        },
        Instr::I32Sext16 { dst: 10, a: 6 },
        Instr::RetVoid {},
    ];
    assert_eq!(
        run(code, &mut [0]),
        vec![
            Instr::Load16S {
                dst: 2,
                addr: 2,
                offset: 6
            },
            Instr::Load8S {
                dst: 3,
                addr: 1,
                offset: 1
            },
            Instr::Load16U {
                dst: 6,
                addr: 0,
                offset: 4
            },
            Instr::I32Sext16 { dst: 10, a: 6 },
            Instr::RetVoid {},
        ]
    );
}

#[test]
fn fuses_pairs_and_renumbers_block_starts() {
    let code = vec![
        Instr::Mov { dst: 1, src: 2 },
        Instr::Mov { dst: 3, src: 4 },
        Instr::Mov { dst: 5, src: 6 },
        Instr::I32ShlI {
            dst: 7,
            a: 8,
            imm: 2,
        },
        Instr::I32Add {
            dst: 9,
            a: 10,
            b: 7,
        },
        Instr::I32Add { dst: 7, a: 1, b: 2 },
        Instr::Load32U {
            dst: 3,
            addr: 7,
            offset: 4,
        },
        Instr::I32ShlI {
            dst: 4,
            a: 4,
            imm: 2,
        },
        Instr::Load32U {
            dst: 4,
            addr: 4,
            offset: 64,
        },
        Instr::RetVoid {},
    ];
    let mut starts = [0, 2, 10, usize::MAX];
    let got = run(code, &mut starts);
    assert_eq!(
        got,
        vec![
            Instr::Mov2 {
                dst1: 1,
                src1: 2,
                dst2: 3,
                src2: 4
            },
            Instr::Mov { dst: 5, src: 6 },
            Instr::I32ShlAdd {
                dst: 9,
                tmp: 7,
                a: 10,
                index: 8,
                shift: 2
            },
            Instr::Load32UAdd {
                dst: 3,
                tmp: 7,
                a: 1,
                b: 2,
                offset: 4
            },
            Instr::Load32UShl {
                dst: 4,
                tmp: 4,
                index: 4,
                shift: 2,
                offset: 64
            },
            Instr::RetVoid {},
        ]
    );
    assert_eq!(starts, [0, 1, 6, usize::MAX]);
}

#[test]
fn leaves_branch_targets_and_unfusable_pairs_alone() {
    let code = vec![
        Instr::Mov { dst: 1, src: 2 },
        Instr::Mov { dst: 3, src: 4 },
        // The shifted value feeds both addends: not fused.
        Instr::I32ShlI {
            dst: 7,
            a: 8,
            imm: 2,
        },
        Instr::I32Add { dst: 9, a: 7, b: 7 },
        // The load does not use the sum: not fused.
        Instr::I32Add { dst: 7, a: 1, b: 2 },
        Instr::Load8U {
            dst: 3,
            addr: 1,
            offset: 0,
        },
        Instr::RetVoid {},
    ];
    // A branch lands on the second mov.
    let mut starts = [0, 1];
    let got = run(code.clone(), &mut starts);
    assert_eq!(got, code);
    assert_eq!(starts, [0, 1]);
}
