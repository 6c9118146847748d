// FreeRTOS software timers: an auto-reload timer whose callback reads its ID
// and stops itself after 3 expiries, a one-shot timer, a period change.
#include <stdio.h>
#include "freertos/FreeRTOS.h"
#include "freertos/task.h"
#include "freertos/timers.h"

static int fired;

static void on_tick(TimerHandle_t t)
{
    int *id = (int *)pvTimerGetTimerID(t);
    fired++;
    printf("%s id=%d n=%d tick=%lu\n", pcTimerGetName(t), *id, fired, (unsigned long)xTaskGetTickCount());
    if (fired == 3) {
        xTimerStop(t, 0);
        printf("stopped active=%d\n", (int)xTimerIsTimerActive(t));
    }
}

static void once(TimerHandle_t t)
{
    printf("once tick=%lu id=%d\n", (unsigned long)xTaskGetTickCount(), (int)(intptr_t)pvTimerGetTimerID(t));
    xTimerDelete(t, 0);
}

static int ident = 42;

void app_main(void)
{
    TimerHandle_t t = xTimerCreate("blink", pdMS_TO_TICKS(250), pdTRUE, &ident, on_tick);
    TimerHandle_t o = xTimerCreate("one", pdMS_TO_TICKS(100), pdFALSE, (void *)7, once);
    printf("period=%lu active=%d\n", (unsigned long)xTimerGetPeriod(t), (int)xTimerIsTimerActive(t));
    xTimerStart(t, 0);
    xTimerStart(o, 0);
    vTaskDelay(pdMS_TO_TICKS(1000));
    xTimerChangePeriod(t, pdMS_TO_TICKS(50), 0);
    vTaskDelay(pdMS_TO_TICKS(120));
    xTimerStop(t, 0);
    printf("done fired=%d\n", fired);
}
