//! The espb runtime as firmware would carry it, running under qemu-riscv32
//! user mode: `no_std`, the device FFI (RISC-V call layer, trampoline pool),
//! natives from picolibc compiled for the chip's ISA.
//!
//! `espb-qemu-runner MODULE.espb [ARGS...]`: runs `app_main` (or `main`,
//! with `argc`/`argv`) and exits with its status. What the module prints is
//! on stdout; a trap is one `espb-trap` line on stderr (`cargo espb run
//! --qemu` shows it like a host trap) and exit status 101.
#![no_std]

extern crate alloc;

mod platform;

use alloc::boxed::Box;
use alloc::string::String;
use alloc::vec::Vec;
use core::ffi::{c_char, c_int, CStr};

use espb_runtime::entry::{build_argv, find_entry, EntryArgs};
use espb_runtime::ffi::{self, Natives};
use espb_runtime::format::msg::{Message, Sink};
use espb_runtime::format::{msg, text};
use espb_runtime::{Config, Imports, Instance, JitMode, Module, Trap, TrapKind};

use platform::{eprint, native_table};

/// Exit status of a trap (as `cargo espb run`'s).
const EXIT_TRAP: c_int = 101;
/// Exit status of a module that cannot run (invalid, missing natives).
const EXIT_LOAD: c_int = 3;

/// One stderr line being built. Once `escaping` is set, newlines and
/// backslashes are escaped as they are written: one trap or error per line
/// (bytes, so that escaping needs no UTF-8 re-check).
#[derive(Default)]
struct Line {
    bytes: Vec<u8>,
    escaping: bool,
}

impl Sink for Line {
    fn put(&mut self, s: &str) {
        for &b in s.as_bytes() {
            if self.escaping && (b == b'\\' || b == b'\n') {
                self.bytes.push(b'\\');
                self.bytes.push(if b == b'\n' { b'n' } else { b });
            } else {
                self.bytes.push(b);
            }
        }
    }
}

impl Line {
    /// Ends the line and prints it.
    fn print(mut self) {
        self.bytes.push(b'\n');
        eprint(&self.bytes);
    }
}

/// `espb-trap\tTASK\tFILE\tLINE\tMESSAGE` (FILE and LINE empty without
/// line tables).
fn report_trap(task: &str, t: &Trap) -> c_int {
    let mut l = Line::default();
    msg!(&mut l, "espb-trap\t{}\t", task);
    if let Some((file, line)) = &t.source {
        msg!(&mut l, "{}\t{}", file, *line);
    } else {
        l.put("\t");
    }
    l.put("\t");
    l.escaping = true;
    t.write(&mut l);
    l.print();
    EXIT_TRAP
}

fn load_error(path: &str, what: &str) -> c_int {
    let mut l = Line::default();
    msg!(&mut l, "espb-error\t{}: ", path);
    l.escaping = true;
    l.put(what);
    l.print();
    EXIT_LOAD
}

/// What the command line sets (`cargo espb run --qemu` passes the same
/// limits the host run uses).
struct Options<'a> {
    path: &'a str,
    args: &'a [&'a str],
    heap_size: Option<u32>,
    stack_size: Option<u32>,
    /// A PC program's call depth and register stack (files run outside a
    /// project), instead of the device defaults.
    deep: bool,
    /// What the JIT compiles (default `hot`).
    jit: JitMode,
    /// An instruction budget (`Config::fuel`): ticks of calls and backward
    /// branches, interpreted or compiled alike.
    fuel: Option<u64>,
    /// `Config::jit_tier_up` (polls before a hot interpreted function is
    /// compiled; 0: no tier-up); `None`: the runtime's default.
    tier_up: Option<u32>,
    /// Print the functions tier-up compiled to stderr at exit.
    tier_report: bool,
}

const USAGE: &str =
    "usage: espb-qemu-runner [--heap-size N] [--stack-size N] [--deep] [--jit off|hot|all] [--jit-tier-up N] [--jit-tier-report] [--fuel N] MODULE.espb [ARGS...]";

/// The options followed by a decimal number, in `parse_options`' order.
const NUMBERED: [&str; 4] = ["--heap-size", "--stack-size", "--fuel", "--jit-tier-up"];

fn parse_options<'a>(argv: &'a [&'a str]) -> Result<Options<'a>, String> {
    let mut o = Options {
        path: "",
        args: &[],
        heap_size: None,
        stack_size: None,
        deep: false,
        jit: JitMode::Hot,
        fuel: None,
        tier_up: None,
        tier_report: false,
    };
    let mut it = argv.iter();
    while let Some(&a) = it.next() {
        // The options that take a number share one parse and one error
        // (each arm of its own inlined both).
        if let Some(k) = NUMBERED.iter().position(|n| *n == a) {
            let n = it
                .next()
                .and_then(|v| v.parse().ok())
                .ok_or_else(|| text!("{} needs a number\n{}", a, USAGE))?;
            match k {
                0 => o.heap_size = Some(n),
                1 => o.stack_size = Some(n),
                2 => o.fuel = Some(n as u64),
                _ => o.tier_up = Some(n),
            }
            continue;
        }
        match a {
            "--deep" => o.deep = true,
            "--jit-tier-report" => o.tier_report = true,
            "--jit" => {
                o.jit = it
                    .next()
                    .and_then(|v| JitMode::from_name(v))
                    .ok_or_else(|| text!("--jit takes off, hot or all\n{}", USAGE))?
            }
            _ => {
                o.path = a;
                o.args = it.as_slice();
                return Ok(o);
            }
        }
    }
    Err(String::from(USAGE))
}

/// `--jit-tier-report`: one stderr line per function tier-up compiled.
#[cfg(feature = "jit")]
fn tier_report(inst: &Instance, module: &Module<'_>) {
    for (f, bytes, s) in inst.jit_tiered() {
        let name = module.func_name(f).unwrap_or("?");
        eprint(text!(
            "espb-tier-up\tf{} {}: {} bytes ({} inline, {} via the interpreter, {} registers in machine registers)\n",
            f,
            name,
            bytes,
            s.inline,
            s.helper,
            s.cached
        ));
    }
}

#[cfg(not(feature = "jit"))]
fn tier_report(_: &Instance, _: &Module<'_>) {}

extern "C" {
    fn espb_read_file(path: *const c_char, len: *mut usize) -> *const u8;
}

/// Called by the C start-up (`c/glue.c`) with the process's arguments.
///
/// # Safety
/// `argv` holds `argc` C strings that live until the process exits.
#[no_mangle]
pub unsafe extern "C" fn espb_runner_main(argc: c_int, argv: *const *const c_char) -> c_int {
    let argv: Vec<&'static str> = (0..argc.max(0) as usize)
        // SAFETY: the caller's contract.
        .map(|i| {
            unsafe { CStr::from_ptr(*argv.add(i)) }
                .to_str()
                .unwrap_or("")
        })
        .collect();
    let o = match parse_options(&argv) {
        Ok(o) => o,
        Err(m) => return load_error("espb-qemu-runner", &m),
    };
    let mut len = 0usize;
    // SAFETY: `path` comes from a NUL-terminated argument (the same
    // pointer); `len` is a valid out-parameter.
    let data = unsafe { espb_read_file(o.path.as_ptr() as *const c_char, &mut len) };
    if data.is_null() {
        return load_error(o.path, "cannot read the module file");
    }
    // SAFETY: the C side returned a malloc'd buffer of `len` bytes that is
    // never freed.
    let bytes: &'static [u8] = unsafe { core::slice::from_raw_parts(data, len) };
    run(bytes, &o)
}

fn run(bytes: &'static [u8], o: &Options<'_>) -> c_int {
    let (path, args) = (o.path, o.args);
    let module: &'static Module<'static> = match Module::parse(bytes) {
        Ok(m) => Box::leak(Box::new(m)),
        Err(e) => return load_error(path, &text!("not a valid module: {}", &e)),
    };
    let mut natives = Natives::new();
    for (name, addr) in native_table() {
        // SAFETY: each entry is a C function of the chip's ISA registered
        // under its own name (`ESPB_NATIVE`), so the module's declaration of
        // it is C's prototype.
        unsafe { natives.add(name, addr, None) };
    }
    let mut imports = Imports::new();
    let ffi = match ffi::link(module, &natives, &mut imports) {
        Ok(s) => s,
        Err(e) => return load_error(path, &msg::text(&e)),
    };
    let (entry, form) = match find_entry(module, None) {
        Ok(e) => e,
        Err(m) => return load_error(path, &m),
    };
    // The config right where the instance takes it: no error path of the
    // runner drops one.
    let mut config = Config {
        output: platform::stdout_sink(),
        heap_size: o.heap_size,
        context_stack_size: o.stack_size,
        jit: o.jit,
        fuel: o.fuel,
        ..Config::default()
    };
    if let Some(t) = o.tier_up {
        config.jit_tier_up = t;
    }
    if o.deep {
        config.max_call_depth = 1 << 20;
        config.max_registers = 1 << 24;
    }
    let status = match Instance::new(module, &imports, config) {
        Ok(inst) => {
            platform::report_linear(inst.memory().len());
            let status = run_entry(&inst, module, entry, form, path, args);
            if o.tier_report {
                tier_report(&inst, module);
            }
            status
        }
        Err(e) => load_error(
            path,
            &text!(
                "cannot instantiate: {} (the qemu runner has the runtime's builtins and picolibc's natives)",
                &e
            ),
        ),
    };
    // The instance is gone: natives that still hold its callbacks may call
    // them (tests do, through this hook); they must get 0 back.
    platform::after_unload();
    // A callback that native code made outside any call cannot trap its
    // caller: report it like the host does.
    if let Some(t) = ffi.take_callback_traps().first() {
        if status != EXIT_TRAP {
            return report_trap("main", t);
        }
    }
    status & 0xff
}

fn run_entry(
    inst: &Instance<'_>,
    module: &Module<'_>,
    entry: u32,
    form: EntryArgs,
    path: &str,
    args: &[&str],
) -> c_int {
    let r = match form {
        EntryArgs::None => inst.call_raw(entry, &[]),
        EntryArgs::Argc(_) => match build_argv(inst, args) {
            Ok(argv) => {
                let (vals, n) = form.values(argv, args.len());
                inst.call_raw(entry, &vals[..n])
            }
            Err(m) => return load_error(path, &m),
        },
    };
    match r {
        Ok(v) => {
            let returns_int = module.func_type(entry).is_some_and(|t| t.result.is_some());
            if returns_int {
                v.unwrap_or(0) as c_int
            } else {
                0
            }
        }
        Err(t) => match t.kind {
            TrapKind::Exit(code) => code,
            _ => report_trap("main", &t),
        },
    }
}
