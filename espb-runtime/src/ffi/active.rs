//! The native calls in progress, per task. A callback that native code
//! makes during such a call (`qsort`'s comparator) runs on the same task:
//! its trap is delivered to that call, and native pointers into the call's
//! native copies of module data map back to the module addresses they
//! mirror.

use alloc::boxed::Box;
use alloc::vec::Vec;

use crate::sync::Lock;
use crate::trap::Trap;

/// A native copy of module bytes `[addr, addr + len)` at host address
/// `start` (a struct rebuilt in native layout).
#[derive(Clone, Copy, Debug)]
pub(crate) struct Region {
    pub start: usize,
    pub len: usize,
    pub addr: u32,
}

struct ActiveCall {
    task: usize,
    /// Boxed: a trap is large and rare, and every native call moves this.
    pending: Option<Box<Trap>>,
    regions: Vec<Region>,
}

#[derive(Default)]
pub(crate) struct ActiveCalls(Lock<Vec<ActiveCall>>);

impl ActiveCalls {
    /// A native call starts on `task`.
    pub fn begin(&self, task: usize, regions: Vec<Region>) {
        self.0.lock().push(ActiveCall {
            task,
            pending: None,
            regions,
        });
    }

    /// The innermost native call of `task` returned: the trap a callback
    /// raised meanwhile, if any.
    pub fn end(&self, task: usize) -> Option<Box<Trap>> {
        let mut v = self.0.lock();
        let i = v.iter().rposition(|c| c.task == task)?;
        v.remove(i).pending
    }

    /// Hands `trap` to the innermost native call in progress on `task`;
    /// false when there is none (a callback from a native task of its own).
    pub fn deliver(&self, task: usize, trap: &Trap) -> bool {
        let mut v = self.0.lock();
        match v.iter_mut().rev().find(|c| c.task == task) {
            Some(c) => {
                if c.pending.is_none() {
                    c.pending = Some(Box::new(trap.clone()));
                }
                true
            }
            None => false,
        }
    }

    /// Whether a native call is in progress on `task`.
    pub fn has(&self, task: usize) -> bool {
        self.0.lock().iter().any(|c| c.task == task)
    }

    /// The module address a native pointer into a native copy designates.
    pub fn mirror(&self, p: usize) -> Option<u32> {
        let v = self.0.lock();
        v.iter().rev().flat_map(|c| c.regions.iter()).find_map(|r| {
            (p >= r.start && p < r.start + r.len).then(|| r.addr + (p - r.start) as u32)
        })
    }
}
