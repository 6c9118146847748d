//! RV32IM instruction encodings (and the few compressed forms the backend
//! emits). Pure functions from operands to instruction words: the compiler
//! uses them on any host, so the machine code is unit-tested without a
//! RISC-V machine.

/// A machine register number (x0..x31).
pub type Reg = u8;

pub const ZERO: Reg = 0;
pub const RA: Reg = 1;
pub const SP: Reg = 2;
pub const T0: Reg = 5;
pub const T1: Reg = 6;
pub const T2: Reg = 7;
pub const S0: Reg = 8;
pub const S1: Reg = 9;
pub const A0: Reg = 10;
pub const A1: Reg = 11;
pub const S2: Reg = 18;
pub const S3: Reg = 19;
pub const S4: Reg = 20;

/// Whether `v` fits a signed `bits`-bit immediate.
pub const fn fits(v: i32, bits: u32) -> bool {
    let lim = 1i32 << (bits - 1);
    v >= -lim && v < lim
}

const fn r(f7: u32, rs2: Reg, rs1: Reg, f3: u32, rd: Reg, op: u32) -> u32 {
    f7 << 25 | (rs2 as u32) << 20 | (rs1 as u32) << 15 | f3 << 12 | (rd as u32) << 7 | op
}

const fn i(imm: i32, rs1: Reg, f3: u32, rd: Reg, op: u32) -> u32 {
    ((imm as u32) & 0xfff) << 20 | (rs1 as u32) << 15 | f3 << 12 | (rd as u32) << 7 | op
}

const fn s(imm: i32, rs2: Reg, rs1: Reg, f3: u32, op: u32) -> u32 {
    let imm = imm as u32;
    ((imm >> 5) & 0x7f) << 25
        | (rs2 as u32) << 20
        | (rs1 as u32) << 15
        | f3 << 12
        | (imm & 0x1f) << 7
        | op
}

/// Conditional branch kinds (funct3).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Cond {
    Eq = 0,
    Ne = 1,
    Lt = 4,
    Ge = 5,
    Ltu = 6,
    Geu = 7,
}

impl Cond {
    pub fn invert(self) -> Cond {
        match self {
            Cond::Eq => Cond::Ne,
            Cond::Ne => Cond::Eq,
            Cond::Lt => Cond::Ge,
            Cond::Ge => Cond::Lt,
            Cond::Ltu => Cond::Geu,
            Cond::Geu => Cond::Ltu,
        }
    }
}

/// `b<cond> rs1, rs2, off` (off: even, within ±4 KiB).
pub const fn branch(c: Cond, rs1: Reg, rs2: Reg, off: i32) -> u32 {
    let o = off as u32;
    ((o >> 12) & 1) << 31
        | ((o >> 5) & 0x3f) << 25
        | (rs2 as u32) << 20
        | (rs1 as u32) << 15
        | (c as u32) << 12
        | ((o >> 1) & 0xf) << 8
        | ((o >> 11) & 1) << 7
        | 0x63
}

/// `jal rd, off` (off: even, within ±1 MiB).
pub const fn jal(rd: Reg, off: i32) -> u32 {
    let o = off as u32;
    ((o >> 20) & 1) << 31
        | ((o >> 1) & 0x3ff) << 21
        | ((o >> 11) & 1) << 20
        | ((o >> 12) & 0xff) << 12
        | (rd as u32) << 7
        | 0x6f
}

pub const fn jalr(rd: Reg, rs1: Reg, off: i32) -> u32 {
    i(off, rs1, 0, rd, 0x67)
}
pub const fn lui(rd: Reg, imm20: u32) -> u32 {
    (imm20 & 0xfffff) << 12 | (rd as u32) << 7 | 0x37
}
pub const fn auipc(rd: Reg, imm20: u32) -> u32 {
    (imm20 & 0xfffff) << 12 | (rd as u32) << 7 | 0x17
}

pub const fn lb(rd: Reg, rs1: Reg, off: i32) -> u32 {
    i(off, rs1, 0, rd, 0x03)
}
pub const fn lh(rd: Reg, rs1: Reg, off: i32) -> u32 {
    i(off, rs1, 1, rd, 0x03)
}
pub const fn lw(rd: Reg, rs1: Reg, off: i32) -> u32 {
    i(off, rs1, 2, rd, 0x03)
}
pub const fn lbu(rd: Reg, rs1: Reg, off: i32) -> u32 {
    i(off, rs1, 4, rd, 0x03)
}
pub const fn lhu(rd: Reg, rs1: Reg, off: i32) -> u32 {
    i(off, rs1, 5, rd, 0x03)
}
pub const fn sb(rs2: Reg, rs1: Reg, off: i32) -> u32 {
    s(off, rs2, rs1, 0, 0x23)
}
pub const fn sh(rs2: Reg, rs1: Reg, off: i32) -> u32 {
    s(off, rs2, rs1, 1, 0x23)
}
pub const fn sw(rs2: Reg, rs1: Reg, off: i32) -> u32 {
    s(off, rs2, rs1, 2, 0x23)
}

pub const fn addi(rd: Reg, rs1: Reg, imm: i32) -> u32 {
    i(imm, rs1, 0, rd, 0x13)
}
pub const fn slti(rd: Reg, rs1: Reg, imm: i32) -> u32 {
    i(imm, rs1, 2, rd, 0x13)
}
pub const fn sltiu(rd: Reg, rs1: Reg, imm: i32) -> u32 {
    i(imm, rs1, 3, rd, 0x13)
}
pub const fn xori(rd: Reg, rs1: Reg, imm: i32) -> u32 {
    i(imm, rs1, 4, rd, 0x13)
}
pub const fn ori(rd: Reg, rs1: Reg, imm: i32) -> u32 {
    i(imm, rs1, 6, rd, 0x13)
}
pub const fn andi(rd: Reg, rs1: Reg, imm: i32) -> u32 {
    i(imm, rs1, 7, rd, 0x13)
}
pub const fn slli(rd: Reg, rs1: Reg, sh: u32) -> u32 {
    i((sh & 31) as i32, rs1, 1, rd, 0x13)
}
pub const fn srli(rd: Reg, rs1: Reg, sh: u32) -> u32 {
    i((sh & 31) as i32, rs1, 5, rd, 0x13)
}
pub const fn srai(rd: Reg, rs1: Reg, sh: u32) -> u32 {
    i((sh & 31) as i32 | 0x400, rs1, 5, rd, 0x13)
}

pub const fn add(rd: Reg, a: Reg, b: Reg) -> u32 {
    r(0, b, a, 0, rd, 0x33)
}
pub const fn sub(rd: Reg, a: Reg, b: Reg) -> u32 {
    r(0x20, b, a, 0, rd, 0x33)
}
pub const fn sll(rd: Reg, a: Reg, b: Reg) -> u32 {
    r(0, b, a, 1, rd, 0x33)
}
pub const fn slt(rd: Reg, a: Reg, b: Reg) -> u32 {
    r(0, b, a, 2, rd, 0x33)
}
pub const fn sltu(rd: Reg, a: Reg, b: Reg) -> u32 {
    r(0, b, a, 3, rd, 0x33)
}
pub const fn xor(rd: Reg, a: Reg, b: Reg) -> u32 {
    r(0, b, a, 4, rd, 0x33)
}
pub const fn srl(rd: Reg, a: Reg, b: Reg) -> u32 {
    r(0, b, a, 5, rd, 0x33)
}
pub const fn sra(rd: Reg, a: Reg, b: Reg) -> u32 {
    r(0x20, b, a, 5, rd, 0x33)
}
pub const fn or(rd: Reg, a: Reg, b: Reg) -> u32 {
    r(0, b, a, 6, rd, 0x33)
}
pub const fn and(rd: Reg, a: Reg, b: Reg) -> u32 {
    r(0, b, a, 7, rd, 0x33)
}
pub const fn mul(rd: Reg, a: Reg, b: Reg) -> u32 {
    r(1, b, a, 0, rd, 0x33)
}
pub const fn mulhu(rd: Reg, a: Reg, b: Reg) -> u32 {
    r(1, b, a, 3, rd, 0x33)
}
pub const fn div(rd: Reg, a: Reg, b: Reg) -> u32 {
    r(1, b, a, 4, rd, 0x33)
}
pub const fn divu(rd: Reg, a: Reg, b: Reg) -> u32 {
    r(1, b, a, 5, rd, 0x33)
}
pub const fn rem(rd: Reg, a: Reg, b: Reg) -> u32 {
    r(1, b, a, 6, rd, 0x33)
}
pub const fn remu(rd: Reg, a: Reg, b: Reg) -> u32 {
    r(1, b, a, 7, rd, 0x33)
}

/// `fence.i`: instruction fetches see earlier stores (Zifencei).
pub const FENCE_I: u32 = 0x0000_100f;

/// The upper and lower parts of a 32-bit constant for `lui` + `addi`.
pub const fn hi_lo(v: i32) -> (u32, i32) {
    let lo = (v << 20) >> 20;
    let hi = ((v as u32).wrapping_sub(lo as u32)) >> 12;
    (hi, lo)
}

// ---- compressed (RVC) forms: 16-bit encodings ----------------------------

/// Whether `r` is one of the eight registers the 3-bit fields name (x8..x15).
pub const fn is_c_reg(r: Reg) -> bool {
    r >= 8 && r <= 15
}

/// `c.mv rd, rs` (rd, rs != x0).
pub const fn c_mv(rd: Reg, rs: Reg) -> u16 {
    (0b100 << 13 | (rd as u32) << 7 | (rs as u32) << 2 | 0b10) as u16
}

/// `c.addi rd, imm` (rd != x0, imm != 0, 6-bit signed).
pub const fn c_addi(rd: Reg, imm: i32) -> u16 {
    let u = imm as u32;
    (((u >> 5) & 1) << 12 | (rd as u32) << 7 | (u & 0x1f) << 2 | 0b01) as u16
}

/// `c.li rd, imm` (rd != x0, 6-bit signed).
pub const fn c_li(rd: Reg, imm: i32) -> u16 {
    let u = imm as u32;
    (0b010 << 13 | ((u >> 5) & 1) << 12 | (rd as u32) << 7 | (u & 0x1f) << 2 | 0b01) as u16
}

/// `c.add rd, rs` (rd, rs != x0).
pub const fn c_add(rd: Reg, rs: Reg) -> u16 {
    (0b100 << 13 | 1 << 12 | (rd as u32) << 7 | (rs as u32) << 2 | 0b10) as u16
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Encodings checked against `llvm-mc-19 -triple=riscv32 -mattr=+m,+c
    /// -show-encoding`.
    #[test]
    fn encodings_match_the_assembler() {
        assert_eq!(addi(A0, A0, -1), 0xfff5_0513);
        assert_eq!(add(T0, S0, A1), 0x00b4_02b3);
        assert_eq!(sub(T1, T0, T2), 0x4072_8333);
        assert_eq!(lw(T0, S0, 2044), 0x7fc4_2283);
        assert_eq!(sw(T0, S0, 2044), 0x7e54_2e23);
        assert_eq!(sb(A0, S1, -1), 0xfea4_8fa3);
        assert_eq!(lbu(T2, T0, 0), 0x0002_c383);
        assert_eq!(lh(T2, T0, 6), 0x0062_9383);
        assert_eq!(branch(Cond::Ne, T0, ZERO, -4), 0xfe02_9ee3);
        assert_eq!(branch(Cond::Ltu, S2, T1, 0x7fa), 0x7e69_6d63);
        assert_eq!(jal(RA, 4), 0x0040_00ef);
        assert_eq!(jalr(RA, T0, 0), 0x0002_80e7);
        assert_eq!(lui(T0, 0x12345), 0x1234_52b7);
        assert_eq!(auipc(T1, 0), 0x0000_0317);
        assert_eq!(srai(T0, T0, 31), 0x41f2_d293);
        assert_eq!(slli(T0, T1, 3), 0x0033_1293);
        assert_eq!(mulhu(T2, A0, A1), 0x02b5_33b3);
        assert_eq!(div(T0, T1, T2), 0x0273_42b3);
        assert_eq!(remu(T0, T1, T2), 0x0273_72b3);
        assert_eq!(sltu(T0, T1, T2), 0x0073_32b3);
        assert_eq!(sltiu(T0, T1, 1), 0x0013_3293);
        assert_eq!(c_mv(S0, A0), 0x842a);
        assert_eq!(c_addi(S0, -1), 0x147d);
        assert_eq!(c_li(A0, 5), 0x4515);
        assert_eq!(c_add(S0, A1), 0x942e);
    }

    #[test]
    fn constants_split_into_lui_and_addi() {
        for v in [
            0,
            1,
            -1,
            0x7ff,
            0x800,
            -2048,
            -2049,
            i32::MIN,
            i32::MAX,
            0x1234_5fff,
        ] {
            let (hi, lo) = hi_lo(v);
            assert!(fits(lo, 12));
            assert_eq!((hi << 12).wrapping_add(lo as u32), v as u32, "{v:#x}");
        }
    }
}
