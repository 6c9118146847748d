/* {{name}} firmware: loads the espb module and runs its entry point
 * (`app_main` of scripts/main.c) with the espb runtime's C API (espb.h).
 * The module's imports (printf, FreeRTOS, esp_timer, ...) are resolved by
 * the runtime against the firmware's own functions; no glue is written per
 * function. */
#include <stdio.h>
#include "esp_log.h"
#include "espb.h"
#include "espb_loader.h"

static const char *TAG = "{{name}}";

void app_main(void)
{
    espb_module_image_t image;
    if (espb_find_module(&image) != ESP_OK) {
        ESP_LOGE(TAG, "no module to run");
        return;
    }
    ESP_LOGI(TAG, "loading %u-byte module from the %s", (unsigned)image.len, image.origin);

    /* The bytes are not copied: they stay in flash (or .rodata) and the
     * interpreter runs them in place. NULL config: the module's own memory
     * requests (espb.toml [memory]). */
    espb_instance *inst = espb_load(image.bytes, image.len, NULL);
    if (inst == NULL) {
        ESP_LOGE(TAG, "cannot load the module: %s", espb_last_error());
        return;
    }
    /* The module's app_main returns once it has started its tasks and
     * timers; they keep running on their own, so the instance stays loaded. */
    espb_value result;
    espb_status st = espb_call_by_name(inst, "app_main", NULL, 0, &result);
    if (st == ESPB_EXIT) {
        ESP_LOGI(TAG, "module exited with status %d", (int)result.v.i32);
        espb_unload(inst);
    } else if (st != ESPB_OK) {
        ESP_LOGE(TAG, "app_main failed: %s", espb_last_error());
        espb_unload(inst);
    }
}
