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
    /* The module's app_main runs on this task, like a C app_main: it
     * returns once it has started its tasks and timers, which keep running
     * (so the instance stays loaded). */
    espb_value_t result;
    err = espb_call(inst, "app_main", NULL, 0, &result);
    if (err == ESPB_ERR_EXIT) {
        ESP_LOGI(TAG, "module exited with status %d", (int)result.v.i32);
#if CONFIG_IDF_TARGET_LINUX
        /* On the PC the firmware is a program: end it as `cargo espb run`
         * ends a run. */
        fflush(stdout);
        exit(result.v.i32);
#endif
    } else if (err != ESP_OK) {
        ESP_LOGE(TAG, "app_main: %s", espb_last_error());
    }
}
