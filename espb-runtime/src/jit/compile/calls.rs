//! Calls out of compiled code: direct calls between compiled functions,
//! helper calls into the interpreter (calls, polls, instructions the backend
//! leaves to the interpreter's handlers) and pure operations.

use super::*;

impl Emitter<'_, '_> {
    /// `jalr ra, target`; a frameless function keeps its return address
    /// (`link`) on the stack around it.
    pub(super) fn call_out(&mut self, target: Reg) {
        if self.wrap_calls {
            self.put(rv::addi(SP, SP, -16));
            self.put(rv::sw(self.link, SP, 12));
            self.put(rv::jalr(RA, target, 0));
            self.put(rv::lw(self.link, SP, 12));
            self.put(rv::addi(SP, SP, 16));
        } else {
            self.put(rv::jalr(RA, target, 0));
        }
    }

    /// Calls helper `which` (an `env` offset) with `a0 = env` and `a1` set
    /// by `arg`, saving and reloading around it, then leaves on a trap.
    pub(super) fn call_helper(
        &mut self,
        which: i32,
        arg: impl FnOnce(&mut Self),
        spill: &[u8],
        load: &[u8],
    ) {
        self.write_back(spill);
        self.put(rv::sw(S4, S3, env::FUEL));
        arg(self);
        self.put(rv::addi(A0, S3, 0));
        self.put(rv::lw(T0, S3, which));
        self.call_out(T0);
        self.put(rv::addi(T1, A0, 0));
        self.put(rv::lw(S0, S3, env::REGS));
        self.put(rv::lw(S4, S3, env::FUEL));
        self.reload(load);
        let te = self.trap_exit;
        self.branch(Cond::Ne, T1, ZERO, te);
    }

    pub(super) fn poll(&mut self, off: u32) {
        let keep: Vec<u8> = self
            .cached()
            .into_iter()
            .filter(|&r| self.in_caller_saved(r))
            .collect();
        self.call_helper(env::POLL, |e| e.li(A1, off as i32), &keep.clone(), &keep);
    }

    /// Cached registers a call at window base `b` must write back before
    /// and reload after: those the callee sees (from `b` up) and those in
    /// machine registers the helper may clobber.
    pub(super) fn call_sets(&self, b: u8) -> Vec<u8> {
        self.cached()
            .into_iter()
            .filter(|&r| self.in_caller_saved(r) || r >= b)
            .collect()
    }

    /// `call func, base` at step `i`.
    ///
    /// A callee with no shadow-stack frame is called directly when it has
    /// compiled code (`Env::table`): the checks the interpreter's `call`
    /// makes are made inline (the callee's window inside the register
    /// stack, call depth and native
    /// stack — within the `Env`'s room for pending call sites, which
    /// `jit::exec` bounds by both —, then the fuel tick), the call
    /// site is recorded (`Env::top`) so that a helper the callee (or its
    /// callees) runs first makes the interpreter frames of the pending
    /// calls (`jit::exec::sync`: traps, backtraces and calls see the same
    /// frames as in the interpreter), and `s0` moves to the callee's
    /// window. Anything else — a callee with a frame, not compiled (or
    /// compiled only by tier-up), a check that fails, the fuel running out
    /// — takes the interpreter's call path (`Env::call`), which enters the
    /// callee as the interpreted `call` does, compiled or not, and traps
    /// or polls as it does.
    pub(super) fn call(&mut self, i: usize, func: u32, base: u8) {
        let off = self.steps[i].off;
        let set = self.call_sets(base);
        let callee = self
            .m
            .functions
            .get(func as usize)
            .filter(|c| c.frame_size == 0 && c.frame_align_log2 == 0);
        let Some(callee) = callee else {
            self.call_helper(
                env::CALL,
                |e| {
                    e.li(A1, func as i32);
                    e.put(rv::addi(12, ZERO, base as i32));
                    e.li(13, off as i32);
                },
                &set,
                &set,
            );
            return;
        };
        let span = 8 * (base as i32 + callee.regs as i32);
        self.stats.direct += 1;
        self.write_back(&set);
        let slow = self.new_label();
        let fuel = self.new_label();
        let done = self.new_label();
        let ret = self.new_label();
        let back = self.new_label();
        self.stubs.push((
            slow,
            Stub::Call {
                func,
                base,
                off,
                set: set.clone(),
                fuel,
                done,
            },
        ));
        self.stubs.push((ret, Stub::Ret { back }));
        // The callee's window inside the register stack.
        self.addi(T1, S0, span);
        self.put(rv::lw(T0, S3, env::REGS_END));
        self.branch(Cond::Ltu, T0, T1, slow);
        // Room for the site (call depth).
        self.put(rv::lw(T0, S3, env::TOP));
        self.put(rv::lw(T1, S3, env::END));
        self.branch(Cond::Geu, T0, T1, slow);
        // The callee's direct entry.
        self.put(rv::lw(T2, S3, env::TABLE));
        let k = 4 * func as i32;
        if rv::fits(k, 12) {
            self.put(rv::lw(T2, T2, k));
        } else {
            self.li(T1, k);
            self.put(rv::add(T2, T2, T1));
            self.put(rv::lw(T2, T2, 0));
        }
        self.branch(Cond::Eq, T2, ZERO, slow);
        // The tick (the poll when it runs out: the interpreter's path).
        self.put(rv::addi(S4, S4, -1));
        self.branch(Cond::Eq, S4, ZERO, fuel);
        // Record the site.
        let site = self.sites.len();
        self.sites.push([func, base as u32, off]);
        self.fixups.push((self.code.len(), site, Fix::Site(site)));
        self.put(rv::auipc(T1, 0));
        self.put(rv::addi(T1, T1, 0));
        self.put(rv::sw(T1, T0, 0));
        self.put(rv::addi(T0, T0, 4));
        self.put(rv::sw(T0, S3, env::TOP));
        self.addi(S0, S0, 8 * base as i32);
        self.put(rv::jalr(RA, T2, 0));
        self.addi(S0, S0, -8 * base as i32);
        let te = self.trap_exit;
        self.branch(Cond::Ne, A0, ZERO, te);
        // Take the site off; pop the callee's frame if a helper made it.
        self.put(rv::lw(T0, S3, env::TOP));
        self.put(rv::addi(T0, T0, -4));
        self.put(rv::sw(T0, S3, env::TOP));
        self.put(rv::lw(T1, S3, env::MAT));
        self.branch(Cond::Ltu, T0, T1, ret);
        self.bind(back);
        self.reload(&set);
        self.bind(done);
    }

    /// `dst = op(a[, b])` through the interpreter's expression for it
    /// (`interp::pure_fn`: floating point, bit counts, ...), a plain C call
    /// through the environment's table (ilp32: `a` in a0:a1, `b` in a2:a3,
    /// the result in a0:a1).
    pub(super) fn pure(&mut self, ins: &Instr) {
        let mut dst = None;
        let mut srcs = Vec::new();
        for o in ins.operands() {
            match o {
                espb_format::Operand::Dst(r) => dst = Some(r),
                espb_format::Operand::Reg(r) => srcs.push(r),
                _ => {}
            }
        }
        let keep: Vec<u8> = self
            .cached()
            .into_iter()
            .filter(|&r| self.in_caller_saved(r))
            .collect();
        self.write_back(&keep);
        // The operands into scratch first: they may sit in a0-a3.
        let scratch = [(T0, T1), (T2, T3)];
        for (k, &r) in srcs.iter().take(2).enumerate() {
            let (l, h) = scratch[k];
            let lo = self.lo(r, l);
            self.mv(l, lo);
            let hi = if self.wide[r as usize] {
                self.hi(r, h)
            } else {
                ZERO
            };
            self.mv(h, hi);
        }
        for (k, _) in srcs.iter().take(2).enumerate() {
            let (l, h) = scratch[k];
            self.mv(A0 + 2 * k as Reg, l);
            self.mv(A1 + 2 * k as Reg, h);
        }
        self.put(rv::lw(T0, S3, env::PURE));
        self.put(rv::lw(T0, T0, 4 * (ins.opcode().code() as i32 & 0xff)));
        self.call_out(T0);
        self.put(rv::addi(T1, A0, 0));
        self.put(rv::addi(T2, A1, 0));
        self.reload(&keep);
        if let Some(d) = dst {
            self.set_lo(d, T1);
            self.set_hi(d, T2);
        }
    }

    /// Runs step `i` through the interpreter's handler of that instruction.
    pub(super) fn helper_step(&mut self, i: usize) {
        let s = &self.steps[i];
        // Whole words, as in a body (format v2): the interpreter reads the
        // copy's word operands with aligned loads, and every copy starts at
        // a multiple of 4 of the image (`finish`), itself 4-aligned.
        let mut bytes = Vec::new();
        bytes.extend_from_slice(&s.off.to_le_bytes());
        s.ins.encode(&mut bytes);
        // The sentinel that ends a single-instruction run (no opcode),
        // padded to a word like an instruction.
        bytes.extend_from_slice(&[crate::jit::SENTINEL, 0, 0, 0]);
        debug_assert!(bytes
            .len()
            .is_multiple_of(espb_format::opcodes::INSTR_ALIGN));
        let copy = self.copies.len();
        self.copies.push(bytes);
        let mut reads = Vec::new();
        let mut writes = Vec::new();
        let mut clobber = None;
        lower::uses(self.m, &s.ins, self.result, &mut |u| match u {
            Use::Read(r, _) => reads.push(r),
            Use::Write(r) => writes.push(r),
            Use::ClobberFrom(b) => clobber = Some(b),
        });
        let cached = self.cached();
        let spill: Vec<u8> = cached
            .iter()
            .copied()
            .filter(|&r| {
                self.in_caller_saved(r) || reads.contains(&r) || clobber.is_some_and(|b| r >= b)
            })
            .collect();
        let load: Vec<u8> = cached
            .iter()
            .copied()
            .filter(|&r| {
                self.in_caller_saved(r) || writes.contains(&r) || clobber.is_some_and(|b| r >= b)
            })
            .collect();
        self.call_helper(
            env::EXEC,
            |e| {
                e.fixups.push((e.code.len(), copy, Fix::Copy(copy)));
                e.put(rv::auipc(A1, 0));
                e.put(rv::addi(A1, A1, 0));
            },
            &spill,
            &load,
        );
    }
}
