// A waiter that times out on a mutex takes its lent priority back.
#include <stdio.h>
#include "freertos/FreeRTOS.h"
#include "freertos/task.h"
#include "freertos/semphr.h"

static SemaphoreHandle_t m;
static TaskHandle_t low_h;

static void low(void *arg)
{
    (void)arg;
    xSemaphoreTake(m, portMAX_DELAY);
    vTaskDelay(10);
    printf("low prio after waiter timed out: %u\n", (unsigned)uxTaskPriorityGet(NULL));
    xSemaphoreGive(m);
    vTaskDelete(NULL);
}

static void high(void *arg)
{
    (void)arg;
    BaseType_t got = xSemaphoreTake(m, 3);
    printf("high got=%d at %lu, low prio now %u\n", (int)got, (unsigned long)xTaskGetTickCount(), (unsigned)uxTaskPriorityGet(low_h));
    vTaskDelete(NULL);
}

void app_main(void)
{
    m = xSemaphoreCreateMutex();
    xTaskCreate(low, "low", 2048, NULL, 2, &low_h);
    xTaskCreate(high, "high", 2048, NULL, 6, NULL);
    printf("while high waits: low prio %u\n", (unsigned)uxTaskPriorityGet(low_h));
}
