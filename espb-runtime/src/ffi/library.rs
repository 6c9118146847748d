//! Shared libraries (and the process itself) as a source of native
//! addresses, for embedders on an OS (`dlopen`/`dlsym`).

use std::ffi::{c_void, CString};
use std::format;
use std::string::{String, ToString};

/// A loaded shared library (or the process itself). Never unloaded: natives
/// and closures registered from it may be referenced for the process' life.
#[derive(Debug, Clone, Copy)]
pub struct Library(*mut c_void);

// SAFETY: a dlopen handle is a process-global token usable from any thread.
unsafe impl Send for Library {}
// SAFETY: as above.
unsafe impl Sync for Library {}

impl Library {
    /// Symbols already loaded in the process (libc, the runtime's binary).
    pub fn process() -> Library {
        Library(libc::RTLD_DEFAULT)
    }

    /// `dlopen(path, RTLD_NOW)`.
    pub fn open(path: &str) -> Result<Library, String> {
        let c = CString::new(path).map_err(|_| format!("{path:?}: NUL in path"))?;
        // SAFETY: `c` is a valid C string; dlopen has no other precondition.
        let h = unsafe { libc::dlopen(c.as_ptr(), libc::RTLD_NOW) };
        if h.is_null() {
            // SAFETY: dlerror returns NULL or a valid C string.
            let e = unsafe { libc::dlerror() };
            let msg = if e.is_null() {
                "unknown error".to_string()
            } else {
                // SAFETY: non-NULL dlerror result is a NUL-terminated string.
                unsafe { std::ffi::CStr::from_ptr(e) }
                    .to_string_lossy()
                    .into_owned()
            };
            return Err(format!("cannot load {path}: {msg}"));
        }
        Ok(Library(h))
    }

    /// The address of `name`, if the library defines it.
    pub fn symbol(&self, name: &str) -> Option<usize> {
        let c = CString::new(name).ok()?;
        // SAFETY: the handle is valid (never closed) and `c` a C string.
        let p = unsafe { libc::dlsym(self.0, c.as_ptr()) };
        (!p.is_null()).then_some(p as usize)
    }
}
