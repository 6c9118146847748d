//! Traps: every way module execution stops abnormally, with where it happened.

use alloc::boxed::Box;
use alloc::string::String;
use alloc::vec::Vec;
use core::fmt;

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

impl fmt::Display for TrapKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TrapKind::OutOfBounds { addr, size } => {
                write!(
                    f,
                    "out-of-bounds memory access: {size} byte(s) at {addr:#010x}"
                )
            }
            TrapKind::DivByZero => f.write_str("integer division by zero"),
            TrapKind::IntOverflow => f.write_str("integer overflow (INT_MIN / -1)"),
            TrapKind::Unreachable { code: None } => f.write_str("unreachable executed"),
            TrapKind::Unreachable { code: Some(0) } => {
                f.write_str("trap: __builtin_trap() reached")
            }
            TrapKind::Unreachable { code: Some(c) } => {
                write!(f, "trap {}: unsupported construct reached", u32::from(*c))
            }
            TrapKind::StackOverflow(k) => match k {
                StackKind::Registers => f.write_str("stack overflow: register stack exhausted"),
                StackKind::Shadow => f.write_str("stack overflow: shadow stack exhausted"),
                StackKind::CallDepth => f.write_str("stack overflow: call depth limit reached"),
                StackKind::Reentry => {
                    f.write_str("stack overflow: too many nested host re-entries")
                }
                StackKind::Contexts => {
                    f.write_str("stack overflow: no free execution context (max_contexts reached)")
                }
            },
            TrapKind::BadStackRestore { addr } => {
                write!(
                    f,
                    "stack.restore to {addr:#010x}, outside the current function's stack"
                )
            }
            TrapKind::IndirectCallNonFunction { value } => {
                write!(f, "indirect call to a non-function ({value:#010x})")
            }
            TrapKind::IndirectCallSignature { value } => {
                write!(f, "indirect call signature mismatch (callee {value:#010x})")
            }
            TrapKind::MisalignedAtomic { addr, size } => {
                write!(
                    f,
                    "misaligned atomic access: {size} byte(s) at {addr:#010x}"
                )
            }
            TrapKind::HeapCorruption { addr } => {
                write!(f, "heap corruption: free of {addr:#010x}, which is not a live allocation (double or invalid free)")
            }
            TrapKind::Interrupted => f.write_str("interrupted"),
            TrapKind::OutOfFuel => f.write_str("out of fuel (instruction budget exhausted)"),
            TrapKind::Exit(c) => write!(f, "exit({c})"),
            TrapKind::Abort(m) if m.is_empty() => f.write_str("abort() called"),
            TrapKind::Abort(m) => write!(f, "abort: {m}"),
            TrapKind::InstanceDead => f.write_str("the instance was unloaded"),
            TrapKind::Host(m) => write!(f, "host function failed: {m}"),
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

impl fmt::Display for Trap {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.kind)?;
        if let Some(func) = self.func {
            match &self.func_name {
                Some(n) => write!(f, " in `{n}` (f{func})")?,
                None => write!(f, " in f{func}")?,
            }
            write!(f, " at offset {:#x}", self.offset)?;
            if let Some((file, line)) = &self.source {
                write!(f, " ({file}:{line})")?;
            }
        }
        if self.backtrace.len() > 1 {
            f.write_str("\nbacktrace:")?;
            for (i, fr) in self.backtrace.iter().enumerate() {
                write!(f, "\n  #{i} ")?;
                match &fr.func_name {
                    Some(n) => write!(f, "{n} (f{})", fr.func)?,
                    None => write!(f, "f{}", fr.func)?,
                }
                write!(f, " +{:#x}", fr.offset)?;
                if let Some((file, line)) = &fr.source {
                    write!(f, " at {file}:{line}")?;
                }
            }
        }
        Ok(())
    }
}

/// A `u64` in decimal, as `{}` prints it, without `core::fmt`'s 64-bit
/// integer code: on a 32-bit chip the few messages that print a `u64`
/// would link it for themselves alone.
pub(crate) struct Decimal(pub u64);

impl fmt::Display for Decimal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut buf = [0u8; 20];
        let (mut v, mut start) = (self.0, buf.len());
        for (k, d) in buf.iter_mut().enumerate().rev() {
            *d = b'0' + (v % 10) as u8;
            v /= 10;
            start = k;
            if v == 0 {
                break;
            }
        }
        let digits = buf.get(start..).unwrap_or_default();
        f.write_str(core::str::from_utf8(digits).unwrap_or_default())
    }
}

#[cfg(feature = "std")]
impl std::error::Error for Trap {}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::string::ToString;

    #[test]
    fn decimal_prints_as_display_does() {
        for v in [
            0u64,
            1,
            9,
            10,
            99,
            100,
            4294967295,
            4294967296,
            1 << 40,
            u64::MAX - 1,
            u64::MAX,
        ] {
            assert_eq!(Decimal(v).to_string(), v.to_string());
        }
    }

    #[test]
    fn trap_code_text() {
        let k = TrapKind::Unreachable { code: Some(200) };
        assert_eq!(k.to_string(), "trap 200: unsupported construct reached");
    }
}
