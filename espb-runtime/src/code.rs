//! Unchecked access to validated bytecode and to the current register window.
//!
//! The validator (`espb_format::validate`) proved, for every function body:
//! each instruction's operands lie inside the body, each register operand is
//! below the function's `regs`, and each branch target is an instruction
//! start inside the body. The reader proved every body starts at a 4-aligned
//! address and every instruction is whole 4-byte words, so every instruction
//! start is 4-aligned and so is each word operand (the format lays them out
//! at multiples of 4 from the instruction's start): they are read with
//! aligned loads. The interpreter only constructs a `Pc` at offset 0
//! of a body, at a validated branch target, or just past a fully decoded
//! instruction, and only creates a `Regs` window after checking that the
//! register stack holds `regs` slots from its base. These two facts are the
//! whole safety argument for the reads below.

use core::ptr;

/// A position inside a validated function body.
#[derive(Clone, Copy)]
pub(crate) struct Pc(*const u8);

impl Pc {
    /// The start of `body`, which must be a validated function body.
    #[inline(always)]
    pub fn start(body: &[u8]) -> Pc {
        Pc(body.as_ptr())
    }

    /// Offset `off` of the body starting at `start`.
    ///
    /// SAFETY: `off` is a validated branch target (or a recorded return
    /// address) of that body.
    #[inline(always)]
    pub unsafe fn at(start: Pc, off: u32) -> Pc {
        // SAFETY: by the caller's contract `off` lies inside the body.
        Pc(unsafe { start.0.add(off as usize) })
    }

    /// Byte offset from `start`.
    #[inline(always)]
    pub fn offset_from(self, start: Pc) -> u32 {
        (self.0 as usize - start.0 as usize) as u32
    }

    /// SAFETY: `k` is within the instruction starting at `self` (validated).
    #[inline(always)]
    pub unsafe fn u8(self, k: usize) -> u8 {
        // SAFETY: see the function contract.
        unsafe { *self.0.add(k) }
    }

    /// The word operand at offset `k`.
    ///
    /// SAFETY: `k..k+4` is a word operand of the instruction starting at
    /// `self` (so `self + k` is 4-aligned, see the module comment).
    #[inline(always)]
    pub unsafe fn u32(self, k: usize) -> u32 {
        // SAFETY: see the function contract.
        let p = unsafe { self.0.add(k) } as *const u32;
        debug_assert!(p.is_aligned(), "misaligned word operand");
        // SAFETY: in bounds and aligned (see the function contract).
        u32::from_le(unsafe { ptr::read(p) })
    }

    /// The 8-byte operand at offset `k`: two aligned words, low first.
    ///
    /// SAFETY: `k..k+8` is an 8-byte operand of the instruction starting at
    /// `self`.
    #[inline(always)]
    pub unsafe fn u64(self, k: usize) -> u64 {
        // SAFETY: see the function contract.
        unsafe { self.u32(k) as u64 | (self.u32(k + 4) as u64) << 32 }
    }

    /// Advances past an instruction of `len` bytes.
    ///
    /// SAFETY: `len` is the encoded length of the instruction at `self`; the
    /// result is the next instruction start (the validator proved the body
    /// does not fall off its end after a non-terminator).
    #[inline(always)]
    pub unsafe fn skip(self, len: usize) -> Pc {
        // SAFETY: see the function contract.
        Pc(unsafe { self.0.add(len) })
    }
}

/// A copy of one instruction of a validated body, made by the JIT compiler
/// (`offset: u32`, the instruction, `jit::SENTINEL` padded to a word; the
/// copy 4-aligned, so the instruction and its word operands are, as in a
/// body): the position of the instruction and a stand-in start of its body
/// such that offsets from it are the original instruction's (the offset is
/// a multiple of 4, so the stand-in start is 4-aligned too).
///
/// SAFETY: `copy` points at such a copy. The stand-in start is never read
/// through: copies hold no branch (the only instructions that address their
/// body through its start), so it is only used to compute offsets.
#[cfg(espb_jit)]
pub(crate) unsafe fn copy_pc(copy: *const u8) -> (Pc, Pc) {
    debug_assert!((copy as usize).is_multiple_of(4), "misaligned copy");
    // SAFETY: see the function contract (a 4-aligned copy).
    let off = u32::from_le(unsafe { ptr::read(copy as *const u32) });
    debug_assert!(off.is_multiple_of(4));
    // SAFETY: the instruction follows the 4-byte offset.
    let pc = unsafe { copy.add(4) };
    (Pc(pc), Pc(pc.wrapping_sub(off as usize)))
}

/// The register window of the running function.
#[derive(Clone, Copy)]
pub(crate) struct Regs(*mut u64);

impl Regs {
    /// SAFETY: `slots[base..]` has at least as many elements as the running
    /// function's `regs`, and `slots` is neither moved nor resized while this
    /// window is used.
    #[inline(always)]
    pub unsafe fn new(slots: &mut [u64], base: usize) -> Regs {
        // SAFETY: see the function contract.
        Regs(unsafe { slots.as_mut_ptr().add(base) })
    }

    /// SAFETY: `r` is a validated register operand of the running function.
    #[inline(always)]
    pub unsafe fn get(self, r: u8) -> u64 {
        // SAFETY: see the function contract and `new`.
        unsafe { *self.0.add(r as usize) }
    }

    /// SAFETY: `r` is a validated register operand of the running function.
    #[inline(always)]
    pub unsafe fn set(self, r: u8, v: u64) {
        // SAFETY: see the function contract and `new`.
        unsafe { *self.0.add(r as usize) = v }
    }

    /// Writes an `i32`/`f32`/`ptr` result: its low 32 bits are the value,
    /// the high 32 bits are unspecified (docs/abi.md; every reader of an
    /// `i32`/`f32`/`ptr` ignores them). Targets with 32-bit words store
    /// the low word only (a 64-bit slot is two stores there); 64-bit hosts
    /// write the whole slot zero-extended, which costs the same and keeps a
    /// later 64-bit read of the slot (`mov`) from stalling on store
    /// forwarding. Debug builds write a marker into the high word instead,
    /// so that the test suites catch any reader that relies on it.
    ///
    /// SAFETY: `r` is a validated register operand of the running function.
    #[inline(always)]
    pub unsafe fn set32(self, r: u8, v: u32) {
        #[cfg(debug_assertions)]
        {
            // SAFETY: see the function contract and `new`.
            unsafe { *self.0.add(r as usize) = v as u64 | (HIGH_MARKER as u64) << 32 }
        }
        #[cfg(all(not(debug_assertions), target_pointer_width = "64"))]
        {
            // SAFETY: see the function contract and `new`.
            unsafe { *self.0.add(r as usize) = v as u64 }
        }
        #[cfg(all(not(debug_assertions), not(target_pointer_width = "64")))]
        {
            // SAFETY: see the function contract and `new`; the low half of
            // a little-endian 64-bit slot is its first 32-bit word (all
            // targets of this crate are little-endian), and the slot is
            // 8-aligned, so 4-aligned.
            unsafe { *(self.0.add(r as usize) as *mut u32) = v }
        }
    }
}

/// What debug builds write into the unspecified high word of an
/// `i32`/`f32`/`ptr` result (`Regs::set32`).
#[cfg(debug_assertions)]
pub(crate) const HIGH_MARKER: u32 = 0xdead_beef;

#[cfg(target_endian = "big")]
compile_error!(
    "the register file and bytecode are little-endian; big-endian targets are not supported"
);

impl Pc {
    /// The first opcode byte at this instruction start: a one-byte opcode,
    /// or `opcodes::ESCAPE` before an extended opcode's second byte.
    ///
    /// SAFETY: `self` is an instruction start of a validated body.
    #[inline(always)]
    pub unsafe fn opcode(self) -> u8 {
        // SAFETY: see the function contract.
        unsafe { *self.0 }
    }

    /// Whether `self` lies at or before `other` (a backward or self branch).
    #[inline(always)]
    pub fn not_after(self, other: Pc) -> bool {
        self.0 <= other.0
    }
}
