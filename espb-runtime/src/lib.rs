//! The espb runtime: loads a validated `.espb` module, builds its sandboxed
//! linear memory, and interprets its bytecode in place.
//!
//! * [`Module`]: a parsed and validated module borrowing its bytes.
//! * [`Instance`]: linear memory, module heap, resolved imports and the
//!   execution contexts of the threads that run module code.
//! * [`Imports`]: host functions by name or fast-symbol index; [`Caller`] is
//!   what a host function sees of the instance.
//! * [`Trap`]: every way execution can stop abnormally, with its location.
//!
//! The core is `no_std` + `alloc`; `std` adds the stdout sink and OS locks.
//! `unsafe` lives only in [`memory`] (linear memory), `code` (unchecked
//! operand and register access the validator proved in range) and the C API.
#![cfg_attr(not(feature = "std"), no_std)]
#![deny(unsafe_op_in_unsafe_fn)]

extern crate alloc;

mod bits;
pub mod builtins;
#[cfg(feature = "capi")]
pub mod capi;
mod code;
mod config;
mod context;
pub mod entry;
#[cfg(any(feature = "ffi", target_arch = "riscv32"))]
pub mod ffi;
mod fma;
mod heap;
#[cfg(feature = "host")]
pub mod host;
mod imports;
mod instance;
mod interp;
#[cfg(feature = "jit-riscv")]
pub mod jit;
pub mod memory;
mod module;
mod name_map;
pub mod output;
mod pair_set;
mod sync;
#[cfg(any(feature = "ffi", target_arch = "riscv32"))]
mod task;
mod trap;
mod value;

pub use config::{Config, JitMode};
pub use heap::{Heap, HeapError};
pub use imports::{Caller, HostFunc, Imports, Safepoint, SafepointHook, SymbolTable};
pub use instance::{Instance, InstanceHandle, InstantiateError, InterruptHandle};
pub use module::Module;
pub use output::Output;
pub use trap::{Frame, StackKind, Trap, TrapKind};
pub use value::Value;

#[cfg(all(not(feature = "std"), target_arch = "riscv32"))]
pub use task::set_current_task_hook;

pub use espb_format as format;
