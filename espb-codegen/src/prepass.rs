//! LLVM passes run before lowering. They only simplify (promote locals to
//! registers, lower `llvm.expect`/`llvm.objectsize`/`llvm.is.constant`,
//! scalarise vectors) and preserve semantics; switches and atomics are kept.
//!
//! On optimised input (no function is `optnone`, i.e. not `-O0`) small loops
//! are also unrolled, by a runtime count when the trip count is unknown (at
//! most 8×, remainders unrolled too, see `llvm::set_llvm_options`): the
//! riscv32 target's `-O2` pipeline leaves them rolled, and for an
//! interpreter every dispatched
//! loop-control instruction (induction step, compare-and-branch, phi moves of
//! rotating values) costs as much as useful work. `instcombine` then folds
//! the unrolled copies' address arithmetic into constant offsets. Functions
//! marked `optsize` (`-Os`, `-Oz`) are left alone by the unroller's own
//! size thresholds.

use inkwell::module::Module;
use inkwell::passes::PassBuilderOptions;

use crate::llvm::Mod;

const PIPELINE: &str =
    "function(lower-expect,lower-constant-intrinsics,sroa,scalarizer,instsimplify)";

const OPTIMISED: &str =
    "function(loop-unroll<O2;runtime;partial>,instcombine<no-verify-fixpoint>,simplifycfg)";

pub fn run(module: &Module<'_>, m: &Mod, unroll_loops: bool) -> Result<(), String> {
    // -O0 marks every function `optnone`, which makes the pass manager skip it.
    let mut optimised = true;
    for f in m.functions() {
        if !f.is_declaration() {
            optimised &= !f.has_fn_attr("optnone");
            f.remove_fn_attr("optnone");
        }
    }
    crate::llvm::set_llvm_options();
    let opts = PassBuilderOptions::create();
    opts.set_verify_each(false);
    crate::llvm::run_passes(module, PIPELINE, &opts)?;
    if optimised && unroll_loops {
        crate::llvm::run_passes(module, OPTIMISED, &opts)?;
    }
    Ok(())
}
