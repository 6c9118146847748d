// More tasks than the host allows: xTaskCreate fails like FreeRTOS out of
// memory, and the tasks that exist still run.
#include <stdio.h>
#include "freertos/FreeRTOS.h"
#include "freertos/task.h"

static int ran;
static void t(void *arg) { (void)arg; ran++; vTaskDelay(1); vTaskDelete(NULL); }

void app_main(void)
{
    int ok = 0, failed = 0;
    for (int i = 0; i < 10; i++) {
        if (xTaskCreate(t, "t", 1024, NULL, 1, NULL) == pdPASS)
            ok++;
        else
            failed++;
    }
    vTaskDelay(5);
    printf("ok=%d failed=%d ran=%d\n", ok, failed, ran);
}
