//! Kernel objects the module holds handles to, and the per-run state that is
//! not a task.

use std::collections::{BTreeMap, VecDeque};

use super::kernel::TaskId;

/// `ucQueueType` of `xQueueGenericCreate`/`xQueueCreateMutex`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum QueueKind {
    Base,
    Mutex,
    Counting,
    Binary,
    Recursive,
}

impl QueueKind {
    pub fn from_u8(v: u32) -> Option<QueueKind> {
        Some(match v {
            0 => QueueKind::Base,
            1 => QueueKind::Mutex,
            2 => QueueKind::Counting,
            3 => QueueKind::Binary,
            4 => QueueKind::Recursive,
            _ => return None,
        })
    }
    pub fn is_mutex(self) -> bool {
        matches!(self, QueueKind::Mutex | QueueKind::Recursive)
    }
}

/// A FreeRTOS queue; semaphores and mutexes are queues of zero-size items
/// whose count is the number of "messages".
#[derive(Debug)]
pub(crate) struct Queue {
    pub kind: QueueKind,
    pub length: u32,
    pub item_size: u32,
    pub items: VecDeque<Vec<u8>>,
    /// Messages waiting when `item_size == 0`.
    pub count: u32,
    pub holder: Option<TaskId>,
    pub recursion: u32,
    pub waiting_send: Vec<TaskId>,
    pub waiting_recv: Vec<TaskId>,
}

impl Queue {
    pub fn new(kind: QueueKind, length: u32, item_size: u32, count: u32) -> Queue {
        Queue {
            kind,
            length,
            item_size,
            items: VecDeque::new(),
            count,
            holder: None,
            recursion: 0,
            waiting_send: Vec::new(),
            waiting_recv: Vec::new(),
        }
    }
    pub fn waiting(&self) -> u32 {
        if self.item_size == 0 {
            self.count
        } else {
            self.items.len() as u32
        }
    }
}

#[derive(Debug)]
pub(crate) struct EventWaiter {
    pub task: TaskId,
    pub bits: u32,
    pub clear_on_exit: bool,
    pub all: bool,
}

#[derive(Debug, Default)]
pub(crate) struct EventGroup {
    pub bits: u32,
    pub waiters: Vec<EventWaiter>,
}

/// A FreeRTOS software timer.
#[derive(Debug)]
pub(crate) struct Timer {
    /// The module's name pointer (FreeRTOS keeps the pointer, not a copy).
    pub name: u32,
    pub period: u32,
    pub auto_reload: bool,
    pub id: u32,
    pub callback: u32,
    pub active: bool,
    /// Expiry tick (absolute, not wrapped).
    pub expiry: u64,
    /// Creation order: timers expiring on the same tick fire in this order.
    pub order: u64,
}

/// An `esp_timer`.
#[derive(Debug)]
pub(crate) struct EspTimer {
    pub callback: u32,
    pub arg: u32,
    pub skip_unhandled: bool,
    pub active: bool,
    /// Next alarm (µs) and period (0: one-shot).
    pub alarm: u64,
    pub period: u64,
    pub order: u64,
}

#[derive(Debug)]
pub(crate) enum Obj {
    Task(TaskId),
    Queue(Queue),
    EventGroup(EventGroup),
    Timer(Timer),
    EspTimer(EspTimer),
    /// An open NVS handle.
    Nvs {
        namespace: Vec<u8>,
        writable: bool,
    },
}

impl Obj {
    /// Removes `task` from every waiting list of this object.
    pub fn unlist(&mut self, task: TaskId) {
        match self {
            Obj::Queue(q) => {
                q.waiting_send.retain(|&t| t != task);
                q.waiting_recv.retain(|&t| t != task);
            }
            Obj::EventGroup(e) => e.waiters.retain(|w| w.task != task),
            _ => {}
        }
    }

    pub fn kind_name(&self) -> &'static str {
        match self {
            Obj::Task(_) => "task",
            Obj::Queue(_) => "queue",
            Obj::EventGroup(_) => "event group",
            Obj::Timer(_) => "timer",
            Obj::EspTimer(_) => "esp_timer",
            Obj::Nvs { .. } => "NVS handle",
        }
    }
}

/// One simulated GPIO pin.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Pin {
    pub mode: u32,
    pub out_level: bool,
    /// Level driven from outside (tests, `HostHandle::drive`), if any.
    pub driven: Option<bool>,
    pub pull_up: bool,
    pub pull_down: bool,
    pub intr_type: u32,
    pub intr_enabled: bool,
    /// (module function reference, argument) of the ISR handler.
    pub isr: Option<(u32, u32)>,
    /// The level last seen by the edge detector.
    pub last_level: bool,
}

/// A scheduled change of an input pin.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct GpioInput {
    /// When (µs since the start of the run).
    pub at_us: u64,
    pub pin: u32,
    pub level: bool,
}

/// Everything else a run keeps.
#[derive(Debug, Default)]
pub(crate) struct Extras {
    pub pins: Vec<Pin>,
    pub isr_service: bool,
    /// Pending input changes, by time.
    pub inputs: VecDeque<GpioInput>,
    /// ISR handlers to run: (function reference, argument).
    pub isr_queue: VecDeque<(u32, u32)>,
    /// Every change of a pin's level: (µs, pin, level).
    pub gpio_trace: Vec<(u64, u32, bool)>,
    /// `esp_log_level_set`: tag → level; `*` is the default.
    pub log_levels: BTreeMap<Vec<u8>, u32>,
    /// Strings handed to the module (`esp_err_to_name`): text → address.
    pub strings: BTreeMap<Vec<u8>, u32>,
    pub timer_order: u64,
    /// NVS contents, its backing file and state.
    pub nvs: super::nvs::Store,
    pub nvs_file: Option<std::path::PathBuf>,
    pub nvs_ready: bool,
    pub nvs_namespaces: std::collections::BTreeSet<Vec<u8>>,
    pub rng: u64,
    /// The simulated flash chip (`esp_flash_*`), created on first use.
    pub flash: Option<Vec<u8>>,
    /// Open files, signal handlers (`files.rs`).
    pub files: super::files::Files,
}
