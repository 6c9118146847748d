//! `--memory`: RAM that loading and instantiating a program costs beyond its
//! linear memory, for espb and wasm3, measured with glibc's `mallinfo2`
//! (bytes in use on the C heap, which Rust's system allocator shares)
//! around loading, instantiating and running the program once (the
//! instance is still alive at the second measurement). The module file's own bytes are not
//! counted (espb runs bytecode in place from flash; wasm3 could parse from
//! flash too).

use espb_runtime::{Config, Imports, Instance, Module, Output};

use crate::programs::Program;

#[repr(C)]
struct Mallinfo2 {
    arena: usize,
    ordblks: usize,
    smblks: usize,
    hblks: usize,
    hblkhd: usize,
    usmblks: usize,
    fsmblks: usize,
    uordblks: usize,
    fordblks: usize,
    keepcost: usize,
}

extern "C" {
    fn mallinfo2() -> Mallinfo2;
}

/// Bytes allocated on the heap right now (small blocks + mmapped blocks).
pub fn heap_in_use() -> usize {
    // SAFETY: mallinfo2 only reads allocator statistics.
    let m = unsafe { mallinfo2() };
    m.uordblks + m.hblkhd
}

/// One engine's figures for one program.
pub struct MemFigures {
    /// Load + instantiate + one run, beyond linear memory and the module bytes.
    pub overhead: usize,
    /// The instance's linear memory.
    pub linear: usize,
}

/// espb: `Module::parse` + `Instance::new` (the benchmarks' 4 MiB module
/// heap, default shadow stacks: 4 execution contexts of 64 KiB).
pub fn espb(program: &Program) -> Result<MemFigures, String> {
    let bitcode = program.bitcode.map_err(|e| e.to_string())?;
    let m = espb_codegen::translate(bitcode, &espb_codegen::Options::default())
        .map_err(|d| format!("translate: {d}"))?;
    let bytes = m.to_bytes();
    drop(m);
    let before = heap_in_use();
    let module = Module::parse(&bytes).map_err(|e| format!("validate: {e:?}"))?;
    let config = Config {
        output: Output::Discard,
        heap_size: Some(crate::peer_espb::HEAP_BYTES),
        ..Config::default()
    };
    let imports = Imports::new();
    let inst = Instance::new(&module, &imports, config).map_err(|e| format!("instantiate: {e}"))?;
    // Run once: execution contexts and register stacks are made on demand.
    match inst.call_i32("main", &[]) {
        Ok(0) => {}
        Ok(code) => return Err(format!("exit code {code}")),
        Err(t) => return Err(format!("trap: {t}")),
    }
    let after = heap_in_use();
    let linear = inst.memory().len() as usize;
    Ok(MemFigures {
        overhead: after.saturating_sub(before).saturating_sub(linear),
        linear,
    })
}

/// wasm3: environment + runtime (64 KiB value stack) + parse + load +
/// compile of every function.
#[cfg(feature = "wasm3")]
pub fn wasm3(program: &Program) -> Result<MemFigures, String> {
    let wasm = program.wasm.map_err(|e| e.to_string())?;
    let before = heap_in_use();
    let inst = crate::peer_wasm3::instantiate_raw(wasm, 64 * 1024)?;
    // Run once, as for espb (the wasm heap grows linear memory).
    let run = crate::peer_wasm3::start_raw(inst);
    let after = heap_in_use();
    let linear = crate::peer_wasm3::memory_size(inst);
    crate::peer_wasm3::free_raw(inst);
    run?;
    // The glue keeps a copy of the module bytes: not counted.
    let overhead = after
        .saturating_sub(before)
        .saturating_sub(linear)
        .saturating_sub(wasm.len());
    Ok(MemFigures { overhead, linear })
}

/// wasmi: engine + eager compilation + store + instance + one run.
#[cfg(feature = "wasmi")]
pub fn wasmi(program: &Program) -> Result<MemFigures, String> {
    let wasm = program.wasm.map_err(|e| e.to_string())?;
    let (overhead, linear) = crate::peer_wasmi::memory_figures(wasm, heap_in_use)?;
    Ok(MemFigures { overhead, linear })
}

/// WAMR: load (fast-interpreter preparation) + instance (64 KiB stack) +
/// exec env + one run.
#[cfg(feature = "wamr")]
pub fn wamr(program: &Program) -> Result<MemFigures, String> {
    let wasm = program.wasm.map_err(|e| e.to_string())?;
    let (overhead, linear) = crate::peer_wamr::memory_figures(wasm, heap_in_use)?;
    Ok(MemFigures { overhead, linear })
}

/// Size of the translated `.espb` module.
pub fn espb_module_len(program: &Program) -> Result<usize, String> {
    let bitcode = program.bitcode.map_err(|e| e.to_string())?;
    espb_codegen::translate(bitcode, &espb_codegen::Options::default())
        .map(|m| m.to_bytes().len())
        .map_err(|d| format!("translate: {d}"))
}
