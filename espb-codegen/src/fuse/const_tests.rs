use super::*;

fn run(code: Vec<Instr>, starts: &mut [usize]) -> Vec<Instr> {
    let mut out: Vec<(Instr, ())> = code.into_iter().map(|i| (i, ())).collect();
    fuse(&mut out, starts);
    out.into_iter().map(|(i, _)| i).collect()
}

#[test]
fn fuses_constant_rotates_and_byte_stores() {
    let code = vec![
        Instr::Const32 { dst: 3, value: 7 },
        Instr::I32Rotl { dst: 4, a: 5, b: 3 },
        Instr::Const32 { dst: 6, value: 1 },
        Instr::Store8 {
            addr: 2,
            src: 6,
            offset: 12,
        },
        Instr::Load32U {
            dst: 1,
            addr: 2,
            offset: 8,
        },
        Instr::I32Mul { dst: 3, a: 4, b: 1 },
        Instr::I32ShrUI {
            dst: 5,
            a: 6,
            imm: 8,
        },
        Instr::I32Xor { dst: 7, a: 5, b: 5 },
        Instr::RetVoid {},
    ];
    let mut starts = [0, 4];
    let got = run(code, &mut starts);
    assert_eq!(
        got,
        vec![
            Instr::I32RotlC {
                dst: 4,
                tmp: 3,
                a: 5,
                value: 7
            },
            Instr::Store8C {
                tmp: 6,
                addr: 2,
                value: 1,
                offset: 12
            },
            Instr::Load32UMul {
                dst: 3,
                tmp: 1,
                addr: 2,
                b: 4,
                offset: 8
            },
            Instr::I32ShrUXor {
                dst: 7,
                tmp: 5,
                a: 6,
                b: 5,
                shift: 8
            },
            Instr::RetVoid {},
        ]
    );
    assert_eq!(starts, [0, 2]);
}

#[test]
fn leaves_other_constant_uses_alone() {
    let code = vec![
        // The constant is the rotated value, not the amount.
        Instr::Const32 { dst: 3, value: 7 },
        Instr::I32Rotl { dst: 4, a: 3, b: 5 },
        // The constant is the address.
        Instr::Const32 { dst: 6, value: 1 },
        Instr::Store8 {
            addr: 6,
            src: 6,
            offset: 0,
        },
        // The product does not use the loaded value.
        Instr::Load32U {
            dst: 1,
            addr: 2,
            offset: 8,
        },
        Instr::I32Mul { dst: 3, a: 4, b: 2 },
        // A branch lands on the rotate.
        Instr::Const32 { dst: 3, value: 7 },
        Instr::I32Rotl { dst: 4, a: 5, b: 3 },
        Instr::RetVoid {},
    ];
    let mut starts = [0, 7];
    let got = run(code.clone(), &mut starts);
    assert_eq!(got, code);
    assert_eq!(starts, [0, 7]);
}

#[test]
fn fuses_add_chains_and_loop_counter_branches() {
    // Branch targets are the emitter's block ids here; they pass through.
    let code = vec![
        Instr::I64Add { dst: 1, a: 2, b: 1 },
        Instr::I64Add { dst: 2, a: 1, b: 2 },
        Instr::I32AddI {
            dst: 3,
            a: 3,
            imm: 4,
        },
        Instr::BrNe32 {
            a: 5,
            b: 3,
            target: 9,
        },
        Instr::I32Add { dst: 6, a: 6, b: 7 },
        Instr::BrLtUI32 {
            a: 6,
            imm: 100,
            target: 2,
        },
        // Not fusable: the add does not feed the second add / branch.
        Instr::I64Add { dst: 1, a: 2, b: 3 },
        Instr::I64Add { dst: 4, a: 5, b: 6 },
        Instr::I32AddI {
            dst: 3,
            a: 3,
            imm: 1,
        },
        Instr::BrLtU32 {
            a: 5,
            b: 3,
            target: 0,
        },
    ];
    let mut starts = [0, 6, 10];
    let got = run(code, &mut starts);
    assert_eq!(
        got,
        vec![
            Instr::I64AddAdd {
                dst: 2,
                tmp: 1,
                a: 2,
                b: 1,
                c: 2
            },
            Instr::I32AddIBrNe {
                dst: 3,
                a: 3,
                imm: 4,
                b: 5,
                target: 9
            },
            Instr::I32AddBrLtUI {
                dst: 6,
                a: 6,
                b: 7,
                limit: 100,
                target: 2
            },
            Instr::I64Add { dst: 1, a: 2, b: 3 },
            Instr::I64Add { dst: 4, a: 5, b: 6 },
            Instr::I32AddI {
                dst: 3,
                a: 3,
                imm: 1
            },
            // `5 < d` is not `d < 5`: left alone.
            Instr::BrLtU32 {
                a: 5,
                b: 3,
                target: 0
            },
        ]
    );
    assert_eq!(starts, [0, 3, 7]);
}

#[test]
fn fuses_in_place_double_updates_only_when_exact() {
    let ld = |dst, addr, offset| Instr::Load64 { dst, addr, offset };
    let st = |addr, src, offset| Instr::Store64 { addr, src, offset };
    let code = vec![
        // *p -= x
        ld(1, 9, 8),
        Instr::F64Sub { dst: 2, a: 1, b: 3 },
        st(9, 2, 8),
        // *p += x, operands in either order
        ld(1, 9, 16),
        Instr::F64Add { dst: 2, a: 3, b: 1 },
        st(9, 2, 16),
        // Stored elsewhere: the load and the subtraction fuse as a pair
        // only when the loaded value is subtracted (`a - t`), not here.
        ld(1, 9, 24),
        Instr::F64Sub { dst: 2, a: 1, b: 3 },
        st(9, 2, 32),
        // A constant byte stored at a sum; then one whose constant
        // overwrites the sum (left alone: `const32; st8` is not `st8.c`).
        Instr::I32Add { dst: 4, a: 5, b: 6 },
        Instr::Const32 { dst: 7, value: 1 },
        Instr::Store8 {
            addr: 4,
            src: 7,
            offset: 0,
        },
        Instr::I32Add { dst: 4, a: 5, b: 6 },
        Instr::Const32 { dst: 4, value: 1 },
        Instr::Store8 {
            addr: 4,
            src: 4,
            offset: 0,
        },
        // The load overwrites the address register: left alone.
        ld(9, 9, 0),
        Instr::F64Add { dst: 2, a: 9, b: 3 },
        st(9, 2, 0),
        Instr::RetVoid {},
    ];
    let mut starts = [0, 19];
    let got = run(code, &mut starts);
    assert_eq!(
        got,
        vec![
            Instr::F64SubRmw {
                dst: 2,
                tmp: 1,
                addr: 9,
                x: 3,
                offset: 8
            },
            Instr::F64AddRmw {
                dst: 2,
                tmp: 1,
                addr: 9,
                x: 3,
                offset: 16
            },
            ld(1, 9, 24),
            Instr::F64Sub { dst: 2, a: 1, b: 3 },
            st(9, 2, 32),
            Instr::Store8CAdd {
                tmp: 4,
                c: 7,
                a: 5,
                b: 6,
                value: 1,
                offset: 0
            },
            Instr::I32Add { dst: 4, a: 5, b: 6 },
            Instr::Const32 { dst: 4, value: 1 },
            Instr::Store8 {
                addr: 4,
                src: 4,
                offset: 0
            },
            ld(9, 9, 0),
            Instr::F64Add { dst: 2, a: 9, b: 3 },
            st(9, 2, 0),
            Instr::RetVoid {},
        ]
    );
    assert_eq!(starts, [0, 13]);
}

#[test]
fn in_place_word_add_wins_over_the_address_pair() {
    let code = vec![
        // `i32.add; ld32_u` would fuse as `ld32_u.add`, but the load
        // starts an in-place add: the triple is taken instead.
        Instr::I32Add { dst: 7, a: 4, b: 7 },
        Instr::Load32U {
            dst: 10,
            addr: 7,
            offset: 8,
        },
        Instr::I32Add {
            dst: 9,
            a: 10,
            b: 9,
        },
        Instr::Store32 {
            addr: 7,
            src: 9,
            offset: 8,
        },
        Instr::RetVoid {},
    ];
    let mut starts = [0, 5];
    let got = run(code, &mut starts);
    assert_eq!(
        got,
        vec![
            Instr::I32Add { dst: 7, a: 4, b: 7 },
            Instr::I32AddRmw {
                dst: 9,
                tmp: 10,
                addr: 7,
                x: 9,
                offset: 8
            },
            Instr::RetVoid {},
        ]
    );
    assert_eq!(starts, [0, 3]);
}

#[test]
fn second_pass_fuses_multiply_accumulate() {
    let code = vec![
        Instr::Load32U {
            dst: 9,
            addr: 8,
            offset: 4,
        },
        Instr::I32Mul { dst: 9, a: 9, b: 5 },
        Instr::Load32U {
            dst: 10,
            addr: 7,
            offset: 12,
        },
        Instr::I32Add {
            dst: 9,
            a: 10,
            b: 9,
        },
        Instr::Store32 {
            addr: 7,
            src: 9,
            offset: 12,
        },
        Instr::RetVoid {},
    ];
    let mut starts = [0, 6];
    let got = run(code, &mut starts);
    assert_eq!(
        got,
        vec![
            Instr::I32MacRmw {
                mul: 9,
                tmp1: 9,
                src: 8,
                b: 5,
                src_offset: 4,
                dst: 9,
                tmp2: 10,
                addr: 7,
                offset: 12
            },
            Instr::RetVoid {},
        ]
    );
    assert_eq!(starts, [0, 2]);
}
