//! The machine-specific half of the FFI, chosen at build time:
//! * `riscv32` (ESP32-C3/C2/C6/H2/C5/P4): the `ilp32`/`ilp32f` call layer
//!   and a pool of trampolines compiled into the image for callbacks
//!   (data RAM is not executable on the chips);
//! * elsewhere with the `ffi` feature (the PC): libffi calls and closures.
//!
//! Each backend provides the same three items:
//! * `Sig`: a prepared call interface for a signature (`Sig::new(ty, fixed)`,
//!   `fixed` = the number of fixed parameters of a variadic native, `ty`
//!   then being one call site's full signature);
//! * `unsafe fn call(sig, addr, args) -> u64`: calls the C function at
//!   `addr` with one raw value per parameter (an `i32` sign-extended, an
//!   `f32` in the low 32 bits, a pointer as `usize`); returns the raw
//!   result (an `f32`/`i32` in the low 32 bits);
//! * `fn callback_code(Target) -> Result<usize, String>`: a C function
//!   pointer that enters `callback::enter` for the target.

#[cfg(target_arch = "riscv32")]
mod rv32;
#[cfg(target_arch = "riscv32")]
pub(crate) use rv32::{call, callback_code, Sig};

#[cfg(all(not(target_arch = "riscv32"), feature = "ffi"))]
mod libffi;
#[cfg(all(not(target_arch = "riscv32"), feature = "ffi"))]
pub(crate) use self::libffi::{call, callback_code, Sig};

/// The RISC-V calling convention's argument placement, pure data: tested on
/// the host, used by the `rv32` backend.
#[cfg(any(test, target_arch = "riscv32"))]
pub(crate) mod rv32_abi;
