//! WAMR 2.4.3's fast interpreter through the raw `wamrx-sys` bindings (the
//! crate builds WAMR's C sources with cmake: fast interpreter only, no AOT or
//! JIT, software bounds checks). The WASI functions are ours (`wasi.rs`),
//! registered as WAMR natives; each run instantiates afresh.

use std::ffi::{c_char, c_void, CStr};
use std::sync::Once;
use std::time::Instant;

use wamrx_sys as sys;

use crate::engine::{Engine, Prepared, RunOutcome};
use crate::programs::Program;
use crate::wasi;

/// WAMR's operand/frame stack of the exec env, and the instance's default.
const STACK_BYTES: u32 = 1 << 20;

pub struct Wamr;

struct Host {
    out: Vec<u8>,
    exit_code: Option<i32>,
}

struct WamrProgram {
    /// WAMR keeps pointers into (and may patch) the buffer: owned, stable.
    _bytes: Box<[u8]>,
    module: sys::wasm_module_t,
}

impl Drop for WamrProgram {
    fn drop(&mut self) {
        // SAFETY: loaded by wasm_runtime_load, no instance outlives a run.
        unsafe { sys::wasm_runtime_unload(self.module) };
    }
}

/// The linear memory of the instance running on `env`.
///
/// # Safety
/// `env` must be the exec env WAMR passed to a native function; the slice
/// must not be used after that native returns.
unsafe fn memory<'a>(env: sys::wasm_exec_env_t) -> Option<&'a mut [u8]> {
    unsafe {
        let inst = sys::wasm_runtime_get_module_inst(env);
        let mem = sys::wasm_runtime_get_default_memory(inst);
        if mem.is_null() {
            return None;
        }
        let base = sys::wasm_memory_get_base_address(mem) as *mut u8;
        let len =
            sys::wasm_memory_get_cur_page_count(mem) * sys::wasm_memory_get_bytes_per_page(mem);
        if base.is_null() {
            return Some(&mut []);
        }
        Some(std::slice::from_raw_parts_mut(base, len as usize))
    }
}

/// # Safety
/// `env`'s user data must be the `Host` set by `run`.
unsafe fn host<'a>(env: sys::wasm_exec_env_t) -> &'a mut Host {
    unsafe { &mut *(sys::wasm_runtime_get_user_data(env) as *mut Host) }
}

unsafe fn trap(env: sys::wasm_exec_env_t, msg: &CStr) {
    unsafe {
        sys::wasm_runtime_set_exception(sys::wasm_runtime_get_module_inst(env), msg.as_ptr())
    };
}

unsafe extern "C" fn fd_write(
    env: sys::wasm_exec_env_t,
    fd: i32,
    iovs: u32,
    n: u32,
    nw: u32,
) -> i32 {
    unsafe {
        let Some(mem) = memory(env) else {
            trap(env, c"no memory");
            return 0;
        };
        match wasi::fd_write(mem, &mut host(env).out, fd, iovs, n, nw) {
            Ok(errno) => errno,
            Err(_) => {
                trap(env, c"out of bounds memory access");
                0
            }
        }
    }
}

unsafe extern "C" fn fd_fdstat_get(env: sys::wasm_exec_env_t, fd: i32, stat: u32) -> i32 {
    unsafe {
        let Some(mem) = memory(env) else {
            trap(env, c"no memory");
            return 0;
        };
        match wasi::fd_fdstat_get(mem, fd, stat) {
            Ok(errno) => errno,
            Err(_) => {
                trap(env, c"out of bounds memory access");
                0
            }
        }
    }
}

unsafe extern "C" fn fd_seek(_: sys::wasm_exec_env_t, _: i32, _: i64, _: i32, _: u32) -> i32 {
    wasi::fd_seek()
}

unsafe extern "C" fn fd_close(_: sys::wasm_exec_env_t, _: i32) -> i32 {
    wasi::fd_close()
}

unsafe extern "C" fn proc_exit(env: sys::wasm_exec_env_t, code: i32) {
    unsafe {
        host(env).exit_code = Some(code);
        trap(env, c"wasi proc_exit");
    }
}

static INIT: Once = Once::new();
static mut INIT_OK: bool = false;

/// Initialises the process-global WAMR runtime and registers the WASI
/// natives (WAMR resolves imports at load time from a global registry).
fn init() -> Result<(), String> {
    INIT.call_once(|| {
        // The registry keeps pointers to the symbol array: leak it.
        let syms: &'static mut [sys::NativeSymbol] = Box::leak(Box::new([
            sym(c"fd_write", fd_write as *mut c_void, c"(iiii)i"),
            sym(c"fd_fdstat_get", fd_fdstat_get as *mut c_void, c"(ii)i"),
            sym(c"fd_seek", fd_seek as *mut c_void, c"(iIii)i"),
            sym(c"fd_close", fd_close as *mut c_void, c"(i)i"),
            sym(c"proc_exit", proc_exit as *mut c_void, c"(i)"),
        ]));
        // SAFETY: RuntimeInitArgs is a plain C struct for which all-zero is
        // WAMR's documented default; called once per process.
        unsafe {
            let mut args: sys::RuntimeInitArgs = std::mem::zeroed();
            args.mem_alloc_type = sys::Alloc_With_System_Allocator;
            args.running_mode = sys::Mode_Interp;
            let ok = sys::wasm_runtime_full_init(&mut args)
                && sys::wasm_runtime_register_natives(
                    c"wasi_snapshot_preview1".as_ptr(),
                    syms.as_mut_ptr(),
                    syms.len() as u32,
                );
            INIT_OK = ok;
        }
    });
    // SAFETY: written only inside call_once, which has completed.
    if unsafe { INIT_OK } {
        Ok(())
    } else {
        Err("WAMR runtime initialisation failed".into())
    }
}

fn sym(name: &'static CStr, f: *mut c_void, sig: &'static CStr) -> sys::NativeSymbol {
    sys::NativeSymbol {
        symbol: name.as_ptr(),
        func_ptr: f,
        signature: sig.as_ptr(),
        attachment: std::ptr::null_mut(),
    }
}

fn err_str(buf: &[c_char]) -> String {
    // SAFETY: WAMR NUL-terminates its error buffers.
    unsafe { CStr::from_ptr(buf.as_ptr()) }
        .to_string_lossy()
        .into_owned()
}

impl Engine for Wamr {
    fn name(&self) -> &'static str {
        "wamr"
    }

    fn describe(&self) -> String {
        "WAMR 2.4.3 fast interpreter (wamrx-sys 0.3.0: cmake with the system cc; build type follows the cargo profile, RelWithDebInfo = -O2 -g under this workspace's release profile), software bounds checks".into()
    }

    fn prepare(&self, program: &Program) -> Result<Box<dyn Prepared>, String> {
        let wasm = program.wasm.map_err(|e| e.to_string())?;
        init()?;
        let mut bytes: Box<[u8]> = wasm.into();
        let mut err = [0 as c_char; 256];
        // SAFETY: `bytes` outlives the module (both owned by WamrProgram).
        let module = unsafe {
            sys::wasm_runtime_load(
                bytes.as_mut_ptr(),
                bytes.len() as u32,
                err.as_mut_ptr(),
                err.len() as u32,
            )
        };
        if module.is_null() {
            return Err(format!("load: {}", err_str(&err)));
        }
        Ok(Box::new(WamrProgram {
            _bytes: bytes,
            module,
        }))
    }
}

impl Prepared for WamrProgram {
    fn run(&mut self) -> Result<RunOutcome, String> {
        let mut err = [0 as c_char; 256];
        let mut host = Box::new(Host {
            out: Vec::new(),
            exit_code: None,
        });
        // SAFETY: the module is loaded; instance, exec env and host live until
        // the end of this function and are destroyed in reverse order.
        unsafe {
            let inst = sys::wasm_runtime_instantiate(
                self.module,
                STACK_BYTES,
                0,
                err.as_mut_ptr(),
                err.len() as u32,
            );
            if inst.is_null() {
                return Err(format!("instantiate: {}", err_str(&err)));
            }
            let result = (|| {
                let func = sys::wasm_runtime_lookup_function(inst, c"_start".as_ptr());
                if func.is_null() {
                    return Err("no _start export".to_string());
                }
                let env = sys::wasm_runtime_create_exec_env(inst, STACK_BYTES);
                if env.is_null() {
                    return Err("cannot create exec env".to_string());
                }
                sys::wasm_runtime_set_user_data(env, &mut *host as *mut Host as *mut c_void);
                let mut argv = [0u32; 1];
                let t = Instant::now();
                let ok = sys::wasm_runtime_call_wasm(env, func, 0, argv.as_mut_ptr());
                let elapsed = t.elapsed();
                sys::wasm_runtime_destroy_exec_env(env);
                let exit_code = match (ok, host.exit_code) {
                    (true, _) => 0,
                    (false, Some(code)) => code,
                    (false, None) => {
                        let e = sys::wasm_runtime_get_exception(inst);
                        let msg = if e.is_null() {
                            "trap".into()
                        } else {
                            CStr::from_ptr(e).to_string_lossy().into_owned()
                        };
                        return Err(msg);
                    }
                };
                Ok(RunOutcome {
                    elapsed,
                    output: String::from_utf8_lossy(&host.out).into_owned(),
                    exit_code,
                })
            })();
            sys::wasm_runtime_deinstantiate(inst);
            result
        }
    }
}

/// `--memory`: heap bytes (per `heap_in_use`) that loading, instantiating and
/// running `wasm` once costs, measured while the instance is still alive
/// (WAMR maps linear memory itself, so it is not in that figure), and the
/// instance's linear memory size. The harness's copy of the module
/// bytes (which WAMR needs to keep) is not counted.
pub fn memory_figures(wasm: &[u8], heap_in_use: fn() -> usize) -> Result<(usize, usize), String> {
    init()?;
    let before = heap_in_use();
    let mut bytes: Box<[u8]> = wasm.into();
    let mut err = [0 as c_char; 256];
    // SAFETY: as in `prepare`/`run`: the buffer outlives the module, every
    // object is destroyed in reverse order before returning.
    unsafe {
        let module = sys::wasm_runtime_load(
            bytes.as_mut_ptr(),
            bytes.len() as u32,
            err.as_mut_ptr(),
            err.len() as u32,
        );
        if module.is_null() {
            return Err(format!("load: {}", err_str(&err)));
        }
        // The same 64 KiB interpreter stack as wasm3 gets in --memory.
        let stack = 64 * 1024;
        let inst =
            sys::wasm_runtime_instantiate(module, stack, 0, err.as_mut_ptr(), err.len() as u32);
        if inst.is_null() {
            sys::wasm_runtime_unload(module);
            return Err(format!("instantiate: {}", err_str(&err)));
        }
        let mut host = Box::new(Host {
            out: Vec::new(),
            exit_code: None,
        });
        let func = sys::wasm_runtime_lookup_function(inst, c"_start".as_ptr());
        let env = sys::wasm_runtime_create_exec_env(inst, stack);
        let mut result = Err("no _start / exec env".to_string());
        let mut figures = (0, 0);
        if !func.is_null() && !env.is_null() {
            sys::wasm_runtime_set_user_data(env, &mut *host as *mut Host as *mut c_void);
            let mut argv = [0u32; 1];
            let ok = sys::wasm_runtime_call_wasm(env, func, 0, argv.as_mut_ptr());
            result = if ok || host.exit_code == Some(0) {
                Ok(())
            } else {
                Err("run failed".to_string())
            };
            let after = heap_in_use();
            let mem = sys::wasm_runtime_get_default_memory(inst);
            let linear = if mem.is_null() {
                0
            } else {
                (sys::wasm_memory_get_cur_page_count(mem)
                    * sys::wasm_memory_get_bytes_per_page(mem)) as usize
            };
            // WAMR maps linear memory with os_mmap, outside the malloc heap:
            // nothing to subtract for it.
            figures = (
                after.saturating_sub(before).saturating_sub(bytes.len()),
                linear,
            );
        }
        if !env.is_null() {
            sys::wasm_runtime_destroy_exec_env(env);
        }
        sys::wasm_runtime_deinstantiate(inst);
        sys::wasm_runtime_unload(module);
        result.map(|()| figures)
    }
}
