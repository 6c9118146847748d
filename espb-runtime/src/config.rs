//! Per-instance limits and settings.

use crate::output::Output;

/// Which functions the JIT compiles to machine code (where the runtime has
/// a JIT backend: `jit-riscv` on RISC-V chips; elsewhere every function is
/// interpreted whatever the mode).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum JitMode {
    /// None: everything is interpreted.
    Off,
    /// Functions marked `JIT_HOT` (the default).
    #[default]
    Hot,
    /// Every function (for testing the backend).
    All,
}

impl JitMode {
    pub fn from_name(s: &str) -> Option<JitMode> {
        match s {
            "off" => Some(JitMode::Off),
            "hot" => Some(JitMode::Hot),
            "all" => Some(JitMode::All),
            _ => None,
        }
    }
    pub fn name(self) -> &'static str {
        match self {
            JitMode::Off => "off",
            JitMode::Hot => "hot",
            JitMode::All => "all",
        }
    }
}

/// How an instance is built and what it may use. `Default` suits the host.
#[derive(Clone, Debug)]
pub struct Config {
    /// Instruction budget in ticks (one tick per call and per backward branch
    /// taken), shared by every thread of the instance. `None`: unlimited.
    pub fuel: Option<u64>,
    /// Module heap bytes; `None`: what the module asks for.
    pub heap_size: Option<u32>,
    /// Shadow-stack bytes of each execution context; `None`: the module's
    /// `stack_size` (or 64 KiB if it asks for none).
    pub context_stack_size: Option<u32>,
    /// Most execution contexts (threads inside the instance at once; a
    /// re-entry from native code on a thread already inside uses another).
    /// Each reserves `context_stack_size` bytes of linear memory.
    pub max_contexts: u32,
    /// Register-stack slots (64-bit) each context starts with.
    pub initial_registers: u32,
    /// Register-stack slots a context may grow to.
    pub max_registers: u32,
    /// Deepest module call nesting.
    pub max_call_depth: u32,
    /// Deepest nesting of module → host function → module re-entries on one
    /// context (`Caller::call`, e.g. a `qsort` comparator calling `qsort`).
    /// Each level uses native stack, so this bounds the host stack a module
    /// can consume.
    pub max_reentry: u32,
    /// Where `printf`, `puts` and `putchar` write.
    pub output: Output,
    /// Where writes to `stderr` go; `None`: to `output`, as on a device
    /// whose stdout and stderr share one UART.
    pub error_output: Option<Output>,
    /// Run the module's start function in `Instance::new`.
    pub run_start: bool,
    /// Which functions the JIT compiles (when the instance is built).
    pub jit: JitMode,
    /// Native stack bytes that nested calls into compiled code may use on
    /// one thread; a call that would go deeper runs the callee in the
    /// interpreter instead (whose calls use no native stack). Firmware sets
    /// it below its task stack size.
    pub jit_stack_budget: u32,
    /// Tier-up: a function that is not compiled when the instance is built
    /// but keeps running hot in the interpreter is compiled while it runs,
    /// and its running activation continues in the compiled code (on-stack
    /// replacement, at a loop's backward branch or when a compiled callee
    /// returns to it). The count is of polls (one every 1024 ticks of calls
    /// and backward branches) that find the function the innermost
    /// interpreted one; 0 turns tier-up off. Never with `JitMode::Off`.
    pub jit_tier_up: u32,
    /// Executable-memory bytes tier-up may take for the instance (beyond
    /// what `jit` compiled at instantiation); past it, or when the platform
    /// has no executable memory left, functions stay interpreted.
    pub jit_tier_up_bytes: u32,
}

impl Default for Config {
    fn default() -> Config {
        Config {
            fuel: None,
            heap_size: None,
            context_stack_size: None,
            max_contexts: 4,
            initial_registers: 1024,
            max_registers: 1 << 20,
            max_call_depth: 10_000,
            max_reentry: 16,
            output: Output::default(),
            error_output: None,
            run_start: true,
            jit: JitMode::Hot,
            // A chip's task stack is a few KiB; a PC thread's megabytes.
            jit_stack_budget: if cfg!(target_arch = "riscv32") {
                16 * 1024
            } else {
                256 * 1024
            },
            jit_tier_up: 4,
            jit_tier_up_bytes: if cfg!(target_arch = "riscv32") {
                16 * 1024
            } else {
                64 * 1024
            },
        }
    }
}

impl Config {
    /// A configuration sized for a small microcontroller.
    pub fn small() -> Config {
        Config {
            max_contexts: 2,
            initial_registers: 256,
            max_registers: 16 * 1024,
            max_call_depth: 500,
            max_reentry: 4,
            jit_stack_budget: 4 * 1024,
            jit_tier_up_bytes: 4 * 1024,
            ..Config::default()
        }
    }
}
