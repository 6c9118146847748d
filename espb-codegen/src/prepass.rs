//! LLVM passes run before lowering. They only simplify (promote locals to
//! registers, lower `llvm.expect`/`llvm.objectsize`/`llvm.is.constant`,
//! scalarise vectors) and preserve semantics; switches and atomics are kept.

use inkwell::module::Module;
use inkwell::passes::PassBuilderOptions;

use crate::llvm::Mod;

const PIPELINE: &str =
    "function(lower-expect,lower-constant-intrinsics,sroa,scalarizer,instsimplify)";

pub fn run(module: &Module<'_>, m: &Mod) -> Result<(), String> {
    // -O0 marks every function `optnone`, which makes the pass manager skip it.
    for f in m.functions() {
        if !f.is_declaration() {
            f.remove_fn_attr("optnone");
        }
    }
    crate::llvm::enable_scalarizer_load_store();
    let opts = PassBuilderOptions::create();
    opts.set_verify_each(false);
    crate::llvm::run_passes(module, PIPELINE, &opts)
}
