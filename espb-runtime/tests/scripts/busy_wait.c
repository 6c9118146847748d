// Busy-waiting on the clock (no blocking call) still ends in virtual time.
#include <stdio.h>
#include "esp_timer.h"
#include "freertos/FreeRTOS.h"
#include "freertos/task.h"

static void ticker(void *arg)
{
    (void)arg;
    vTaskDelay(3);
    printf("ticker ran at %lu\n", (unsigned long)xTaskGetTickCount());
    vTaskDelete(NULL);
}

void app_main(void)
{
    xTaskCreate(ticker, "ticker", 2048, NULL, 5, NULL);
    TickType_t t0 = xTaskGetTickCount();
    while (xTaskGetTickCount() - t0 < 5) {
    }
    int64_t us = esp_timer_get_time();
    while (esp_timer_get_time() - us < 2000) {
    }
    printf("busy waits done at tick %lu\n", (unsigned long)xTaskGetTickCount());
}
