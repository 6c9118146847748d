//! wasmi 2 (crates.io), eager compilation so that translation happens before
//! the clock starts.

use std::time::Instant;

use wasmi::{Caller, CompilationMode, Config, Error, Extern, Linker, Module, Store, TypedFunc};

use crate::engine::{Engine, Prepared, RunOutcome};
use crate::programs::Program;
use crate::wasi;

#[derive(Default)]
struct Host {
    out: Vec<u8>,
}

pub struct Wasmi;

struct WasmiProgram {
    engine: wasmi::Engine,
    module: Module,
    linker: Linker<Host>,
}

fn memory(caller: &Caller<'_, Host>) -> Result<wasmi::Memory, Error> {
    caller
        .get_export("memory")
        .and_then(Extern::into_memory)
        .ok_or_else(|| Error::new("module exports no memory"))
}

fn oob(_: wasi::OutOfBounds) -> Error {
    Error::from(wasmi::TrapCode::MemoryOutOfBounds)
}

fn linker(engine: &wasmi::Engine) -> Result<Linker<Host>, Error> {
    const W: &str = "wasi_snapshot_preview1";
    let mut l = Linker::<Host>::new(engine);
    l.func_wrap(
        W,
        "fd_write",
        |mut caller: Caller<'_, Host>, fd: i32, iovs: i32, n: i32, nw: i32| -> Result<i32, Error> {
            let mem = memory(&caller)?;
            let (data, host) = mem.data_and_store_mut(&mut caller);
            wasi::fd_write(data, &mut host.out, fd, iovs as u32, n as u32, nw as u32).map_err(oob)
        },
    )?;
    l.func_wrap(
        W,
        "fd_fdstat_get",
        |mut caller: Caller<'_, Host>, fd: i32, stat: i32| -> Result<i32, Error> {
            let mem = memory(&caller)?;
            let data = mem.data_mut(&mut caller);
            wasi::fd_fdstat_get(data, fd, stat as u32).map_err(oob)
        },
    )?;
    l.func_wrap(W, "fd_seek", |_: i32, _: i64, _: i32, _: i32| -> i32 {
        wasi::fd_seek()
    })?;
    l.func_wrap(W, "fd_close", |_: i32| -> i32 { wasi::fd_close() })?;
    l.func_wrap(W, "proc_exit", |code: i32| -> Result<(), Error> {
        Err(Error::i32_exit(code))
    })?;
    Ok(l)
}

impl Engine for Wasmi {
    fn name(&self) -> &'static str {
        "wasmi"
    }

    fn describe(&self) -> String {
        "wasmi 2.0.0 (crates.io), CompilationMode::Eager, default features minus wat/memory64"
            .into()
    }

    fn prepare(&self, program: &Program) -> Result<Box<dyn Prepared>, String> {
        let wasm = program.wasm.map_err(|e| e.to_string())?;
        let mut config = Config::default();
        config.compilation_mode(CompilationMode::Eager);
        let engine = wasmi::Engine::new(&config);
        let module = Module::new(&engine, wasm).map_err(|e| e.to_string())?;
        let linker = linker(&engine).map_err(|e| e.to_string())?;
        Ok(Box::new(WasmiProgram {
            engine,
            module,
            linker,
        }))
    }
}

impl Prepared for WasmiProgram {
    fn run(&mut self) -> Result<RunOutcome, String> {
        let mut store = Store::new(&self.engine, Host::default());
        let instance = self
            .linker
            .instantiate_and_start(&mut store, &self.module)
            .map_err(|e| e.to_string())?;
        let start: TypedFunc<(), ()> = instance
            .get_typed_func(&store, "_start")
            .map_err(|e| e.to_string())?;
        let t = Instant::now();
        let result = start.call(&mut store, ());
        let elapsed = t.elapsed();
        let exit_code = match result {
            Ok(()) => 0,
            Err(e) => match e.i32_exit_status() {
                Some(code) => code,
                None => return Err(e.to_string()),
            },
        };
        let output = String::from_utf8_lossy(&store.data().out).into_owned();
        Ok(RunOutcome {
            elapsed,
            output,
            exit_code,
        })
    }
}

/// `--memory`: heap bytes (per `heap_in_use`) that compiling, instantiating
/// and running `wasm` once costs, measured while the instance is alive, and
/// its linear memory size.
pub fn memory_figures(wasm: &[u8], heap_in_use: fn() -> usize) -> Result<(usize, usize), String> {
    let before = heap_in_use();
    let mut config = Config::default();
    config.compilation_mode(CompilationMode::Eager);
    let engine = wasmi::Engine::new(&config);
    let module = Module::new(&engine, wasm).map_err(|e| e.to_string())?;
    let linker = linker(&engine).map_err(|e| e.to_string())?;
    let mut store = Store::new(&engine, Host::default());
    let instance = linker
        .instantiate_and_start(&mut store, &module)
        .map_err(|e| e.to_string())?;
    let start: TypedFunc<(), ()> = instance
        .get_typed_func(&store, "_start")
        .map_err(|e| e.to_string())?;
    match start.call(&mut store, ()) {
        Ok(()) => {}
        Err(e) if e.i32_exit_status() == Some(0) => {}
        Err(e) => return Err(e.to_string()),
    }
    let after = heap_in_use();
    let linear = instance
        .get_memory(&store, "memory")
        .map(|m| m.data(&store).len())
        .unwrap_or(0);
    Ok((after.saturating_sub(before).saturating_sub(linear), linear))
}
