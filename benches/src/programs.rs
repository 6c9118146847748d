//! The benchmark programs, built by `build.rs` from `benches/c/*.c`.

/// One benchmark program in all its builds.
pub struct Program {
    /// File stem of `benches/c/<name>.c`.
    pub name: &'static str,
    /// The natively compiled `main`, renamed `espb_bench_<name>_main`.
    pub native_main: unsafe extern "C" fn() -> core::ffi::c_int,
    /// The wasm32-wasi command module, or why it could not be built.
    pub wasm: Result<&'static [u8], &'static str>,
    /// riscv32 LLVM bitcode for the espb translator, or why it could not be
    /// built.
    pub bitcode: Result<&'static [u8], &'static str>,
}

include!(concat!(env!("OUT_DIR"), "/programs.rs"));

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_c_file_is_a_program() {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/c");
        let mut on_disk: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .filter_map(|e| e.ok())
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|x| x == "c"))
            .map(|p| p.file_stem().unwrap().to_string_lossy().into_owned())
            .collect();
        on_disk.sort();
        let built: Vec<&str> = PROGRAMS.iter().map(|p| p.name).collect();
        assert_eq!(on_disk, built);
        assert!(built.len() >= 8, "the suite needs at least eight programs");
    }

    #[test]
    fn wasm_and_bitcode_were_built() {
        for p in PROGRAMS {
            let wasm = p.wasm.unwrap_or_else(|e| panic!("{}: {e}", p.name));
            assert_eq!(&wasm[..4], b"\0asm", "{}", p.name);
            let bc = p.bitcode.unwrap_or_else(|e| panic!("{}: {e}", p.name));
            assert_eq!(&bc[..4], b"BC\xc0\xde", "{}", p.name);
        }
    }
}
