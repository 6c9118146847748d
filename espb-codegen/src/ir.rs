//! The translator's virtual-register IR: espb opcodes over unbounded virtual
//! registers, plus the few pseudo-instructions (copies, parallel copies, calls,
//! parameter definition) that register allocation resolves. Blocks and
//! registers are dense indices.

use espb_format::Opcode;

pub type VReg = u32;
pub type BlockId = u32;

/// An operand of an espb instruction, with registers still virtual.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum VOp {
    Dst(VReg),
    Reg(VReg),
    U8(u8),
    I32(i32),
    U32(u32),
    I64(i64),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Callee {
    Func(u32),
    Import(u32),
    /// Variadic import with the call site's own signature.
    ImportVar {
        import: u32,
        ty: u32,
    },
    Indirect {
        ty: u32,
        target: VReg,
    },
}

#[derive(Clone, Debug, PartialEq)]
pub enum Inst {
    /// One espb instruction (never a branch, call or return).
    Op {
        op: Opcode,
        ops: Vec<VOp>,
    },
    Copy {
        dst: VReg,
        src: VReg,
    },
    /// All sources are read, then all destinations written (phi resolution).
    ParCopy(Vec<(VReg, VReg)>),
    /// Arguments go to a call window chosen by the register allocator.
    Call {
        callee: Callee,
        args: Vec<VReg>,
        ret: Option<VReg>,
    },
    /// Defines the incoming parameters; parameter `i` is pinned to register `i`.
    Params(Vec<VReg>),
}

impl Inst {
    pub fn op(op: Opcode, ops: Vec<VOp>) -> Inst {
        Inst::Op { op, ops }
    }

    pub fn for_each_use(&self, mut f: impl FnMut(VReg)) {
        match self {
            Inst::Op { ops, .. } => {
                for o in ops {
                    if let VOp::Reg(r) = o {
                        f(*r)
                    }
                }
            }
            Inst::Copy { src, .. } => f(*src),
            Inst::ParCopy(pairs) => pairs.iter().for_each(|&(_, s)| f(s)),
            Inst::Call { callee, args, .. } => {
                if let Callee::Indirect { target, .. } = callee {
                    f(*target)
                }
                args.iter().for_each(|&a| f(a))
            }
            Inst::Params(_) => {}
        }
    }

    pub fn for_each_def(&self, mut f: impl FnMut(VReg)) {
        match self {
            Inst::Op { ops, .. } => {
                for o in ops {
                    if let VOp::Dst(r) = o {
                        f(*r)
                    }
                }
            }
            Inst::Copy { dst, .. } => f(*dst),
            Inst::ParCopy(pairs) => pairs.iter().for_each(|&(d, _)| f(d)),
            Inst::Call { ret, .. } => {
                if let Some(r) = ret {
                    f(*r)
                }
            }
            Inst::Params(ps) => ps.iter().for_each(|&p| f(p)),
        }
    }

    pub fn map_uses(&mut self, mut f: impl FnMut(VReg) -> VReg) {
        match self {
            Inst::Op { ops, .. } => {
                for o in ops {
                    if let VOp::Reg(r) = o {
                        *r = f(*r)
                    }
                }
            }
            Inst::Copy { src, .. } => *src = f(*src),
            Inst::ParCopy(pairs) => pairs.iter_mut().for_each(|(_, s)| *s = f(*s)),
            Inst::Call { callee, args, .. } => {
                if let Callee::Indirect { target, .. } = callee {
                    *target = f(*target)
                }
                args.iter_mut().for_each(|a| *a = f(*a))
            }
            Inst::Params(_) => {}
        }
    }

    pub fn map_defs(&mut self, mut f: impl FnMut(VReg) -> VReg) {
        match self {
            Inst::Op { ops, .. } => {
                for o in ops {
                    if let VOp::Dst(r) = o {
                        *r = f(*r)
                    }
                }
            }
            Inst::Copy { dst, .. } => *dst = f(*dst),
            Inst::ParCopy(pairs) => pairs.iter_mut().for_each(|(d, _)| *d = f(*d)),
            Inst::Call { ret, .. } => {
                if let Some(r) = ret {
                    *r = f(*r)
                }
            }
            Inst::Params(ps) => ps.iter_mut().for_each(|p| *p = f(*p)),
        }
    }

    /// Whether removing the instruction when its result is unused changes nothing.
    pub fn is_pure(&self) -> bool {
        match self {
            Inst::Op { op, .. } => is_pure_opcode(*op),
            Inst::Copy { .. } => true,
            _ => false,
        }
    }
}

/// Opcodes without side effects and without traps (so they may be deleted when unused).
fn is_pure_opcode(op: Opcode) -> bool {
    use Opcode::*;
    !matches!(
        op,
        I32DivS
            | I32DivU
            | I32RemS
            | I32RemU
            | I64DivS
            | I64DivU
            | I64RemS
            | I64RemU
            | Alloca
            | StackSave
            | StackRestore
            | Trap
            | Unreachable
            | Load8S
            | Load8U
            | Load16S
            | Load16U
            | Load32S
            | Load32U
            | Load64
            | Store8
            | Store16
            | Store32
            | Store64
            | MemCopy
            | MemMove
            | MemFill
            | AtomicLoad
            | AtomicStore
            | AtomicRmw
            | AtomicCmpxchg
            | Fence
            | Nop
    )
}

/// Comparison of a fused compare-and-branch.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Cmp {
    Eq,
    Ne,
    LtS,
    LtU,
    LeS,
    LeU,
    GtS,
    GtU,
    GeS,
    GeU,
}

impl Cmp {
    pub fn invert(self) -> Cmp {
        use Cmp::*;
        match self {
            Eq => Ne,
            Ne => Eq,
            LtS => GeS,
            LtU => GeU,
            LeS => GtS,
            LeU => GtU,
            GtS => LeS,
            GtU => LeU,
            GeS => LtS,
            GeU => LtU,
        }
    }
    /// The comparison with operands exchanged: `a op b == b op.swap() a`.
    pub fn swap(self) -> Cmp {
        use Cmp::*;
        match self {
            Eq => Eq,
            Ne => Ne,
            LtS => GtS,
            LtU => GtU,
            LeS => GeS,
            LeU => GeU,
            GtS => LtS,
            GtU => LtU,
            GeS => LeS,
            GeU => LeU,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Rhs {
    Reg(VReg),
    /// Only for 32-bit comparisons.
    Imm(i32),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Cond {
    /// The i32 in the register is non-zero.
    Nz(VReg),
    Cmp {
        cmp: Cmp,
        wide: bool,
        a: VReg,
        b: Rhs,
    },
}

impl Cond {
    pub fn for_each_use(&self, mut f: impl FnMut(VReg)) {
        match *self {
            Cond::Nz(r) => f(r),
            Cond::Cmp { a, b, .. } => {
                f(a);
                if let Rhs::Reg(b) = b {
                    f(b)
                }
            }
        }
    }
    pub fn map_uses(&mut self, mut f: impl FnMut(VReg) -> VReg) {
        match self {
            Cond::Nz(r) => *r = f(*r),
            Cond::Cmp { a, b, .. } => {
                *a = f(*a);
                if let Rhs::Reg(b) = b {
                    *b = f(*b)
                }
            }
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub enum Term {
    Br(BlockId),
    CondBr {
        cond: Cond,
        t: BlockId,
        f: BlockId,
    },
    /// `idx` is known to be below `targets.len()` (the lowering checks it).
    BrTable {
        idx: VReg,
        default: BlockId,
        targets: Vec<BlockId>,
    },
    Ret(Option<VReg>),
    Unreachable,
}

impl Term {
    pub fn succs(&self) -> Vec<BlockId> {
        match self {
            Term::Br(b) => vec![*b],
            Term::CondBr { t, f, .. } => vec![*t, *f],
            Term::BrTable {
                default, targets, ..
            } => {
                let mut v = targets.clone();
                v.push(*default);
                v.sort_unstable();
                v.dedup();
                v
            }
            Term::Ret(_) | Term::Unreachable => vec![],
        }
    }
    pub fn for_each_use(&self, mut f: impl FnMut(VReg)) {
        match self {
            Term::CondBr { cond, .. } => cond.for_each_use(f),
            Term::BrTable { idx, .. } => f(*idx),
            Term::Ret(Some(r)) => f(*r),
            _ => {}
        }
    }
    pub fn map_uses(&mut self, mut f: impl FnMut(VReg) -> VReg) {
        match self {
            Term::CondBr { cond, .. } => cond.map_uses(f),
            Term::BrTable { idx, .. } => *idx = f(*idx),
            Term::Ret(Some(r)) => *r = f(*r),
            _ => {}
        }
    }
}

/// A source position: index into the module's file list and a line (0 = none).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct Loc {
    pub file: u32,
    pub line: u32,
}

#[derive(Clone, Debug)]
pub struct Block {
    pub insts: Vec<(Inst, Loc)>,
    pub term: Term,
    pub term_loc: Loc,
}

impl Block {
    pub fn new() -> Block {
        Block {
            insts: Vec::new(),
            term: Term::Unreachable,
            term_loc: Loc::default(),
        }
    }
}

impl Default for Block {
    fn default() -> Self {
        Block::new()
    }
}

/// A lowered function before register allocation.
#[derive(Clone, Debug)]
pub struct Func {
    pub blocks: Vec<Block>,
    /// Emission order (every reachable block appears once; the first is the entry).
    pub layout: Vec<BlockId>,
    pub nvregs: u32,
    /// Bytes of frame already used by static allocas and call areas.
    pub frame_size: u32,
    pub frame_align: u32,
    pub has_float: bool,
    pub has_calls: bool,
    /// Number of incoming parameter registers (including a hidden varargs pointer).
    pub nparams: u32,
}

impl Func {
    pub fn new_vreg(&mut self) -> VReg {
        let v = self.nvregs;
        self.nvregs += 1;
        v
    }

    /// Reserves `size` bytes of frame aligned to `align` and returns the offset.
    pub fn frame_slot(&mut self, size: u32, align: u32) -> u32 {
        let align = align.max(1);
        let off = self.frame_size.div_ceil(align) * align;
        self.frame_size = off + size.max(1);
        self.frame_align = self.frame_align.max(align);
        off
    }
}
