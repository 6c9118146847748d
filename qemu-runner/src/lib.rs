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
use espb_runtime::{Config, Imports, Instance, JitMode, Module, Trap, TrapKind};

use platform::{eprint, native_table};

/// Exit status of a trap (as `cargo espb run`'s).
const EXIT_TRAP: c_int = 101;
/// Exit status of a module that cannot run (invalid, missing natives).
const EXIT_LOAD: c_int = 3;

/// Newlines and backslashes escaped: one trap per stderr line.
fn escape(s: &str) -> String {
    s.replace('\\', "\\\\").replace('\n', "\\n")
}

/// `espb-trap\tTASK\tFILE\tLINE\tMESSAGE` (FILE and LINE empty without
/// line tables).
fn report_trap(task: &str, t: &Trap) -> c_int {
    let (file, line) = match &t.source {
        Some((f, l)) => (String::from(&**f), alloc::format!("{l}")),
        None => (String::new(), String::new()),
    };
    eprint(&alloc::format!(
        "espb-trap\t{task}\t{file}\t{line}\t{}\n",
        escape(&alloc::format!("{t}"))
    ));
    EXIT_TRAP
}

fn load_error(path: &str, what: &str) -> c_int {
    eprint(&alloc::format!("espb-error\t{path}: {}\n", escape(what)));
    EXIT_LOAD
}

/// What the JIT compiles (`--jit=MODE` before the module; default `hot`).
static JIT: core::sync::atomic::AtomicU8 = core::sync::atomic::AtomicU8::new(1);

fn jit_mode() -> JitMode {
    match JIT.load(core::sync::atomic::Ordering::Relaxed) {
        0 => JitMode::Off,
        2 => JitMode::All,
        _ => JitMode::Hot,
    }
}

/// Called by the C start-up for `--jit=MODE`.
///
/// # Safety
/// `mode` is a C string.
#[no_mangle]
pub unsafe extern "C" fn espb_runner_set_jit(mode: *const c_char) {
    // SAFETY: the caller's contract.
    let m = unsafe { CStr::from_ptr(mode) }.to_str().unwrap_or("");
    let v = match JitMode::from_name(m) {
        Some(JitMode::Off) => 0,
        Some(JitMode::All) => 2,
        Some(JitMode::Hot) => 1,
        None => {
            eprint(&alloc::format!(
                "espb-error\t--jit={m}: the JIT mode is off, hot or all\n"
            ));
            platform::exit(EXIT_LOAD)
        }
    };
    JIT.store(v, core::sync::atomic::Ordering::Relaxed);
}

/// Called by the C start-up (`c/glue.c`) with the module file's bytes.
///
/// # Safety
/// `module` points to `len` readable bytes that live until the process
/// exits; `path` is a C string; `argv` holds `argc` C strings.
#[no_mangle]
pub unsafe extern "C" fn espb_runner_main(
    module: *const u8,
    len: usize,
    path: *const c_char,
    argc: c_int,
    argv: *const *const c_char,
) -> c_int {
    // SAFETY: the caller's contract.
    let bytes: &'static [u8] = unsafe { core::slice::from_raw_parts(module, len) };
    // SAFETY: the caller's contract.
    let path = unsafe { CStr::from_ptr(path) }.to_str().unwrap_or("module");
    let args: Vec<&str> = (0..argc.max(0) as usize)
        // SAFETY: `argv` holds `argc` C strings (the process's arguments).
        .map(|i| {
            unsafe { CStr::from_ptr(*argv.add(i)) }
                .to_str()
                .unwrap_or("")
        })
        .collect();
    run(bytes, path, &args)
}

fn run(bytes: &'static [u8], path: &str, args: &[&str]) -> c_int {
    let module: &'static Module<'static> = match Module::parse(bytes) {
        Ok(m) => Box::leak(Box::new(m)),
        Err(e) => return load_error(path, &alloc::format!("not a valid module: {e}")),
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
        Err(e) => return load_error(path, &alloc::format!("{e}")),
    };
    let config = Config {
        output: platform::stdout_sink(),
        jit: jit_mode(),
        ..Config::default()
    };
    let (entry, form) = match find_entry(module, None) {
        Ok(e) => e,
        Err(m) => return load_error(path, &m),
    };
    let status = match Instance::new(module, &imports, config) {
        Ok(inst) => run_entry(&inst, module, entry, form, path, args),
        Err(e) => load_error(
            path,
            &alloc::format!("cannot instantiate: {e} (the qemu runner has the runtime's builtins and picolibc's natives)"),
        ),
    };
    // The instance is gone: natives that still hold its callbacks may call
    // them (tests do, through this hook); they must get 0 back.
    platform::after_unload();
    // A callback that native code made outside any call cannot trap its
    // caller: report it like the host does.
    if let Some(t) = ffi.take_callback_traps().into_iter().next() {
        if status != EXIT_TRAP {
            return report_trap("main", &t);
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
