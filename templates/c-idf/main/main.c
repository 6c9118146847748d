/* {{name}} firmware: runs the espb module built from scripts/ (see README.md).
 *
 * The module's imports (FreeRTOS, esp_timer, NVS, ESP_LOGx, ...) are this
 * firmware's own functions, handed to the runtime once as the native table
 * `cargo espb build` generated: no glue is written per function. */
#include <stdio.h>
#include <stdlib.h>
#include "esp_log.h"
#include "sdkconfig.h"
#include "espb_runtime.h"

static const char *TAG = "{{name}}";

/* The module in the `espb` partition (written by `cargo espb flash
 * --module-only`) wins when it holds a valid module that this firmware can
 * run; otherwise the module embedded at build time. */
static espb_instance_t *load_module(void)
{
    espb_image_t image;
    espb_instance_t *inst = NULL;
    esp_err_t err = espb_image_from_partition("espb", &image);
    if (err == ESP_OK) {
        ESP_LOGI(TAG, "running the %u-byte module from the %s", (unsigned)image.len, image.origin);
        err = espb_load(image.bytes, image.len, NULL, &inst);
        if (err == ESP_OK) {
            return inst;
        }
        ESP_LOGE(TAG, "cannot run the partition's module: %s", espb_last_error());
        espb_image_release(&image);
    } else if (err != ESP_ERR_NOT_FOUND) {
        ESP_LOGW(TAG, "the espb partition holds a damaged module (%s)", esp_err_to_name(err));
    }
    if (espb_image_embedded(&image) != ESP_OK) {
        ESP_LOGE(TAG, "no module: run `cargo espb build`, then build the firmware again");
        return NULL;
    }
    ESP_LOGI(TAG, "running the %u-byte module from the %s", (unsigned)image.len, image.origin);
    err = espb_load(image.bytes, image.len, NULL, &inst);
    if (err != ESP_OK) {
        ESP_LOGE(TAG, "cannot run the embedded module: %s", espb_last_error());
        return NULL;
    }
    return inst;
}

/* Called on the module's task when its app_main returns or the module
 * calls exit(); not when it deletes its own task (vTaskDelete(NULL)). */
static void module_done(espb_instance_t *inst, esp_err_t err, int32_t exit_code, void *user)
{
    (void)inst;
    (void)user;
    if (err == ESPB_ERR_EXIT) {
        ESP_LOGI(TAG, "module exited with status %d", (int)exit_code);
#if CONFIG_IDF_TARGET_LINUX
        /* On the PC the firmware is a program: end it as `cargo espb run`
         * ends a run. */
        fflush(stdout);
        exit(exit_code);
#endif
    } else if (err != ESP_OK) {
        ESP_LOGE(TAG, "app_main: %s", espb_last_error());
    }
    /* Otherwise app_main returned after starting its tasks and timers, which
     * keep running: the instance stays loaded. */
}

void app_main(void)
{
    esp_err_t err = espb_register_natives(espb_firmware_natives, espb_firmware_natives_count);
    if (err != ESP_OK) {
        ESP_LOGE(TAG, "native table: %s", espb_last_error());
        return;
    }
    espb_instance_t *inst = load_module();
    if (inst == NULL) {
        return;
    }
    /* The module's app_main gets a task like ESP-IDF's main task (name,
     * priority, stack), which starts once this one has returned. */
    const espb_task_config_t task = {
        .task_name = "main",
        .stack_depth = CONFIG_ESP_MAIN_TASK_STACK_SIZE,
        .priority = 1,
        .core = -1,
        .on_done = module_done,
    };
    err = espb_start(inst, "app_main", &task);
    if (err != ESP_OK) {
        ESP_LOGE(TAG, "cannot start the module: %s", esp_err_to_name(err));
    }
}
