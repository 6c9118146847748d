//! `event_groups.h`: event groups with FreeRTOS' set-bits evaluation (every
//! waiter whose condition holds is released; clear-on-exit bits are cleared
//! after all of them were evaluated).

use crate::imports::Caller;
use crate::trap::Trap;

use super::api::{a32, ret, Imp, R};
use super::kernel::{self, add_object, slot_of, Kernel, State, WaitOn};
use super::objects::{EventGroup, EventWaiter, Obj};

pub(crate) const TABLE: &[(&str, &str, Imp)] = &[
    ("xEventGroupCreate", "() -> ptr", create),
    (
        "xEventGroupWaitBits",
        "(ptr, i32, i32, i32, i32) -> i32",
        wait_bits,
    ),
    ("xEventGroupSetBits", "(ptr, i32) -> i32", set_bits),
    ("xEventGroupClearBits", "(ptr, i32) -> i32", clear_bits),
    ("xEventGroupSync", "(ptr, i32, i32, i32) -> i32", sync),
    ("vEventGroupDelete", "(ptr)", delete),
];

/// With 32-bit ticks FreeRTOS keeps the top 8 bits for itself.
const USABLE_BITS: u32 = 0x00ff_ffff;

fn slot(st: &State, c: &Caller<'_>, h: u32) -> Result<u32, Trap> {
    match slot_of(st, h).map(|s| (s, &st.objects[s as usize])) {
        Some((s, Some(Obj::EventGroup(_)))) => Ok(s),
        Some((_, Some(o))) => Err(Trap::host(format!(
            "{}: handle {h:#010x} is a {}, not an event group",
            c.import_name(),
            o.kind_name()
        ))),
        _ => Err(Trap::host(format!(
            "{}: {h:#010x} is not a valid event group handle",
            c.import_name()
        ))),
    }
}

fn eg(st: &mut State, s: u32) -> Result<&mut EventGroup, Trap> {
    match st.objects.get_mut(s as usize) {
        Some(Some(Obj::EventGroup(e))) => Ok(e),
        _ => Err(Trap::host(
            "host platform: the event group vanished while in use",
        )),
    }
}

fn satisfied(bits: u32, want: u32, all: bool) -> bool {
    if all {
        bits & want == want
    } else {
        bits & want != 0
    }
}

fn check_bits(c: &Caller<'_>, bits: u32) -> Result<(), Trap> {
    if bits & !USABLE_BITS != 0 {
        return Err(Trap::host(format!(
            "{}: bits {bits:#x} use the 8 bits FreeRTOS reserves",
            c.import_name()
        )));
    }
    Ok(())
}

fn create(k: &Kernel, _c: &mut Caller<'_>, _a: &[u64]) -> R {
    let (mut g, _) = k.enter_any()?;
    ret(add_object(&mut g, Obj::EventGroup(EventGroup::default())))
}

/// Sets bits and releases the waiters it satisfies; returns the bits after
/// the clear-on-exit bits were cleared.
fn set_locked(st: &mut State, s: u32, bits: u32) -> Result<u32, Trap> {
    let e = eg(st, s)?;
    e.bits |= bits;
    let mut clear = 0;
    let mut released = Vec::new();
    let cur = e.bits;
    e.waiters.retain(|w| {
        if satisfied(cur, w.bits, w.all) {
            if w.clear_on_exit {
                clear |= w.bits;
            }
            released.push(w.task);
            false
        } else {
            true
        }
    });
    e.bits &= !clear;
    let after = e.bits;
    for t in released {
        st.tasks[t].event_result = cur;
        kernel::wake(st, t);
    }
    Ok(after)
}

fn set_bits(k: &Kernel, c: &mut Caller<'_>, a: &[u64]) -> R {
    check_bits(c, a32(a, 1))?;
    let (mut g, me) = k.enter_any()?;
    let s = slot(&g, c, a32(a, 0))?;
    let after = set_locked(&mut g, s, a32(a, 1))?;
    drop(k.maybe_preempt_any(g, me)?);
    ret(after)
}

fn clear_bits(k: &Kernel, c: &mut Caller<'_>, a: &[u64]) -> R {
    check_bits(c, a32(a, 1))?;
    let (mut g, _) = k.enter_any()?;
    let s = slot(&g, c, a32(a, 0))?;
    let e = eg(&mut g, s)?;
    let before = e.bits;
    e.bits &= !a32(a, 1);
    ret(before)
}

/// Waits for `want`; `pre_set` bits are set first (xEventGroupSync).
#[allow(clippy::too_many_arguments)]
fn wait(
    k: &Kernel,
    c: &mut Caller<'_>,
    h: u32,
    pre_set: u32,
    want: u32,
    clear: bool,
    all: bool,
    ticks: u32,
) -> R {
    check_bits(c, want | pre_set)?;
    if want == 0 {
        return Err(Trap::host(format!(
            "{}: waiting for no bits",
            c.import_name()
        )));
    }
    let (mut g, me) = k.enter()?;
    let s = slot(&g, c, h)?;
    if pre_set != 0 {
        set_locked(&mut g, s, pre_set)?;
    }
    let e = eg(&mut g, s)?;
    let cur = e.bits;
    if satisfied(cur, want, all) {
        if clear {
            e.bits &= !want;
        }
        return ret(cur);
    }
    if ticks == 0 {
        return ret(cur);
    }
    e.waiters.push(EventWaiter {
        task: me,
        bits: want,
        clear_on_exit: clear,
        all,
    });
    let d = k.deadline(&g, ticks);
    let (mut g, timed_out) = k.block(g, me, d, WaitOn::EventGroup { slot: s })?;
    if timed_out {
        // FreeRTOS returns the current bits and clears nothing.
        let e = eg(&mut g, s)?;
        return ret(e.bits);
    }
    ret(g.tasks[me].event_result)
}

fn wait_bits(k: &Kernel, c: &mut Caller<'_>, a: &[u64]) -> R {
    wait(
        k,
        c,
        a32(a, 0),
        0,
        a32(a, 1),
        a32(a, 2) != 0,
        a32(a, 3) != 0,
        a32(a, 4),
    )
}

fn sync(k: &Kernel, c: &mut Caller<'_>, a: &[u64]) -> R {
    wait(k, c, a32(a, 0), a32(a, 1), a32(a, 2), true, true, a32(a, 3))
}

fn delete(k: &Kernel, c: &mut Caller<'_>, a: &[u64]) -> R {
    let (mut g, me) = k.enter()?;
    let s = slot(&g, c, a32(a, 0))?;
    let waiters: Vec<usize> = eg(&mut g, s)?.waiters.iter().map(|w| w.task).collect();
    g.objects[s as usize] = None;
    // FreeRTOS releases blocked tasks with bits = 0 when a group is deleted.
    for t in waiters {
        g.tasks[t].event_result = 0;
        kernel::wake(&mut g, t);
    }
    drop(k.maybe_preempt(g, me)?);
    Ok(None)
}
