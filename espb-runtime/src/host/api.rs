//! Registration of the host platform's functions into an [`Imports`], with
//! the exact signatures of the bundled SDK headers (`sdk/include/`).

use std::sync::Arc;

use espb_format::{FuncType, ValType, FUNC_REF_BASE};

use crate::builtins::ArgSource;
use crate::imports::{Caller, HostFunc, Imports};
use crate::trap::Trap;

use super::kernel::{self, Kernel};

pub(crate) type R = Result<Option<u64>, Trap>;
pub(crate) type Imp = fn(&Kernel, &mut Caller<'_>, &[u64]) -> R;

/// Parses `"(i32, ptr, ...) -> i32"` (the `.espbs` type syntax).
pub(crate) fn sig(s: &str) -> FuncType {
    let (params, result) = s.split_once("->").unwrap_or((s, "void"));
    let params = params.trim().trim_start_matches('(').trim_end_matches(')');
    let mut t = FuncType::default();
    for p in params.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        if p == "..." {
            t.variadic = true;
        } else if let Some(v) = ValType::from_name(p) {
            t.params.push(v);
        }
    }
    t.result = ValType::from_name(result.trim());
    t
}

/// Registers every entry of `table` with the kernel captured.
pub(crate) fn register(
    imports: &mut Imports,
    k: &Arc<Kernel>,
    table: &[(&'static str, &'static str, Imp)],
) {
    for &(name, s, f) in table {
        let k = k.clone();
        imports.register(
            name,
            HostFunc::typed(sig(s), move |c, a| {
                kernel::set_call(name);
                // The outermost frame's entry stack pointer is the top of
                // this entry's shadow stack.
                let stack = c
                    .ctx
                    .frames
                    .first()
                    .map(|f| f.saved_sp.saturating_sub(c.ctx.sp));
                k.on_call(stack, c.take_ticks());
                let r = f(&k, c, a);
                if let Err(t) = &r {
                    // A native thread's failed call is a crash in an
                    // interrupt: it ends the run (the callback's trap only
                    // reaches the native code).
                    if k.current().is_none() && t.kind != crate::trap::TrapKind::Interrupted {
                        k.foreign_failed(t);
                    }
                }
                r
            }),
        );
    }
}

#[inline]
pub(crate) fn a32(args: &[u64], i: usize) -> u32 {
    args.get(i).copied().unwrap_or(0) as u32
}

#[inline]
pub(crate) fn a64(args: &[u64], i: usize) -> u64 {
    args.get(i).copied().unwrap_or(0)
}

pub(crate) fn ret(v: u32) -> R {
    Ok(Some(v as u64))
}

pub(crate) const PD_TRUE: u32 = 1;
pub(crate) const PD_FALSE: u32 = 0;
pub(crate) const ESP_OK: u32 = 0;
pub(crate) const ESP_ERR_NO_MEM: u32 = 0x101;
pub(crate) const ESP_ERR_INVALID_ARG: u32 = 0x102;
pub(crate) const ESP_ERR_INVALID_STATE: u32 = 0x103;

/// Checks that `f` is a reference to a module function of signature `want`
/// and returns its index.
pub(crate) fn module_func(c: &Caller<'_>, f: u32, want: &str, what: &str) -> Result<u32, Trap> {
    let idx = f.wrapping_sub(FUNC_REF_BASE);
    let m = c.module();
    let t = (f >= FUNC_REF_BASE)
        .then(|| m.func_type(idx))
        .flatten()
        .ok_or_else(|| {
            Trap::host(format!(
                "{}: {what} {f:#010x} is not a function of the module",
                c.import_name()
            ))
        })?;
    let w = sig(want);
    let norm = |v: &ValType| if *v == ValType::Ptr { ValType::I32 } else { *v };
    let same = t.params.len() == w.params.len()
        && t.params.iter().map(norm).eq(w.params.iter().map(norm))
        && t.result.as_ref().map(norm) == w.result.as_ref().map(norm)
        && !t.variadic;
    if !same {
        return Err(Trap::host(format!(
            "{}: {what} {} has the wrong signature (expected {want})",
            c.import_name(),
            m.func_name(idx).unwrap_or("?")
        )));
    }
    Ok(idx)
}

/// printf arguments from a variadic call site's registers.
pub(crate) struct RegArgs<'a> {
    pub args: &'a [u64],
    pub next: usize,
}

impl ArgSource for RegArgs<'_> {
    fn int(&mut self, _: &Caller<'_>, wide: bool) -> Result<u64, Trap> {
        let v = self.args.get(self.next).copied().unwrap_or(0);
        self.next += 1;
        Ok(if wide { v } else { v as u32 as u64 })
    }
    fn double(&mut self, _: &Caller<'_>) -> Result<f64, Trap> {
        let v = self.args.get(self.next).copied().unwrap_or(0);
        self.next += 1;
        Ok(f64::from_bits(v))
    }
}

/// printf arguments from a riscv32 `va_list` in linear memory.
pub(crate) struct VaArgs {
    pub ptr: u32,
}

impl ArgSource for VaArgs {
    fn int(&mut self, c: &Caller<'_>, wide: bool) -> Result<u64, Trap> {
        if wide {
            self.ptr = (self.ptr.wrapping_add(7)) & !7;
            let v = c.read_u64(self.ptr)?;
            self.ptr = self.ptr.wrapping_add(8);
            Ok(v)
        } else {
            let v = c.read_u32(self.ptr)?;
            self.ptr = self.ptr.wrapping_add(4);
            Ok(v as u64)
        }
    }
    fn double(&mut self, c: &Caller<'_>) -> Result<f64, Trap> {
        Ok(f64::from_bits(self.int(c, true)?))
    }
}

/// A NUL-terminated string the module may keep (`esp_err_to_name`,
/// `pcTaskGetName`): copied once into the module heap and reused.
pub(crate) fn module_string(k: &Kernel, c: &Caller<'_>, text: &[u8]) -> Result<u32, Trap> {
    let mut g = k.lock();
    if let Some(&a) = g.ext.strings.get(text) {
        return Ok(a);
    }
    let addr = c.malloc(text.len() as u32 + 1);
    if addr == 0 {
        return Err(Trap::host(
            "module heap exhausted while allocating a string for the host platform",
        ));
    }
    c.write(addr, text)?;
    c.write_u8(addr + text.len() as u32, 0)?;
    g.ext.strings.insert(text.to_vec(), addr);
    Ok(addr)
}

/// Writes a 4-byte out-parameter unless the pointer is NULL.
pub(crate) fn out32(c: &Caller<'_>, p: u32, v: u32) -> Result<(), Trap> {
    if p != 0 {
        c.write_u32(p, v)?;
    }
    Ok(())
}
