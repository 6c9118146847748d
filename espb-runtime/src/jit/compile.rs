//! Bytecode → RV32IM machine code for one function (pure: runs and is
//! tested on any host; only `jit::exec` runs the result).
//!
//! The compiled function is `extern "C" fn(env: *mut Env) -> u32` (0: it
//! returned, its result in window slot 0; 1: it trapped, the trap is in the
//! interpreter's state). Its module registers live in their window slots
//! (`s0` points at the window); the most used ones are kept in machine
//! registers for the whole function, written back before and reloaded
//! after anything that runs outside the code (calls, the interpreter's
//! handler of an instruction compiled as a helper call, polls).
//!
//! Machine registers: `s0` window, `s1` host address of module address
//! `NULL_GUARD`, `s2` the fast-path bound on `address - NULL_GUARD`, `s3`
//! the `Env`, `s4` the fuel countdown, `s5` the constant `-NULL_GUARD`;
//! `t0`-`t3` and `ra` are scratch; module registers are cached in
//! `s6`-`s11`, `a0`-`a7` and `t4`-`t6`.
//!
//! Safety argument (the interpreter's, kept): every linear-memory access
//! is checked inline (`address - NULL_GUARD <= len - NULL_GUARD - 8`, and
//! aligned) or runs through the interpreter's own handler, which checks
//! and traps exactly as it does when interpreting; the shadow stack, calls,
//! allocas and traps all go through the interpreter's code; backward
//! branches count fuel and poll the interrupt flag as the interpreter does.

use alloc::vec;
use alloc::vec::Vec;

use espb_format::{Instr, Module, ValType, FUNC_REF_BASE, IMPORT_REF_BASE, NULL_GUARD};

use super::lower::{self, Step, Use};
use super::rv::{self, Cond, Reg, A0, A1, RA, S0, S1, S2, S3, S4, SP, T0, T1, T2, ZERO};

mod calls;
mod memory;
mod ops;
mod regalloc;

use regalloc::{allocate, branch_targets, narrow_result};

/// Byte offsets of the `Env` fields the code reads (`jit::exec::Env` is
/// `repr(C)` with this layout; a test there checks it).
pub mod env {
    pub const REGS: i32 = 0;
    pub const MEM: i32 = 4;
    pub const LIM: i32 = 8;
    pub const FUEL: i32 = 12;
    pub const FP: i32 = 16;
    pub const EXEC: i32 = 20;
    pub const POLL: i32 = 24;
    pub const CALL: i32 = 28;
    pub const PURE: i32 = 32;
    /// The code address an on-stack-replacement entry jumps to.
    pub const RESUME: i32 = 40;
    /// Direct calls (`jit::exec::Env`): the end of the register stack,
    /// the pending call sites (`top`, `end`, `mat`), the direct entries by
    /// function and the return helper.
    pub const REGS_END: i32 = 44;
    pub const TOP: i32 = 48;
    pub const END: i32 = 52;
    pub const MAT: i32 = 56;
    pub const TABLE: i32 = 60;
    pub const RET: i32 = 64;
}

/// Most native stack one direct-entry activation takes (its frame, or a
/// frameless one's 16 bytes around a helper call): `jit::exec` lets direct
/// calls nest only as deep as the JIT's native stack budget has room for
/// at this size each, so compiled code need not check the stack per call.
pub const DIRECT_FRAME: usize = 64;

const T3: Reg = 28;
const S5: Reg = 21;

/// Machine registers that hold module registers, callee-saved ones first
/// (those survive helper calls without a reload).
const POOL: [Reg; 17] = [
    22, 23, 24, 25, 26, 27, // s6-s11
    12, 13, 14, 15, 16, 17, 10, 11, // a2-a7, a0, a1
    29, 30, 31, // t4-t6
];

fn callee_saved(r: Reg) -> bool {
    matches!(r, 8 | 9 | 18..=27)
}

/// Why a function stays interpreted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// The body does not decode (a validated body always does).
    Decode,
    /// The machine code would exceed what one function may take.
    TooLarge { bytes: usize },
}

impl core::fmt::Display for Refusal {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            Refusal::Decode => f.write_str("body does not decode"),
            Refusal::TooLarge { bytes } => write!(
                f,
                "machine code of {bytes} bytes exceeds the {MAX_CODE} bytes one function may take"
            ),
        }
    }
}

/// Most machine-code bytes for one function (jumps reach ±1 MiB).
pub const MAX_CODE: usize = 256 * 1024;

/// A compiled function: position-independent machine code followed by the
/// instruction copies its helper calls run.
#[derive(Debug, Clone)]
pub struct Compiled {
    pub image: Vec<u8>,
    /// Bytes of machine code (the copies follow).
    pub code_bytes: usize,
    pub stats: Stats,
    /// With [`compile_osr`]: the byte offset of the entry for on-stack
    /// replacement (the prologue, then a jump to `Env::resume`) and the
    /// code byte offset of each bytecode offset it may resume at.
    pub osr_entry: Option<usize>,
    pub osr: Vec<(u32, u32)>,
    /// Byte offset of the entry for direct calls from compiled code (see
    /// `Emitter::call`).
    pub direct_entry: usize,
}

/// What the backend did with one function.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Stats {
    /// Primitive instructions compiled inline.
    pub inline: u32,
    /// Primitive instructions run through the interpreter's handler
    /// (calls, floating point, bulk memory, atomics, ...).
    pub helper: u32,
    /// Module registers kept in machine registers.
    pub cached: u32,
    /// Calls (among `helper`) made directly when the callee is compiled
    /// (`Emitter::call`).
    pub direct: u32,
}

/// Where a module register lives.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Loc {
    Mem,
    One(Reg),
    Two(Reg, Reg),
}

#[derive(Clone, Copy)]
enum Fix {
    /// B-type branch to a label.
    Branch,
    /// `jal` to a label.
    Jal,
    /// `auipc` + `addi` pair to a copy.
    Copy(usize),
    /// `auipc` + `addi` pair to a call-site descriptor.
    Site(usize),
}

struct Label(usize);

/// Out-of-line code emitted after the body.
enum Stub {
    /// A direct call that cannot be made here (fuel ran out, no room,
    /// callee not compiled): the interpreter's call path (entered at
    /// `fuel` when the tick must be undone), then on to `done`.
    Call {
        func: u32,
        base: u8,
        off: u32,
        set: Vec<u8>,
        fuel: usize,
        done: usize,
    },
    /// A direct callee whose frame a helper made returned: pop it.
    Ret { back: usize },
    /// A slow path: run step `step` through the interpreter, continue at
    /// label `back`.
    Slow { step: usize, back: usize },
    /// A backward edge: tick the fuel, poll when it runs out, go to `to`.
    Tick { to: usize, off: u32 },
}

struct Emitter<'a, 'm> {
    m: &'a Module<'m>,
    steps: &'a [Step],
    result: Option<ValType>,
    loc: [Loc; 256],
    wide: [bool; 256],
    code: Vec<u32>,
    labels: Vec<Option<usize>>,
    fixups: Vec<(usize, usize, Fix)>,
    /// Per branch site (in emission order): whether it reaches with a short
    /// B-type branch (decided from the previous pass).
    short: Vec<bool>,
    site: usize,
    next_short: Vec<(usize, usize)>,
    stubs: Vec<(usize, Stub)>,
    copies: Vec<Vec<u8>>,
    /// Direct call sites: callee, window base, bytecode offset (placed
    /// after the copies; `jit::exec::sync` reads them).
    sites: Vec<[u32; 3]>,
    /// Parameters (module registers `r0..`, with a variadic function's
    /// hidden pointer): what the direct entry loads.
    params: usize,
    /// No native stack frame: nothing saved, nothing called but from the
    /// cold stubs (which save `link` around their call); the return
    /// address lives in `link`.
    frameless: bool,
    link: Reg,
    /// Pass 1 (which measures branch distances) wraps helper calls as a
    /// frameless function does whenever pass 2 might find the function
    /// frameless (pass 1 assumes memory registers, pass 2 may not): code
    /// only shrinks from pass 1 to pass 2, so branches found short stay in
    /// reach.
    measuring: bool,
    wrap_calls: bool,
    direct_entry: usize,
    osr_direct: usize,
    /// The step being emitted has an `i32`/`f32`/`ptr` result, of which
    /// the interpreter writes only the low word (`Regs::set32`): the high
    /// half is not defined, and no read depends on it.
    narrow_now: bool,
    /// Label of each step that starts a bytecode instruction.
    at: Vec<usize>,
    trap_exit: usize,
    epilogue: usize,
    saved: Vec<Reg>,
    /// Module registers kept in machine registers, in order.
    cached_regs: Vec<u8>,
    stats: Stats,
    /// Emit an entry for on-stack replacement (`compile_osr`).
    osr: bool,
    osr_entry: usize,
    /// Whether the code accesses linear memory inline (`s1`, `s2`, `s5`
    /// are loaded only then): measured by pass 1 (`mem_seen`), used by
    /// pass 2.
    uses_mem: bool,
    mem_seen: bool,
}

/// Compiles function `func` of validated module `m`.
pub fn compile(m: &Module<'_>, func: u32) -> Result<Compiled, Refusal> {
    compile_with(m, func, false)
}

/// Compiles function `func` for tier-up: as [`compile`], plus a second
/// entry that enters the code in the middle of the body, where an
/// interpreted activation stands (on-stack replacement): at the target of
/// a backward branch and after a call. Every module register is in its
/// window slot there (the interpreter keeps them all there), so the entry
/// is the prologue, which loads the cached registers from their slots, and
/// a jump to the label of that bytecode offset: between two bytecode
/// instructions the code keeps nothing but the cached registers.
pub fn compile_osr(m: &Module<'_>, func: u32) -> Result<Compiled, Refusal> {
    compile_with(m, func, true)
}

fn compile_with(m: &Module<'_>, func: u32, osr: bool) -> Result<Compiled, Refusal> {
    let f = m.functions.get(func as usize).ok_or(Refusal::Decode)?;
    let ty = m.types.get(f.ty as usize).ok_or(Refusal::Decode)?;
    let steps = lower::steps(&f.code).ok_or(Refusal::Decode)?;
    let result = ty.result;
    let wide = lower::wide_registers(m, &steps, result);
    let loc = allocate(m, &steps, result, &wide, f.regs as usize);
    // Pass 1 with long branches measures; pass 2 shortens what reaches.
    let mut short = Vec::new();
    let mut uses_mem = true;
    for pass in 0..2 {
        let mut e = Emitter::new(m, &steps, result, loc, wide, short.clone());
        e.osr = osr;
        // A variadic function's hidden pointer to its packed variadic
        // arguments arrives after the parameters (docs/format.md).
        e.params = ty.params.len() + ty.variadic as usize;
        // Pass 2 leaves out what pass 1 found unused (the code only
        // shrinks: branch distances with it).
        e.uses_mem = uses_mem;
        e.measuring = pass == 0;
        e.body();
        uses_mem = e.mem_seen;
        if e.code.len() * 4 > MAX_CODE {
            return Err(Refusal::TooLarge {
                bytes: e.code.len() * 4,
            });
        }
        if pass == 0 {
            short = e
                .next_short
                .iter()
                .map(|&(from, label)| {
                    let to = e.labels[label].unwrap_or(0);
                    let d = to as i64 - from as i64;
                    // Distances only shrink in pass 2.
                    (d * 4).abs() < 4000
                })
                .collect();
            continue;
        }
        return Ok(e.finish());
    }
    unreachable!("two passes")
}

impl<'a, 'm> Emitter<'a, 'm> {
    fn new(
        m: &'a Module<'m>,
        steps: &'a [Step],
        result: Option<ValType>,
        loc: [Loc; 256],
        wide: [bool; 256],
        short: Vec<bool>,
    ) -> Self {
        let mut e = Emitter {
            m,
            steps,
            result,
            loc,
            wide,
            code: Vec::new(),
            labels: Vec::new(),
            fixups: Vec::new(),
            short,
            site: 0,
            next_short: Vec::new(),
            stubs: Vec::new(),
            copies: Vec::new(),
            sites: Vec::new(),
            params: 0,
            frameless: false,
            link: RA,
            measuring: false,
            wrap_calls: false,
            direct_entry: 0,
            osr_direct: 0,
            narrow_now: false,
            at: Vec::new(),
            trap_exit: 0,
            epilogue: 0,
            saved: Vec::new(),
            cached_regs: (0..=255u8)
                .filter(|&r| loc[r as usize] != Loc::Mem)
                .collect(),
            stats: Stats::default(),
            osr: false,
            osr_entry: 0,
            uses_mem: true,
            mem_seen: false,
        };
        e.trap_exit = e.label().0;
        e.epilogue = e.label().0;
        e.osr_entry = e.label().0;
        e.direct_entry = e.label().0;
        e.osr_direct = e.label().0;
        e.at = steps.iter().map(|_| e.new_label()).collect();
        e
    }

    fn new_label(&mut self) -> usize {
        self.labels.push(None);
        self.labels.len() - 1
    }
    fn label(&mut self) -> Label {
        Label(self.new_label())
    }
    fn bind(&mut self, l: usize) {
        self.labels[l] = Some(self.code.len());
    }
    fn put(&mut self, w: u32) {
        self.code.push(w);
    }

    /// The label of bytecode offset `off` (a validated branch target: the
    /// first part of an instruction).
    fn target(&self, off: u32) -> usize {
        let i = self.steps.partition_point(|s| s.off < off);
        self.at[i.min(self.at.len().saturating_sub(1))]
    }

    // ---- branches ---------------------------------------------------------

    /// `if rs1 <cond> rs2 goto label`, short when the previous pass saw it
    /// reach.
    fn branch(&mut self, c: Cond, rs1: Reg, rs2: Reg, label: usize) {
        let id = self.site;
        self.site += 1;
        self.next_short.push((self.code.len(), label));
        if self.short.get(id).copied().unwrap_or(false) {
            self.fixups.push((self.code.len(), label, Fix::Branch));
            self.put(rv::branch(c, rs1, rs2, 0));
        } else {
            self.put(rv::branch(c.invert(), rs1, rs2, 8));
            self.fixups.push((self.code.len(), label, Fix::Jal));
            self.put(rv::jal(ZERO, 0));
        }
    }

    fn jump(&mut self, label: usize) {
        self.fixups.push((self.code.len(), label, Fix::Jal));
        self.put(rv::jal(ZERO, 0));
    }

    /// Where a branch from step `i` to bytecode offset `t` goes: the
    /// target itself, or for a backward branch a stub that ticks the fuel
    /// first (as the interpreter does for backward branches).
    fn edge(&mut self, i: usize, t: u32) -> usize {
        let to = self.target(t);
        if t <= self.steps[i].off {
            let l = self.new_label();
            self.stubs.push((
                l,
                Stub::Tick {
                    to,
                    off: self.steps[i].off,
                },
            ));
            l
        } else {
            to
        }
    }

    // ---- module registers -------------------------------------------------

    fn slot(r: u8) -> i32 {
        8 * r as i32
    }

    /// The low half of module register `r`, in its machine register or
    /// loaded into `scratch`.
    fn lo(&mut self, r: u8, scratch: Reg) -> Reg {
        match self.loc[r as usize] {
            Loc::One(x) | Loc::Two(x, _) => x,
            Loc::Mem => {
                self.put(rv::lw(scratch, S0, Self::slot(r)));
                scratch
            }
        }
    }

    /// The high half of `r` (a wide register).
    fn hi(&mut self, r: u8, scratch: Reg) -> Reg {
        match self.loc[r as usize] {
            Loc::Two(_, h) => h,
            Loc::One(_) => {
                // Never read wide (analysis); the interpreter's value would
                // be unknown anyway. Zero keeps the code total.
                self.put(rv::addi(scratch, ZERO, 0));
                scratch
            }
            Loc::Mem => {
                self.put(rv::lw(scratch, S0, Self::slot(r) + 4));
                scratch
            }
        }
    }

    /// The machine register to compute `r`'s low half into directly (its
    /// own, or `scratch` to be stored by `set_lo`).
    fn dst(&self, r: u8, scratch: Reg) -> Reg {
        match self.loc[r as usize] {
            Loc::One(x) | Loc::Two(x, _) => x,
            Loc::Mem => scratch,
        }
    }

    fn mv(&mut self, d: Reg, s: Reg) {
        if d != s {
            self.put(rv::addi(d, s, 0));
        }
    }

    /// Writes the low half of `r` from machine register `v`.
    fn set_lo(&mut self, r: u8, v: Reg) {
        match self.loc[r as usize] {
            Loc::One(x) | Loc::Two(x, _) => self.mv(x, v),
            Loc::Mem => self.put(rv::sw(v, S0, Self::slot(r))),
        }
    }

    /// Writes the high half of `r` (only wide registers keep one).
    fn set_hi(&mut self, r: u8, v: Reg) {
        if !self.wide[r as usize] {
            return;
        }
        match self.loc[r as usize] {
            Loc::Two(_, h) => self.mv(h, v),
            Loc::One(_) => {}
            Loc::Mem => self.put(rv::sw(v, S0, Self::slot(r) + 4)),
        }
    }

    /// The high half of an i32-typed result: zero (the interpreter writes
    /// `u32 as u64`).
    fn set_hi_zero(&mut self, r: u8) {
        if !self.narrow_now {
            self.set_hi(r, ZERO);
        }
    }

    /// The high half of a sign-extended result whose low half is in `lo`.
    fn set_hi_sign(&mut self, r: u8, lo: Reg) {
        if self.wide[r as usize] && !self.narrow_now {
            self.put(rv::srai(T3, lo, 31));
            self.set_hi(r, T3);
        }
    }

    /// `rd = v`.
    fn li(&mut self, rd: Reg, v: i32) {
        if rv::fits(v, 12) {
            self.put(rv::addi(rd, ZERO, v));
        } else {
            let (hi, lo) = rv::hi_lo(v);
            self.put(rv::lui(rd, hi));
            if lo != 0 {
                self.put(rv::addi(rd, rd, lo));
            }
        }
    }

    /// `rd = rs + v`.
    fn addi(&mut self, rd: Reg, rs: Reg, v: i32) {
        if rv::fits(v, 12) {
            if v != 0 || rd != rs {
                self.put(rv::addi(rd, rs, v));
            }
        } else {
            self.li(T3, v);
            self.put(rv::add(rd, rs, T3));
        }
    }

    /// Writes back the cached registers in `set` (lo, and hi when wide).
    fn write_back(&mut self, set: &[u8]) {
        for &r in set {
            match self.loc[r as usize] {
                Loc::One(x) => self.put(rv::sw(x, S0, Self::slot(r))),
                Loc::Two(x, h) => {
                    self.put(rv::sw(x, S0, Self::slot(r)));
                    self.put(rv::sw(h, S0, Self::slot(r) + 4));
                }
                Loc::Mem => {}
            }
        }
    }

    fn reload(&mut self, set: &[u8]) {
        for &r in set {
            match self.loc[r as usize] {
                Loc::One(x) => self.put(rv::lw(x, S0, Self::slot(r))),
                Loc::Two(x, h) => {
                    self.put(rv::lw(x, S0, Self::slot(r)));
                    self.put(rv::lw(h, S0, Self::slot(r) + 4));
                }
                Loc::Mem => {}
            }
        }
    }

    fn cached(&self) -> Vec<u8> {
        self.cached_regs.clone()
    }

    fn in_caller_saved(&self, r: u8) -> bool {
        match self.loc[r as usize] {
            Loc::One(x) => !callee_saved(x),
            Loc::Two(x, h) => !callee_saved(x) || !callee_saved(h),
            Loc::Mem => false,
        }
    }

    // ---- the function -----------------------------------------------------

    fn frame_size(&self) -> i32 {
        ((self.saved.len() as i32 + 1) * 4 + 15) & !15
    }

    /// The code: the entry from the interpreter (`jit::exec::run`, the C
    /// calling convention with `a0` = `Env`), which sets up the registers
    /// every compiled activation shares and calls the direct entry; for
    /// tier-up the same for the on-stack-replacement entry; then the
    /// direct entry, which compiled callers call (`call`): `s0` = the
    /// callee's window, `s3` the shared `Env`, `s4` the fuel countdown
    /// (live in, live out), the C convention otherwise, returning 0 (or 1
    /// for a trap) in `a0` and the result in window slot 0.
    fn body(&mut self) {
        // Callee-saved registers this code uses (`s0`, `s3`, `s4` are the
        // entry's); the memory registers only where the code accesses
        // memory.
        let mut saved = if self.uses_mem {
            vec![S1, S2, S5]
        } else {
            vec![]
        };
        for r in self.cached() {
            match self.loc[r as usize] {
                Loc::One(x) => saved.push(x),
                Loc::Two(x, h) => {
                    saved.push(x);
                    saved.push(h);
                }
                Loc::Mem => {}
            }
        }
        saved.retain(|&x| callee_saved(x));
        saved.sort_unstable();
        saved.dedup();
        self.saved = saved;
        debug_assert!(self.frame_size() as usize <= DIRECT_FRAME);
        // A leaf that only calls out from its cold stubs keeps its return
        // address in a free caller-saved register and needs no frame.
        let used: Vec<Reg> = self
            .cached()
            .iter()
            .flat_map(|&r| match self.loc[r as usize] {
                Loc::One(x) => vec![x],
                Loc::Two(x, h) => vec![x, h],
                Loc::Mem => vec![],
            })
            .collect();
        // Not `a0`-`a3`: they carry the status out and the helpers'
        // arguments in (set before `call_out` saves the link).
        let free = POOL
            .iter()
            .copied()
            .find(|&x| !callee_saved(x) && !(A0..=13).contains(&x) && !used.contains(&x));
        self.frameless = false;
        let candidate = free.is_some()
            && self.saved.iter().all(|&x| [S1, S2, S5].contains(&x))
            && self.steps.iter().all(|s| lower::is_inline(&s.ins));
        if let Some(l) = free {
            if candidate && self.saved.is_empty() {
                self.frameless = true;
                self.link = l;
            }
        }
        self.wrap_calls = self.frameless || (self.measuring && candidate);
        let direct = self.direct_entry;
        self.entry(direct);
        if self.osr {
            let l = self.osr_entry;
            self.bind(l);
            let od = self.osr_direct;
            self.entry(od);
        }
        let d = self.direct_entry;
        self.bind(d);
        self.prologue();
        // The arguments only: the body writes any other register before
        // it reads it (the translator's code reads no register it has not
        // written; an unwritten one's value is not defined, in the
        // interpreter either).
        let params: Vec<u8> = self
            .cached()
            .into_iter()
            .filter(|&r| (r as usize) < self.params)
            .collect();
        self.reload(&params);
        for i in 0..self.steps.len() {
            let l = self.at[i];
            self.bind(l);
            self.step(i);
        }
        // Stubs (their own code may add no further stubs).
        let stubs = core::mem::take(&mut self.stubs);
        for (l, s) in stubs {
            self.bind(l);
            match s {
                Stub::Slow { step, back } => {
                    self.helper_step(step);
                    self.jump(back);
                }
                Stub::Tick { to, off } => {
                    self.put(rv::addi(S4, S4, -1));
                    self.branch(Cond::Ne, S4, ZERO, to);
                    self.poll(off);
                    self.jump(to);
                }
                Stub::Call {
                    func,
                    base,
                    off,
                    set,
                    fuel,
                    done,
                } => {
                    self.call_helper(
                        env::CALL,
                        |e| {
                            e.li(A1, func as i32);
                            e.put(rv::addi(12, ZERO, base as i32));
                            e.li(13, off as i32);
                        },
                        &[],
                        &set,
                    );
                    self.jump(done);
                    // The fuel ran out: undo the tick, the interpreter's
                    // call path counts it (and polls).
                    self.bind(fuel);
                    self.put(rv::addi(S4, S4, 1));
                    self.jump(l);
                }
                Stub::Ret { back } => {
                    self.put(rv::addi(A0, S3, 0));
                    self.put(rv::lw(T0, S3, env::RET));
                    self.call_out(T0);
                    self.jump(back);
                }
            }
        }
        let te = self.trap_exit;
        self.bind(te);
        self.put(rv::addi(A0, ZERO, 1));
        let ep = self.epilogue;
        self.bind(ep);
        self.epilogue_code();
        if self.osr {
            // On-stack replacement: the same frame, every cached register
            // from its window slot, then the resume label.
            let l = self.osr_direct;
            self.bind(l);
            self.prologue();
            let all = self.cached();
            self.reload(&all);
            self.put(rv::lw(T0, S3, env::RESUME));
            self.put(rv::jalr(ZERO, T0, 0));
        }
    }

    /// An entry from the interpreter: saves what the C convention wants
    /// kept of `s0`, `s3`, `s4`, loads them, calls the direct entry
    /// `direct` and keeps its status in `a0`.
    fn entry(&mut self, direct: usize) {
        self.put(rv::addi(SP, SP, -16));
        self.put(rv::sw(RA, SP, 12));
        self.put(rv::sw(S0, SP, 8));
        self.put(rv::sw(S3, SP, 4));
        self.put(rv::sw(S4, SP, 0));
        self.put(rv::addi(S3, A0, 0));
        self.put(rv::lw(S0, S3, env::REGS));
        self.put(rv::lw(S4, S3, env::FUEL));
        self.fixups.push((self.code.len(), direct, Fix::Jal));
        self.put(rv::jal(RA, 0));
        self.put(rv::sw(S4, S3, env::FUEL));
        self.put(rv::lw(RA, SP, 12));
        self.put(rv::lw(S0, SP, 8));
        self.put(rv::lw(S3, SP, 4));
        self.put(rv::lw(S4, SP, 0));
        self.put(rv::addi(SP, SP, 16));
        self.put(rv::jalr(ZERO, RA, 0));
    }

    /// The direct entry's frame: saves the callee-saved registers this code
    /// uses (or, frameless, keeps the return address in `link`) and loads
    /// the memory registers.
    fn prologue(&mut self) {
        if self.frameless {
            self.put(rv::addi(self.link, RA, 0));
        } else {
            let fs = self.frame_size();
            self.put(rv::addi(SP, SP, -fs));
            self.put(rv::sw(RA, SP, fs - 4));
            for (k, &x) in self.saved.clone().iter().enumerate() {
                self.put(rv::sw(x, SP, 4 * k as i32));
            }
        }
        if self.uses_mem {
            self.put(rv::lw(S1, S3, env::MEM));
            self.put(rv::lw(S2, S3, env::LIM));
            self.li(S5, -(NULL_GUARD as i32));
        }
    }

    /// Returns from the direct entry (status already in `a0`).
    fn epilogue_code(&mut self) {
        if self.frameless {
            self.put(rv::jalr(ZERO, self.link, 0));
            return;
        }
        let fs = self.frame_size();
        for (k, &x) in self.saved.clone().iter().enumerate() {
            self.put(rv::lw(x, SP, 4 * k as i32));
        }
        self.put(rv::lw(RA, SP, fs - 4));
        self.put(rv::addi(SP, SP, fs));
        self.put(rv::jalr(ZERO, RA, 0));
    }

    /// Resolves labels and appends the copies.
    fn finish(mut self) -> Compiled {
        let code_bytes = self.code.len() * 4;
        let mut copy_at = Vec::with_capacity(self.copies.len());
        let mut at = code_bytes;
        for c in &self.copies {
            copy_at.push(at);
            at += c.len();
        }
        let mut site_at = Vec::with_capacity(self.sites.len());
        for _ in &self.sites {
            site_at.push(at);
            at += 12;
        }
        for &(pos, label, fix) in &self.fixups {
            let w = self.code[pos];
            self.code[pos] = match fix {
                Fix::Branch | Fix::Jal => {
                    let to = self.labels[label].unwrap_or(0);
                    let d = (to as i32 - pos as i32) * 4;
                    if let Fix::Branch = fix {
                        debug_assert!((-4096..4096).contains(&d), "branch out of reach");
                        // Keep the condition and registers, set the offset.
                        (w & 0x01ff_f07f) | (rv::branch(Cond::Eq, 0, 0, d) & !0x01ff_f07f)
                    } else {
                        (w & 0xfff) | (rv::jal(0, d) & !0xfff)
                    }
                }
                Fix::Copy(_) | Fix::Site(_) => {
                    let d = match fix {
                        Fix::Copy(k) => copy_at[k],
                        Fix::Site(k) => site_at[k],
                        _ => 0,
                    } as i32
                        - pos as i32 * 4;
                    let (hi, lo) = rv::hi_lo(d);
                    let next = self.code[pos + 1];
                    self.code[pos + 1] = (next & 0x000f_ffff) | ((lo as u32 & 0xfff) << 20);
                    (w & 0xfff) | (hi << 12)
                }
            };
        }
        let mut image = Vec::with_capacity(at);
        for w in &self.code {
            image.extend_from_slice(&w.to_le_bytes());
        }
        for c in &self.copies {
            image.extend_from_slice(c);
        }
        for d in &self.sites {
            for w in d {
                image.extend_from_slice(&w.to_le_bytes());
            }
        }
        let cached = self.cached().len() as u32;
        let (osr_entry, osr) = if self.osr {
            let pos = |l: usize| self.labels[l].unwrap_or(0) * 4;
            // Where an interpreted activation can stand when it is
            // replaced: a backward branch's target (`interp::back_edge`)
            // and the instruction after a call (a compiled callee returned
            // to it).
            let mut at: Vec<(u32, u32)> = Vec::new();
            for (i, s) in self.steps.iter().enumerate() {
                for t in branch_targets(&s.ins) {
                    if t <= s.off {
                        at.push((t, pos(self.target(t)) as u32));
                    }
                }
                if matches!(s.ins, Instr::Call { .. } | Instr::CallIndirect { .. }) {
                    if let Some(n) = self.steps[i + 1..].iter().position(|x| x.first) {
                        at.push((self.steps[i + 1 + n].off, pos(self.at[i + 1 + n]) as u32));
                    }
                }
            }
            at.sort_unstable();
            at.dedup();
            (Some(pos(self.osr_entry)), at)
        } else {
            (None, Vec::new())
        };
        Compiled {
            image,
            code_bytes,
            stats: Stats {
                cached,
                ..self.stats
            },
            osr_entry,
            osr,
            direct_entry: self.labels[self.direct_entry].unwrap_or(0) * 4,
        }
    }
}

#[cfg(test)]
mod tests;

#[cfg(all(test, feature = "std"))]
mod dump {
    /// `ESPB_JIT_DUMP=module.espb cargo test -p espb-runtime --features
    /// jit-riscv -- --ignored jit_dump`: writes each function's machine code
    /// to `/tmp/espb-jit-fN.bin` (disassemble with `llvm-objdump-19 -b
    /// binary -m riscv32 -D`).
    #[test]
    #[ignore]
    fn jit_dump() {
        let Ok(path) = std::env::var("ESPB_JIT_DUMP") else {
            return;
        };
        let bytes = std::fs::read(path).unwrap();
        let m = espb_format::parse(&bytes).unwrap();
        for f in 0..m.functions.len() as u32 {
            if let Ok(c) = super::compile(&m, f) {
                std::fs::write(format!("/tmp/espb-jit-f{f}.bin"), &c.image[..c.code_bytes])
                    .unwrap();
                eprintln!("f{f}: {:?}", c.stats);
            }
        }
    }
}
