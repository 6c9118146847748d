/*
 * The ESP-IDF side of the espb runtime's C API (espb_runtime.h): finding a
 * module image (the `espb` data partition, or the one embedded at build
 * time) and running a module function in a FreeRTOS task of its own. The
 * rest of the API is the Rust static library. Compiled by the `espb_runtime`
 * component of the `cargo espb new` template.
 */
#include <string.h>
#include "esp_partition.h"
#include "esp_rom_crc.h"
#include "freertos/FreeRTOS.h"
#include "freertos/task.h"
#include "esp_log.h"
#include "sdkconfig.h"
#include "espb_runtime.h"

/* Partition image layout (cargo-espb/src/embed.rs): magic, length, CRC-32
 * (zlib's, as esp_rom_crc32_le(0, ...)), then the module. */
#define IMAGE_MAGIC "ESPBIMG1"
#define IMAGE_HEADER 16

/* Defined by the generated <output dir>/espb_module_blob.c, or by the
 * component's espb_no_module.c when the firmware is built without a module. */
extern const uint8_t espb_module_blob[];
extern const size_t espb_module_blob_len;

esp_err_t espb_image_embedded(espb_image_t *out)
{
    if (out == NULL) {
        return ESP_ERR_INVALID_ARG;
    }
    memset(out, 0, sizeof *out);
    if (espb_module_blob_len == 0) {
        return ESP_ERR_NOT_FOUND;
    }
    out->bytes = espb_module_blob;
    out->len = espb_module_blob_len;
    out->origin = "firmware image";
    return ESP_OK;
}

esp_err_t espb_image_from_partition(const char *label, espb_image_t *out)
{
    if (out == NULL) {
        return ESP_ERR_INVALID_ARG;
    }
    memset(out, 0, sizeof *out);
    const esp_partition_t *part =
        esp_partition_find_first(ESP_PARTITION_TYPE_DATA, ESP_PARTITION_SUBTYPE_ANY, label ? label : "espb");
    if (part == NULL) {
        return ESP_ERR_NOT_FOUND;
    }
    uint8_t header[IMAGE_HEADER];
    esp_err_t err = esp_partition_read(part, 0, header, sizeof header);
    if (err != ESP_OK) {
        return err;
    }
    if (memcmp(header, IMAGE_MAGIC, 8) != 0) {
        return ESP_ERR_NOT_FOUND; /* erased, or never written */
    }
    uint32_t len, crc;
    memcpy(&len, header + 8, 4);
    memcpy(&crc, header + 12, 4);
    if (len == 0 || len > part->size - IMAGE_HEADER) {
        return ESP_ERR_INVALID_SIZE;
    }
    /* Mapped, not copied: the interpreter runs the bytecode where it lies. */
    const void *mapped;
    esp_partition_mmap_handle_t handle;
    err = esp_partition_mmap(part, 0, IMAGE_HEADER + len, ESP_PARTITION_MMAP_DATA, &mapped, &handle);
    if (err != ESP_OK) {
        return err;
    }
    const uint8_t *bytes = (const uint8_t *)mapped + IMAGE_HEADER;
    if (esp_rom_crc32_le(0, bytes, len) != crc) {
        esp_partition_munmap(handle);
        return ESP_ERR_INVALID_CRC;
    }
    err = espb_check(bytes, len);
    if (err != ESP_OK) {
        esp_partition_munmap(handle);
        return err;
    }
    out->bytes = bytes;
    out->len = len;
    out->origin = "espb partition";
    out->mmap_handle = (uint32_t)handle;
    return ESP_OK;
}

void espb_image_release(espb_image_t *image)
{
    if (image != NULL && image->mmap_handle != 0) {
        esp_partition_munmap((esp_partition_mmap_handle_t)image->mmap_handle);
    }
    if (image != NULL) {
        memset(image, 0, sizeof *image);
    }
}

typedef struct {
    espb_instance_t *inst;
    char func[64];
    espb_done_fn on_done;
    void *user;
} start_args_t;

static void start_task(void *arg)
{
    start_args_t a = *(start_args_t *)arg;
    vPortFree(arg);
    espb_value_t result = {0};
    esp_err_t err = espb_call(a.inst, a.func, NULL, 0, &result);
    if (a.on_done != NULL) {
        a.on_done(a.inst, err, err == ESPB_ERR_EXIT ? result.v.i32 : 0, a.user);
    }
    vTaskDelete(NULL);
}

esp_err_t espb_start(espb_instance_t *inst, const char *func, const espb_task_config_t *task)
{
    if (inst == NULL || func == NULL || strlen(func) >= sizeof(((start_args_t *)0)->func)) {
        return ESP_ERR_INVALID_ARG;
    }
    start_args_t *a = pvPortMalloc(sizeof *a);
    if (a == NULL) {
        return ESP_ERR_NO_MEM;
    }
    a->inst = inst;
    strcpy(a->func, func);
    a->on_done = task ? task->on_done : NULL;
    a->user = task ? task->user : NULL;
    const char *name = task && task->task_name ? task->task_name : "espb";
    uint32_t depth = task && task->stack_depth ? task->stack_depth : 8192;
    UBaseType_t prio = task && task->priority ? task->priority : 1;
    BaseType_t core = task && task->core >= 0 ? task->core : tskNO_AFFINITY;
    if (xTaskCreatePinnedToCore(start_task, name, depth, a, prio, NULL, core) != pdPASS) {
        vPortFree(a);
        return ESP_ERR_NO_MEM;
    }
    return ESP_OK;
}

#if CONFIG_IDF_TARGET_LINUX
/* ESP-IDF's linux target runs each task on a thread and can only switch a
 * task out by scheduling another: the switched-out one runs on until its
 * next kernel call. Module code is interpreted (slower than C), so it is
 * often still running when a tick switches it out; if it then called, say,
 * vTaskDelay while the newly scheduled task holds the scheduler suspended,
 * FreeRTOS' assertion would fire, and its output could interleave with the
 * other task's. A critical section waits until the calling task is the
 * scheduled one (and takes a yield that became due meanwhile), which makes
 * the module see a single core, as on a chip. */
static void linux_gate(void)
{
    vPortEnterCritical();
    vPortExitCritical();
}

__attribute__((constructor)) static void install_linux_gate(void)
{
    espb_set_call_gate(linux_gate);
}
#endif

/* A trap in module code that a timer or a native task ran: nothing returns
 * it to the firmware, so it is logged where it happened. */
static void log_trap(const char *message)
{
    ESP_LOGE("espb", "callback trapped: %s", message);
}

__attribute__((constructor)) static void install_trap_handler(void)
{
    espb_set_trap_handler(log_trap);
}
