//! Traps: every way module execution stops abnormally, with where it happened.

use alloc::boxed::Box;
use alloc::string::String;
use alloc::vec::Vec;

use espb_format::msg;
use espb_format::msg::{Arg, Message, Sink};

/// Why execution stopped.
#[derive(Debug, PartialEq, Eq)]
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

/// By hand: the derive copies each variant's fields on a path of its own;
/// here the variants without a `String` are one bitwise copy (76 bytes
/// less on RV32 than the derive, 36 less than the same match written with
/// per-variant copies, 20 less than one listing them in its pattern).
impl Clone for TrapKind {
    fn clone(&self) -> TrapKind {
        use TrapKind::*;
        match self {
            Abort(s) => Abort(s.clone()),
            Host(s) => Host(s.clone()),
            // SAFETY: every other variant holds only `Copy` data (checked
            // at compile time by `copy_variants` below): a bitwise copy is
            // a clone, and nothing is owned twice.
            _ => unsafe { core::ptr::read(self) },
        }
    }
}

/// Never called: it does not compile unless every variant but `Abort` and
/// `Host` is listed with fields that are `Copy`, which is what `clone`'s
/// bitwise copy relies on.
#[allow(dead_code)]
fn copy_variants(k: &TrapKind) {
    fn copy<T: Copy>(_: &T) {}
    use TrapKind::*;
    match k {
        Abort(_) | Host(_) => {}
        OutOfBounds { addr, size } | MisalignedAtomic { addr, size } => {
            copy(addr);
            copy(size);
        }
        Unreachable { code } => copy(code),
        StackOverflow(s) => copy(s),
        BadStackRestore { addr } | HeapCorruption { addr } => copy(addr),
        IndirectCallNonFunction { value } | IndirectCallSignature { value } => copy(value),
        Exit(c) => copy(c),
        DivByZero | IntOverflow | Interrupted | OutOfFuel | InstanceDead => {}
    }
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

/// The texts of [`TrapKind::template`], by row.
static TRAP_TEXTS: [&str; 23] = [
    "out-of-bounds memory access: {} byte(s) at {x8}",
    "integer division by zero",
    "integer overflow (INT_MIN / -1)",
    "unreachable executed",
    "trap: __builtin_trap() reached",
    "trap {}: unsupported construct reached",
    // `StackKind`'s five, in its order.
    "stack overflow: register stack exhausted",
    "stack overflow: shadow stack exhausted",
    "stack overflow: call depth limit reached",
    "stack overflow: too many nested host re-entries",
    "stack overflow: no free execution context (max_contexts reached)",
    "stack.restore to {x8}, outside the current function's stack",
    "indirect call to a non-function ({x8})",
    "indirect call signature mismatch (callee {x8})",
    "misaligned atomic access: {} byte(s) at {x8}",
    "heap corruption: free of {x8}, which is not a live allocation (double or invalid free)",
    "interrupted",
    "out of fuel (instruction budget exhausted)",
    "exit({})",
    "abort() called",
    "abort: {}",
    "the instance was unloaded",
    "host function failed: {}",
];

impl TrapKind {
    /// The text of this kind of trap, its `{}`s filled by [`Self::args`]:
    /// the kind's row in [`TRAP_TEXTS`] (an index computed by a match of
    /// constants, not a string load per arm), so that the arguments' match
    /// shares one arm among the kinds whose fields lie alike. Out of line:
    /// inlined, the compiler threaded the two matches into one with a copy
    /// of the table load per arm.
    #[inline(never)]
    fn template(&self) -> &'static str {
        let row = match self {
            TrapKind::OutOfBounds { .. } => 0,
            TrapKind::DivByZero => 1,
            TrapKind::IntOverflow => 2,
            TrapKind::Unreachable { code: None } => 3,
            TrapKind::Unreachable { code: Some(0) } => 4,
            TrapKind::Unreachable { code: Some(_) } => 5,
            TrapKind::StackOverflow(k) => 6 + *k as usize,
            TrapKind::BadStackRestore { .. } => 11,
            TrapKind::IndirectCallNonFunction { .. } => 12,
            TrapKind::IndirectCallSignature { .. } => 13,
            TrapKind::MisalignedAtomic { .. } => 14,
            TrapKind::HeapCorruption { .. } => 15,
            TrapKind::Interrupted => 16,
            TrapKind::OutOfFuel => 17,
            TrapKind::Exit(_) => 18,
            TrapKind::Abort(m) if m.is_empty() => 19,
            TrapKind::Abort(_) => 20,
            TrapKind::InstanceDead => 21,
            TrapKind::Host(_) => 22,
        };
        TRAP_TEXTS.get(row).copied().unwrap_or_default()
    }

    /// The arguments of [`Self::template`], in order (a template ignores
    /// those it has no `{}` for).
    fn args(&self) -> [Arg<'_>; 2] {
        let mut a = [Arg::U(0); 2];
        match self {
            TrapKind::OutOfBounds { addr, size } | TrapKind::MisalignedAtomic { addr, size } => {
                a = [(*size).into(), (*addr).into()]
            }
            TrapKind::Unreachable { code: Some(c) } => a[0] = (*c).into(),
            TrapKind::BadStackRestore { addr: v }
            | TrapKind::IndirectCallNonFunction { value: v }
            | TrapKind::IndirectCallSignature { value: v }
            | TrapKind::HeapCorruption { addr: v } => a[0] = (*v).into(),
            TrapKind::Exit(c) => a[0] = (*c).into(),
            TrapKind::Abort(m) | TrapKind::Host(m) => a[0] = m.into(),
            _ => {}
        }
        a
    }
}

impl Message for TrapKind {
    fn write(&self, out: &mut dyn Sink) {
        out.f(self.template(), &self.args());
    }
}

/// One frame of a trap backtrace, innermost first.
#[derive(Debug, PartialEq, Eq)]
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
#[derive(Debug, PartialEq, Eq)]
pub struct Trap {
    pub kind: TrapKind,
    pub func: Option<u32>,
    pub func_name: Option<Box<str>>,
    pub offset: u32,
    pub source: Option<(Box<str>, u32)>,
    pub backtrace: Vec<Frame>,
}

/// A name or file of a trap's location, copied (out of line: a trap and
/// each frame hold two, and each inlined copy was an allocation and a
/// copy loop).
#[inline(never)]
fn dup(s: Option<&str>) -> Option<Box<str>> {
    s.map(Box::from)
}

impl Clone for Frame {
    fn clone(&self) -> Frame {
        Frame {
            func: self.func,
            func_name: dup(self.func_name.as_deref()),
            offset: self.offset,
            source: (self.source.as_ref()).and_then(|(f, l)| Some((dup(Some(f))?, *l))),
        }
    }
}

/// By hand, as `Frame`'s (the location's strings through `dup`).
impl Clone for Trap {
    fn clone(&self) -> Trap {
        Trap {
            kind: self.kind.clone(),
            func: self.func,
            func_name: dup(self.func_name.as_deref()),
            offset: self.offset,
            source: (self.source.as_ref()).and_then(|(f, l)| Some((dup(Some(f))?, *l))),
            backtrace: self.backtrace.clone(),
        }
    }
}

impl Trap {
    /// A trap with no location yet (the interpreter adds it when it passes
    /// through module code). Out of line: each of its callers inlined the
    /// empty location's stores.
    #[cold]
    #[inline(never)]
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
        Trap::host_text(msg.into())
    }

    /// `host`'s one copy of the trap's making (generic, each message type
    /// and call site inlined it).
    #[inline(never)]
    fn host_text(msg: String) -> Trap {
        Trap::new(TrapKind::Host(msg))
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
    /// In line, unlike [`Trap::new`]: this is the `?` of the memory
    /// accessors that leaf host functions (`memcmp`, `strlen`) call in
    /// their loops; a call here would give each a register-saving frame.
    #[inline(always)]
    fn from(kind: TrapKind) -> Trap {
        Trap {
            kind,
            func: None,
            func_name: None,
            offset: 0,
            source: None,
            backtrace: Vec::new(),
        }
    }
}

impl Message for Trap {
    fn write(&self, out: &mut dyn Sink) {
        self.kind.write(out);
        if let Some(func) = self.func {
            // One template per case, not one write per piece (an unnamed
            // function's empty name adds nothing).
            let (t, name) = match &self.func_name {
                Some(n) => (" in `{}` (f{}) at offset {x}", &**n),
                None => (" in {}f{} at offset {x}", ""),
            };
            out.f(t, &[name.into(), func.into(), self.offset.into()]);
            if let Some((file, line)) = &self.source {
                msg!(out, " ({}:{})", file, *line);
            }
        }
        if self.backtrace.len() > 1 {
            out.put("\nbacktrace:");
            for (i, fr) in self.backtrace.iter().enumerate() {
                let (t, name) = match &fr.func_name {
                    Some(n) => ("\n  #{} {} (f{}) +{x}", &**n),
                    None => ("\n  #{} {}f{} +{x}", ""),
                };
                out.f(
                    t,
                    &[i.into(), name.into(), fr.func.into(), fr.offset.into()],
                );
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

    /// The location and backtrace texts, named and unnamed frames.
    #[test]
    fn trap_location_text() {
        let frame = |func, name: Option<&str>, offset, source: Option<(&str, u32)>| Frame {
            func,
            func_name: name.map(Into::into),
            offset,
            source: source.map(|(f, l)| (f.into(), l)),
        };
        let mut t = Trap::new(TrapKind::OutOfBounds {
            addr: 0x10,
            size: 4,
        });
        assert_eq!(
            t.to_string(),
            "out-of-bounds memory access: 4 byte(s) at 0x00000010"
        );
        t.func = Some(3);
        t.offset = 0x1c;
        assert_eq!(
            t.to_string(),
            "out-of-bounds memory access: 4 byte(s) at 0x00000010 in f3 at offset 0x1c"
        );
        t.func_name = Some("main".into());
        t.source = Some(("a.c".into(), 7));
        t.backtrace = alloc::vec![
            frame(3, Some("main"), 0x1c, Some(("a.c", 7))),
            frame(1, None, 0x8, None),
        ];
        assert_eq!(
            t.to_string(),
            "out-of-bounds memory access: 4 byte(s) at 0x00000010 in `main` (f3) at offset 0x1c (a.c:7)\
             \nbacktrace:\n  #0 main (f3) +0x1c at a.c:7\n  #1 f1 +0x8"
        );
        assert_eq!(TrapKind::Exit(-3).to_string(), "exit(-3)");
        assert_eq!(TrapKind::Abort(String::new()).to_string(), "abort() called");
        assert_eq!(
            TrapKind::Host("x".into()).to_string(),
            "host function failed: x"
        );
        for (k, text) in [
            (StackKind::Registers, "register stack exhausted"),
            (StackKind::Shadow, "shadow stack exhausted"),
            (StackKind::CallDepth, "call depth limit reached"),
            (StackKind::Reentry, "too many nested host re-entries"),
            (
                StackKind::Contexts,
                "no free execution context (max_contexts reached)",
            ),
        ] {
            assert_eq!(
                TrapKind::StackOverflow(k).to_string(),
                alloc::format!("stack overflow: {text}")
            );
        }
        assert_eq!(
            TrapKind::Unreachable { code: Some(0) }.to_string(),
            "trap: __builtin_trap() reached"
        );
        assert_eq!(
            TrapKind::Unreachable { code: None }.to_string(),
            "unreachable executed"
        );
        assert_eq!(TrapKind::Abort("m".into()).to_string(), "abort: m");
        assert_eq!(
            TrapKind::InstanceDead.to_string(),
            "the instance was unloaded"
        );
    }
}
