//! Locks, atomics and `Arc` that are sound on every chip the runtime runs on.
//!
//! * With `std`: the OS mutex (fair under contention, sleeps instead of
//!   spinning) and the standard `Arc`.
//! * Without `std` (the firmware): a lock is a **critical section** of the
//!   `critical-section` crate, which the firmware implements once (on
//!   ESP-IDF: a portMUX spinlock taken with `vPortEnterCritical`, valid across
//!   both cores and in ISRs). A spin lock would be unsound here: a
//!   higher-priority FreeRTOS task spinning on a lock held by a preempted
//!   lower-priority task on the same core never lets it run again. The
//!   sections the runtime takes are short (heap bookkeeping, a context pool
//!   pop, a table lookup) and never call out of the runtime.
//! * Read-modify-write atomics come from `portable-atomic`: native
//!   instructions where the ISA has them (`A` extension, x86, Xtensa's
//!   `S32C1I`), a critical section on cores without compare-and-swap
//!   (ESP32-C3/C2, `riscv32imc`). Never an "assume single core" shortcut.
//! * 64-bit counters ([`U64Cell`]) are native atomics where the target has
//!   them and a value under a [`Lock`] elsewhere (all 32-bit chips).

#[cfg(target_has_atomic = "ptr")]
pub use alloc::sync::Arc;
#[cfg(not(target_has_atomic = "ptr"))]
pub use portable_atomic_util::Arc;

pub use portable_atomic::{AtomicBool, AtomicPtr, AtomicU32, AtomicUsize};

#[cfg(feature = "std")]
mod imp {
    pub struct Lock<T>(std::sync::Mutex<T>);
    pub type Guard<'a, T> = std::sync::MutexGuard<'a, T>;

    impl<T> Lock<T> {
        pub const fn new(v: T) -> Lock<T> {
            Lock(std::sync::Mutex::new(v))
        }
        pub fn lock(&self) -> Guard<'_, T> {
            // A panic while holding the lock cannot leave the protected
            // bookkeeping half-updated in a way that matters more than losing
            // the instance, so poisoning is ignored.
            self.0.lock().unwrap_or_else(|e| e.into_inner())
        }
    }
}

#[cfg(not(feature = "std"))]
mod imp {
    use core::cell::UnsafeCell;
    use core::ops::{Deref, DerefMut};

    /// A value only touched inside a critical section.
    pub struct Lock<T> {
        value: UnsafeCell<T>,
        /// Set while a guard exists; only read and written inside the
        /// critical section. The firmware's critical section nests on one
        /// core, so without it a re-entrant `lock` would alias the value.
        held: UnsafeCell<bool>,
    }

    // SAFETY: the value is reachable only through a `Guard`; a guard exists
    // only inside a critical section, which excludes every other core and
    // interrupt handler, and `held` refuses a second guard on the same core.
    unsafe impl<T: Send> Sync for Lock<T> {}
    // SAFETY: moving the lock moves the value.
    unsafe impl<T: Send> Send for Lock<T> {}

    pub struct Guard<'a, T> {
        lock: &'a Lock<T>,
        restore: critical_section::RestoreState,
    }

    impl<T> Lock<T> {
        pub const fn new(v: T) -> Lock<T> {
            Lock {
                value: UnsafeCell::new(v),
                held: UnsafeCell::new(false),
            }
        }
        pub fn lock(&self) -> Guard<'_, T> {
            Guard {
                lock: self,
                restore: enter(&self.held),
            }
        }
    }

    impl<T> Deref for Guard<'_, T> {
        type Target = T;
        fn deref(&self) -> &T {
            // SAFETY: inside the critical section (see `Sync` above).
            unsafe { &*self.lock.value.get() }
        }
    }

    impl<T> DerefMut for Guard<'_, T> {
        fn deref_mut(&mut self) -> &mut T {
            // SAFETY: inside the critical section, through the one guard.
            unsafe { &mut *self.lock.value.get() }
        }
    }

    impl<T> Drop for Guard<'_, T> {
        fn drop(&mut self) {
            leave(&self.lock.held, self.restore);
        }
    }

    /// Opens the critical section of a lock whose flag is `held`. Not
    /// generic and not inlined: every lock site (dozens, one per `T` and
    /// place) is then two calls, not the section, the check and its panic
    /// message each time.
    #[inline(never)]
    fn enter(held: &UnsafeCell<bool>) -> critical_section::RestoreState {
        // SAFETY: the matching `release` runs in `leave` (from
        // `Guard::drop`) with the state returned here; guards are scoped, so
        // sections close in LIFO order.
        let restore = unsafe { critical_section::acquire() };
        // SAFETY: `held` is only accessed inside the critical section.
        let held = unsafe { &mut *held.get() };
        // A runtime bug, never reachable from module code: no lock is
        // taken while the same lock is held.
        assert!(!*held, "espb: lock re-entered");
        *held = true;
        restore
    }

    /// Closes the section `enter` opened.
    #[inline(never)]
    fn leave(held: &UnsafeCell<bool>, restore: critical_section::RestoreState) {
        // SAFETY: still inside the section `enter` opened.
        unsafe { *held.get() = false };
        // SAFETY: `restore` came from the `acquire` of that `enter`.
        unsafe { critical_section::release(restore) }
    }
}

pub use imp::Lock;

impl<T: Default> Default for Lock<T> {
    fn default() -> Lock<T> {
        Lock::new(T::default())
    }
}

impl<T> core::fmt::Debug for Lock<T> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("Lock(..)")
    }
}

/// A shared 64-bit counter (fuel, the `rand` state).
#[derive(Debug)]
pub struct U64Cell(imp64::Cell);

#[cfg(target_has_atomic = "64")]
mod imp64 {
    pub type Cell = core::sync::atomic::AtomicU64;
}

#[cfg(not(target_has_atomic = "64"))]
mod imp64 {
    pub type Cell = super::Lock<u64>;
}

impl U64Cell {
    pub const fn new(v: u64) -> U64Cell {
        U64Cell(imp64::Cell::new(v))
    }

    pub fn load(&self) -> u64 {
        #[cfg(target_has_atomic = "64")]
        return self.0.load(core::sync::atomic::Ordering::Relaxed);
        #[cfg(not(target_has_atomic = "64"))]
        return *self.0.lock();
    }

    #[cfg_attr(not(feature = "libc"), allow(dead_code))]
    pub fn store(&self, v: u64) {
        self.update(|_| Some(v));
    }

    pub fn fetch_add(&self, n: u64) -> u64 {
        self.update(|v| Some(v.wrapping_add(n))).unwrap_or(0)
    }

    /// Replaces the value with `f(value)` unless `f` returns `None`;
    /// returns the previous value on success.
    pub fn update(&self, f: impl FnMut(u64) -> Option<u64>) -> Option<u64> {
        #[cfg(target_has_atomic = "64")]
        {
            use core::sync::atomic::Ordering::Relaxed;
            self.0.fetch_update(Relaxed, Relaxed, f).ok()
        }
        #[cfg(not(target_has_atomic = "64"))]
        {
            let mut f = f;
            let mut g = self.0.lock();
            let old = *g;
            *g = f(old)?;
            Some(old)
        }
    }
}
