use super::*;

fn module(src: &str) -> Vec<u8> {
    espb_format::text::assemble(src)
        .expect("assemble")
        .to_bytes()
}

/// Every function of a module with loops, calls, memory and 64-bit
/// arithmetic compiles, and the code is well formed RV32 (every word a
/// 32-bit instruction).
#[test]
fn compiles_loops_calls_and_memory() {
    let bytes = module(
        r#"
.type (i32) -> i64
.type (i32, i32) -> i32
.memory data_end 0x1010 heap 0 stack 0x1000
.func ty0 regs 6 frame 0 align 0 flags hot
const64 r1, 0
const64 r2, 1
const32 r3, 0
loop:
br.ge_si.i32 r3, 0, check
check:
i64.add r4, r1, r2
mov2 r1, r2, r2, r4
i32.addi.br_ne r3, r3, 1, r0, loop
ret r1
.end
.func ty1 regs 6 frame 16 align 3
frame.addr r2, 0
st32 r2, r0, 0
ld32_u r3, r2, 0
i32.div_s r4, r3, r1
mov r5, r4
call f0, r5
i32.add r0, r5, r4
ret r0
.end
"#,
    );
    let m = espb_format::parse(&bytes).expect("parse");
    for f in 0..2 {
        let c = compile(&m, f).expect("compiles");
        assert!(c.code_bytes > 0 && c.code_bytes.is_multiple_of(4));
        assert!(c.stats.inline > 0);
        for w in c.image[..c.code_bytes].chunks(4) {
            let w = u32::from_le_bytes(w.try_into().unwrap());
            assert_eq!(w & 3, 3, "a 32-bit encoding: {w:#010x}");
        }
    }
    let fib = compile(&m, 0).unwrap();
    assert_eq!(fib.stats.helper, 0, "fib's loop is all inline");
    assert!(fib.stats.cached >= 4);
    let callee = compile(&m, 1).unwrap();
    assert_eq!(
        callee.stats.helper, 1,
        "the call runs through the interpreter's path when it must"
    );
    assert_eq!(callee.stats.direct, 1, "f0 has no frame: a direct call");
}

/// A frameless leaf keeps its return address in a register no helper
/// call writes before saving it: not `a0` (the status) nor `a1`-`a3`
/// (helper arguments), whichever registers the cached ones take.
#[test]
fn frameless_link_register_is_not_a_helper_argument() {
    for n in 1..=10u8 {
        // A loop (it polls: a helper call from a stub) over `n` live
        // narrow registers, all cached in caller-saved ones.
        let mut src =
            String::from(".type (i32) -> i32\n.memory data_end 0x1010 heap 0 stack 0x1000\n");
        src += &format!(".func ty0 regs {} frame 0 align 0\n", n + 2);
        for r in 1..=n {
            src += &format!("    const32 r{r}, {r}\n");
        }
        src += "loop:\n";
        for r in 1..=n {
            src += &format!("    i32.add r{r}, r{r}, r0\n");
        }
        src += "    i32.addi.br_ne r0, r0, -1, r1, loop\n";
        for r in 2..=n {
            src += &format!("    i32.add r1, r1, r{r}\n");
        }
        src += "    ret r1\n.end\n";
        let bytes = module(&src);
        let m = espb_format::parse(&bytes).expect("parse");
        let c = compile(&m, 0).expect("compiles");
        let w = |at: usize| u32::from_le_bytes(c.image[at..at + 4].try_into().unwrap());
        let first = w(c.direct_entry);
        // `addi link, ra, 0` when frameless.
        if first & 0xffff_f07f == 0x0000_8013 {
            let link = (first >> 7) & 31;
            assert!(!(10..=13).contains(&link), "{n} registers: link x{link}");
        }
    }
}

/// A call of a function with a shadow-stack frame always takes the
/// interpreter's call path (the direct path makes no frame); one of a
/// frameless function is direct. The direct entry is inside the code,
/// after the entry from the interpreter.
#[test]
fn direct_calls_only_to_functions_without_a_frame() {
    let bytes = module(
        r#"
.type (i32) -> i32
.memory data_end 0x1010 heap 0 stack 0x1000
.func ty0 regs 2 frame 0 align 0
i32.addi r0, r0, 1
ret r0
.end
.func ty0 regs 2 frame 16 align 3
frame.addr r1, 0
st32 r1, r0, 0
ld32_u r0, r1, 0
ret r0
.end
.func ty0 regs 4 frame 0 align 0
mov r1, r0
call f0, r1
mov r2, r1
call f1, r2
i32.add r0, r1, r2
ret r0
.end
"#,
    );
    let m = espb_format::parse(&bytes).expect("parse");
    let c = compile(&m, 2).expect("compiles");
    assert_eq!(c.stats.helper, 2);
    assert_eq!(c.stats.direct, 1, "only f0 is called directly");
    assert!(c.direct_entry > 0 && c.direct_entry < c.code_bytes);
    // One call-site descriptor after the copies: f0, base 1, offset.
    let d = &c.image[c.image.len() - 12..];
    let w = |k: usize| u32::from_le_bytes(d[4 * k..4 * k + 4].try_into().unwrap());
    assert_eq!((w(0), w(1)), (0, 1));
    let body = &m.functions[2].code;
    let call = espb_format::instr::RawInstr::decode(body, w(2) as usize).expect("decodes");
    assert_eq!(call.op, espb_format::instr::Opcode::Call);
}

/// The instruction copies after the machine code are what the
/// interpreter's aligned operand reads need: each starts at a multiple
/// of 4 of the image, holds the instruction's offset, the instruction
/// in whole words with zero padding (it decodes as a body would), then
/// the sentinel word.
#[test]
fn instruction_copies_are_whole_aligned_words() {
    let bytes = module(
        r#"
.type (i32, i32) -> i32
.memory data_end 0x1010 heap 0 stack 0x1000
.func ty0 regs 6 frame 16 align 3
frame.addr r2, 0
st32 r2, r0, 0
i32.div_s r4, r0, r1
i64.div_s r5, r4, r2
unreachable
call f0, r4
i32.add r0, r5, r4
ret r0
.end
"#,
    );
    let m = espb_format::parse(&bytes).expect("parse");
    let body = &m.functions[0].code;
    let c = compile(&m, 0).expect("compiles");
    let mut at = c.code_bytes;
    let mut copies = 0;
    while at < c.image.len() {
        assert!(at.is_multiple_of(4), "copy at {at}");
        let off = u32::from_le_bytes(c.image[at..at + 4].try_into().unwrap()) as usize;
        let ins = espb_format::instr::RawInstr::decode(&c.image, at + 4).expect("decodes");
        assert!(ins.len.is_multiple_of(4));
        let orig = espb_format::instr::RawInstr::decode(body, off).expect("an instruction start");
        assert_eq!(ins.op, orig.op);
        let end = at + 4 + ins.len;
        assert_eq!(c.image[end..end + 4], [crate::jit::SENTINEL, 0, 0, 0]);
        at = end + 4;
        copies += 1;
    }
    assert_eq!(at, c.image.len());
    assert!(copies >= 1, "something runs through a copy");
}
