//! The program entry a runner calls (`app_main`, or `main`), and the
//! `argv` it gets: the same on the PC's host platform and on the chips'
//! runners.

use alloc::string::String;

use espb_format::ValType;

use crate::instance::Instance;
use crate::memory::LinearMemory;
use crate::module::Module;

/// How the entry is called.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EntryArgs {
    /// `void app_main(void)` / `int main(void)`.
    None,
    /// `main(argc[, argv[, envp]])`: how many of the three it takes.
    Argc(usize),
}

impl EntryArgs {
    /// The entry's arguments, given the `argv` array [`build_argv`] made
    /// for `args` (`envp` is the empty list the NULL ending `argv` makes).
    pub fn values(self, argv: u32, args: usize) -> ([u64; 3], usize) {
        let argc = args as u64 + 1;
        let envp = argv as u64 + 4 * (argc);
        match self {
            EntryArgs::None => ([0; 3], 0),
            EntryArgs::Argc(n) => ([argc, argv as u64, envp], n),
        }
    }
}

/// The function to run: `name`, or `app_main`, else `main`. The error says
/// what is missing or wrong, for the user.
pub fn find_entry(module: &Module<'_>, name: Option<&str>) -> Result<(u32, EntryArgs), String> {
    let one;
    let candidates: &[&str] = match name {
        Some(n) => {
            one = [n];
            &one
        }
        None => &["app_main", "main"],
    };
    for n in candidates {
        let Some(f) = module.export(n) else { continue };
        let Some(t) = module.func_type(f) else {
            continue;
        };
        // Pointers count as the `int`s C passes (no list of the parameters
        // made just to compare them).
        let ints = !t.variadic
            && t.params
                .iter()
                .all(|p| matches!(p, ValType::I32 | ValType::Ptr));
        // C's `main` may take (void), (int), (int, char **) or, as on
        // POSIX, (int, char **, char **envp).
        let is_main = *n == "main";
        return match (t.params.len(), ints) {
            (0, true) => Ok((f, EntryArgs::None)),
            (1, true) if is_main => Ok((f, EntryArgs::Argc(1))),
            (2, true) => Ok((f, EntryArgs::Argc(2))),
            (3, true) if is_main => Ok((f, EntryArgs::Argc(3))),
            _ if is_main => Err(crate::instance::owned(
                "`main` must be `int main(void)`, `int main(int argc, char **argv)` or `int main(int argc, char **argv, char **envp)`",
            )),
            _ => Err(espb_format::text!(
                "entry `{}` must be `void {}(void)` or `int {}(int, char **)`; ESP-IDF calls `app_main` with no arguments",
                *n,
                *n,
                *n
            )),
        };
    }
    // The candidates as `join(", ")` would list them, without `join`: its
    // length overflow check is the device build's only `expect`, whose panic
    // links `core::fmt`'s `&str` printing and padding.
    let looked_for = name.unwrap_or("app_main, main");
    Err(espb_format::text!(
        "the module exports no entry function (looked for {})",
        looked_for
    ))
}

/// Lays out `argv` (the program name `app`, then `args`, then NULL) on the
/// module heap; returns the `argv` address. `argc` is `args.len() + 1`.
pub fn build_argv(inst: &Instance<'_>, args: &[&str]) -> Result<u32, String> {
    lay_out_argv(inst, args).ok_or_else(|| crate::instance::owned("module heap too small for argv"))
}

/// `build_argv`'s work; `None` where the heap is too small (one error
/// path, no list of the strings built first).
fn lay_out_argv(inst: &Instance<'_>, args: &[&str]) -> Option<u32> {
    let argc = args.len() as u32 + 1;
    let argv = inst.malloc(4 * (argc + 1));
    if argv == 0 {
        return None;
    }
    let mem = inst.memory();
    // By index (a chained iterator's state is larger code): the program's
    // name, then `args`.
    for i in 0..argc {
        let a = match i.checked_sub(1) {
            None => "app",
            Some(k) => args.get(k as usize).copied().unwrap_or_default(),
        };
        let p = inst.malloc(a.len() as u32 + 1);
        if p == 0 {
            return None;
        }
        put(mem, p, a.as_bytes())?;
        put(mem, p + a.len() as u32, &[0])?;
        put(mem, argv + 4 * i, &p.to_le_bytes())?;
    }
    put(mem, argv + 4 * argc, &[0; 4])?;
    Some(argv)
}

/// One checked write (out of line: `build_argv`'s four would each inline it).
#[inline(never)]
fn put(mem: &LinearMemory, addr: u32, bytes: &[u8]) -> Option<()> {
    mem.write(addr, bytes).ok()
}
