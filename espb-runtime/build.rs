//! Picks the interpreter's dispatch backend (see `src/interp.rs`).
//!
//! `espb_tail_dispatch`: every instruction handler ends by calling the next
//! one in tail position. That is only sound when the compiler turns those
//! calls into jumps (otherwise the native stack grows per instruction), which
//! LLVM does when optimising (opt-level 2, 3, s, z) on the targets listed
//! here. Everything else (debug builds, Xtensa, 32-bit Arm, …) gets the loop
//! backend, which runs the same handlers from a loop. So do sanitizer builds
//! (`-Zsanitizer=address`, as `cargo fuzz` builds): the instrumented frames
//! keep LLVM from turning the calls into jumps. `ESPB_LOOP_DISPATCH=1`
//! forces the loop backend.

fn main() {
    println!("cargo::rerun-if-changed=build.rs");
    println!("cargo::rerun-if-env-changed=ESPB_LOOP_DISPATCH");
    // Callback trampolines compiled into a chip's image (docs/ffi.md).
    println!("cargo::rerun-if-env-changed=ESPB_CALLBACK_SLOTS");
    let slots = std::env::var("ESPB_CALLBACK_SLOTS").unwrap_or_else(|_| "32".into());
    match slots.parse::<u32>() {
        Ok(n) if (1..=2048).contains(&n) => println!("cargo::rustc-env=ESPB_CALLBACK_SLOTS={n}"),
        _ => panic!("ESPB_CALLBACK_SLOTS must be a number from 1 to 2048, not {slots:?}"),
    }
    println!("cargo::rustc-check-cfg=cfg(espb_tail_dispatch)");
    println!("cargo::rustc-check-cfg=cfg(espb_prefetch)");
    println!("cargo::rustc-check-cfg=cfg(espb_table_arg)");
    println!("cargo::rustc-check-cfg=cfg(espb_ilp32f)");
    // Compiled code runs where the JIT backend's ISA is the target's.
    println!("cargo::rustc-check-cfg=cfg(espb_jit)");
    if std::env::var_os("CARGO_FEATURE_JIT_RISCV").is_some()
        && std::env::var("CARGO_CFG_TARGET_ARCH").as_deref() == Ok("riscv32")
    {
        println!("cargo::rustc-cfg=espb_jit");
    }
    // The RISC-V hard-float ABI (ESP32-P4's `riscv32imafc-*` targets use
    // ilp32f). rustc does not report the `f` feature as a cfg, so the ISA
    // part of the target name decides; ESPB_RISCV_ILP32F=0/1 overrides.
    println!("cargo::rerun-if-env-changed=ESPB_RISCV_ILP32F");
    let target = std::env::var("TARGET").unwrap_or_default();
    let isa_has_f = target
        .strip_prefix("riscv32")
        .and_then(|rest| rest.split('-').next())
        .is_some_and(|isa| isa.contains('f'));
    let ilp32f = match std::env::var("ESPB_RISCV_ILP32F").as_deref() {
        Ok("1") => true,
        Ok("0") => false,
        _ => isa_has_f,
    };
    if ilp32f {
        println!("cargo::rustc-cfg=espb_ilp32f");
    }
    let opt = std::env::var("OPT_LEVEL").unwrap_or_default();
    let arch = std::env::var("CARGO_CFG_TARGET_ARCH").unwrap_or_default();
    let optimising = matches!(opt.as_str(), "2" | "3" | "s" | "z");
    let sibcalls = matches!(arch.as_str(), "x86_64" | "aarch64" | "riscv32" | "riscv64");
    let forced_loop = std::env::var_os("ESPB_LOOP_DISPATCH").is_some_and(|v| v != "0");
    let sanitized = std::env::var_os("CARGO_CFG_SANITIZE").is_some();
    if optimising && sibcalls && !forced_loop && !sanitized {
        println!("cargo::rustc-cfg=espb_tail_dispatch");
        // Handlers look the next handler up before their own work, except
        // on x86_64 (few registers; an out-of-order core).
        if arch != "x86_64" {
            println!("cargo::rustc-cfg=espb_prefetch");
        }
        // The handler table travels as a seventh argument where there is
        // a register for it (RISC-V's a6; x86_64 has six).
        if arch.starts_with("riscv") {
            println!("cargo::rustc-cfg=espb_table_arg");
        }
    }
}
