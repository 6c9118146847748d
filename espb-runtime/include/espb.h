/*
 * espb.h — embed the espb runtime in C firmware.
 *
 * Build the static library with
 *     cargo rustc -p espb-runtime --release --lib --features capi --crate-type staticlib
 * and link target/release/libespb_runtime.a (plus -lpthread -ldl -lm on a PC).
 *
 * Threading: every function may be called from any thread/task; one
 * instance may be called by several threads at once.
 */
#ifndef ESPB_H
#define ESPB_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct espb_instance espb_instance;

typedef enum {
    ESPB_OK = 0,
    ESPB_ERR_ARG = 1,         /* bad argument (NULL, unknown export, wrong types) */
    ESPB_ERR_PARSE = 2,       /* the module bytes are malformed */
    ESPB_ERR_INSTANTIATE = 3, /* unresolved import, symbol-table mismatch, start trapped */
    ESPB_ERR_TRAP = 4,        /* the call trapped; espb_last_error() says where */
    ESPB_EXIT = 5             /* the module called exit(n); n is in result->v.i32 */
} espb_status;

typedef enum { ESPB_I32 = 0, ESPB_I64 = 1, ESPB_F32 = 2, ESPB_F64 = 3, ESPB_VOID = 4 } espb_type;

typedef struct {
    espb_type type;
    union {
        int32_t i32;
        int64_t i64;
        float f32;
        double f64;
    } v;
} espb_value;

/*
 * A native function in the minimal symbol-table form: it receives the call's
 * argument registers (an i32/pointer/float in the low 32 bits; a pointer is a
 * module address, see docs/abi.md) and writes the result register. Return 0
 * on success, non-zero to trap the module.
 */
typedef int (*espb_native_fn)(void *user, const uint64_t *args, size_t nargs, uint64_t *result);

typedef struct {
    const char *name;   /* NULL or fn == NULL: slot configured out (keeps its index) */
    espb_native_fn fn;
    void *user;
} espb_symbol;

/* Limits; zero fields take the defaults. */
typedef struct {
    uint64_t fuel;          /* 0: unlimited */
    uint32_t heap_size;     /* 0: what the module asks for */
    uint32_t stack_size;    /* per execution context; 0: the module's */
    uint32_t max_contexts;  /* threads inside at once; 0: 4 */
    uint32_t max_call_depth;/* 0: 10000 */
} espb_config;

/*
 * Loads and instantiates a module. `bytes` are NOT copied: they must stay
 * valid and unchanged until espb_unload (e.g. a memory-mapped flash
 * partition). `config` may be NULL. Returns NULL on error (espb_last_error()).
 */
espb_instance *espb_load(const uint8_t *bytes, size_t len, const espb_config *config);

/*
 * Frees an instance. Waits for calls still running in it on other threads.
 * Must not be called from inside a call into the same instance.
 */
void espb_unload(espb_instance *inst);

/* Calls the exported function `name`. `result` may be NULL. */
espb_status espb_call_by_name(espb_instance *inst, const char *name, const espb_value *args, size_t nargs,
                              espb_value *result);

/* The last error of this thread, as text ("" if none). Valid until the next call. */
const char *espb_last_error(void);

/*
 * Registers a fast-symbol table for modules loaded afterwards: an ordered
 * list whose indices never move, `hash` identifying its version. A module
 * built against a table of the same name with another hash is refused.
 * Entries are copied (names too). Replaces a table of the same name.
 */
espb_status espb_register_symbol_table(const char *table, uint64_t hash, const espb_symbol *entries, size_t count);

/* Registers one native by name for modules loaded afterwards. */
espb_status espb_register_native(const char *name, espb_native_fn fn, void *user);

#ifdef __cplusplus
}
#endif

#endif /* ESPB_H */
