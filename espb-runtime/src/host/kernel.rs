//! The scheduler of the host platform: FreeRTOS semantics on OS threads.
//!
//! Every task (module tasks, the timer service, the esp_timer task, the GPIO
//! interrupt dispatcher) is an OS thread, but only the thread holding the run
//! token (`State::running`) executes; the others wait inside a host call or
//! before their first instruction. That is a single-core ESP32: the
//! highest-priority ready task runs, equal priorities run in the order they
//! became ready, a blocking call hands the token on, and a call that readies a
//! higher-priority task yields to it at once (FreeRTOS' preemption on unblock).
//!
//! Because switches happen only inside host calls, every task that is not
//! running is parked inside the kernel; deleting it just flags it, and its
//! wait returns an unwinding trap.
//!
//! Time: real (microseconds since the run started) or virtual. Virtual time
//! only moves when no task is ready: it jumps to the earliest deadline, so a
//! run is fast and its output depends only on the module.

use std::collections::VecDeque;
use std::sync::{Condvar, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use crate::trap::{Trap, TrapKind};

use super::objects::Obj;

pub(crate) type TaskId = usize;

/// Calls a module function by reference (`FUNC_REF_BASE + index`) on the
/// calling service thread.
pub(crate) type ModuleCall<'a> = dyn Fn(u32, &[u64]) -> Result<(), Trap> + 'a;

/// `CONFIG_FREERTOS_HZ` = 100: one tick is 10 ms.
pub const TICK_US: u64 = 10_000;
/// `portMAX_DELAY`: wait forever.
pub const MAX_DELAY: u32 = u32::MAX;
/// Clock reads a task may make without blocking before each read costs
/// device time (virtual time; see `Kernel::read_clock`).
pub const POLLS_BEFORE_TIME_MOVES: u32 = 1000;
/// `configMAX_PRIORITIES`.
pub const MAX_PRIORITIES: u32 = 25;
/// Handles of host-platform objects: `NATIVE_REF_BASE + 0x1000_0000 + slot`,
/// a sub-range of the native-reference range the FFI handle table never uses.
pub const HANDLE_BASE: u32 = espb_format::NATIVE_REF_BASE + 0x1000_0000;

/// Most objects (tasks, queues, timers, …) a run may create.
pub(crate) const MAX_OBJECTS: usize = 1 << 24;

/// Why a run ended (see `docs/host-platform.md`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EndReason {
    /// Every module task was deleted (app_main returned) and no timer is
    /// active.
    Finished,
    /// Module tasks are still alive but every one of them is blocked with no
    /// timeout and no timer can wake them.
    Blocked { tasks: Vec<String> },
    /// `HostConfig::run_for` elapsed.
    TimeLimit,
    /// The module called `exit(code)`.
    Exit(i32),
    /// The module called `esp_restart()`.
    Restart,
    /// A task trapped (or aborted).
    Trapped { task: String, trap: Trap },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum TaskKind {
    /// Runs a module function (`xTaskCreate`, the main task).
    Module,
    /// Host-side service: the timer daemon, the esp_timer task, the ISR
    /// dispatcher. They do not keep a run alive.
    Service,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum TState {
    Ready,
    Running,
    Blocked,
    Suspended,
    Deleted,
}

/// What a blocked task waits for (so a wake-up can remove it from the
/// object's waiting list).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum WaitOn {
    Nothing,
    /// Slot of a queue/semaphore; `send` distinguishes its two lists.
    Queue {
        slot: u32,
        send: bool,
    },
    EventGroup {
        slot: u32,
    },
    Notify,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum NotifyState {
    NotWaiting,
    Waiting,
    Received,
}

#[derive(Debug)]
pub(crate) struct Task {
    pub name: String,
    pub kind: TaskKind,
    pub prio: u32,
    pub base_prio: u32,
    pub state: TState,
    /// Order among ready tasks of equal priority.
    pub seq: u64,
    /// Wake-up time (µs) while blocked with a timeout.
    pub wake_at: Option<u64>,
    /// Order of blocking (ties of equal wake-up times wake in this order).
    pub block_seq: u64,
    pub waiting: WaitOn,
    /// The last wake-up was a timeout, not an event.
    pub timed_out: bool,
    /// Deleted while parked: its wait returns an unwinding trap.
    pub killed: bool,
    pub handle: u32,
    /// Module function reference and argument (module tasks).
    pub entry: (u32, u32),
    pub stack_bytes: u32,
    pub critical: u32,
    pub notify_value: u32,
    pub notify_state: NotifyState,
    /// Result a wake-up carries (event groups: the bits that satisfied it).
    pub event_result: u32,
    pub mutexes_held: u32,
    /// Linear address of the task's name for `pcTaskGetName` (0: not yet).
    pub name_addr: u32,
    /// Most shadow-stack bytes seen in use at the task's API calls.
    pub stack_peak: u32,
    /// Clock reads since the task last blocked or yielded (virtual time).
    pub clock_polls: u32,
}

pub(crate) struct State {
    pub tasks: Vec<Task>,
    pub running: Option<TaskId>,
    seq: u64,
    /// Virtual time (µs).
    pub vnow: u64,
    pub objects: Vec<Option<Obj>>,
    /// Tasks whose thread the supervisor must start.
    pub spawn: VecDeque<TaskId>,
    pub end: Option<EndReason>,
    pub sched_suspended: u32,
    /// A higher-priority task became ready while the running one could not be
    /// switched out (critical section, real-time wake-up): it yields at its
    /// next host call.
    pub preempt_pending: bool,
    pub timer_svc: TaskId,
    pub esp_timer_svc: TaskId,
    pub isr_svc: TaskId,
    pub ext: super::objects::Extras,
}

pub(crate) struct Kernel {
    st: Mutex<State>,
    cv: Condvar,
    pub virtual_time: bool,
    /// Set when the supervisor starts: real time counts from the run's
    /// start, not from instantiation.
    start: std::sync::OnceLock<Instant>,
    pub run_for_us: Option<u64>,
    /// Most module tasks alive at once (each needs an execution context).
    pub max_tasks: u32,
}

/// The trap that unwinds a task that was deleted or whose run ended: its
/// thread discards it.
pub(crate) fn unwind() -> Trap {
    Trap::new(TrapKind::Interrupted)
}

std::thread_local! {
    static CURRENT: std::cell::Cell<Option<(usize, TaskId)>> = const { std::cell::Cell::new(None) };
}

impl Kernel {
    pub fn new(virtual_time: bool, run_for_us: Option<u64>, max_tasks: u32) -> Kernel {
        let st = State {
            tasks: Vec::new(),
            running: None,
            seq: 0,
            vnow: 0,
            objects: Vec::new(),
            spawn: VecDeque::new(),
            end: None,
            sched_suspended: 0,
            preempt_pending: false,
            timer_svc: 0,
            esp_timer_svc: 0,
            isr_svc: 0,
            ext: Default::default(),
        };
        Kernel {
            st: Mutex::new(st),
            cv: Condvar::new(),
            virtual_time,
            start: std::sync::OnceLock::new(),
            run_for_us,
            max_tasks,
        }
    }

    fn id(&self) -> usize {
        self as *const Kernel as usize
    }

    pub fn lock(&self) -> MutexGuard<'_, State> {
        // A panic while holding the lock loses the run anyway; keep going so
        // the other threads can unwind.
        self.st.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Binds the calling OS thread to task `id`.
    pub fn bind_thread(&self, id: TaskId) {
        CURRENT.with(|c| c.set(Some((self.id(), id))));
    }

    /// Module tasks not yet deleted.
    pub fn live_module_tasks(&self, st: &State) -> u32 {
        st.tasks
            .iter()
            .filter(|t| t.kind == TaskKind::Module && t.state != TState::Deleted)
            .count() as u32
    }

    /// Records the calling task's shadow-stack use (at each API call).
    pub fn note_stack_use(&self, used: u32) {
        if let Ok(me) = self.current() {
            let mut g = self.lock();
            if let Some(t) = g.tasks.get_mut(me) {
                t.stack_peak = t.stack_peak.max(used);
            }
        }
    }

    /// The task the calling thread runs, if it is one of this kernel's.
    pub fn current(&self) -> Result<TaskId, Trap> {
        match CURRENT.with(|c| c.get()) {
            Some((k, t)) if k == self.id() => Ok(t),
            _ => Err(Trap::host(
                "FreeRTOS API called from a thread that is not a task of this run",
            )),
        }
    }

    pub fn now(&self, st: &State) -> u64 {
        if self.virtual_time {
            st.vnow
        } else {
            self.start
                .get()
                .map_or(0, |s| s.elapsed().as_micros() as u64)
        }
    }

    pub fn tick(&self, st: &State) -> u32 {
        (self.now(st) / TICK_US) as u32
    }

    /// Absolute wake-up time for a wait of `ticks` (FreeRTOS counts from the
    /// current tick, so a wait ends on a tick boundary). `None`: forever.
    pub fn deadline(&self, st: &State, ticks: u32) -> Option<u64> {
        if ticks == MAX_DELAY {
            None
        } else {
            Some((self.now(st) / TICK_US + ticks as u64) * TICK_US)
        }
    }

    pub fn add_task(
        &self,
        st: &mut State,
        name: String,
        kind: TaskKind,
        prio: u32,
        entry: (u32, u32),
        stack_bytes: u32,
    ) -> TaskId {
        let id = st.tasks.len();
        let prio = prio.min(MAX_PRIORITIES); // the ISR dispatcher sits at MAX_PRIORITIES
                                             // Service tasks have handles too: a timer callback asking for the
                                             // current task gets the timer daemon's, as on FreeRTOS.
        let handle = add_object(st, Obj::Task(id));
        st.tasks.push(Task {
            name,
            kind,
            prio,
            base_prio: prio,
            state: TState::Blocked,
            seq: 0,
            wake_at: None,
            block_seq: 0,
            waiting: WaitOn::Nothing,
            timed_out: false,
            killed: false,
            handle,
            entry,
            stack_bytes,
            critical: 0,
            notify_value: 0,
            notify_state: NotifyState::NotWaiting,
            event_result: 0,
            mutexes_held: 0,
            name_addr: 0,
            stack_peak: 0,
            clock_polls: 0,
        });
        make_ready(st, id);
        st.spawn.push_back(id);
        self.cv.notify_all();
        id
    }

    /// Waits until `me` holds the run token (or must unwind).
    fn wait_turn<'a>(
        &'a self,
        mut g: MutexGuard<'a, State>,
        me: TaskId,
    ) -> Result<MutexGuard<'a, State>, Trap> {
        loop {
            if g.end.is_some() || g.tasks[me].killed {
                return Err(unwind());
            }
            if g.running == Some(me) {
                return Ok(g);
            }
            g = self.cv.wait(g).unwrap_or_else(|e| e.into_inner());
        }
    }

    /// First wait of a freshly spawned task thread.
    pub fn wait_first_turn(&self, me: TaskId) -> Result<(), Trap> {
        let g = self.lock();
        self.wait_turn(g, me).map(drop)
    }

    /// Hands the token to the best ready task and waits for it to come back.
    fn switch_away<'a>(
        &'a self,
        mut g: MutexGuard<'a, State>,
        me: TaskId,
    ) -> Result<MutexGuard<'a, State>, Trap> {
        dispatch(&mut g);
        self.cv.notify_all();
        self.wait_turn(g, me)
    }

    /// Blocks `me` until woken or until `deadline`; returns whether it timed
    /// out. `waiting` must already list `me` in the object's waiters.
    pub fn block<'a>(
        &'a self,
        mut g: MutexGuard<'a, State>,
        me: TaskId,
        deadline: Option<u64>,
        on: WaitOn,
    ) -> Result<(MutexGuard<'a, State>, bool), Trap> {
        if g.sched_suspended > 0 {
            return Err(Trap::host("a blocking FreeRTOS call was made while the scheduler is suspended (vTaskSuspendAll)"));
        }
        if deadline.is_some_and(|d| d <= self.now(&g)) {
            // Not blocking after all: leave no stale entry in the waiters.
            g.tasks[me].waiting = on;
            unlist(&mut g, me);
            return Ok((g, true));
        }
        g.seq += 1;
        let s = g.seq;
        let t = &mut g.tasks[me];
        t.state = TState::Blocked;
        t.wake_at = deadline;
        t.block_seq = s;
        t.clock_polls = 0;
        t.waiting = on;
        t.timed_out = false;
        let g = self.switch_away(g, me)?;
        let to = g.tasks[me].timed_out;
        Ok((g, to))
    }

    /// Every clock read goes through here. In virtual time the clock only
    /// moves when all tasks wait, so a task busy-waiting on the clock would
    /// spin forever: after `POLLS_BEFORE_TIME_MOVES` reads without blocking,
    /// each read costs 1 µs of device time (deterministically).
    pub fn read_clock<'a>(
        &'a self,
        mut g: MutexGuard<'a, State>,
        me: TaskId,
    ) -> Result<(MutexGuard<'a, State>, u64), Trap> {
        if self.virtual_time {
            let t = &mut g.tasks[me];
            t.clock_polls = t.clock_polls.saturating_add(1);
            if t.clock_polls > POLLS_BEFORE_TIME_MOVES {
                g = self.busy_wait(g, me, 1)?;
            }
        }
        let now = self.now(&g);
        Ok((g, now))
    }

    /// `vTaskSuspend(NULL)`: parked until `vTaskResume`.
    pub fn suspend_self<'a>(
        &'a self,
        mut g: MutexGuard<'a, State>,
        me: TaskId,
    ) -> Result<MutexGuard<'a, State>, Trap> {
        if g.sched_suspended > 0 {
            return Err(Trap::host(
                "vTaskSuspend(NULL) while the scheduler is suspended",
            ));
        }
        let t = &mut g.tasks[me];
        t.state = TState::Suspended;
        t.wake_at = None;
        self.switch_away(g, me)
    }

    /// After something made tasks ready: yields if one outranks `me`.
    pub fn maybe_preempt<'a>(
        &'a self,
        mut g: MutexGuard<'a, State>,
        me: TaskId,
    ) -> Result<MutexGuard<'a, State>, Trap> {
        if g.end.is_some() {
            return Err(unwind());
        }
        let best = best_ready(&g);
        let outranked = best.is_some_and(|b| g.tasks[b].prio > g.tasks[me].prio);
        if !outranked {
            g.preempt_pending = false;
            return Ok(g);
        }
        if g.tasks[me].critical > 0 || g.sched_suspended > 0 {
            g.preempt_pending = true;
            return Ok(g);
        }
        g.preempt_pending = false;
        // Preempted: it stays first among its priority.
        g.tasks[me].state = TState::Ready;
        self.switch_away(g, me)
    }

    /// Entry of every host call: unwinds a deleted task and honours a pending
    /// preemption (real time: a delay expired while this task ran).
    pub fn enter(&self) -> Result<(MutexGuard<'_, State>, TaskId), Trap> {
        let me = self.current()?;
        let g = self.lock();
        if g.end.is_some() || g.tasks[me].killed {
            return Err(unwind());
        }
        let g = if g.preempt_pending {
            self.maybe_preempt(g, me)?
        } else {
            g
        };
        Ok((g, me))
    }

    /// `vPortYield`: goes behind the other ready tasks of its priority.
    pub fn yield_now<'a>(
        &'a self,
        mut g: MutexGuard<'a, State>,
        me: TaskId,
    ) -> Result<MutexGuard<'a, State>, Trap> {
        if g.tasks[me].critical > 0 || g.sched_suspended > 0 {
            return Ok(g);
        }
        g.tasks[me].clock_polls = 0;
        make_ready(&mut g, me);
        self.switch_away(g, me)
    }

    /// Marks `id` deleted; `me` deleting itself hands the token on.
    pub fn delete(&self, g: &mut State, id: TaskId) {
        unlist(g, id);
        let t = &mut g.tasks[id];
        t.state = TState::Deleted;
        t.killed = true;
        t.wake_at = None;
        if g.running == Some(id) {
            g.running = None;
            dispatch(g);
        }
        self.cv.notify_all();
    }

    /// Ends the run (first reason wins) and wakes every thread to unwind.
    pub fn end(&self, g: &mut State, reason: EndReason) {
        if g.end.is_none() {
            g.end = Some(reason);
        }
        self.cv.notify_all();
    }

    pub fn notify_all(&self) {
        self.cv.notify_all();
    }

    /// A task thread's function returned or trapped.
    pub fn task_finished(&self, me: TaskId, result: Result<(), Trap>) {
        let mut g = self.lock();
        let deleted = g.tasks[me].state == TState::Deleted;
        if let Err(trap) = result {
            if !deleted && g.end.is_none() {
                let reason = match trap.kind {
                    TrapKind::Exit(c) => EndReason::Exit(c),
                    _ => EndReason::Trapped {
                        task: g.tasks[me].name.clone(),
                        trap,
                    },
                };
                self.end(&mut g, reason);
            }
        }
        if !deleted {
            self.delete(&mut g, me);
        }
        self.cv.notify_all();
    }

    /// `esp_rom_delay_us` and other busy waits: in virtual time the clock
    /// moves while the task keeps running.
    pub fn busy_wait<'a>(
        &'a self,
        mut g: MutexGuard<'a, State>,
        me: TaskId,
        us: u64,
    ) -> Result<MutexGuard<'a, State>, Trap> {
        if self.virtual_time {
            g.vnow += us;
            let now = g.vnow;
            wake_expired(&mut g, now);
            self.maybe_preempt(g, me)
        } else {
            drop(g);
            std::thread::sleep(Duration::from_micros(us));
            let g = self.lock();
            self.maybe_preempt(g, me)
        }
    }

    /// The supervisor loop, run by the thread that called `run_app`: starts
    /// task threads, moves time when nobody is ready, ends the run. `spawn`
    /// starts the thread of a task; `interrupt` stops module code that is
    /// running when the run ends (real time).
    pub fn supervise(&self, mut spawn: impl FnMut(TaskId), interrupt: impl Fn()) -> EndReason {
        let _ = self.start.set(Instant::now());
        let mut g = self.lock();
        loop {
            if let Some(e) = &g.end {
                let e = e.clone();
                drop(g);
                interrupt();
                self.cv.notify_all();
                return e;
            }
            if let Some(id) = g.spawn.pop_front() {
                drop(g);
                spawn(id);
                g = self.lock();
                continue;
            }
            let now = self.now(&g);
            if let Some(limit) = self.run_for_us {
                if now >= limit {
                    self.end(&mut g, EndReason::TimeLimit);
                    continue;
                }
            }
            wake_expired(&mut g, now);
            match g.running {
                None => {
                    if dispatch(&mut g) {
                        self.cv.notify_all();
                        continue;
                    }
                    let next = earliest_deadline(&g);
                    let next = match (next, self.run_for_us) {
                        (Some(n), Some(l)) => Some(n.min(l)),
                        (None, Some(l)) if !self.virtual_time => Some(l),
                        (n, _) => n,
                    };
                    match next {
                        Some(t) if self.virtual_time => g.vnow = t.max(g.vnow),
                        Some(t) => {
                            let wait = Duration::from_micros(t.saturating_sub(now));
                            g = self
                                .cv
                                .wait_timeout(g, wait)
                                .unwrap_or_else(|e| e.into_inner())
                                .0;
                        }
                        None => {
                            let alive: Vec<String> = g
                                .tasks
                                .iter()
                                .filter(|t| {
                                    t.kind == TaskKind::Module && t.state != TState::Deleted
                                })
                                .map(|t| t.name.clone())
                                .collect();
                            let r = if alive.is_empty() {
                                EndReason::Finished
                            } else {
                                EndReason::Blocked { tasks: alive }
                            };
                            self.end(&mut g, r);
                        }
                    }
                }
                Some(run) => {
                    if self.virtual_time {
                        g = self.cv.wait(g).unwrap_or_else(|e| e.into_inner());
                    } else {
                        // Watch deadlines while a task runs: a task whose delay
                        // expires and outranks the running one preempts it at
                        // its next host call.
                        if best_ready(&g).is_some_and(|b| g.tasks[b].prio > g.tasks[run].prio) {
                            g.preempt_pending = true;
                        }
                        let next = [earliest_deadline(&g), self.run_for_us]
                            .into_iter()
                            .flatten()
                            .min();
                        g = match next {
                            Some(t) => {
                                let wait = Duration::from_micros(t.saturating_sub(now).max(100));
                                self.cv
                                    .wait_timeout(g, wait)
                                    .unwrap_or_else(|e| e.into_inner())
                                    .0
                            }
                            None => self.cv.wait(g).unwrap_or_else(|e| e.into_inner()),
                        };
                    }
                }
            }
        }
    }
}

/// Registers `obj` and returns its handle.
pub(crate) fn add_object(st: &mut State, obj: Obj) -> u32 {
    // Slots are never reused; past this many the creation fails (NULL, what
    // FreeRTOS returns when it is out of memory).
    if st.objects.len() >= MAX_OBJECTS {
        return 0;
    }
    st.objects.push(Some(obj));
    HANDLE_BASE + (st.objects.len() - 1) as u32
}

/// The slot of handle `h`, if it names a live object.
pub(crate) fn slot_of(st: &State, h: u32) -> Option<u32> {
    let slot = h.checked_sub(HANDLE_BASE)?;
    matches!(st.objects.get(slot as usize), Some(Some(_))).then_some(slot)
}

/// Makes `id` ready (behind the ready tasks of its priority).
pub(crate) fn make_ready(st: &mut State, id: TaskId) {
    unlist(st, id);
    st.seq += 1;
    let s = st.seq;
    let t = &mut st.tasks[id];
    t.state = TState::Ready;
    t.seq = s;
    t.wake_at = None;
}

/// Wakes `id` because the event it waited for happened.
pub(crate) fn wake(st: &mut State, id: TaskId) {
    if st.tasks[id].state == TState::Blocked {
        st.tasks[id].timed_out = false;
        make_ready(st, id);
    }
}

/// Removes `id` from the waiting list of the object it waits on.
fn unlist(st: &mut State, id: TaskId) {
    let on = std::mem::replace(&mut st.tasks[id].waiting, WaitOn::Nothing);
    match on {
        WaitOn::Queue { slot, .. } | WaitOn::EventGroup { slot } => {
            if let Some(Some(o)) = st.objects.get_mut(slot as usize) {
                o.unlist(id);
            }
        }
        WaitOn::Nothing | WaitOn::Notify => {}
    }
}

fn best_ready(st: &State) -> Option<TaskId> {
    st.tasks
        .iter()
        .enumerate()
        .filter(|(_, t)| t.state == TState::Ready)
        .max_by(|(_, a), (_, b)| a.prio.cmp(&b.prio).then(b.seq.cmp(&a.seq)))
        .map(|(i, _)| i)
}

/// Gives the token to the best ready task if nobody runs (or the runner gave
/// it up). Returns whether a task now runs.
fn dispatch(st: &mut State) -> bool {
    if let Some(r) = st.running {
        if st.tasks[r].state == TState::Running {
            return true;
        }
    }
    st.running = best_ready(st);
    if let Some(r) = st.running {
        st.tasks[r].state = TState::Running;
        return true;
    }
    false
}

fn earliest_deadline(st: &State) -> Option<u64> {
    st.tasks
        .iter()
        .filter(|t| t.state == TState::Blocked)
        .filter_map(|t| t.wake_at)
        .min()
}

/// Wakes every task whose timeout passed, earliest first.
pub(crate) fn wake_expired(st: &mut State, now: u64) {
    let mut due: Vec<(u64, u64, TaskId)> = st
        .tasks
        .iter()
        .enumerate()
        .filter(|(_, t)| t.state == TState::Blocked)
        .filter_map(|(i, t)| t.wake_at.filter(|&w| w <= now).map(|w| (w, t.block_seq, i)))
        .collect();
    due.sort_unstable();
    for (_, _, id) in due {
        st.tasks[id].timed_out = true;
        make_ready(st, id);
    }
}

/// Wakes the service task `id` if it is blocked (its work list changed).
pub(crate) fn kick(st: &mut State, id: TaskId) {
    if st.tasks.get(id).is_some_and(|t| t.state == TState::Blocked) {
        st.tasks[id].timed_out = false;
        make_ready(st, id);
    }
}
