//! One lock type for the instance's bookkeeping: the OS mutex with `std`
//! (fair under contention, sleeps instead of spinning), a spin lock without.

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
    pub struct Lock<T>(spin::Mutex<T>);
    pub type Guard<'a, T> = spin::MutexGuard<'a, T>;

    impl<T> Lock<T> {
        pub const fn new(v: T) -> Lock<T> {
            Lock(spin::Mutex::new(v))
        }
        pub fn lock(&self) -> Guard<'_, T> {
            self.0.lock()
        }
    }
}

pub use imp::Lock;

impl<T: Default> Default for Lock<T> {
    fn default() -> Lock<T> {
        Lock::new(T::default())
    }
}

impl<T: core::fmt::Debug> core::fmt::Debug for Lock<T> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("Lock(..)")
    }
}
