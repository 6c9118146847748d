//! `timers.h`: FreeRTOS software timers. Commands take effect at once with
//! the tick the caller passed (what the daemon computes from its command
//! queue); callbacks run on the timer service task ("Tmr Svc", priority 1 as
//! in ESP-IDF), one at a time, earliest expiry first.

use crate::imports::Caller;
use crate::trap::Trap;

use super::api::{a32, module_func, out32, ret, Imp, PD_FALSE, PD_TRUE, R};
use super::kernel::{self, add_object, outside_task, slot_of, Kernel, State, TaskId, WaitOn};
use super::objects::{Obj, Timer};

pub(crate) const TABLE: &[(&str, &str, Imp)] = &[
    ("xTimerCreate", "(ptr, i32, i32, ptr, ptr) -> ptr", create),
    (
        "xTimerGenericCommand",
        "(ptr, i32, i32, ptr, i32) -> i32",
        command,
    ),
    (
        "xTimerGenericCommandFromTask",
        "(ptr, i32, i32, ptr, i32) -> i32",
        command,
    ),
    ("pvTimerGetTimerID", "(ptr) -> ptr", get_id),
    ("vTimerSetTimerID", "(ptr, ptr)", set_id),
    ("xTimerIsTimerActive", "(ptr) -> i32", is_active),
    ("pcTimerGetName", "(ptr) -> ptr", get_name),
    ("xTimerGetPeriod", "(ptr) -> i32", get_period),
    ("xTimerGetExpiryTime", "(ptr) -> i32", get_expiry),
];

/// ESP-IDF's `CONFIG_FREERTOS_TIMER_TASK_PRIORITY`.
pub(crate) const TIMER_TASK_PRIORITY: u32 = 1;

fn slot(st: &State, c: &Caller<'_>, h: u32) -> Result<u32, Trap> {
    match slot_of(st, h).map(|s| (s, &st.objects[s as usize])) {
        Some((s, Some(Obj::Timer(_)))) => Ok(s),
        Some((_, Some(o))) => Err(Trap::host(format!(
            "{}: handle {h:#010x} is a {}, not a timer",
            c.import_name(),
            o.kind_name()
        ))),
        _ => Err(Trap::host(format!(
            "{}: {h:#010x} is not a valid timer handle (deleted?)",
            c.import_name()
        ))),
    }
}

fn timer(st: &mut State, s: u32) -> Result<&mut Timer, Trap> {
    match st.objects.get_mut(s as usize) {
        Some(Some(Obj::Timer(t))) => Ok(t),
        _ => Err(Trap::host("host platform: the timer vanished while in use")),
    }
}

fn create(k: &Kernel, c: &mut Caller<'_>, a: &[u64]) -> R {
    let (name, period, auto, id, cb) = (a32(a, 0), a32(a, 1), a32(a, 2), a32(a, 3), a32(a, 4));
    if name != 0 {
        c.read_cstr(name, 4096)?;
    }
    module_func(c, cb, "(ptr)", "timer callback")?;
    if period == 0 {
        // configASSERT(xTimerPeriodInTicks > 0) on the device; NULL here.
        return ret(0);
    }
    let (mut g, _) = k.enter_any()?;
    g.ext.timer_order += 1;
    let order = g.ext.timer_order;
    let t = Timer {
        name,
        period,
        auto_reload: auto != 0,
        id,
        callback: cb,
        active: false,
        expiry: 0,
        order,
    };
    ret(add_object(&mut g, Obj::Timer(t)))
}

fn command(k: &Kernel, c: &mut Caller<'_>, a: &[u64]) -> R {
    let (h, cmd, value, woken, ticks) =
        (a32(a, 0), a32(a, 1) as i32, a32(a, 2), a32(a, 3), a32(a, 4));
    out32(c, woken, PD_FALSE)?;
    let (mut g, me) = k.enter_any()?;
    if me.is_none() && ticks != 0 && cmd < 6 {
        return Err(outside_task(&format!("may wait ({ticks} ticks)")));
    }
    let s = slot(&g, c, h)?;
    let now = k.tick(&g);
    // The `*_FROM_ISR` commands (6..=9) act like their task versions.
    let cmd = if (6..=9).contains(&cmd) { cmd - 5 } else { cmd };
    // Ticks are 32-bit and wrap; the host keeps 64-bit expiries, so the
    // reference tick is placed at or just before now.
    // A reference tick "ahead" of now (it wrapped, or the module passed a
    // future tick) lies after now by the wrapped distance.
    let at = |v: u32| (now as i64 - (now as u32).wrapping_sub(v) as i32 as i64).max(0) as u64;
    match cmd {
        1 | 2 => {
            let t = timer(&mut g, s)?;
            t.expiry = at(value) + t.period as u64;
            t.active = true;
        }
        3 => timer(&mut g, s)?.active = false,
        4 => {
            if value == 0 {
                return ret(PD_FALSE);
            }
            let t = timer(&mut g, s)?;
            t.period = value;
            t.expiry = now + value as u64;
            t.active = true;
        }
        5 => g.objects[s as usize] = None,
        _ => return ret(PD_FALSE),
    }
    let svc = g.timer_svc;
    kernel::kick(&mut g, svc);
    drop(k.maybe_preempt_any(g, me)?);
    ret(PD_TRUE)
}

fn get_id(k: &Kernel, c: &mut Caller<'_>, a: &[u64]) -> R {
    let (mut g, _) = k.enter_any()?;
    let s = slot(&g, c, a32(a, 0))?;
    ret(timer(&mut g, s)?.id)
}

fn set_id(k: &Kernel, c: &mut Caller<'_>, a: &[u64]) -> R {
    let (mut g, _) = k.enter_any()?;
    let s = slot(&g, c, a32(a, 0))?;
    timer(&mut g, s)?.id = a32(a, 1);
    Ok(None)
}

fn is_active(k: &Kernel, c: &mut Caller<'_>, a: &[u64]) -> R {
    let (mut g, _) = k.enter_any()?;
    let s = slot(&g, c, a32(a, 0))?;
    ret(timer(&mut g, s)?.active as u32)
}

fn get_name(k: &Kernel, c: &mut Caller<'_>, a: &[u64]) -> R {
    let (mut g, _) = k.enter_any()?;
    let s = slot(&g, c, a32(a, 0))?;
    ret(timer(&mut g, s)?.name)
}

fn get_period(k: &Kernel, c: &mut Caller<'_>, a: &[u64]) -> R {
    let (mut g, _) = k.enter_any()?;
    let s = slot(&g, c, a32(a, 0))?;
    ret(timer(&mut g, s)?.period)
}

fn get_expiry(k: &Kernel, c: &mut Caller<'_>, a: &[u64]) -> R {
    let (mut g, _) = k.enter_any()?;
    let s = slot(&g, c, a32(a, 0))?;
    ret(timer(&mut g, s)?.expiry as u32)
}

/// The timer service task's body: fire due timers, else sleep until the next
/// expiry (or until a command changes the timers).
pub(crate) fn service(k: &Kernel, me: TaskId, call: &kernel::ModuleCall<'_>) -> Result<(), Trap> {
    k.wait_first_turn(me)?;
    loop {
        let mut g = k.lock();
        if g.end.is_some() {
            return Err(kernel::unwind());
        }
        let now = k.tick(&g);
        let due = g
            .objects
            .iter()
            .enumerate()
            .filter_map(|(i, o)| match o {
                Some(Obj::Timer(t)) if t.active => Some((t.expiry, t.order, i)),
                _ => None,
            })
            .min();
        match due {
            Some((expiry, _, i)) if expiry <= now => {
                let Some(Some(Obj::Timer(t))) = g.objects.get_mut(i) else {
                    continue;
                };
                if t.auto_reload {
                    // FreeRTOS catches up one period per callback.
                    t.expiry += t.period as u64;
                } else {
                    t.active = false;
                }
                let cb = t.callback;
                let handle = kernel::HANDLE_BASE + i as u32;
                drop(g);
                call(cb, &[handle as u64])?;
            }
            Some((expiry, _, _)) => {
                drop(k.block(g, me, Some(expiry * k.tick_us), WaitOn::Nothing)?);
            }
            None => {
                drop(k.block(g, me, None, WaitOn::Nothing)?);
            }
        }
    }
}
