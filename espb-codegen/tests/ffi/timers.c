// A FreeRTOS software timer whose callback reads its ID.
#include <stdio.h>
#include "freertos/FreeRTOS.h"
#include "freertos/task.h"
#include "freertos/timers.h"

static int ticks;

static void on_tick(TimerHandle_t t)
{
    int *n = pvTimerGetTimerID(t);
    *n += 1;
}

void app_main(void)
{
    TimerHandle_t t = xTimerCreate("tick", pdMS_TO_TICKS(100), pdTRUE, &ticks, on_tick);
    xTimerStart(t, 0);
    vTaskDelay(pdMS_TO_TICKS(1050));
    xTimerStop(t, 0);
    printf("ticks %d\n", ticks);
}
