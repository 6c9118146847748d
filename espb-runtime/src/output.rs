//! Where a module's `printf`/`puts`/`putchar` output goes.

use crate::sync::Arc;
use alloc::vec::Vec;
use core::fmt;

use crate::sync::Lock;

/// A function receiving output bytes.
pub type WriteFn = dyn Fn(&[u8]) + Send + Sync;

/// An output sink, configurable per instance (`Config::output`).
#[derive(Clone, Default)]
pub enum Output {
    /// The process's standard output (with `std`).
    #[cfg_attr(feature = "std", default)]
    Stdout,
    /// The process's standard error (with `std`).
    Stderr,
    /// An in-memory buffer shared with the embedder (tests).
    Buffer(SharedBuffer),
    /// Every write is handed to this function.
    Callback(Arc<WriteFn>),
    /// Output is dropped.
    #[cfg_attr(not(feature = "std"), default)]
    Discard,
}

impl fmt::Debug for Output {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Output::Stdout => "Stdout",
            Output::Stderr => "Stderr",
            Output::Buffer(_) => "Buffer",
            Output::Callback(_) => "Callback",
            Output::Discard => "Discard",
        })
    }
}

impl Output {
    /// A fresh buffer sink and the handle to read it back.
    pub fn buffer() -> (Output, SharedBuffer) {
        let b = SharedBuffer::default();
        (Output::Buffer(b.clone()), b)
    }

    /// A sink that hands every write to `f`.
    pub fn callback(f: impl Fn(&[u8]) + Send + Sync + 'static) -> Output {
        Output::Callback(Arc::from(
            alloc::boxed::Box::new(f) as alloc::boxed::Box<WriteFn>
        ))
    }

    pub fn write(&self, bytes: &[u8]) {
        match self {
            Output::Stdout => {
                #[cfg(feature = "std")]
                {
                    use std::io::Write;
                    let mut out = std::io::stdout().lock();
                    // A closed stdout must not kill the module; C's printf
                    // reports such errors only through its return value.
                    let _ = out.write_all(bytes);
                    let _ = out.flush();
                }
            }
            Output::Stderr => {
                #[cfg(feature = "std")]
                {
                    use std::io::Write;
                    let _ = std::io::stderr().lock().write_all(bytes);
                }
            }
            Output::Buffer(b) => b.0.lock().extend_from_slice(bytes),
            Output::Callback(f) => f(bytes),
            Output::Discard => {}
        }
    }
}

/// A byte buffer shared between an instance's output and the embedder.
#[derive(Clone, Default)]
pub struct SharedBuffer(Arc<Lock<Vec<u8>>>);

impl SharedBuffer {
    pub fn contents(&self) -> Vec<u8> {
        self.0.lock().clone()
    }
    pub fn take(&self) -> Vec<u8> {
        core::mem::take(&mut *self.0.lock())
    }
    pub fn to_string_lossy(&self) -> alloc::string::String {
        alloc::string::String::from_utf8_lossy(&self.0.lock()).into_owned()
    }
}
