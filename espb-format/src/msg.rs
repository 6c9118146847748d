//! Message text without `core::fmt`: the error and trap texts of the
//! reader, validator and runtime are written once, against [`Sink`], and
//! both the device and the host print them from there.
//!
//! Why not `core::fmt`: on a chip the runtime reports a load error or a
//! trap as text, and `write!` links the formatting machinery for it
//! (`core::fmt::write`, `Formatter::pad`/`pad_integral`, each integer type's
//! `Display`, every argument's trait object: about 10 KB of the RV32
//! interpreter-only build). The texts need only strings, unsigned and
//! signed decimals and `0x` hex with an optional zero-padded width, which a
//! few small functions print. The host keeps `impl Display` on each
//! message type as a thin adapter ([`fmt`]), so its texts (miette, the C
//! API, tests) are the same bytes.
//!
//! Writing a message: `msg!(out, "function {} +{x}: ", func, pc)` (or
//! `out.f(template, &[Arg, ...])`), [`text!`](crate::text) for a `String`.
//! Templates know `{}` (the argument as it is: decimal, string, message),
//! `{x}` (`{:#x}`) and `{xN}` (`{:#0Mx}` with `M = N + 2`: at least `N`
//! hex digits after the `0x`); no other braces. One call per site: the
//! arguments go in a small array, one out-of-line function walks the
//! template.

use alloc::string::String;
use core::fmt;

/// Where message text goes.
pub trait Sink {
    fn put(&mut self, s: &str);
}

impl Sink for String {
    fn put(&mut self, s: &str) {
        self.push_str(s);
    }
}

/// A message type: writes its whole text to a sink.
pub trait Message {
    fn write(&self, out: &mut dyn Sink);
}

/// One argument of a template.
#[derive(Clone, Copy)]
pub enum Arg<'a> {
    /// An unsigned integer of up to 32 bits.
    U(u32),
    /// A 64-bit unsigned integer (kept apart: 64-bit division only for it).
    W(u64),
    /// A signed integer.
    I(i32),
    S(&'a str),
    M(&'a dyn Message),
}

macro_rules! arg_from {
    ($($t:ty => $v:ident),*) => {$(
        impl From<$t> for Arg<'_> {
            #[inline(always)]
            fn from(v: $t) -> Self {
                Arg::$v(v.into())
            }
        }
    )*};
}
arg_from!(u8 => U, u16 => U, u32 => U, u64 => W, i32 => I);

impl From<usize> for Arg<'_> {
    #[inline(always)]
    fn from(v: usize) -> Self {
        // One word where `usize` is one (the chip); the host's 64-bit
        // `usize` prints in full.
        match u32::try_from(v) {
            Ok(v) if cfg!(target_pointer_width = "32") => Arg::U(v),
            _ => Arg::W(v as u64),
        }
    }
}

impl<'a> From<&'a str> for Arg<'a> {
    #[inline(always)]
    fn from(v: &'a str) -> Self {
        Arg::S(v)
    }
}

impl<'a> From<&'a String> for Arg<'a> {
    #[inline(always)]
    fn from(v: &'a String) -> Self {
        Arg::S(v)
    }
}

impl<'a> From<&'a alloc::boxed::Box<str>> for Arg<'a> {
    #[inline(always)]
    fn from(v: &'a alloc::boxed::Box<str>) -> Self {
        Arg::S(v)
    }
}

impl<'a, T: Message> From<&'a T> for Arg<'a> {
    #[inline(always)]
    fn from(v: &'a T) -> Self {
        Arg::M(v)
    }
}

/// `msg!(out, "template", args...)`: writes the template with its
/// arguments (anything `Arg: From` takes) to `out: &mut dyn Sink`.
#[macro_export]
macro_rules! msg {
    ($out:expr, $t:literal $(, $a:expr)* $(,)?) => {
        <dyn $crate::msg::Sink>::f($out, $t, &[$($crate::msg::Arg::from($a)),*])
    };
}

/// `text!("template", args...)`: the template with its arguments as a
/// `String`.
#[macro_export]
macro_rules! text {
    ($t:literal $(, $a:expr)* $(,)?) => {
        $crate::msg::template_text($t, &[$($crate::msg::Arg::from($a)),*])
    };
}

// Out of line and monomorphic: every integer prints through it.
#[inline(never)]
fn digits(out: &mut dyn Sink, mut v: u64, radix: u32, min: usize) {
    let mut buf = [0u8; 20];
    let mut n = 0;
    while n < buf.len() {
        // On a 32-bit chip most values fit a word: its division is
        // a single instruction, the 64-bit one a libgcc call.
        let d = match u32::try_from(v) {
            Ok(w) => {
                v = u64::from(w / radix);
                w % radix
            }
            Err(_) => {
                let d = (v % u64::from(radix)) as u32;
                v /= u64::from(radix);
                d
            }
        } as u8;
        buf[buf.len() - 1 - n] = if d < 10 { b'0' + d } else { b'a' + d - 10 };
        n += 1;
        if v == 0 && n >= min {
            break;
        }
    }
    // ASCII digits: always UTF-8 (`from_utf8` is linked for the reader's
    // names anyway; the crate has no `unsafe` for the unchecked form).
    let digits = buf.get(buf.len() - n..).unwrap_or_default();
    out.put(core::str::from_utf8(digits).unwrap_or_default());
}

impl<'a> dyn Sink + 'a {
    /// `template` with `args` (see the module's documentation).
    #[inline(never)]
    pub fn f(&mut self, template: &str, args: &[Arg<'_>]) {
        // Byte positions: the braces are ASCII, so each piece between them
        // is whole characters (`from_utf8` re-checks it; `str` slicing
        // would test each end for a character boundary in line).
        let t = template.as_bytes();
        let piece = |from: usize, to: usize| {
            core::str::from_utf8(t.get(from..to).unwrap_or_default()).unwrap_or_default()
        };
        let mut args = args.iter();
        let (mut start, mut i) = (0, 0);
        loop {
            // The end of the template ends the last piece as a brace does
            // (one `put` of a piece for both).
            let c = t.get(i).copied();
            if c.is_some_and(|c| c != b'{') {
                i += 1;
                continue;
            }
            self.put(piece(start, i));
            if c.is_none() {
                return;
            }
            // `{}`, `{x}` or `{xN}`.
            i += 1;
            let hex = t.get(i) == Some(&b'x');
            i += usize::from(hex);
            let mut min = 0;
            while i < t.len() && t[i] != b'}' {
                min = min * 10 + usize::from(t[i].wrapping_sub(b'0'));
                i += 1;
            }
            i += 1;
            start = i;
            let (v, neg) = match args.next() {
                Some(Arg::U(v)) => (u64::from(*v), false),
                Some(Arg::W(v)) => (*v, false),
                Some(Arg::I(v)) => (u64::from(v.unsigned_abs()), *v < 0),
                Some(Arg::S(s)) => {
                    self.put(s);
                    continue;
                }
                Some(Arg::M(m)) => {
                    m.write(self);
                    continue;
                }
                None => continue,
            };
            if hex {
                self.put("0x");
                digits(self, v, 16, min.max(1));
            } else {
                if neg {
                    self.put("-");
                }
                digits(self, v, 10, 1);
            }
        }
    }
}

/// A template with its arguments as a `String` ([`text!`](crate::text)).
/// Out of line: inlined, each of the many sites would carry the `String`'s
/// set-up.
#[inline(never)]
pub fn template_text(template: &str, args: &[Arg<'_>]) -> String {
    let mut s = String::new();
    <dyn Sink>::f(&mut s, template, args);
    s
}

/// A message as a `String`.
#[inline(never)]
pub fn text(m: &dyn Message) -> String {
    let mut s = String::new();
    m.write(&mut s);
    s
}

/// `String::from_utf8_lossy(bytes).into_owned()` (the same text: each
/// maximal invalid sequence becomes one U+FFFD) through `from_utf8`, which
/// the reader links anyway: `from_utf8_lossy` brings its own decoder
/// (`Utf8Chunks`, about 1 KB on a chip) for the few messages that quote a
/// module's bytes.
pub fn lossy(mut bytes: &[u8]) -> String {
    let mut s = String::new();
    loop {
        // The valid prefix, then (if any) the length of the bad sequence.
        let (valid, bad) = match core::str::from_utf8(bytes) {
            Ok(_) => (bytes.len(), None),
            Err(e) => (e.valid_up_to(), Some(e.error_len().unwrap_or(usize::MAX))),
        };
        // Through `Sink::put`: one out-of-line append for both pieces.
        let out: &mut dyn Sink = &mut s;
        out.put(core::str::from_utf8(bytes.get(..valid).unwrap_or_default()).unwrap_or_default());
        let Some(bad) = bad else {
            return s;
        };
        out.put("\u{fffd}");
        bytes = bytes.get(valid.saturating_add(bad)..).unwrap_or_default();
    }
}

/// A `Formatter` as a sink: the first write error is kept, later writes are
/// dropped.
struct FmtSink<'a, 'b> {
    f: &'a mut fmt::Formatter<'b>,
    r: fmt::Result,
}

impl Sink for FmtSink<'_, '_> {
    fn put(&mut self, s: &str) {
        if self.r.is_ok() {
            self.r = self.f.write_str(s);
        }
    }
}

/// `Display::fmt` of a message type (its text unchanged: as `write!` into a
/// formatter did, it ignores width and fill).
pub fn fmt(m: &dyn Message, f: &mut fmt::Formatter<'_>) -> fmt::Result {
    let mut out = FmtSink { f, r: Ok(()) };
    m.write(&mut out);
    out.r
}

/// `impl Display` as [`fmt`] for message types.
#[macro_export]
macro_rules! display_via_message {
    ($($t:ty),* $(,)?) => {$(
        impl core::fmt::Display for $t {
            fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
                $crate::msg::fmt(self, f)
            }
        }
    )*};
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::format;
    use alloc::string::ToString;

    #[test]
    fn numbers_print_as_core_fmt_does() {
        for v in [
            0u64,
            1,
            9,
            10,
            15,
            16,
            99,
            100,
            255,
            256,
            0xdead_beef,
            4294967295,
            4294967296,
            1 << 40,
            u64::MAX - 1,
            u64::MAX,
        ] {
            assert_eq!(crate::text!("{}", v), v.to_string());
            assert_eq!(crate::text!("<{x}>", v), format!("<{v:#x}>"));
            assert_eq!(crate::text!("{x2}", v), format!("{v:#04x}"));
            assert_eq!(crate::text!("{x8}", v), format!("{v:#010x}"));
            assert_eq!(crate::text!("{x16}", v), format!("{v:#018x}"));
            if let Ok(w) = u32::try_from(v) {
                assert_eq!(crate::text!("a{}b{x}", w, w), format!("a{w}b{w:#x}"));
                assert_eq!(crate::text!("{}", w as usize), w.to_string());
            }
        }
        for v in [0i32, 1, -1, 42, -42, i32::MIN, i32::MAX] {
            assert_eq!(crate::text!("({})", v), format!("({v})"));
        }
        assert_eq!(crate::text!("{}.{}", 7u8, 255u16), "7.255");
        assert_eq!(
            crate::text!("`{}` {}", "name", &String::from("s")),
            "`name` s"
        );
        assert_eq!(crate::text!("no arguments"), "no arguments");
    }

    #[test]
    fn lossy_is_from_utf8_lossy() {
        let cases: &[&[u8]] = &[
            b"",
            b"plain",
            b"\xff",
            b"a\xffb",
            b"\xe2\x82",
            b"\xe2\x82x",
            b"\xf0\x9f\x98\x80ok\xf0\x9f",
            b"\xc3\xa9\xc3",
            b"\xed\xa0\x80",
            b"\xf4\x90\x80\x80",
            b"\x80\x80\xc0\xaf",
        ];
        for b in cases {
            assert_eq!(lossy(b), String::from_utf8_lossy(b), "{b:?}");
        }
    }

    struct Two;
    impl Message for Two {
        fn write(&self, out: &mut dyn Sink) {
            crate::msg!(out, "a{}b", 2u8);
        }
    }
    crate::display_via_message!(Two);

    #[test]
    fn display_is_the_message() {
        assert_eq!(Two.to_string(), "a2b");
        assert_eq!(text(&Two), "a2b");
        assert_eq!(format!("[{}]", Two), "[a2b]");
        assert_eq!(crate::text!("<{}>", &Two), "<a2b>");
    }
}
