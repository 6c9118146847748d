//! Where the RISC-V calling convention puts each argument, for `ilp32`
//! (ESP32-C3/C2/C6/H2/C5: no FPU) and `ilp32f` (ESP32-P4: single-precision
//! FPU), after the RISC-V psABI ("Integer Calling Convention" and
//! "Hardware Floating-point Calling Convention"):
//!
//! * `a0..a7` take 32-bit scalars in order; a 64-bit scalar (`int64_t`,
//!   and `double`, since FLEN is 32 on the P4) takes the next two
//!   registers, low word first — or `a7` and the first stack word when only
//!   one register is left — or two stack words aligned to 8 bytes;
//! * on `ilp32f`, a named `float` goes in the next of `fa0..fa7`, and in the
//!   integer registers once those are used up;
//! * a variadic 64-bit argument starts at an even register (`a0`, `a2`, …),
//!   and goes on the stack when none is left; after that every argument is
//!   on the stack;
//! * stack arguments start at `sp` on entry, one 4-byte word each, 64-bit
//!   ones aligned to 8 bytes;
//! * results: `a0`, `a0`/`a1` for 64 bits, `fa0` for a `float` on `ilp32f`.
//!
//! Small structs by value reach the FFI already flattened into these
//! scalars by clang's riscv32 lowering of the module's C.

use alloc::string::String;
use alloc::vec::Vec;

use espb_format::{FuncType, ValType};

/// Where one 32-bit word of an argument goes, as one index into the
/// registers-then-stack words the call layer fills: `0..8` are `a0..a7`,
/// `8..16` `fa0..fa7` (ilp32f only), `16 + n` word `n` of the outgoing
/// stack area (one bounds test places a word, no match over kinds).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Place(pub u16);

/// Argument registers (`a0..a7`, then `fa0..fa7`) before the stack words.
pub(crate) const REG_WORDS: usize = 16;

/// `a0..a7`
#[allow(non_snake_case)]
pub(crate) const fn Gpr(r: u8) -> Place {
    Place(r as u16)
}

/// `fa0..fa7` (ilp32f only)
#[allow(non_snake_case)]
pub(crate) const fn Fpr(r: u8) -> Place {
    Place(8 + r as u16)
}

/// Word `n` of the outgoing stack area (wrapping: a signature with that
/// many words is refused before its places are used).
#[allow(non_snake_case)]
pub(crate) const fn Stack(n: u16) -> Place {
    Place(n.wrapping_add(REG_WORDS as u16))
}

/// Where a result comes back.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Ret {
    Void,
    /// `a0`
    Word,
    /// `a0` low, `a1` high
    Pair,
    /// `fa0`
    Float,
}

/// The placement of every argument of one signature.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Layout {
    /// Per parameter: its low word's place, and its high word's for 64-bit
    /// values.
    pub args: Vec<(Place, Option<Place>)>,
    /// Words of outgoing stack arguments.
    pub stack_words: u16,
    pub ret: Ret,
}

/// Most stack words an outgoing call may use (a bound against absurd
/// signatures; ESP-IDF's task stacks are a few KiB).
pub(crate) const MAX_STACK_WORDS: u16 = 256;

impl Layout {
    /// `hard_float`: the `ilp32f` ABI. `fixed`: for a variadic call, the
    /// number of named parameters (`ty` holds the call site's full list).
    pub fn new(ty: &FuncType, fixed: Option<usize>, hard_float: bool) -> Result<Layout, String> {
        let mut gpr = 0u8;
        let mut fpr = 0u8;
        let mut stack = 0u16;
        // The next integer word: a register while one is left, else the
        // next stack word (one path for every integer word).
        fn next_word(gpr: &mut u8, stack: &mut u16) -> Place {
            if *gpr < 8 {
                *gpr += 1;
                Gpr(*gpr - 1)
            } else {
                *stack += 1;
                Stack(*stack - 1)
            }
        }
        // Collected from an exact-size iterator: one allocation, no growth
        // path.
        let args: Vec<(Place, Option<Place>)> = (ty.params.iter().enumerate())
            .map(|(i, t)| {
                let variadic = fixed.is_some_and(|f| i >= f);
                if *t == ValType::F32 && hard_float && !variadic && fpr < 8 {
                    fpr += 1;
                    return (Fpr(fpr - 1), None);
                }
                if !matches!(t, ValType::I64 | ValType::F64) {
                    return (next_word(&mut gpr, &mut stack), None);
                }
                // A variadic 64-bit value starts at an even register.
                if variadic && gpr % 2 == 1 {
                    gpr += 1;
                }
                // On the stack (no register left) it is 8-aligned; with
                // one register left (a7) it is split: the high word goes
                // to the stack.
                if gpr >= 8 {
                    stack = stack.next_multiple_of(2);
                }
                let lo = next_word(&mut gpr, &mut stack);
                (lo, Some(next_word(&mut gpr, &mut stack)))
            })
            .collect();
        if stack > MAX_STACK_WORDS {
            return Err(espb_format::text!(
                "{} words of stack arguments exceed the limit of {}",
                stack,
                MAX_STACK_WORDS
            ));
        }
        let ret = match ty.result {
            None => Ret::Void,
            Some(ValType::I64 | ValType::F64) => Ret::Pair,
            Some(ValType::F32) if hard_float => Ret::Float,
            Some(_) => Ret::Word,
        };
        Ok(Layout {
            args,
            stack_words: stack,
            ret,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ValType::*;

    fn ty(params: &[ValType], result: Option<ValType>) -> FuncType {
        FuncType {
            params: params.to_vec(),
            result,
            variadic: false,
        }
    }

    #[test]
    fn ten_ints_spill_to_the_stack() {
        let l = Layout::new(&ty(&[I32; 10], Some(I32)), None, false).unwrap();
        assert_eq!(l.args[7], (Gpr(7), None));
        assert_eq!(l.args[8], (Stack(0), None));
        assert_eq!(l.args[9], (Stack(1), None));
        assert_eq!(l.stack_words, 2);
        assert_eq!(l.ret, Ret::Word);
    }

    #[test]
    fn wide_values_take_consecutive_registers_then_split() {
        // (int, i64, int, i64, int, i64): a0 | a1a2 | a3 | a4a5 | a6 | a7+stack
        let l = Layout::new(&ty(&[I32, I64, I32, F64, I32, I64], Some(F64)), None, false).unwrap();
        assert_eq!(l.args[1], (Gpr(1), Some(Gpr(2))));
        assert_eq!(l.args[3], (Gpr(4), Some(Gpr(5))));
        assert_eq!(l.args[5], (Gpr(7), Some(Stack(0))));
        assert_eq!(l.stack_words, 1);
        assert_eq!(l.ret, Ret::Pair);
        // Once the registers are gone, a 64-bit value is 8-aligned on the stack.
        let l = Layout::new(
            &ty(&[I32, I32, I32, I32, I32, I32, I32, I32, I32, I64], None),
            None,
            false,
        )
        .unwrap();
        assert_eq!(l.args[8], (Stack(0), None));
        assert_eq!(l.args[9], (Stack(2), Some(Stack(3))));
        assert_eq!(l.stack_words, 4);
    }

    #[test]
    fn floats_use_fprs_only_on_ilp32f() {
        let t = ty(&[F32, I32, F32, F64], Some(F32));
        let soft = Layout::new(&t, None, false).unwrap();
        assert_eq!(
            soft.args,
            [
                (Gpr(0), None),
                (Gpr(1), None),
                (Gpr(2), None),
                (Gpr(3), Some(Gpr(4)))
            ]
        );
        assert_eq!(soft.ret, Ret::Word);
        let hard = Layout::new(&t, None, true).unwrap();
        assert_eq!(
            hard.args,
            [
                (Fpr(0), None),
                (Gpr(0), None),
                (Fpr(1), None),
                (Gpr(1), Some(Gpr(2)))
            ]
        );
        assert_eq!(hard.ret, Ret::Float);
        // Nine floats: the ninth goes to an integer register.
        let l = Layout::new(&ty(&[F32; 9], None), None, true).unwrap();
        assert_eq!(l.args[7], (Fpr(7), None));
        assert_eq!(l.args[8], (Gpr(0), None));
    }

    #[test]
    fn variadic_wide_values_start_at_an_even_register() {
        // printf(fmt, int, double, long long): a0 | a1 | a2a3 | a4a5
        let t = ty(&[Ptr, I32, F64, I64], Some(I32));
        let l = Layout::new(&t, Some(1), true).unwrap();
        assert_eq!(l.args[2], (Gpr(2), Some(Gpr(3))));
        assert_eq!(l.args[3], (Gpr(4), Some(Gpr(5))));
        // printf(fmt, double): a0 | (a1 skipped) a2a3
        let l = Layout::new(&ty(&[Ptr, F64], None), Some(1), false).unwrap();
        assert_eq!(l.args[1], (Gpr(2), Some(Gpr(3))));
        // Seven ints then a variadic double: a7 is left unused, the double
        // and everything after it go on the stack.
        let mut p = vec![Ptr; 7];
        p.extend([F64, I32]);
        let l = Layout::new(&ty(&p, None), Some(1), false).unwrap();
        assert_eq!(l.args[7], (Stack(0), Some(Stack(1))));
        assert_eq!(l.args[8], (Stack(2), None));
        // A named 64-bit value is not aligned.
        let l = Layout::new(&ty(&[I32, I64], None), None, false).unwrap();
        assert_eq!(l.args[1], (Gpr(1), Some(Gpr(2))));
    }

    #[test]
    fn absurd_signatures_are_refused() {
        assert!(Layout::new(&ty(&[I64; 200], None), None, false).is_err());
    }
}
