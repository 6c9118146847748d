/* {{name}} firmware: loads the espb module and runs its entry point
 * (`app_main` of scripts/main.c). Everything the scripts call (printf,
 * FreeRTOS, esp_timer, ...) is reached through the fast-symbol table the
 * runtime registers; no glue code is needed per function. */
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

    espb_module *module = espb_load(image.bytes, image.len);
    if (module == NULL) {
        ESP_LOGE(TAG, "cannot load the module: %s", espb_last_error());
        return;
    }
    /* The module's app_main returns once it has started its tasks and
     * timers; they keep running on their own, so the module stays loaded. */
    if (espb_call(module, "app_main") != 0) {
        ESP_LOGE(TAG, "app_main trapped: %s", espb_last_error());
        espb_unload(module);
    }
}
