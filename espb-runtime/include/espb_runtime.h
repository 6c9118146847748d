/*
 * espb_runtime.h — the espb runtime's C API, for firmware written in C.
 *
 * (Scripts include a different header, `espb.h`, for JIT_HOT: this one is
 * only for the firmware that loads and runs modules.)
 *
 * The firmware hands the runtime its own functions once, as real addresses
 * (`espb_register_natives`, usually with the table `cargo espb build`
 * generates: build the project's modules, and the firmware links exactly the
 * functions they call). A module then calls them with no glue code: the
 * runtime checks and translates pointers into module memory, out-parameters,
 * callbacks (a module function passed to a native becomes a real C function
 * pointer) and variadic calls from the module's FFI metadata.
 *
 * Build: the ESP-IDF component of the `cargo espb new` template builds the
 * static library for the right target. By hand, on a PC:
 *     cargo rustc -p espb-runtime --release --lib --features capi,ffi --crate-type staticlib
 * and link target/release/libespb_runtime.a with -lffi -lpthread -ldl -lm.
 *
 * Threading: every function may be called from any task/thread; one
 * instance may run on several tasks at once (the module's own tasks).
 * Errors: every function that can fail returns an esp_err_t and leaves a
 * message for `espb_last_error()` (per task).
 */
#ifndef ESPB_RUNTIME_H
#define ESPB_RUNTIME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#if defined(ESP_PLATFORM)
#include "esp_err.h"
#else
/* The same codes as ESP-IDF's esp_err.h, for embedding on a PC. */
typedef int esp_err_t;
#ifndef ESP_OK
#define ESP_OK 0
#define ESP_FAIL -1
#define ESP_ERR_NO_MEM 0x101
#define ESP_ERR_INVALID_ARG 0x102
#define ESP_ERR_INVALID_STATE 0x103
#define ESP_ERR_INVALID_SIZE 0x104
#define ESP_ERR_NOT_FOUND 0x105
#define ESP_ERR_NOT_SUPPORTED 0x106
#define ESP_ERR_TIMEOUT 0x107
#define ESP_ERR_INVALID_RESPONSE 0x108
#define ESP_ERR_INVALID_CRC 0x109
#define ESP_ERR_INVALID_VERSION 0x10A
#endif
#endif

#ifdef __cplusplus
extern "C" {
#endif

/* espb's own error codes (beside ESP-IDF's generic ones). */
#define ESPB_ERR_BASE 0xE5B00
#define ESPB_ERR_INVALID_MODULE (ESPB_ERR_BASE + 1) /* malformed or hostile module bytes */
#define ESPB_ERR_LINK (ESPB_ERR_BASE + 2)           /* an import the firmware lacks, a table mismatch, bad FFI metadata */
#define ESPB_ERR_TRAP (ESPB_ERR_BASE + 3)           /* module code trapped; espb_last_error() says where */
#define ESPB_ERR_EXIT (ESPB_ERR_BASE + 4)           /* the module called exit(n): n is in the result */

typedef struct espb_instance espb_instance_t;

typedef enum { ESPB_I32 = 0, ESPB_I64 = 1, ESPB_F32 = 2, ESPB_F64 = 3, ESPB_VOID = 4 } espb_type_t;

typedef struct {
    espb_type_t type;
    union {
        int32_t i32;
        int64_t i64;
        float f32;
        double f64;
    } v;
} espb_value_t;

/* ---- Natives: the firmware's own functions ------------------------------ */

/*
 * One native function. `addr` is the function itself (`(const void *)&f`).
 * An entry whose `addr` is NULL is not in this firmware: `provider` then
 * says what would provide it ("component nvs_flash", "CONFIG_X"), and a
 * module importing it fails to load with that in the message. A NULL-address
 * entry whose name ends in `*` matches every name with that prefix (e.g.
 * `{"nvs_*", NULL, "component nvs_flash"}`), which explains functions the
 * table does not list at all.
 */
typedef struct {
    const char *name;
    const void *addr;
    const char *provider;
} espb_native_t;

/*
 * A table of natives. `symtab == NULL`: natives by name. Otherwise a
 * fast-symbol table (docs/symtab.md): `natives[i]` is slot i, `symtab_hash`
 * its hash, and every slot's name must be given (NULL address: configured
 * out); modules built against another version of the table are refused.
 */
typedef struct {
    const char *symtab;
    uint64_t symtab_hash;
    const espb_native_t *natives;
    size_t count;
} espb_native_table_t;

/*
 * Registers natives for modules loaded afterwards (names are copied). By-name
 * natives add to (and replace) earlier ones; a fast-symbol table replaces the
 * table of the same name. Needs the runtime's `ffi` feature (the template's
 * component enables it): ESP_ERR_NOT_SUPPORTED otherwise.
 */
esp_err_t espb_register_natives(const espb_native_table_t *tables, size_t count);

/*
 * A native written against the runtime's register ABI instead of C's: it
 * receives the call's argument registers (an i32/pointer/float in the low
 * 32 bits; a pointer is a module address, see docs/abi.md) and writes the
 * result register. Return 0 on success, non-zero to trap the module. Rarely
 * needed: plain C functions go through espb_register_natives.
 */
typedef int (*espb_raw_native_fn)(void *user, const uint64_t *args, size_t nargs, uint64_t *result);
esp_err_t espb_register_raw_native(const char *name, espb_raw_native_fn fn, void *user);

/* ---- Modules --------------------------------------------------------------- */

/* Limits; zero fields take the defaults. */
typedef struct {
    uint32_t heap_size;      /* bytes of module heap; 0: what the module asks for */
    uint32_t stack_size;     /* shadow stack per task in the module; 0: the module's */
    uint32_t max_tasks;      /* tasks inside the module at once (its own tasks, timer
                                and esp_timer callbacks, callers); 0: 8 */
    uint32_t max_call_depth; /* 0: 10000 */
    uint64_t fuel;           /* instructions before the module traps; 0: unlimited */
} espb_config_t;

/* Parses and validates a module without instantiating it (a cheap check of
 * an image before choosing it). */
esp_err_t espb_check(const uint8_t *bytes, size_t len);

/*
 * Loads and instantiates a module, resolving its imports against the
 * registered natives and the runtime's own libc (malloc, string.h, printf,
 * ... on module memory). `bytes` are NOT copied: they must stay valid and
 * unchanged until espb_unload (flash-mapped or .rodata; the bytecode runs
 * where it lies). `config` may be NULL. A module importing a function the
 * firmware does not carry fails with ESPB_ERR_LINK naming it and what
 * provides it.
 */
esp_err_t espb_load(const uint8_t *bytes, size_t len, const espb_config_t *config, espb_instance_t **out);

/*
 * Calls the exported function `func` on the calling task. `result` may be
 * NULL. ESPB_ERR_EXIT: the module called exit(n); n is in result->v.i32.
 */
esp_err_t espb_call(espb_instance_t *inst, const char *func, const espb_value_t *args, size_t nargs,
                    espb_value_t *result);

/*
 * Frees an instance. Refused with ESP_ERR_INVALID_STATE while module code
 * runs on any task (a module task blocked in vTaskDelay is running module
 * code): stop the module's tasks first. Callbacks that native code still
 * holds (timers, ISR handlers) stay safe to call afterwards: they return 0
 * without touching the freed module.
 */
esp_err_t espb_unload(espb_instance_t *inst);

/* Calls into `inst` that are in progress on any task right now. */
size_t espb_running(const espb_instance_t *inst);

/* The last error of this task, as text ("" if none). Valid until its next call. */
const char *espb_last_error(void);

/* Where the module's printf/puts output goes: C's stdout by default (so it
 * interleaves with the firmware's own printf and ESP_LOGx in order). */
typedef void (*espb_output_fn)(void *user, const char *bytes, size_t len);
void espb_set_output(espb_output_fn fn, void *user);

/*
 * A function the runtime calls before module code acts on the world outside
 * it (every native call, every write of output), from the task running it.
 * On ESP-IDF's linux target a task that the scheduler switched out keeps
 * running until its next kernel call (tasks are threads); the gate makes it
 * wait until it is the scheduled task again, as it always is on a chip
 * (espb_idf.c installs one there). NULL: no gate.
 */
typedef void (*espb_gate_fn)(void);
void espb_set_call_gate(espb_gate_fn gate);

/*
 * Module code that a native runs on its own — a FreeRTOS or esp_timer
 * callback, a native task — has no caller to return a trap to: the runtime
 * calls this handler at once, on the task that trapped, with the trap's text
 * (function, offset, C file:line, backtrace). The callback then returns 0 to
 * its native caller. espb_idf.c installs one that logs with ESP_LOGE.
 * NULL: none.
 */
typedef void (*espb_trap_fn)(const char *message);
void espb_set_trap_handler(espb_trap_fn handler);

#if defined(ESP_PLATFORM)
/* ---- ESP-IDF helpers (espb-runtime/idf/espb_idf.c) ------------------------- */

/* A module image: where the bytes are, where they came from. */
typedef struct {
    const uint8_t *bytes;
    size_t len;
    const char *origin;      /* "espb partition", "firmware image" */
    uint32_t mmap_handle;    /* esp_partition_mmap handle (0: none) */
} espb_image_t;

/*
 * The module in data partition `label` ("espb" when NULL), written by
 * `cargo espb flash --module-only`: an 8-byte magic "ESPBIMG1", the length,
 * a CRC-32, then the module. Mapped, not copied (esp_partition_mmap): the
 * bytecode runs from flash. ESP_ERR_NOT_FOUND: no such partition or it holds
 * no module; ESP_ERR_INVALID_CRC / ESP_ERR_INVALID_SIZE: a damaged or partly
 * written image; ESPB_ERR_INVALID_MODULE: an image whose module does not
 * validate. Release with espb_image_release once unloaded.
 */
esp_err_t espb_image_from_partition(const char *label, espb_image_t *out);

/* The module embedded at build time (`cargo espb build` writes it beside the
 * native table); ESP_ERR_NOT_FOUND when the firmware was built without one. */
esp_err_t espb_image_embedded(espb_image_t *out);

void espb_image_release(espb_image_t *image);

/* The natives `cargo espb build` generated for this project
 * (<output dir>/espb_natives.c): exactly the functions its modules import,
 * plus those espb.toml [firmware] keeps. */
extern const espb_native_table_t espb_firmware_natives[];
extern const size_t espb_firmware_natives_count;

/* Runs `func` (void func(void), e.g. "app_main") of `inst` in a FreeRTOS task
 * of its own; `on_done` (may be NULL) is called on that task when it returns,
 * with the call's result (ESP_OK, ESPB_ERR_TRAP, ESPB_ERR_EXIT + code). */
typedef void (*espb_done_fn)(espb_instance_t *inst, esp_err_t result, int32_t exit_code, void *user);
typedef struct {
    const char *task_name;   /* NULL: "espb" */
    uint32_t stack_depth;    /* as xTaskCreate's: bytes on the chips, StackType_t
                                (8-byte) words on the linux target; 0: 8192 */
    uint32_t priority;       /* 0: 1 */
    int core;                /* -1: any core */
    espb_done_fn on_done;
    void *user;
} espb_task_config_t;
esp_err_t espb_start(espb_instance_t *inst, const char *func, const espb_task_config_t *task);
#endif

#ifdef __cplusplus
}
#endif

#endif /* ESPB_RUNTIME_H */
