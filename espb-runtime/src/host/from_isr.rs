//! The `…FromISR` variants ESP-IDF's FreeRTOS headers expand to
//! (`xQueueSendFromISR` → `xQueueGenericSendFromISR`, `xSemaphoreGiveFromISR`
//! → `xQueueGiveFromISR`, `vTaskNotifyGiveFromISR` →
//! `vTaskGenericNotifyGiveFromISR`, …). They never block; the
//! `pxHigherPriorityTaskWoken` out-parameter is raised when the call readied
//! a task of higher priority than the interrupted one, and the switch
//! happens when the handler returns (the ISR dispatcher outranks every task).

use crate::imports::Caller;

use super::api::{a32, a64, out32, Imp, PD_TRUE, R};
use super::kernel::{Kernel, TState};

pub(crate) const TABLE: &[(&str, &str, Imp)] = &[
    (
        "xQueueGenericSendFromISR",
        "(ptr, ptr, ptr, i32) -> i32",
        send_from_isr,
    ),
    ("xQueueGiveFromISR", "(ptr, ptr) -> i32", give_from_isr),
    (
        "xQueueReceiveFromISR",
        "(ptr, ptr, ptr) -> i32",
        receive_from_isr,
    ),
    (
        "uxQueueMessagesWaitingFromISR",
        "(ptr) -> i32",
        waiting_from_isr,
    ),
    (
        "xTaskGenericNotifyFromISR",
        "(ptr, i32, i32, i32, ptr, ptr) -> i32",
        notify_from_isr,
    ),
    (
        "vTaskGenericNotifyGiveFromISR",
        "(ptr, i32, ptr)",
        notify_give_from_isr,
    ),
    ("vPortYieldFromISR", "()", yield_from_isr),
];

/// Runs `f` (a non-blocking call) and raises `*woken_p` if it readied a
/// task that outranks the interrupted one: for the GPIO dispatcher, the
/// best other ready task; for a native thread, the running task.
fn with_woken(
    k: &Kernel,
    c: &mut Caller<'_>,
    woken_p: u32,
    f: impl FnOnce(&Kernel, &mut Caller<'_>) -> R,
) -> R {
    let me = k.current();
    let ready = |s: TState| matches!(s, TState::Ready | TState::Running);
    let (was_ready, interrupted): (Vec<bool>, u32) = {
        let g = k.lock();
        let was: Vec<bool> = g.tasks.iter().map(|t| ready(t.state)).collect();
        let top = g
            .tasks
            .iter()
            .enumerate()
            .filter(|(i, t)| Some(*i) != me && ready(t.state))
            .map(|(_, t)| t.prio)
            .max();
        (was, top.unwrap_or(0))
    };
    let r = f(k, c)?;
    let readied = {
        let g = k.lock();
        g.tasks
            .iter()
            .enumerate()
            .filter(|(i, t)| ready(t.state) && !was_ready.get(*i).copied().unwrap_or(false))
            .map(|(_, t)| t.prio)
            .max()
    };
    if readied.is_some_and(|p| p > interrupted) {
        // Only ever raised, never cleared, as in FreeRTOS.
        out32(c, woken_p, PD_TRUE)?;
    }
    Ok(r)
}

fn send_from_isr(k: &Kernel, c: &mut Caller<'_>, a: &[u64]) -> R {
    let args = [a64(a, 0), a64(a, 1), 0, a64(a, 3)];
    with_woken(k, c, a32(a, 2), |k, c| super::queues::send(k, c, &args))
}

fn give_from_isr(k: &Kernel, c: &mut Caller<'_>, a: &[u64]) -> R {
    let args = [a64(a, 0), 0, 0, 0];
    with_woken(k, c, a32(a, 1), |k, c| super::queues::send(k, c, &args))
}

fn receive_from_isr(k: &Kernel, c: &mut Caller<'_>, a: &[u64]) -> R {
    let args = [a64(a, 0), a64(a, 1), 0];
    with_woken(k, c, a32(a, 2), |k, c| super::queues::receive(k, c, &args))
}

fn waiting_from_isr(k: &Kernel, c: &mut Caller<'_>, a: &[u64]) -> R {
    super::queues::messages_waiting(k, c, a)
}

fn notify_from_isr(k: &Kernel, c: &mut Caller<'_>, a: &[u64]) -> R {
    let args = [a64(a, 0), a64(a, 1), a64(a, 2), a64(a, 3), a64(a, 4)];
    with_woken(k, c, a32(a, 5), |k, c| super::tasks::notify(k, c, &args))
}

fn notify_give_from_isr(k: &Kernel, c: &mut Caller<'_>, a: &[u64]) -> R {
    // eIncrement, no previous value wanted.
    let args = [a64(a, 0), a64(a, 1), 0, 2, 0];
    with_woken(k, c, a32(a, 2), |k, c| super::tasks::notify(k, c, &args))?;
    Ok(None)
}

/// `portYIELD_FROM_ISR`: the dispatcher yields when the handler returns; a
/// native thread's wake-ups already asked the running task to switch.
fn yield_from_isr(k: &Kernel, _c: &mut Caller<'_>, _a: &[u64]) -> R {
    drop(k.enter_any()?);
    Ok(None)
}
