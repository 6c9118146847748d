//! `esp_timer.h`: microsecond one-shot and periodic timers whose callbacks
//! run on the "esp_timer" task (priority 22, as ESP-IDF's `ESP_TASK_TIMER_PRIO`).

use crate::imports::Caller;
use crate::trap::Trap;

use super::api::{
    a32, a64, module_func, ret, Imp, ESP_ERR_INVALID_ARG, ESP_ERR_INVALID_STATE, ESP_ERR_NO_MEM,
    ESP_OK, R,
};
use super::kernel::{self, add_object, slot_of, Kernel, State, TaskId, WaitOn};
use super::objects::{EspTimer, Obj};

pub(crate) const TABLE: &[(&str, &str, Imp)] = &[
    ("esp_timer_create", "(ptr, ptr) -> i32", create),
    ("esp_timer_start_once", "(ptr, i64) -> i32", start_once),
    (
        "esp_timer_start_periodic",
        "(ptr, i64) -> i32",
        start_periodic,
    ),
    ("esp_timer_restart", "(ptr, i64) -> i32", restart),
    ("esp_timer_stop", "(ptr) -> i32", stop),
    ("esp_timer_delete", "(ptr) -> i32", delete),
    ("esp_timer_get_time", "() -> i64", get_time),
    ("esp_timer_is_active", "(ptr) -> i32", is_active),
];

pub(crate) const ESP_TIMER_TASK_PRIORITY: u32 = 22;

/// The timer a handle names, or `Err(code)` to return to the module.
fn slot(st: &State, h: u32) -> Result<u32, u32> {
    match slot_of(st, h).map(|s| &st.objects[s as usize]) {
        Some(Some(Obj::EspTimer(_))) => Ok(h - kernel::HANDLE_BASE),
        _ => Err(ESP_ERR_INVALID_ARG),
    }
}

fn timer(st: &mut State, s: u32) -> Result<&mut EspTimer, Trap> {
    match st.objects.get_mut(s as usize) {
        Some(Some(Obj::EspTimer(t))) => Ok(t),
        _ => Err(Trap::host(
            "host platform: the esp_timer vanished while in use",
        )),
    }
}

/// Reads `esp_timer_create_args_t` (20 bytes on a 32-bit target): callback
/// at 0, arg at 4, dispatch_method at 8, name at 12, skip_unhandled_events
/// at 16.
fn create(k: &Kernel, c: &mut Caller<'_>, a: &[u64]) -> R {
    let (args, out) = (a32(a, 0), a32(a, 1));
    if args == 0 || out == 0 {
        return ret(ESP_ERR_INVALID_ARG);
    }
    let mut b = [0u8; 20];
    c.read(args, &mut b)?;
    let w = |o: usize| u32::from_le_bytes([b[o], b[o + 1], b[o + 2], b[o + 3]]);
    let (cb, arg, dispatch, name, skip) = (w(0), w(4), w(8), w(12), b[16] != 0);
    if cb == 0 || dispatch > 1 {
        return ret(ESP_ERR_INVALID_ARG);
    }
    module_func(c, cb, "(ptr)", "esp_timer callback")?;
    if name != 0 {
        c.read_cstr(name, 4096)?;
    }
    let (mut g, _) = k.enter_any()?;
    g.ext.timer_order += 1;
    let order = g.ext.timer_order;
    let t = EspTimer {
        callback: cb,
        arg,
        skip_unhandled: skip,
        active: false,
        alarm: 0,
        period: 0,
        order,
    };
    let h = add_object(&mut g, Obj::EspTimer(t));
    drop(g);
    if h == 0 {
        return ret(ESP_ERR_NO_MEM);
    }
    c.write_u32(out, h)?;
    ret(ESP_OK)
}

fn start(k: &Kernel, c: &mut Caller<'_>, a: &[u64], periodic: bool, restart: bool) -> R {
    let (h, us) = (a32(a, 0), a64(a, 1));
    let (mut g, me) = k.enter_any()?;
    let s = match slot(&g, h) {
        Ok(s) => s,
        Err(e) => return ret(e),
    };
    let now = k.now(&g);
    let t = timer(&mut g, s)?;
    if t.active != restart {
        return ret(ESP_ERR_INVALID_STATE);
    }
    if restart {
        if t.period != 0 {
            t.period = us;
        }
    } else {
        t.period = if periodic { us } else { 0 };
    }
    t.alarm = now.saturating_add(us);
    t.active = true;
    let svc = g.esp_timer_svc;
    kernel::kick(&mut g, svc);
    let _ = c;
    drop(k.maybe_preempt_any(g, me)?);
    ret(ESP_OK)
}

fn start_once(k: &Kernel, c: &mut Caller<'_>, a: &[u64]) -> R {
    start(k, c, a, false, false)
}

fn start_periodic(k: &Kernel, c: &mut Caller<'_>, a: &[u64]) -> R {
    if a64(a, 1) == 0 {
        return ret(ESP_ERR_INVALID_ARG);
    }
    start(k, c, a, true, false)
}

fn restart(k: &Kernel, c: &mut Caller<'_>, a: &[u64]) -> R {
    start(k, c, a, false, true)
}

fn stop(k: &Kernel, _c: &mut Caller<'_>, a: &[u64]) -> R {
    let (mut g, me) = k.enter_any()?;
    let s = match slot(&g, a32(a, 0)) {
        Ok(s) => s,
        Err(e) => return ret(e),
    };
    let t = timer(&mut g, s)?;
    if !t.active {
        return ret(ESP_ERR_INVALID_STATE);
    }
    t.active = false;
    // The esp_timer task recomputes its next alarm (no stale wake-up).
    let svc = g.esp_timer_svc;
    kernel::kick(&mut g, svc);
    drop(k.maybe_preempt_any(g, me)?);
    ret(ESP_OK)
}

fn delete(k: &Kernel, _c: &mut Caller<'_>, a: &[u64]) -> R {
    let (mut g, _) = k.enter_any()?;
    let s = match slot(&g, a32(a, 0)) {
        Ok(s) => s,
        Err(e) => return ret(e),
    };
    if timer(&mut g, s)?.active {
        return ret(ESP_ERR_INVALID_STATE);
    }
    g.objects[s as usize] = None;
    ret(ESP_OK)
}

fn get_time(k: &Kernel, _c: &mut Caller<'_>, _a: &[u64]) -> R {
    let (g, _) = k.enter_any()?;
    Ok(Some(k.now(&g)))
}

fn is_active(k: &Kernel, _c: &mut Caller<'_>, a: &[u64]) -> R {
    let (mut g, _) = k.enter_any()?;
    match slot(&g, a32(a, 0)) {
        Ok(s) => ret(timer(&mut g, s)?.active as u32),
        Err(_) => ret(0),
    }
}

/// The esp_timer task's body.
pub(crate) fn service(k: &Kernel, me: TaskId, call: &kernel::ModuleCall<'_>) -> Result<(), Trap> {
    k.wait_first_turn(me)?;
    loop {
        let mut g = k.lock();
        if g.end.is_some() {
            return Err(kernel::unwind());
        }
        let now = k.now(&g);
        let due = g
            .objects
            .iter()
            .enumerate()
            .filter_map(|(i, o)| match o {
                Some(Obj::EspTimer(t)) if t.active => Some((t.alarm, t.order, i)),
                _ => None,
            })
            .min();
        match due {
            Some((alarm, _, i)) if alarm <= now => {
                let Some(Some(Obj::EspTimer(t))) = g.objects.get_mut(i) else {
                    continue;
                };
                if t.period > 0 {
                    t.alarm = t.alarm.saturating_add(t.period);
                    if t.skip_unhandled && t.alarm <= now {
                        t.alarm = now.saturating_add(t.period);
                    }
                } else {
                    t.active = false;
                }
                let (cb, arg) = (t.callback, t.arg);
                drop(g);
                call(cb, &[arg as u64])?;
            }
            Some((alarm, _, _)) => {
                drop(k.block(g, me, Some(alarm), WaitOn::Nothing)?);
            }
            None => {
                drop(k.block(g, me, None, WaitOn::Nothing)?);
            }
        }
    }
}
