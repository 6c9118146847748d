//! `queue.h` and `semphr.h`: queues, binary and counting semaphores, mutexes
//! (with priority inheritance) and recursive mutexes, as FreeRTOS implements
//! them — one queue type whose zero-size items are counted.

use std::sync::MutexGuard;

use crate::imports::Caller;
use crate::trap::Trap;

use super::api::{a32, ret, Imp, PD_FALSE, PD_TRUE, R};
use super::kernel::{self, add_object, outside_task, slot_of, Kernel, State, TaskId, WaitOn};
use super::objects::{Obj, Queue, QueueKind};

pub(crate) const TABLE: &[(&str, &str, Imp)] = &[
    ("xQueueGenericCreate", "(i32, i32, i32) -> ptr", create),
    ("xQueueGenericSend", "(ptr, ptr, i32, i32) -> i32", send),
    ("xQueueReceive", "(ptr, ptr, i32) -> i32", receive),
    ("xQueuePeek", "(ptr, ptr, i32) -> i32", peek),
    ("uxQueueMessagesWaiting", "(ptr) -> i32", messages_waiting),
    ("uxQueueSpacesAvailable", "(ptr) -> i32", spaces_available),
    ("vQueueDelete", "(ptr)", delete),
    ("xQueueGenericReset", "(ptr, i32) -> i32", reset),
    ("xQueueCreateMutex", "(i32) -> ptr", create_mutex),
    (
        "xQueueCreateCountingSemaphore",
        "(i32, i32) -> ptr",
        create_counting,
    ),
    ("xQueueSemaphoreTake", "(ptr, i32) -> i32", semaphore_take),
    (
        "xQueueTakeMutexRecursive",
        "(ptr, i32) -> i32",
        take_recursive,
    ),
    ("xQueueGiveMutexRecursive", "(ptr) -> i32", give_recursive),
];

/// Longest queue the host accepts (items × size), a bound on host memory.
const MAX_QUEUE_BYTES: u64 = 64 << 20;

fn queue_slot(st: &State, c: &Caller<'_>, h: u32) -> Result<u32, Trap> {
    match slot_of(st, h) {
        Some(s) => match &st.objects[s as usize] {
            Some(Obj::Queue(_)) => Ok(s),
            Some(o) => Err(Trap::host(format!(
                "{}: handle {h:#010x} is a {}, not a queue",
                c.import_name(),
                o.kind_name()
            ))),
            None => Err(Trap::host("host platform: empty object slot")),
        },
        None => Err(Trap::host(format!(
            "{}: {h:#010x} is not a valid queue or semaphore handle (deleted?)",
            c.import_name()
        ))),
    }
}

fn q(st: &mut State, slot: u32) -> Result<&mut Queue, Trap> {
    match st.objects.get_mut(slot as usize) {
        Some(Some(Obj::Queue(q))) => Ok(q),
        _ => Err(Trap::host("host platform: the queue vanished while in use")),
    }
}

/// The waiter FreeRTOS would unblock: highest priority, then longest waiting.
fn first_waiter(st: &State, list: &[TaskId]) -> Option<TaskId> {
    let mut best: Option<TaskId> = None;
    for &t in list {
        if best.is_none_or(|b| st.tasks[t].prio > st.tasks[b].prio) {
            best = Some(t);
        }
    }
    best
}

fn create_queue(k: &Kernel, queue: Queue) -> R {
    let (mut g, _) = k.enter_any()?;
    ret(add_object(&mut g, Obj::Queue(queue)))
}

fn create(k: &Kernel, c: &mut Caller<'_>, a: &[u64]) -> R {
    let (len, size, ty) = (a32(a, 0), a32(a, 1), a32(a, 2) & 0xff);
    let kind = QueueKind::from_u8(ty)
        .ok_or_else(|| Trap::host(format!("{}: unknown queue type {ty}", c.import_name())))?;
    if len == 0 || len as u64 * size as u64 > MAX_QUEUE_BYTES {
        // FreeRTOS returns NULL when it cannot allocate the queue.
        return ret(0);
    }
    create_queue(k, Queue::new(kind, len, size, 0))
}

fn create_mutex(k: &Kernel, c: &mut Caller<'_>, a: &[u64]) -> R {
    let kind = match a32(a, 0) & 0xff {
        1 => QueueKind::Mutex,
        4 => QueueKind::Recursive,
        t => {
            return Err(Trap::host(format!(
                "{}: queue type {t} is not a mutex type",
                c.import_name()
            )))
        }
    };
    create_queue(k, Queue::new(kind, 1, 0, 1))
}

fn create_counting(k: &Kernel, _c: &mut Caller<'_>, a: &[u64]) -> R {
    let (max, init) = (a32(a, 0), a32(a, 1));
    if max == 0 || init > max {
        return ret(0);
    }
    create_queue(k, Queue::new(QueueKind::Counting, max, 0, init))
}

/// Gives back a mutex: the holder drops any inherited priority once it holds
/// no mutex.
fn release_mutex(st: &mut State, slot: u32) -> Result<(), Trap> {
    let holder = q(st, slot)?.holder.take();
    if let Some(h) = holder {
        let t = &mut st.tasks[h];
        t.mutexes_held = t.mutexes_held.saturating_sub(1);
        if t.mutexes_held == 0 {
            let base = t.base_prio;
            kernel::set_prio(st, h, base);
        }
    }
    Ok(())
}

pub(crate) fn send(k: &Kernel, c: &mut Caller<'_>, a: &[u64]) -> R {
    let (h, item, ticks, pos) = (a32(a, 0), a32(a, 1), a32(a, 2), a32(a, 3));
    let (mut g, me) = k.enter_any()?;
    if me.is_none() && ticks != 0 {
        return Err(outside_task(&format!("may wait ({ticks} ticks)")));
    }
    let slot = queue_slot(&g, c, h)?;
    let size = q(&mut g, slot)?.item_size;
    let mut bytes = vec![0u8; size as usize];
    if size > 0 {
        c.read(item, &mut bytes)?;
    }
    if pos > 2 {
        return Err(Trap::host(format!(
            "xQueueGenericSend: unknown copy position {pos}"
        )));
    }
    let mut deadline = None;
    let mut first = true;
    loop {
        let slot = queue_slot(&g, c, h)?;
        let qu = q(&mut g, slot)?;
        if pos == 2 && qu.length != 1 {
            return Err(Trap::host(
                "xQueueOverwrite on a queue whose length is not 1",
            ));
        }
        if qu.waiting() < qu.length || pos == 2 {
            if qu.item_size == 0 {
                if qu.waiting() < qu.length {
                    qu.count += 1;
                }
            } else {
                if pos == 2 {
                    qu.items.clear();
                }
                if pos == 1 {
                    qu.items.push_front(bytes);
                } else {
                    qu.items.push_back(bytes);
                }
            }
            if qu.kind.is_mutex() {
                if me.is_none() {
                    return Err(outside_task("a mutex is given back by the task holding it"));
                }
                release_mutex(&mut g, slot)?;
            }
            let w = {
                let l = q(&mut g, slot)?.waiting_recv.clone();
                first_waiter(&g, &l)
            };
            if let Some(w) = w {
                kernel::wake(&mut g, w);
            }
            drop(k.maybe_preempt_any(g, me)?);
            return ret(PD_TRUE);
        }
        if ticks == 0 || (!first && deadline.is_some_and(|d| d <= k.now(&g))) {
            return ret(PD_FALSE);
        }
        // A timeout other than 0 was refused above for a native thread.
        let Some(me) = me else {
            return ret(PD_FALSE);
        };
        if first {
            deadline = k.deadline(&g, ticks);
            first = false;
        }
        q(&mut g, slot)?.waiting_send.push(me);
        g = k
            .block(g, me, deadline, WaitOn::Queue { slot, send: true })?
            .0;
    }
}

enum Take {
    Receive(u32),
    Peek(u32),
    Semaphore,
}

fn take(k: &Kernel, c: &mut Caller<'_>, h: u32, ticks: u32, how: Take) -> R {
    let (mut g, me) = k.enter_any()?;
    if me.is_none() && ticks != 0 {
        return Err(outside_task(&format!("may wait ({ticks} ticks)")));
    }
    let mut deadline = None;
    let mut first = true;
    loop {
        let slot = queue_slot(&g, c, h)?;
        let qu = q(&mut g, slot)?;
        if qu.waiting() > 0 {
            let item = match how {
                Take::Peek(_) => qu.items.front().cloned(),
                _ if qu.item_size == 0 => {
                    qu.count -= 1;
                    None
                }
                _ => qu.items.pop_front(),
            };
            if !matches!(how, Take::Peek(_)) {
                if qu.kind.is_mutex() {
                    let Some(me) = me else {
                        return Err(outside_task("a mutex must be held by a task"));
                    };
                    qu.holder = Some(me);
                    qu.recursion = 1;
                    g.tasks[me].mutexes_held += 1;
                }
                let w = {
                    let l = q(&mut g, slot)?.waiting_send.clone();
                    first_waiter(&g, &l)
                };
                if let Some(w) = w {
                    kernel::wake(&mut g, w);
                }
            } else {
                // A peek leaves the item: let the next reader see it too.
                let w = {
                    let l = q(&mut g, slot)?.waiting_recv.clone();
                    first_waiter(&g, &l)
                };
                if let Some(w) = w {
                    kernel::wake(&mut g, w);
                }
            }
            let g = k.maybe_preempt_any(g, me)?;
            drop(g);
            if let (Take::Receive(buf) | Take::Peek(buf), Some(item)) = (how, item) {
                c.write(buf, &item)?;
            }
            return ret(PD_TRUE);
        }
        if ticks == 0 || (!first && deadline.is_some_and(|d| d <= k.now(&g))) {
            if !first {
                disinherit_after_timeout(&mut g, slot)?;
            }
            return ret(PD_FALSE);
        }
        let Some(me) = me else {
            return ret(PD_FALSE);
        };
        if first {
            deadline = k.deadline(&g, ticks);
            first = false;
        }
        inherit_priority(&mut g, slot, me)?;
        q(&mut g, slot)?.waiting_recv.push(me);
        g = k
            .block(g, me, deadline, WaitOn::Queue { slot, send: false })?
            .0;
    }
}

/// A waiter gave up on a mutex: the holder keeps only the priority the
/// remaining waiters lend it (FreeRTOS' disinherit-after-timeout).
fn disinherit_after_timeout(g: &mut MutexGuard<'_, State>, slot: u32) -> Result<(), Trap> {
    let qu = q(g, slot)?;
    if !qu.kind.is_mutex() {
        return Ok(());
    }
    let (holder, waiters) = (qu.holder, qu.waiting_recv.clone());
    if let Some(h) = holder {
        let lent = waiters.iter().map(|&w| g.tasks[w].prio).max().unwrap_or(0);
        let t = &g.tasks[h];
        // As FreeRTOS: only a holder of this one mutex is lowered (others may
        // owe their priority to waiters on another mutex).
        if t.mutexes_held == 1 {
            let p = t.base_prio.max(lent);
            kernel::set_prio(g, h, p);
        }
    }
    Ok(())
}

/// A task about to block on a mutex lends its priority to the holder.
fn inherit_priority(g: &mut MutexGuard<'_, State>, slot: u32, me: TaskId) -> Result<(), Trap> {
    let qu = q(g, slot)?;
    if !qu.kind.is_mutex() {
        return Ok(());
    }
    if let Some(h) = qu.holder {
        let p = g.tasks[me].prio;
        if g.tasks[h].prio < p {
            kernel::set_prio(g, h, p);
        }
    }
    Ok(())
}

pub(crate) fn receive(k: &Kernel, c: &mut Caller<'_>, a: &[u64]) -> R {
    take(k, c, a32(a, 0), a32(a, 2), Take::Receive(a32(a, 1)))
}

fn peek(k: &Kernel, c: &mut Caller<'_>, a: &[u64]) -> R {
    take(k, c, a32(a, 0), a32(a, 2), Take::Peek(a32(a, 1)))
}

fn semaphore_take(k: &Kernel, c: &mut Caller<'_>, a: &[u64]) -> R {
    take(k, c, a32(a, 0), a32(a, 1), Take::Semaphore)
}

pub(crate) fn messages_waiting(k: &Kernel, c: &mut Caller<'_>, a: &[u64]) -> R {
    let (mut g, _) = k.enter_any()?;
    let slot = queue_slot(&g, c, a32(a, 0))?;
    ret(q(&mut g, slot)?.waiting())
}

fn spaces_available(k: &Kernel, c: &mut Caller<'_>, a: &[u64]) -> R {
    let (mut g, _) = k.enter_any()?;
    let slot = queue_slot(&g, c, a32(a, 0))?;
    let qu = q(&mut g, slot)?;
    ret(qu.length - qu.waiting())
}

fn delete(k: &Kernel, c: &mut Caller<'_>, a: &[u64]) -> R {
    let (mut g, _) = k.enter_any()?;
    let slot = queue_slot(&g, c, a32(a, 0))?;
    let qu = q(&mut g, slot)?;
    let waiters: Vec<TaskId> = qu
        .waiting_send
        .iter()
        .chain(&qu.waiting_recv)
        .copied()
        .collect();
    g.objects[slot as usize] = None;
    // Tasks still blocked on it wake and trap on the dead handle, where
    // FreeRTOS would corrupt memory.
    for w in waiters {
        kernel::wake(&mut g, w);
    }
    Ok(None)
}

fn reset(k: &Kernel, c: &mut Caller<'_>, a: &[u64]) -> R {
    let (mut g, me) = k.enter_any()?;
    let slot = queue_slot(&g, c, a32(a, 0))?;
    let qu = q(&mut g, slot)?;
    qu.items.clear();
    if !qu.kind.is_mutex() && qu.kind != QueueKind::Counting {
        qu.count = 0;
    }
    let w = {
        let l = q(&mut g, slot)?.waiting_send.clone();
        first_waiter(&g, &l)
    };
    if let Some(w) = w {
        kernel::wake(&mut g, w);
    }
    drop(k.maybe_preempt_any(g, me)?);
    ret(PD_TRUE)
}

fn take_recursive(k: &Kernel, c: &mut Caller<'_>, a: &[u64]) -> R {
    let h = a32(a, 0);
    {
        let (mut g, me) = k.enter()?;
        let slot = queue_slot(&g, c, h)?;
        let qu = q(&mut g, slot)?;
        if qu.kind != QueueKind::Recursive {
            return Err(Trap::host(
                "xSemaphoreTakeRecursive on a mutex not created recursive",
            ));
        }
        if qu.holder == Some(me) {
            qu.recursion += 1;
            return ret(PD_TRUE);
        }
    }
    take(k, c, h, a32(a, 1), Take::Semaphore)
}

fn give_recursive(k: &Kernel, c: &mut Caller<'_>, a: &[u64]) -> R {
    let h = a32(a, 0);
    {
        let (mut g, me) = k.enter()?;
        let slot = queue_slot(&g, c, h)?;
        let qu = q(&mut g, slot)?;
        if qu.kind != QueueKind::Recursive {
            return Err(Trap::host(
                "xSemaphoreGiveRecursive on a mutex not created recursive",
            ));
        }
        if qu.holder != Some(me) {
            return ret(PD_FALSE);
        }
        qu.recursion -= 1;
        if qu.recursion > 0 {
            return ret(PD_TRUE);
        }
    }
    send(k, c, &[h as u64, 0, 0, 0])
}
