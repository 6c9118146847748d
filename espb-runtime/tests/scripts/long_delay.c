// Ten simulated minutes of periodic work: a 10 s delay loop in one task,
// xTaskDelayUntil in another.
#include <stdio.h>
#include <stdlib.h>
#include "freertos/FreeRTOS.h"
#include "freertos/task.h"
#include "esp_timer.h"

static void steady(void *arg)
{
    (void)arg;
    TickType_t last = xTaskGetTickCount();
    for (int i = 0; i < 4; i++) {
        vTaskDelayUntil(&last, pdMS_TO_TICKS(150000));
        printf("steady %d at %lu us=%lld\n", i, (unsigned long)last, (long long)esp_timer_get_time());
    }
    vTaskDelete(NULL);
}

void app_main(void)
{
    xTaskCreate(steady, "steady", 2048, NULL, 2, NULL);
    unsigned sum = 0;
    for (int i = 0; i < 60; i++) {
        vTaskDelay(pdMS_TO_TICKS(10000));
        sum += xTaskGetTickCount();
    }
    printf("sum=%u minutes=%lld\n", sum, (long long)(esp_timer_get_time() / 60000000));
}
