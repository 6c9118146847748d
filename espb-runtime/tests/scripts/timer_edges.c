// Odd but legal timer commands: a reference tick in the future, a huge
// esp_timer period.
#include <stdio.h>
#include "esp_timer.h"
#include "freertos/FreeRTOS.h"
#include "freertos/task.h"
#include "freertos/timers.h"

static void cb(TimerHandle_t t) { printf("fired at %lu\n", (unsigned long)xTaskGetTickCount()); }
static void ecb(void *arg) { printf("never\n"); }

void app_main(void)
{
    TimerHandle_t t = xTimerCreate("t", 5, pdFALSE, NULL, cb);
    /* Reference tick 20 ticks ahead of now: expiry 25. */
    xTimerGenericCommand(t, 1, xTaskGetTickCount() + 20, NULL, 0);
    esp_timer_handle_t h;
    esp_timer_create(&(esp_timer_create_args_t){ .callback = ecb, .name = "big" }, &h);
    printf("periodic huge: %s\n", esp_err_to_name(esp_timer_start_periodic(h, 0xffffffffffffff00ULL)));
    vTaskDelay(30);
    esp_timer_stop(h);
    printf("done at %lu\n", (unsigned long)xTaskGetTickCount());
}
