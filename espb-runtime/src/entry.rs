//! The program entry a runner calls (`app_main`, or `main`), and the
//! `argv` it gets: the same on the PC's host platform and on the chips'
//! runners.

use alloc::string::String;
use alloc::vec;
use alloc::vec::Vec;

use espb_format::ValType;

use crate::instance::Instance;
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
    let candidates: Vec<&str> = match name {
        Some(n) => vec![n],
        None => vec!["app_main", "main"],
    };
    for n in &candidates {
        let Some(f) = module.export(n) else { continue };
        let Some(t) = module.func_type(f) else {
            continue;
        };
        let norm: Vec<ValType> = t
            .params
            .iter()
            .map(|p| if *p == ValType::Ptr { ValType::I32 } else { *p })
            .collect();
        // C's `main` may take (void), (int), (int, char **) or, as on
        // POSIX, (int, char **, char **envp).
        let is_main = *n == "main";
        return match (norm.as_slice(), t.variadic) {
            ([], false) => Ok((f, EntryArgs::None)),
            ([ValType::I32], false) if is_main => Ok((f, EntryArgs::Argc(1))),
            ([ValType::I32, ValType::I32], false) => Ok((f, EntryArgs::Argc(2))),
            ([ValType::I32, ValType::I32, ValType::I32], false) if is_main => {
                Ok((f, EntryArgs::Argc(3)))
            }
            _ if is_main => Err(
                "`main` must be `int main(void)`, `int main(int argc, char **argv)` or `int main(int argc, char **argv, char **envp)`".into(),
            ),
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
    let oom = || String::from("module heap too small for argv");
    let all: Vec<&str> = core::iter::once("app")
        .chain(args.iter().copied())
        .collect();
    let argv = inst.malloc(4 * (all.len() as u32 + 1));
    if argv == 0 {
        return Err(oom());
    }
    let mem = inst.memory();
    for (i, a) in all.iter().enumerate() {
        let p = inst.malloc(a.len() as u32 + 1);
        if p == 0 {
            return Err(oom());
        }
        let put = |addr: u32, b: &[u8]| mem.write(addr, b).map_err(|_| oom());
        put(p, a.as_bytes())?;
        put(p + a.len() as u32, &[0])?;
        put(argv + 4 * i as u32, &p.to_le_bytes())?;
    }
    mem.write(argv + 4 * all.len() as u32, &[0; 4])
        .map_err(|_| oom())?;
    Ok(argv)
}
