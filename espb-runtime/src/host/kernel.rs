//! The scheduler of the host platform: FreeRTOS as ESP-IDF configures it
//! (`configUSE_PREEMPTION = 1`, `configUSE_TIME_SLICING = 1`, one core), on
//! OS threads.
//!
//! Every task (module tasks, the timer service, the esp_timer task, the GPIO
//! interrupt dispatcher) is an OS thread, but only the thread holding the run
//! token (`State::running`) executes; the others wait inside a host call, at
//! an interpreter safepoint or before their first instruction. Ready tasks
//! sit in FreeRTOS' ready lists (`ready.rs`) and are selected exactly as
//! `vTaskSwitchContext` selects them. A switch happens:
//! - inside an API call: a blocking call hands the token on; a call that
//!   readies a higher-priority task yields to it at once;
//! - at a safepoint of the running module code (`preempt.rs`: every 1024
//!   calls and backward branches): when a wake-up (a delay's end, a timer, an
//!   `esp_timer` alarm, a native thread's `…FromISR` call) readied a task
//!   that outranks it, or when a tick passed and another task of its
//!   priority is ready (time slicing).
//!
//! Critical sections and `vTaskSuspendAll` defer switches, as on FreeRTOS.
//!
//! The IDLE task is a ready-list entry at priority 0 without a thread:
//! selecting it means the CPU idles (it feeds the task watchdog and yields to
//! other priority-0 tasks, `configIDLE_SHOULD_YIELD`).
//!
//! Because every task that is not running is parked inside the kernel,
//! deleting it just flags it, and its wait returns an unwinding trap.
//!
//! Time: real (microseconds since the run started) or virtual. Virtual time
//! moves by the work module code executes (`preempt::WORK_TICK_NS` per call
//! or backward branch) and, when no task is ready, jumps to the earliest
//! deadline; so a run is fast and its output depends only on the module.

use std::sync::{Condvar, Mutex, MutexGuard};
use std::time::Instant;

use crate::output::Output;
use crate::trap::{Trap, TrapKind};

pub(crate) use super::native_threads::outside_task;
use super::objects::Obj;
use super::ready::ReadyList;

pub(crate) type TaskId = usize;

/// Calls a module function by reference (`FUNC_REF_BASE + index`) on the
/// calling service thread.
pub(crate) type ModuleCall<'a> = dyn Fn(u32, &[u64]) -> Result<(), Trap> + 'a;

/// `CONFIG_FREERTOS_HZ` of ESP-IDF's default configuration.
pub const DEFAULT_TICK_HZ: u32 = 100;
/// `portMAX_DELAY`: wait forever.
pub const MAX_DELAY: u32 = u32::MAX;
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
    /// FreeRTOS' idle task: no thread, selecting it idles the CPU.
    Idle,
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
}

pub(crate) struct State {
    pub tasks: Vec<Task>,
    pub running: Option<TaskId>,
    /// Blocking order (see `Task::block_seq`).
    seq: u64,
    /// FreeRTOS' ready lists, one per priority.
    pub ready: Vec<ReadyList>,
    /// Virtual time (µs), and the executed work not yet a whole µs (ns).
    pub vnow: u64,
    pub work_ns: u64,
    /// The tick at which the running task's time slice started (or was last
    /// checked): a later tick ends it if another task of its priority is
    /// ready.
    pub slice_tick: u64,
    pub objects: Vec<Option<Obj>>,
    /// Tasks whose thread the supervisor must start.
    pub spawn: std::collections::VecDeque<TaskId>,
    pub end: Option<EndReason>,
    pub sched_suspended: u32,
    /// FreeRTOS' `xYieldPending`: a switch is due but the running task could
    /// not be switched out yet (critical section, suspended scheduler, a
    /// wake-up seen by another thread); it switches at its next safepoint or
    /// host call.
    pub switch_pending: bool,
    pub idle: TaskId,
    pub timer_svc: TaskId,
    pub esp_timer_svc: TaskId,
    pub isr_svc: TaskId,
    /// A native thread (not a task) called the platform: it may call again,
    /// so tasks waiting forever do not end the run.
    pub foreign_seen: bool,
    /// A native thread inside a critical section, and its nesting.
    pub foreign_critical: Option<(std::thread::ThreadId, u32)>,
    pub wdt: super::task_wdt::Watchdog,
    pub ext: super::objects::Extras,
}

/// How a kernel is set up (from `HostConfig`).
#[derive(Clone)]
pub(crate) struct Settings {
    pub virtual_time: bool,
    pub run_for_us: Option<u64>,
    pub max_tasks: u32,
    pub tick_hz: u32,
    /// Task watchdog timeout (µs); `None`: no task watchdog.
    pub wdt_timeout_us: Option<u64>,
    pub wdt_panic: bool,
    /// Tasks waiting forever do not end the run (native threads may call in).
    pub wait_for_natives: bool,
    pub output: Output,
}

pub(crate) struct Kernel {
    st: Mutex<State>,
    pub(super) cv: Condvar,
    pub virtual_time: bool,
    /// Set when the supervisor starts: real time counts from the run's
    /// start, not from instantiation.
    pub(super) start: std::sync::OnceLock<Instant>,
    pub run_for_us: Option<u64>,
    /// Most module tasks alive at once (each needs an execution context).
    pub max_tasks: u32,
    /// µs per tick (`1_000_000 / CONFIG_FREERTOS_HZ`).
    pub tick_us: u64,
    pub wdt_panic: bool,
    pub(super) wait_for_natives: bool,
    /// Where the kernel's own messages go (the task watchdog).
    pub output: Output,
}

/// The trap that unwinds a task that was deleted or whose run ended: its
/// thread discards it.
pub(crate) fn unwind() -> Trap {
    Trap::new(TrapKind::Interrupted)
}

std::thread_local! {
    static CURRENT: std::cell::Cell<Option<(usize, TaskId)>> = const { std::cell::Cell::new(None) };
    /// The platform function this thread is executing (for messages).
    static CALL: std::cell::Cell<&'static str> = const { std::cell::Cell::new("") };
}

/// Records the platform function the calling thread enters.
pub(crate) fn set_call(name: &'static str) {
    CALL.with(|c| c.set(name));
}

/// The platform function the calling thread is executing.
pub(crate) fn call_name() -> &'static str {
    CALL.with(|c| c.get())
}

impl Kernel {
    pub fn new(s: Settings) -> Kernel {
        let st = State {
            tasks: Vec::new(),
            running: None,
            seq: 0,
            ready: vec![ReadyList::default(); MAX_PRIORITIES as usize + 1],
            vnow: 0,
            work_ns: 0,
            slice_tick: 0,
            objects: Vec::new(),
            spawn: Default::default(),
            end: None,
            sched_suspended: 0,
            switch_pending: false,
            idle: 0,
            timer_svc: 0,
            esp_timer_svc: 0,
            isr_svc: 0,
            foreign_seen: false,
            foreign_critical: None,
            wdt: super::task_wdt::Watchdog::new(s.wdt_timeout_us),
            ext: Default::default(),
        };
        let k = Kernel {
            st: Mutex::new(st),
            cv: Condvar::new(),
            virtual_time: s.virtual_time,
            start: std::sync::OnceLock::new(),
            run_for_us: s.run_for_us,
            max_tasks: s.max_tasks,
            tick_us: 1_000_000 / s.tick_hz.clamp(1, 1_000_000) as u64,
            wdt_panic: s.wdt_panic,
            wait_for_natives: s.wait_for_natives,
            output: s.output,
        };
        {
            let mut g = k.lock();
            let idle = k.add_task(&mut g, "IDLE".into(), TaskKind::Idle, 0, (0, 0), 0);
            g.idle = idle;
            // CONFIG_ESP_TASK_WDT_CHECK_IDLE_TASK_CPU0.
            g.wdt.add(idle, 0);
        }
        k
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

    /// The task the calling thread runs; `None` on a thread that is no task
    /// of this run (a native library's thread entering through a callback).
    pub fn current(&self) -> Option<TaskId> {
        match CURRENT.with(|c| c.get()) {
            Some((k, t)) if k == self.id() => Some(t),
            _ => None,
        }
    }

    /// Module tasks not yet deleted.
    pub fn live_module_tasks(&self, st: &State) -> u32 {
        st.tasks
            .iter()
            .filter(|t| t.kind == TaskKind::Module && t.state != TState::Deleted)
            .count() as u32
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

    /// The tick count (not wrapped to 32 bits).
    pub fn tick(&self, st: &State) -> u64 {
        self.now(st) / self.tick_us
    }

    /// `esp_log_timestamp` (CONFIG_LOG_TIMESTAMP_SOURCE_RTOS): the tick
    /// count times the tick period in ms.
    pub fn log_timestamp(&self, st: &State) -> u32 {
        (self.tick(st) as u32).wrapping_mul((self.tick_us / 1000) as u32)
    }

    /// Absolute wake-up time for a wait of `ticks` (FreeRTOS counts from the
    /// current tick, so a wait ends on a tick boundary). `None`: forever.
    pub fn deadline(&self, st: &State, ticks: u32) -> Option<u64> {
        if ticks == MAX_DELAY {
            None
        } else {
            Some((self.tick(st) + ticks as u64) * self.tick_us)
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
        // The ISR dispatcher sits at MAX_PRIORITIES.
        let prio = prio.min(MAX_PRIORITIES);
        // Service tasks have handles too: a timer callback asking for the
        // current task gets the timer daemon's, as on FreeRTOS.
        let handle = add_object(st, Obj::Task(id));
        st.tasks.push(Task {
            name,
            kind,
            prio,
            base_prio: prio,
            state: TState::Blocked,
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
        });
        make_ready(st, id);
        if kind != TaskKind::Idle {
            st.spawn.push_back(id);
        }
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

    /// `vTaskSwitchContext`: gives the CPU to the task FreeRTOS selects
    /// (the next entry of the highest non-empty ready list) and, unless that
    /// is `me`, waits for it to come back. `me` must have left the running
    /// state (blocked, suspended, deleted) or still be ready (a yield).
    fn switch_context<'a>(
        &'a self,
        mut g: MutexGuard<'a, State>,
        me: TaskId,
    ) -> Result<MutexGuard<'a, State>, Trap> {
        g.switch_pending = false;
        if g.tasks[me].state == TState::Running {
            g.tasks[me].state = TState::Ready;
        }
        g.running = None;
        self.select(&mut g);
        if g.running == Some(me) {
            return Ok(g);
        }
        self.cv.notify_all();
        self.wait_turn(g, me)
    }

    /// Selects the task to run while nobody runs; `None`: the CPU idles.
    pub(crate) fn select(&self, g: &mut State) -> Option<TaskId> {
        debug_assert!(g.running.is_none());
        // A fresh selection owes no switch (vTaskSwitchContext clears
        // xYieldPending).
        g.switch_pending = false;
        let now = self.now(g);
        for p in (0..=MAX_PRIORITIES as usize).rev() {
            let Some(mut t) = g.ready[p].next() else {
                continue;
            };
            if t == g.idle {
                // IDLE runs: it feeds the watchdog and yields to any other
                // priority-0 task.
                g.wdt.idle_ran(idle_of(g), now);
                if g.ready[0].len() < 2 {
                    return None;
                }
                t = g.ready[0].next()?;
            }
            g.running = Some(t);
            g.tasks[t].state = TState::Running;
            g.slice_tick = now / self.tick_us;
            return Some(t);
        }
        None
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
            return Err(Trap::host(format!(
                "{}: a blocking call while the scheduler is suspended (vTaskSuspendAll)",
                call_name()
            )));
        }
        if g.tasks[me].critical > 0 {
            return Err(Trap::host(format!(
                "{}: a blocking call inside a critical section (taskENTER_CRITICAL)",
                call_name()
            )));
        }
        if deadline.is_some_and(|d| d <= self.now(&g)) {
            // Not blocking after all: leave no stale entry in the waiters.
            g.tasks[me].waiting = on;
            unlist(&mut g, me);
            return Ok((g, true));
        }
        g.seq += 1;
        let s = g.seq;
        let prio = g.tasks[me].prio as usize;
        g.ready[prio].remove(me);
        let t = &mut g.tasks[me];
        t.state = TState::Blocked;
        t.wake_at = deadline;
        t.block_seq = s;
        t.waiting = on;
        t.timed_out = false;
        let g = self.switch_context(g, me)?;
        let to = g.tasks[me].timed_out;
        Ok((g, to))
    }

    /// `vTaskSuspend(NULL)`: parked until `vTaskResume`.
    pub fn suspend_self<'a>(
        &'a self,
        mut g: MutexGuard<'a, State>,
        me: TaskId,
    ) -> Result<MutexGuard<'a, State>, Trap> {
        if g.sched_suspended > 0 || g.tasks[me].critical > 0 {
            return Err(Trap::host(
                "vTaskSuspend(NULL) while the scheduler is suspended or inside a critical section",
            ));
        }
        suspend(&mut g, me);
        self.switch_context(g, me)
    }

    /// Whether a ready task outranks the running one (or, with nobody
    /// running, whether anything is ready).
    fn outranked(&self, g: &State) -> bool {
        let top = top_ready(g);
        // With nobody running the supervisor selects (it is notified).
        g.running
            .is_some_and(|r| top.is_some_and(|p| p > g.tasks[r].prio))
    }

    /// After something made tasks ready: yields if one outranks `me`
    /// (FreeRTOS' `queueYIELD_IF_USING_PREEMPTION`), or if a switch is
    /// pending anyway.
    pub fn maybe_preempt<'a>(
        &'a self,
        mut g: MutexGuard<'a, State>,
        me: TaskId,
    ) -> Result<MutexGuard<'a, State>, Trap> {
        if g.end.is_some() || g.tasks[me].killed {
            return Err(unwind());
        }
        if self.outranked(&g) {
            g.switch_pending = true;
        }
        self.switch_if_pending(g, me)
    }

    /// `maybe_preempt` for a caller that may be a native thread (no task):
    /// there, the running task switches at its next safepoint, as after an
    /// interrupt.
    pub fn maybe_preempt_any<'a>(
        &'a self,
        mut g: MutexGuard<'a, State>,
        me: Option<TaskId>,
    ) -> Result<MutexGuard<'a, State>, Trap> {
        match me {
            Some(me) => self.maybe_preempt(g, me),
            None => {
                if self.outranked(&g) {
                    g.switch_pending = true;
                }
                self.cv.notify_all();
                Ok(g)
            }
        }
    }

    /// Switches `me` out if a switch is due and nothing defers it.
    pub(crate) fn switch_if_pending<'a>(
        &'a self,
        g: MutexGuard<'a, State>,
        me: TaskId,
    ) -> Result<MutexGuard<'a, State>, Trap> {
        if !g.switch_pending
            || g.running != Some(me)
            || g.tasks[me].critical > 0
            || g.sched_suspended > 0
        {
            return Ok(g);
        }
        self.switch_context(g, me)
    }

    /// Entry of every host call that needs a calling task: unwinds a
    /// deleted task and takes the interrupts that came due (wake-ups, the
    /// tick's time slice, the watchdog). From a native thread that is no
    /// task it fails, naming the call.
    pub fn enter(&self) -> Result<(MutexGuard<'_, State>, TaskId), Trap> {
        match self.enter_any()? {
            (g, Some(me)) => Ok((g, me)),
            (_, None) => Err(outside_task("it needs a calling task")),
        }
    }

    /// Entry of a host call that a native thread may make too (what
    /// ESP-IDF allows in an interrupt: calls that never wait). `None`: the
    /// caller is no task.
    pub fn enter_any(&self) -> Result<(MutexGuard<'_, State>, Option<TaskId>), Trap> {
        let Some(me) = self.current() else {
            let mut g = self.lock();
            if g.end.is_some() {
                return Err(unwind());
            }
            g.foreign_seen = true;
            let now = self.now(&g);
            self.clock_interrupts(&mut g, now);
            return Ok((g, None));
        };
        let g = self.lock();
        if g.end.is_some() || g.tasks[me].killed {
            return Err(unwind());
        }
        let g = self.interrupt_point(g, me)?;
        Ok((g, Some(me)))
    }

    /// `vTaskSwitchContext` from `vPortYield`: `me` goes behind the other
    /// ready tasks of its priority.
    pub fn yield_now<'a>(
        &'a self,
        g: MutexGuard<'a, State>,
        me: TaskId,
    ) -> Result<MutexGuard<'a, State>, Trap> {
        if g.tasks[me].critical > 0 || g.sched_suspended > 0 {
            return Ok(g);
        }
        self.switch_context(g, me)
    }

    /// Marks `id` deleted; `me` deleting itself hands the token on.
    pub fn delete(&self, g: &mut State, id: TaskId) {
        unlist(g, id);
        let prio = g.tasks[id].prio as usize;
        g.ready[prio].remove(id);
        let t = &mut g.tasks[id];
        t.state = TState::Deleted;
        t.killed = true;
        t.wake_at = None;
        // A critical section dies with its task (native threads waiting to
        // enter theirs go on).
        t.critical = 0;
        if g.running == Some(id) {
            g.running = None;
            g.switch_pending = false;
            self.select(g);
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

/// `prvAddTaskToReadyList`: makes `id` ready, at the end of its priority's
/// round. A task already ready (or running) stays where it is.
pub(crate) fn make_ready(st: &mut State, id: TaskId) {
    unlist(st, id);
    let t = &mut st.tasks[id];
    t.wake_at = None;
    if matches!(t.state, TState::Ready | TState::Running) {
        return;
    }
    t.state = TState::Ready;
    let p = t.prio as usize;
    st.ready[p].insert_end(id);
}

/// Takes `id` out of the ready lists and waits (`vTaskSuspend`).
pub(crate) fn suspend(st: &mut State, id: TaskId) {
    unlist(st, id);
    let p = st.tasks[id].prio as usize;
    st.ready[p].remove(id);
    let t = &mut st.tasks[id];
    t.state = TState::Suspended;
    t.wake_at = None;
}

/// Changes the priority `id` runs at, moving it between ready lists as
/// `vTaskPrioritySet` and priority inheritance do.
pub(crate) fn set_prio(st: &mut State, id: TaskId, prio: u32) {
    let old = st.tasks[id].prio;
    if old == prio {
        return;
    }
    st.tasks[id].prio = prio;
    if st.ready[old as usize].contains(id) {
        st.ready[old as usize].remove(id);
        st.ready[prio as usize].insert_end(id);
    }
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

/// The highest priority with a ready task (IDLE counts at 0).
pub(crate) fn top_ready(st: &State) -> Option<u32> {
    (0..=MAX_PRIORITIES).rev().find(|&p| {
        st.ready[p as usize]
            .iter()
            .any(|t| st.tasks[t].state == TState::Ready)
    })
}

fn idle_of(st: &State) -> TaskId {
    st.idle
}

pub(crate) fn earliest_deadline(st: &State) -> Option<u64> {
    st.tasks
        .iter()
        .filter(|t| t.state == TState::Blocked)
        .filter_map(|t| t.wake_at)
        .min()
}

/// Wakes every task whose timeout passed, earliest first; returns the
/// highest priority woken.
pub(crate) fn wake_expired(st: &mut State, now: u64) -> Option<u32> {
    let mut due: Vec<(u64, u64, TaskId)> = st
        .tasks
        .iter()
        .enumerate()
        .filter(|(_, t)| t.state == TState::Blocked)
        .filter_map(|(i, t)| t.wake_at.filter(|&w| w <= now).map(|w| (w, t.block_seq, i)))
        .collect();
    due.sort_unstable();
    let mut top = None;
    for (_, _, id) in due {
        st.tasks[id].timed_out = true;
        make_ready(st, id);
        top = top.max(Some(st.tasks[id].prio));
    }
    top
}

/// Wakes the service task `id` if it is blocked (its work list changed).
pub(crate) fn kick(st: &mut State, id: TaskId) {
    if st.tasks.get(id).is_some_and(|t| t.state == TState::Blocked) {
        st.tasks[id].timed_out = false;
        make_ready(st, id);
    }
}
