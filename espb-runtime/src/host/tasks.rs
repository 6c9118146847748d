//! `task.h` and `FreeRTOS.h`: tasks, delays, ticks, notifications, critical
//! sections.

use crate::imports::Caller;
use crate::trap::Trap;

use super::api::{a32, module_func, module_string, out32, ret, Imp, PD_FALSE, PD_TRUE, R};
use super::kernel::{
    self, outside_task, slot_of, unwind, Kernel, NotifyState, State, TState, TaskId, TaskKind,
    WaitOn, MAX_PRIORITIES,
};
use super::objects::Obj;

/// `errCOULD_NOT_ALLOCATE_REQUIRED_MEMORY`.
const ERR_COULD_NOT_ALLOCATE: u32 = -1i32 as u32;

pub(crate) const TABLE: &[(&str, &str, Imp)] = &[
    (
        "xTaskCreatePinnedToCore",
        "(ptr, ptr, i32, ptr, i32, ptr, i32) -> i32",
        task_create,
    ),
    ("vTaskDelete", "(ptr)", task_delete),
    ("vTaskDelay", "(i32)", task_delay),
    ("xTaskDelayUntil", "(ptr, i32) -> i32", task_delay_until),
    ("xTaskGetTickCount", "() -> i32", tick_count),
    ("xTaskGetTickCountFromISR", "() -> i32", tick_count),
    ("xTaskGetCurrentTaskHandle", "() -> ptr", current_handle),
    ("pcTaskGetName", "(ptr) -> ptr", task_name),
    (
        "uxTaskGetStackHighWaterMark",
        "(ptr) -> i32",
        stack_high_water,
    ),
    ("vTaskSuspend", "(ptr)", task_suspend),
    ("vTaskResume", "(ptr)", task_resume),
    ("uxTaskPriorityGet", "(ptr) -> i32", prio_get),
    ("vTaskPrioritySet", "(ptr, i32)", prio_set),
    ("eTaskGetState", "(ptr) -> i32", task_state),
    ("uxTaskGetNumberOfTasks", "() -> i32", task_count),
    ("vTaskSuspendAll", "()", suspend_all),
    ("xTaskResumeAll", "() -> i32", resume_all),
    (
        "xTaskGenericNotify",
        "(ptr, i32, i32, i32, ptr) -> i32",
        notify,
    ),
    (
        "xTaskGenericNotifyWait",
        "(i32, i32, i32, ptr, i32) -> i32",
        notify_wait,
    ),
    (
        "ulTaskGenericNotifyTake",
        "(i32, i32, i32) -> i32",
        notify_take,
    ),
    ("vPortEnterCritical", "(ptr)", enter_critical),
    ("vPortExitCritical", "(ptr)", exit_critical),
    ("vPortYield", "()", port_yield),
];

/// The task a handle names; NULL means the calling task.
pub(crate) fn task_of(st: &State, c: &Caller<'_>, h: u32, me: TaskId) -> Result<TaskId, Trap> {
    task_of_any(st, c, h, Some(me))
}

/// `task_of` for a caller that may be a native thread (no task).
pub(crate) fn task_of_any(
    st: &State,
    c: &Caller<'_>,
    h: u32,
    me: Option<TaskId>,
) -> Result<TaskId, Trap> {
    if h == 0 {
        return me.ok_or_else(|| outside_task("NULL names the calling task"));
    }
    match slot_of(st, h).and_then(|s| st.objects[s as usize].as_ref()) {
        Some(Obj::Task(t)) => Ok(*t),
        Some(o) => Err(Trap::host(format!(
            "{}: handle {h:#010x} is a {}, not a task",
            c.import_name(),
            o.kind_name()
        ))),
        None => Err(Trap::host(format!(
            "{}: {h:#010x} is not a valid task handle",
            c.import_name()
        ))),
    }
}

fn task_create(k: &Kernel, c: &mut Caller<'_>, a: &[u64]) -> R {
    let (f, name_p, stack, arg, prio, out) = (
        a32(a, 0),
        a32(a, 1),
        a32(a, 2),
        a32(a, 3),
        a32(a, 4),
        a32(a, 5),
    );
    let func = module_func(c, f, "(ptr)", "task function")?;
    let mut name = if name_p == 0 {
        Vec::new()
    } else {
        c.read_cstr(name_p, 4096)?
    };
    // configMAX_TASK_NAME_LEN = 16 including the NUL.
    name.truncate(15);
    let (mut g, me) = k.enter()?;
    if k.live_module_tasks(&g) >= k.max_tasks || g.objects.len() >= kernel::MAX_OBJECTS {
        // What FreeRTOS returns when the TCB or stack cannot be allocated.
        return ret(ERR_COULD_NOT_ALLOCATE);
    }
    // FreeRTOS clamps an out-of-range priority to configMAX_PRIORITIES - 1.
    let prio = prio.min(MAX_PRIORITIES - 1);
    let id = k.add_task(
        &mut g,
        String::from_utf8_lossy(&name).into_owned(),
        TaskKind::Module,
        prio,
        (func, arg),
        stack,
    );
    let h = g.tasks[id].handle;
    out32(c, out, h)?;
    drop(k.maybe_preempt(g, me)?);
    ret(PD_TRUE)
}

fn task_delete(k: &Kernel, c: &mut Caller<'_>, a: &[u64]) -> R {
    let (mut g, me) = k.enter()?;
    let t = task_of(&g, c, a32(a, 0), me)?;
    if let Some(s) = slot_of(&g, g.tasks[t].handle) {
        g.objects[s as usize] = None;
    }
    k.delete(&mut g, t);
    if t == me {
        return Err(unwind());
    }
    Ok(None)
}

fn task_delay(k: &Kernel, _c: &mut Caller<'_>, a: &[u64]) -> R {
    let (g, me) = k.enter()?;
    let ticks = a32(a, 0);
    if ticks == 0 {
        drop(k.yield_now(g, me)?);
        return Ok(None);
    }
    let d = k.deadline(&g, ticks);
    drop(k.block(g, me, d, WaitOn::Nothing)?);
    Ok(None)
}

fn task_delay_until(k: &Kernel, c: &mut Caller<'_>, a: &[u64]) -> R {
    let (p, inc) = (a32(a, 0), a32(a, 1));
    let prev = c.read_u32(p)?;
    let (g, me) = k.enter()?;
    let now = k.tick(&g) as u32;
    let wake = prev.wrapping_add(inc);
    // FreeRTOS' overflow-aware test: delay only if `wake` lies in the future.
    let should = if now < prev {
        wake < prev && wake > now
    } else {
        wake < prev || wake > now
    };
    c.write_u32(p, wake)?;
    if should {
        let d = k.deadline(&g, wake.wrapping_sub(now));
        drop(k.block(g, me, d, WaitOn::Nothing)?);
        ret(PD_TRUE)
    } else {
        drop(k.yield_now(g, me)?);
        ret(PD_FALSE)
    }
}

fn tick_count(k: &Kernel, _c: &mut Caller<'_>, _a: &[u64]) -> R {
    let (g, _) = k.enter_any()?;
    ret(k.tick(&g) as u32)
}

/// From a native thread, as from an ESP-IDF interrupt: the task it
/// interrupted (NULL while the CPU idles).
fn current_handle(k: &Kernel, _c: &mut Caller<'_>, _a: &[u64]) -> R {
    let (g, me) = k.enter_any()?;
    ret(me.or(g.running).map_or(0, |t| g.tasks[t].handle))
}

fn task_name(k: &Kernel, c: &mut Caller<'_>, a: &[u64]) -> R {
    let name = {
        let (g, me) = k.enter_any()?;
        let t = task_of_any(&g, c, a32(a, 0), me)?;
        if g.tasks[t].name_addr != 0 {
            return ret(g.tasks[t].name_addr);
        }
        (t, g.tasks[t].name.clone())
    };
    let addr = module_string(k, c, name.1.as_bytes())?;
    k.lock().tasks[name.0].name_addr = addr;
    ret(addr)
}

/// ESP-IDF reports the least free stack (bytes) a task ever had. A task's
/// C stack here is its execution context's shadow stack (locals whose
/// address is taken, spills); its use is sampled at every API call the task
/// makes, so this is the stack size minus the deepest use seen at those
/// points.
fn stack_high_water(k: &Kernel, c: &mut Caller<'_>, a: &[u64]) -> R {
    let (g, me) = k.enter_any()?;
    let t = task_of_any(&g, c, a32(a, 0), me)?;
    let t = &g.tasks[t];
    ret(t.stack_bytes.saturating_sub(t.stack_peak))
}

fn task_suspend(k: &Kernel, c: &mut Caller<'_>, a: &[u64]) -> R {
    let (mut g, me) = k.enter()?;
    let t = task_of(&g, c, a32(a, 0), me)?;
    if t == me {
        drop(k.suspend_self(g, me)?);
        return Ok(None);
    }
    if g.tasks[t].state != TState::Deleted && g.tasks[t].kind != TaskKind::Idle {
        kernel::suspend(&mut g, t);
    }
    Ok(None)
}

fn task_resume(k: &Kernel, c: &mut Caller<'_>, a: &[u64]) -> R {
    let (mut g, me) = k.enter()?;
    let t = task_of(&g, c, a32(a, 0), me)?;
    if g.tasks[t].state == TState::Suspended && t != me {
        kernel::make_ready(&mut g, t);
        drop(k.maybe_preempt(g, me)?);
    }
    Ok(None)
}

fn prio_get(k: &Kernel, c: &mut Caller<'_>, a: &[u64]) -> R {
    let (g, me) = k.enter()?;
    let t = task_of(&g, c, a32(a, 0), me)?;
    // FreeRTOS reports the current priority, inheritance included.
    ret(g.tasks[t].prio)
}

fn prio_set(k: &Kernel, c: &mut Caller<'_>, a: &[u64]) -> R {
    let (mut g, me) = k.enter()?;
    let t = task_of(&g, c, a32(a, 0), me)?;
    let p = a32(a, 1).min(MAX_PRIORITIES - 1);
    if g.tasks[t].kind == TaskKind::Idle {
        return Ok(None);
    }
    let task = &g.tasks[t];
    // A task holding a mutex keeps an inherited (higher) priority.
    if task.mutexes_held == 0 || p > task.prio {
        kernel::set_prio(&mut g, t, p);
    }
    g.tasks[t].base_prio = p;
    // Lowering the running task's priority may let a ready task outrank it.
    drop(k.maybe_preempt(g, me)?);
    Ok(None)
}

fn task_state(k: &Kernel, c: &mut Caller<'_>, a: &[u64]) -> R {
    let (g, me) = k.enter_any()?;
    let h = a32(a, 0);
    if h == 0 && me.is_none() {
        return Err(outside_task("NULL names the calling task"));
    }
    // A deleted task's handle is gone: eDeleted as FreeRTOS reports it while
    // the TCB still exists.
    let Ok(t) = task_of_any(&g, c, h, me) else {
        return ret(4);
    };
    ret(match g.tasks[t].state {
        TState::Running => 0,
        TState::Ready => 1,
        TState::Blocked => 2,
        TState::Suspended => 3,
        TState::Deleted => 4,
    })
}

fn task_count(k: &Kernel, _c: &mut Caller<'_>, _a: &[u64]) -> R {
    let (g, _) = k.enter_any()?;
    // Live tasks (IDLE included) minus the GPIO dispatcher, which stands for
    // an interrupt.
    let n = g
        .tasks
        .iter()
        .enumerate()
        .filter(|(i, t)| t.state != TState::Deleted && *i != g.isr_svc)
        .count() as u32;
    ret(n)
}

fn suspend_all(k: &Kernel, _c: &mut Caller<'_>, _a: &[u64]) -> R {
    let (mut g, _) = k.enter()?;
    g.sched_suspended += 1;
    Ok(None)
}

fn resume_all(k: &Kernel, _c: &mut Caller<'_>, _a: &[u64]) -> R {
    let (mut g, me) = k.enter()?;
    if g.sched_suspended == 0 {
        return Err(Trap::host("xTaskResumeAll without vTaskSuspendAll"));
    }
    g.sched_suspended -= 1;
    let pending = g.switch_pending;
    let g = k.maybe_preempt(g, me)?;
    drop(g);
    ret(if pending { PD_TRUE } else { PD_FALSE })
}

fn check_index(c: &Caller<'_>, idx: u32) -> Result<(), Trap> {
    if idx != 0 {
        return Err(Trap::host(format!(
            "{}: notification index {idx} out of range (configTASK_NOTIFICATION_ARRAY_ENTRIES = 1)",
            c.import_name()
        )));
    }
    Ok(())
}

pub(crate) fn notify(k: &Kernel, c: &mut Caller<'_>, a: &[u64]) -> R {
    let (h, idx, value, action, prev_p) = (a32(a, 0), a32(a, 1), a32(a, 2), a32(a, 3), a32(a, 4));
    check_index(c, idx)?;
    let (mut g, me) = k.enter_any()?;
    let t = task_of_any(&g, c, h, me)?;
    if g.tasks[t].kind == TaskKind::Idle {
        return Err(Trap::host(format!(
            "{}: IDLE takes no notifications",
            c.import_name()
        )));
    }
    let task = &mut g.tasks[t];
    let prev = task.notify_value;
    let old_state = task.notify_state;
    let mut ok = true;
    match action {
        0 => {}
        1 => task.notify_value |= value,
        2 => task.notify_value = task.notify_value.wrapping_add(1),
        3 => task.notify_value = value,
        4 => {
            if old_state == NotifyState::Received {
                ok = false;
            } else {
                task.notify_value = value;
            }
        }
        _ => {
            return Err(Trap::host(format!(
                "xTaskGenericNotify: unknown eNotifyAction {action}"
            )))
        }
    }
    if ok {
        task.notify_state = NotifyState::Received;
    }
    let was_waiting = old_state == NotifyState::Waiting && task.waiting == WaitOn::Notify;
    if was_waiting && ok {
        kernel::wake(&mut g, t);
    }
    let g = k.maybe_preempt_any(g, me)?;
    drop(g);
    out32(c, prev_p, prev)?;
    ret(if ok { PD_TRUE } else { PD_FALSE })
}

fn notify_wait(k: &Kernel, c: &mut Caller<'_>, a: &[u64]) -> R {
    let (idx, clear_entry, clear_exit, out, ticks) =
        (a32(a, 0), a32(a, 1), a32(a, 2), a32(a, 3), a32(a, 4));
    check_index(c, idx)?;
    let (mut g, me) = k.enter()?;
    if g.tasks[me].notify_state != NotifyState::Received {
        g.tasks[me].notify_value &= !clear_entry;
        g.tasks[me].notify_state = NotifyState::Waiting;
        if ticks > 0 {
            let d = k.deadline(&g, ticks);
            g = k.block(g, me, d, WaitOn::Notify)?.0;
        }
    }
    let t = &mut g.tasks[me];
    let value = t.notify_value;
    let got = t.notify_state == NotifyState::Received;
    if got {
        t.notify_value &= !clear_exit;
    }
    t.notify_state = NotifyState::NotWaiting;
    drop(g);
    out32(c, out, value)?;
    ret(if got { PD_TRUE } else { PD_FALSE })
}

fn notify_take(k: &Kernel, c: &mut Caller<'_>, a: &[u64]) -> R {
    let (idx, clear, ticks) = (a32(a, 0), a32(a, 1), a32(a, 2));
    check_index(c, idx)?;
    let (mut g, me) = k.enter()?;
    if g.tasks[me].notify_value == 0 {
        g.tasks[me].notify_state = NotifyState::Waiting;
        if ticks > 0 {
            let d = k.deadline(&g, ticks);
            g = k.block(g, me, d, WaitOn::Notify)?.0;
        }
    }
    let t = &mut g.tasks[me];
    let v = t.notify_value;
    if v != 0 {
        t.notify_value = if clear != 0 { 0 } else { v - 1 };
    }
    t.notify_state = NotifyState::NotWaiting;
    ret(v)
}

fn enter_critical(k: &Kernel, c: &mut Caller<'_>, a: &[u64]) -> R {
    let mux = a32(a, 0);
    if mux != 0 {
        // The spinlock word must be module memory (portMUX_TYPE is 8 bytes).
        c.memory().check(mux, 8).map_err(Trap::new)?;
    }
    let (g, me) = k.enter_any()?;
    drop(k.enter_critical(g, me)?);
    Ok(None)
}

fn exit_critical(k: &Kernel, _c: &mut Caller<'_>, _a: &[u64]) -> R {
    let (g, me) = k.enter_any()?;
    let g = k.exit_critical(g, me)?;
    if let Some(me) = me {
        if g.tasks[me].critical == 0 {
            drop(k.switch_if_pending(g, me)?);
        }
    }
    Ok(None)
}

/// `vPortYield`; from a native thread (an interrupt) nothing to do.
fn port_yield(k: &Kernel, _c: &mut Caller<'_>, _a: &[u64]) -> R {
    let (g, me) = k.enter_any()?;
    if let Some(me) = me {
        drop(k.yield_now(g, me)?);
    }
    Ok(None)
}
