//! Linear-memory loads and stores: the inline bounds and alignment check,
//! with the interpreter's handler as the slow path.

use super::*;

impl Emitter<'_, '_> {
    /// `t1` = host address of module address `addr + offset` when the
    /// access of `n` bytes is in bounds and aligned; otherwise to `slow`.
    pub(super) fn address(&mut self, addr: u8, offset: i32, n: u32, slow: usize) {
        self.mem_seen = true;
        let a = self.lo(addr, T0);
        // rel = addr + offset - NULL_GUARD (mod 2^32)
        let k = offset.wrapping_sub(NULL_GUARD as i32);
        if rv::fits(k, 12) {
            self.put(rv::addi(T1, a, k));
        } else if offset == 0 {
            self.put(rv::add(T1, a, S5));
        } else if rv::fits(offset, 12) {
            self.put(rv::add(T1, a, S5));
            self.put(rv::addi(T1, T1, offset));
        } else {
            self.li(T1, k);
            self.put(rv::add(T1, a, T1));
        }
        self.branch(Cond::Ltu, S2, T1, slow);
        let align = n.min(4);
        if align > 1 {
            self.put(rv::andi(T2, T1, align as i32 - 1));
            self.branch(Cond::Ne, T2, ZERO, slow);
        }
        self.put(rv::add(T1, S1, T1));
    }

    pub(super) fn load(&mut self, i: usize, dst: u8, addr: u8, offset: i32, n: u32, signed: bool) {
        let slow = self.new_label();
        let back = self.new_label();
        self.stubs.push((slow, Stub::Slow { step: i, back }));
        self.address(addr, offset, n, slow);
        let d = self.dst(dst, T0);
        let f = match (n, signed) {
            (1, true) => rv::lb,
            (1, false) => rv::lbu,
            (2, true) => rv::lh,
            (2, false) => rv::lhu,
            _ => rv::lw,
        };
        if n == 8 && self.wide[dst as usize] {
            // Both halves, the high one first (`d` may be t1's reader).
            self.put(rv::lw(T2, T1, 4));
            self.put(rv::lw(d, T1, 0));
            self.set_lo(dst, d);
            self.set_hi(dst, T2);
        } else {
            self.put(f(d, T1, 0));
            self.set_lo(dst, d);
            if signed {
                self.set_hi_sign(dst, d);
            } else if n < 8 {
                self.set_hi_zero(dst);
            }
        }
        self.bind(back);
    }

    pub(super) fn store(&mut self, i: usize, addr: u8, src: u8, offset: i32, n: u32) {
        let slow = self.new_label();
        let back = self.new_label();
        self.stubs.push((slow, Stub::Slow { step: i, back }));
        self.address(addr, offset, n, slow);
        let v = self.lo(src, T0);
        match n {
            1 => self.put(rv::sb(v, T1, 0)),
            2 => self.put(rv::sh(v, T1, 0)),
            4 => self.put(rv::sw(v, T1, 0)),
            _ => {
                self.put(rv::sw(v, T1, 0));
                let h = self.hi(src, T0);
                self.put(rv::sw(h, T1, 4));
            }
        }
        self.bind(back);
    }
}
