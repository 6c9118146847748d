//! Traps: every way module execution stops abnormally, with where it happened.

use alloc::boxed::Box;
use alloc::string::String;
use alloc::vec::Vec;

use espb_format::msg;
use espb_format::msg::{Message, Sink};

/// Why execution stopped.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TrapKind {
    /// A load, store, bulk or atomic access outside `[NULL_GUARD, linear_end)`.
    OutOfBounds { addr: u32, size: u32 },
    /// Integer division or remainder by zero.
    DivByZero,
    /// `INT_MIN / -1` in a signed division.
    IntOverflow,
    /// `unreachable` or `trap` was executed (`code` is the `trap` operand;
    /// `None` for `unreachable`).
    Unreachable { code: Option<u8> },
    /// The register stack, the shadow stack or the call depth is exhausted.
    StackOverflow(StackKind),
    /// `stack.restore` to an address outside the current function's stack part.
    BadStackRestore { addr: u32 },
    /// `call.indirect` through a value that is no function reference.
    IndirectCallNonFunction { value: u32 },
    /// `call.indirect` to a function whose signature differs from the site's.
    IndirectCallSignature { value: u32 },
    /// An atomic access whose address is not a multiple of its size.
    MisalignedAtomic { addr: u32, size: u32 },
    /// `free`/`realloc` of something that is not a live allocation.
    HeapCorruption { addr: u32 },
    /// The instance's interrupt flag was set.
    Interrupted,
    /// The instruction budget ran out.
    OutOfFuel,
    /// The module called `exit(code)`.
    Exit(i32),
    /// The module called `abort()` or failed an `assert`.
    Abort(String),
    /// The instance was unloaded while native code still held a reference.
    InstanceDead,
    /// Raised by a host function.
    Host(String),
}

/// Which stack overflowed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StackKind {
    Registers,
    Shadow,
    CallDepth,
    /// Too many nested module → host → module re-entries (native stack).
    Reentry,
    /// No execution context is free (`Config::max_contexts` reached).
    Contexts,
}

impl Message for TrapKind {
    fn write(&self, out: &mut dyn Sink) {
        match self {
            TrapKind::OutOfBounds { addr, size } => msg!(
                out,
                "out-of-bounds memory access: {} byte(s) at {x8}",
                *size,
                *addr
            ),
            TrapKind::DivByZero => out.put("integer division by zero"),
            TrapKind::IntOverflow => out.put("integer overflow (INT_MIN / -1)"),
            TrapKind::Unreachable { code: None } => out.put("unreachable executed"),
            TrapKind::Unreachable { code: Some(0) } => out.put("trap: __builtin_trap() reached"),
            TrapKind::Unreachable { code: Some(c) } => {
                msg!(out, "trap {}: unsupported construct reached", *c)
            }
            TrapKind::StackOverflow(k) => out.put(match k {
                StackKind::Registers => "stack overflow: register stack exhausted",
                StackKind::Shadow => "stack overflow: shadow stack exhausted",
                StackKind::CallDepth => "stack overflow: call depth limit reached",
                StackKind::Reentry => "stack overflow: too many nested host re-entries",
                StackKind::Contexts => {
                    "stack overflow: no free execution context (max_contexts reached)"
                }
            }),
            TrapKind::BadStackRestore { addr } => msg!(
                out,
                "stack.restore to {x8}, outside the current function's stack",
                *addr
            ),
            TrapKind::IndirectCallNonFunction { value } => {
                msg!(out, "indirect call to a non-function ({x8})", *value)
            }
            TrapKind::IndirectCallSignature { value } => {
                msg!(out, "indirect call signature mismatch (callee {x8})", *value)
            }
            TrapKind::MisalignedAtomic { addr, size } => msg!(
                out,
                "misaligned atomic access: {} byte(s) at {x8}",
                *size,
                *addr
            ),
            TrapKind::HeapCorruption { addr } => msg!(
                out,
                "heap corruption: free of {x8}, which is not a live allocation (double or invalid free)",
                *addr
            ),
            TrapKind::Interrupted => out.put("interrupted"),
            TrapKind::OutOfFuel => out.put("out of fuel (instruction budget exhausted)"),
            TrapKind::Exit(c) => msg!(out, "exit({})", *c),
            TrapKind::Abort(m) if m.is_empty() => out.put("abort() called"),
            TrapKind::Abort(m) => msg!(out, "abort: {}", m),
            TrapKind::InstanceDead => out.put("the instance was unloaded"),
            TrapKind::Host(m) => msg!(out, "host function failed: {}", m),
        }
    }
}

/// One frame of a trap backtrace, innermost first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Frame {
    pub func: u32,
    pub func_name: Option<Box<str>>,
    /// Bytecode offset inside the function body (of the call for outer frames).
    pub offset: u32,
    pub source: Option<(Box<str>, u32)>,
}

/// A trap with its location (kept under 128 bytes so `Result<_, Trap>` stays
/// cheap to return). `func`/`offset` name the innermost module
/// instruction involved (for a trap raised by a host function: its call site).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Trap {
    pub kind: TrapKind,
    pub func: Option<u32>,
    pub func_name: Option<Box<str>>,
    pub offset: u32,
    pub source: Option<(Box<str>, u32)>,
    pub backtrace: Vec<Frame>,
}

impl Trap {
    /// A trap with no location yet (the interpreter adds it when it passes
    /// through module code).
    pub fn new(kind: TrapKind) -> Trap {
        Trap {
            kind,
            func: None,
            func_name: None,
            offset: 0,
            source: None,
            backtrace: Vec::new(),
        }
    }

    /// A trap raised by a host function with a message.
    pub fn host(msg: impl Into<String>) -> Trap {
        Trap::new(TrapKind::Host(msg.into()))
    }

    /// Boxed form, for `Result`s that should stay small.
    pub fn boxed(self) -> Box<Trap> {
        Box::new(self)
    }

    /// Whether this is a normal `exit(code)` rather than a failure.
    pub fn exit_code(&self) -> Option<i32> {
        match self.kind {
            TrapKind::Exit(c) => Some(c),
            _ => None,
        }
    }
}

impl From<TrapKind> for Trap {
    fn from(kind: TrapKind) -> Trap {
        Trap::new(kind)
    }
}

impl Message for Trap {
    fn write(&self, out: &mut dyn Sink) {
        self.kind.write(out);
        if let Some(func) = self.func {
            match &self.func_name {
                Some(n) => msg!(out, " in `{}` (f{})", n, func),
                None => msg!(out, " in f{}", func),
            }
            msg!(out, " at offset {x}", self.offset);
            if let Some((file, line)) = &self.source {
                msg!(out, " ({}:{})", file, *line);
            }
        }
        if self.backtrace.len() > 1 {
            out.put("\nbacktrace:");
            for (i, fr) in self.backtrace.iter().enumerate() {
                msg!(out, "\n  #{} ", i);
                match &fr.func_name {
                    Some(n) => msg!(out, "{} (f{})", n, fr.func),
                    None => msg!(out, "f{}", fr.func),
                }
                msg!(out, " +{x}", fr.offset);
                if let Some((file, line)) = &fr.source {
                    msg!(out, " at {}:{}", file, *line);
                }
            }
        }
    }
}

espb_format::display_via_message!(TrapKind, Trap);

#[cfg(feature = "std")]
impl std::error::Error for Trap {}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::string::ToString;

    #[test]
    fn trap_code_text() {
        let k = TrapKind::Unreachable { code: Some(200) };
        assert_eq!(k.to_string(), "trap 200: unsupported construct reached");
    }
}
