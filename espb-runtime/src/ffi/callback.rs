//! A module function entered from native code through a C function pointer
//! (a libffi closure on the PC, a trampoline slot on the chips). The
//! backend decodes the machine's argument registers into one raw native
//! value per parameter; everything after that is the same everywhere.

use espb_format::{FuncType, ValType};

use crate::instance::InstanceHandle;
use crate::sync::Arc;
use crate::trap::TrapKind;

use super::translate::{ptr_to_native, to_module, Back};
use super::FfiState;

/// What a callback pointer stands for.
pub(crate) struct Target {
    pub inst: InstanceHandle,
    pub func: u32,
    /// The C signature the native calls it with.
    pub ty: FuncType,
    pub state: Arc<FfiState>,
}

/// Calls the module function of `t` with raw native arguments (an `i32` or
/// `f32` in the low 32 bits, a pointer as `usize`; converted in place);
/// returns the raw native result (an `i32` sign-extended, a `ptr` as a
/// native pointer). A trap
/// returns 0: it cannot unwind through C. It is recorded, and delivered to
/// the native call in progress on this task, if any, which then traps.
/// After the instance is unloaded nothing of it is touched: 0 comes back.
pub(crate) fn enter(t: &Target, args: &mut [u64]) -> u64 {
    let st = &t.state;
    // Converted in place: the backend's buffer becomes the module's
    // argument registers (no second list per callback).
    let n = t.ty.params.len().min(args.len());
    let args = &mut args[..n];
    for (v, ty) in args.iter_mut().zip(&t.ty.params) {
        match ty {
            ValType::I32 | ValType::F32 => *v &= 0xffff_ffff,
            ValType::I64 | ValType::F64 => {}
            ValType::Ptr => *v = to_module(st, *v as usize, Back::CallbackArg) as u64,
        }
    }
    match t.inst.call_raw(t.func, args) {
        Ok(r) => {
            let v = r.unwrap_or(0);
            match t.ty.result {
                None => 0,
                Some(ValType::I32) => v as u32 as i32 as i64 as u64,
                Some(ValType::F32) => v & 0xffff_ffff,
                Some(ValType::I64 | ValType::F64) => v,
                Some(ValType::Ptr) => ptr_to_native(st, v as u32) as u64,
            }
        }
        Err(trap) => {
            if trap.kind != TrapKind::InstanceDead {
                let delivered = st.active.deliver(crate::task::current(), &trap);
                // Deleting its own task is how a task ends, not a fault: the
                // backend's entry ends the task (`FfiState::take_task_end`).
                if !st.task_end_requested() {
                    if !delivered {
                        super::report_lone_callback_trap(&trap);
                    }
                    st.record_callback_trap(trap);
                }
            }
            0
        }
    }
}
