//! What the firmware supplies to the runtime, here for a single-threaded
//! Linux process under qemu-user: the allocator (picolibc's malloc), the
//! critical section, output streams, the native table, panics.

use core::alloc::{GlobalAlloc, Layout};
use core::ffi::{c_char, c_void, CStr};

use espb_runtime::format::msg;
use espb_runtime::format::msg::Sink;
use espb_runtime::Output;

extern "C" {
    fn malloc(n: usize) -> *mut c_void;
    fn free(p: *mut c_void);
    fn realloc(p: *mut c_void, n: usize) -> *mut c_void;
    fn memalign(align: usize, n: usize) -> *mut c_void;
    fn espb_out(p: *const c_char, n: usize);
    fn espb_err(p: *const c_char, n: usize);
    fn espb_exit(code: i32) -> !;
    fn espb_after_unload();
    fn espb_report_linear(n: usize);
}

/// Tells the C start-up the instance's linear-memory size, for its RAM
/// report (`c/glue.c`, `ESPB_HEAP_REPORT`).
pub fn report_linear(n: u32) {
    // SAFETY: a C function that stores its argument.
    unsafe { espb_report_linear(n as usize) }
}

/// Lets natives act after the instance is unloaded (`espb_after_unload`, a
/// weak no-op unless a native file defines it).
pub fn after_unload() {
    // SAFETY: a C function without arguments.
    unsafe { espb_after_unload() }
}

/// picolibc's malloc: the runtime's own memory (linear memory, contexts,
/// tables) comes from the native heap, as on a chip from `heap_caps_malloc`.
struct CAlloc;

/// malloc's alignment on rv32 (two words).
const MALLOC_ALIGN: usize = 8;

// SAFETY: malloc/realloc/memalign return blocks of at least the requested
// size with the requested alignment, or NULL; free takes what they returned.
unsafe impl GlobalAlloc for CAlloc {
    unsafe fn alloc(&self, l: Layout) -> *mut u8 {
        // SAFETY: plain C allocation calls.
        unsafe {
            if l.align() <= MALLOC_ALIGN {
                malloc(l.size()) as *mut u8
            } else {
                memalign(l.align(), l.size()) as *mut u8
            }
        }
    }
    unsafe fn dealloc(&self, p: *mut u8, _: Layout) {
        // SAFETY: `p` came from `alloc`/`realloc` above.
        unsafe { free(p as *mut c_void) }
    }
    unsafe fn realloc(&self, p: *mut u8, l: Layout, new: usize) -> *mut u8 {
        if l.align() <= MALLOC_ALIGN {
            // SAFETY: `p` came from malloc with a small alignment.
            unsafe { realloc(p as *mut c_void, new) as *mut u8 }
        } else {
            // SAFETY: GlobalAlloc's default: allocate, copy, free.
            unsafe {
                let q = self.alloc(Layout::from_size_align_unchecked(new, l.align()));
                if !q.is_null() {
                    core::ptr::copy_nonoverlapping(p, q, l.size().min(new));
                    self.dealloc(p, l);
                }
                q
            }
        }
    }
}

#[global_allocator]
static ALLOC: CAlloc = CAlloc;

/// qemu-user runs this process on one thread and delivers no signals to
/// it: nothing can interleave with a critical section, so it needs no
/// instruction. (Firmware supplies a real one: on ESP-IDF a portMUX.)
struct SingleThread;
critical_section::set_impl!(SingleThread);

// SAFETY: see `SingleThread`: there is no concurrency to exclude.
unsafe impl critical_section::Impl for SingleThread {
    unsafe fn acquire() {}
    unsafe fn release(_: ()) {}
}

pub fn eprint(s: impl AsRef<[u8]>) {
    let s = s.as_ref();
    // SAFETY: a valid buffer of `s.len()` bytes.
    unsafe { espb_err(s.as_ptr() as *const c_char, s.len()) }
}

/// Module output into the C stdout stream the natives' printf uses too.
pub fn stdout_sink() -> Output {
    Output::callback(|b: &[u8]| {
        // SAFETY: a valid buffer of `b.len()` bytes.
        unsafe { espb_out(b.as_ptr() as *const c_char, b.len()) }
    })
}

#[repr(C)]
struct NativeEntry {
    name: *const c_char,
    addr: usize,
}

extern "C" {
    static __start_espb_natives: NativeEntry;
    static __stop_espb_natives: NativeEntry;
}

/// The `ESPB_NATIVE` entries linked into the image.
pub fn native_table() -> impl Iterator<Item = (&'static str, usize)> {
    let start = core::ptr::addr_of!(__start_espb_natives);
    let end = core::ptr::addr_of!(__stop_espb_natives);
    let n = (end as usize - start as usize) / core::mem::size_of::<NativeEntry>();
    (0..n).filter_map(move |i| {
        // SAFETY: the linker script brackets the `espb_natives` section,
        // an array of `struct espb_native` (c/espb_native.h), with these
        // symbols.
        let e = unsafe { &*start.add(i) };
        // SAFETY: each name is a string literal.
        let name = unsafe { CStr::from_ptr(e.name) }.to_str().ok()?;
        Some((name, e.addr))
    })
}

/// Stderr as a message sink (no allocation: the panic handler uses it).
struct Stderr;

impl Sink for Stderr {
    fn put(&mut self, s: &str) {
        eprint(s);
    }
}

/// Where the runtime panicked: file, line and column, without the message.
/// Not `{info}`: printing the panic's `fmt::Arguments` is what links
/// `core::fmt::write` (with padding and the `Display` of every argument
/// type, several KB of the image), which nothing else in the device build
/// needs; the location finds the bug. (Reading the message only when it is
/// a plain string, `message().as_str()`, was tried: 52 bytes, and core's own
/// panics, the ones a runtime bug would hit, all carry arguments.)
#[panic_handler]
fn panic(info: &core::panic::PanicInfo<'_>) -> ! {
    let out: &mut dyn Sink = &mut Stderr;
    out.put("espb-qemu-runner: internal error: panicked");
    if let Some(l) = info.location() {
        msg!(out, " at {}:{}:{}", l.file(), l.line(), l.column());
    }
    out.put("\n");
    // SAFETY: flushes and exits the process.
    unsafe { espb_exit(134) }
}
