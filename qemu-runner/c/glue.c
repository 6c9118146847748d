/* The runner's C side: Linux syscalls for qemu-user, picolibc's stdio streams
 * and TLS, and reading the module file. The interpreter itself is Rust
 * (src/main.rs: espb_runner_main). */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <malloc.h>
#include <picotls.h>

#define SYS_openat 56
#define SYS_close 57
#define SYS_read 63
#define SYS_write 64
#define SYS_exit_group 94
#define SYS_munmap 215
#define SYS_mmap 222 /* mmap2 on rv32: the offset is in pages */
#define AT_FDCWD -100

static long sys3(long n, long a, long b, long c) {
    register long a0 __asm__("a0") = a;
    register long a1 __asm__("a1") = b;
    register long a2 __asm__("a2") = c;
    register long a7 __asm__("a7") = n;
    __asm__ volatile("ecall" : "+r"(a0) : "r"(a1), "r"(a2), "r"(a7) : "memory");
    return a0;
}

static long sys4(long n, long a, long b, long c, long d) {
    register long a0 __asm__("a0") = a;
    register long a1 __asm__("a1") = b;
    register long a2 __asm__("a2") = c;
    register long a3 __asm__("a3") = d;
    register long a7 __asm__("a7") = n;
    __asm__ volatile("ecall" : "+r"(a0) : "r"(a1), "r"(a2), "r"(a3), "r"(a7) : "memory");
    return a0;
}

static long sys6(long n, long a, long b, long c, long d, long e, long f) {
    register long a0 __asm__("a0") = a;
    register long a1 __asm__("a1") = b;
    register long a2 __asm__("a2") = c;
    register long a3 __asm__("a3") = d;
    register long a4 __asm__("a4") = e;
    register long a5 __asm__("a5") = f;
    register long a7 __asm__("a7") = n;
    __asm__ volatile("ecall"
                     : "+r"(a0)
                     : "r"(a1), "r"(a2), "r"(a3), "r"(a4), "r"(a5), "r"(a7)
                     : "memory");
    return a0;
}

/* The JIT's executable memory (espb-runtime's jit::exec): an anonymous
 * read-write-execute mapping. One mapping serves both writing and running
 * (on ESP-IDF the firmware's hook uses heap_caps_malloc(MALLOC_CAP_EXEC)). */
void *espb_jit_exec_alloc(size_t size, void **write) {
    long p = sys6(SYS_mmap, 0, (long)size, 7 /* PROT_READ|WRITE|EXEC */,
                  0x22 /* MAP_PRIVATE|MAP_ANONYMOUS */, -1, 0);
    if (p < 0 && p > -4096) return NULL;
    *write = (void *)p;
    return (void *)p;
}

void espb_jit_exec_free(void *exec, size_t size) {
    sys3(SYS_munmap, (long)exec, (long)size, 0);
}

void _exit(int code) {
    for (;;) sys3(SYS_exit_group, code, 0, 0);
}

static void write_all(int fd, const char *p, size_t n) {
    while (n > 0) {
        long w = sys3(SYS_write, fd, (long)p, (long)n);
        if (w <= 0) return;
        p += w;
        n -= (size_t)w;
    }
}

/* stdout is buffered (one syscall per line would dominate under qemu) and
 * flushed before anything goes to stderr, so the two stay in order. */
static char out_buf[4096];
static size_t out_len;

static int out_flush(FILE *f) {
    (void)f;
    write_all(1, out_buf, out_len);
    out_len = 0;
    return 0;
}

static int out_put(char c, FILE *f) {
    out_buf[out_len++] = c;
    if (out_len == sizeof out_buf) out_flush(f);
    return (unsigned char)c;
}

static int err_put(char c, FILE *f) {
    (void)f;
    out_flush(NULL);
    write_all(2, &c, 1);
    return (unsigned char)c;
}

static int in_get(FILE *f) {
    (void)f;
    unsigned char c;
    return sys3(SYS_read, 0, (long)&c, 1) == 1 ? c : EOF;
}

static FILE espb_stdout = FDEV_SETUP_STREAM(out_put, NULL, out_flush, _FDEV_SETUP_WRITE);
static FILE espb_stderr = FDEV_SETUP_STREAM(err_put, NULL, NULL, _FDEV_SETUP_WRITE);
static FILE espb_stdin = FDEV_SETUP_STREAM(NULL, in_get, NULL, _FDEV_SETUP_READ);
FILE *const stdout = &espb_stdout;
FILE *const stderr = &espb_stderr;
FILE *const stdin = &espb_stdin;

/* Module output (the runtime's own printf/puts) goes through the same
 * stream as the natives' printf. */
void espb_out(const char *p, size_t n) {
    fwrite(p, 1, n, stdout);
}

void espb_err(const char *p, size_t n) {
    out_flush(NULL);
    write_all(2, p, n);
}

/* RAM accounting for `espb-benches --rv32` (ESPB_HEAP_REPORT=1 in the
 * environment): at exit one stderr line
 *   espb-heap <TAB> PEAK <TAB> FILE <TAB> LINEAR
 * PEAK is the heap's high-water mark (picolibc's malloc never gives memory
 * back to sbrk, so its arena is the most the process ever held), FILE the
 * module file's buffer (flash on a chip, not RAM), LINEAR the instance's
 * linear memory as the engine reported it (espb_report_linear). */
static int heap_report;
static size_t file_bytes, linear_bytes;

void espb_report_linear(size_t n) {
    linear_bytes = n;
}

static void put_num(size_t v, char end) {
    char b[24];
    int i = sizeof b;
    b[--i] = end;
    do {
        b[--i] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    write_all(2, b + i, sizeof b - (size_t)i);
}

void espb_exit(int code) {
    out_flush(NULL);
    if (heap_report) {
        write_all(2, "espb-heap\t", 10);
        put_num(mallinfo().arena, '\t');
        put_num(file_bytes, '\t');
        put_num(linear_bytes, '\n');
    }
    _exit(code);
}

/* Called after the instance is dropped; natives of a test may define it to
 * fire callbacks they still hold. */
__attribute__((weak)) void espb_after_unload(void) {}

static char tls_block[256] __attribute__((aligned(16)));
extern char __tls_size[];

static void die(const char *msg) {
    espb_err(msg, strlen(msg));
    espb_exit(2);
}
/* Reads a whole file (the module); the runtime then executes it in place, as
 * the device executes a module mapped from flash. NULL if it cannot. */
unsigned char *espb_read_file(const char *path, size_t *len) {
    long fd = sys4(SYS_openat, AT_FDCWD, (long)path, 0, 0);
    if (fd < 0) return NULL;
    size_t cap = 1 << 16, n = 0;
    unsigned char *buf = malloc(cap);
    for (;;) {
        if (buf == NULL) return NULL;
        if (n == cap) {
            cap *= 2;
            buf = realloc(buf, cap);
            continue;
        }
        long r = sys3(SYS_read, fd, (long)(buf + n), (long)(cap - n));
        if (r < 0) return NULL;
        if (r == 0) break;
        n += (size_t)r;
    }
    sys3(SYS_close, fd, 0, 0);
    *len = n;
    file_bytes = cap;
    return buf;
}

int espb_runner_main(int argc, char **argv);

void espb_c_start(uint32_t *sp0) {
    int argc = (int)sp0[0];
    char **argv = (char **)&sp0[1];
    for (char **e = argv + argc + 1; *e; e++)
        if (strcmp(*e, "ESPB_HEAP_REPORT=1") == 0) heap_report = 1;
    if ((size_t)__tls_size > sizeof tls_block) die("espb-qemu-runner: TLS block too small\n");
    _init_tls(tls_block);
    _set_tls(tls_block);
    espb_exit(espb_runner_main(argc - 1, argv + 1));
}
