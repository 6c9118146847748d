// Two tasks of equal priority: one computes for 2 s without ever blocking,
// the other prints every 100 ms. FreeRTOS' time slicing (configUSE_TIME_SLICING)
// gives the printer the CPU at the tick it wakes on, every time; the spinner
// still gets all the rest and finishes after 2 s. Then two pure loops (no call
// at all) of equal priority share the CPU tick by tick and finish together.
#include <stdio.h>
#include "esp_timer.h"
#include "freertos/FreeRTOS.h"
#include "freertos/task.h"

static volatile int spinning = 1;
static volatile unsigned long progress[2];
static TaskHandle_t main_task;

static void printer(void *arg)
{
    (void)arg;
    for (int i = 0; spinning; i++) {
        printf("printer %d at tick %lu\n", i, (unsigned long)xTaskGetTickCount());
        vTaskDelay(pdMS_TO_TICKS(100));
    }
    printf("printer saw the spinner finish\n");
    xTaskNotifyGive(main_task);
    vTaskDelete(NULL);
}

static void spinner(void *arg)
{
    (void)arg;
    int64_t start = esp_timer_get_time();
    unsigned long loops = 0;
    while (esp_timer_get_time() - start < 2000000)
        loops++;
    spinning = 0;
    printf("spinner done at tick %lu (%s)\n", (unsigned long)xTaskGetTickCount(),
           loops > 100000 ? "it kept the CPU between the printer's turns" : "starved");
    vTaskDelete(NULL);
}

static void looper(void *arg)
{
    int me = (int)(intptr_t)arg;
    for (volatile unsigned long i = 0; i < 300000; i++)
        progress[me]++;
    // Where the other looper got to when this one finished: round-robin
    // slices keep the two within a slice's worth of iterations.
    unsigned long other = progress[!me];
    printf("looper %d done at tick %lu, the other %s\n", me, (unsigned long)xTaskGetTickCount(),
           other > 250000 ? "nearly done too" : "far behind");
    xTaskNotifyGive(main_task);
    vTaskDelete(NULL);
}

void app_main(void)
{
    main_task = xTaskGetCurrentTaskHandle();
    xTaskCreate(printer, "printer", 2048, NULL, 3, NULL);
    xTaskCreate(spinner, "spinner", 2048, NULL, 3, NULL);
    ulTaskNotifyTake(pdTRUE, portMAX_DELAY);
    // Both must be ready before either runs: the first would otherwise
    // preempt main before it creates the second.
    vTaskSuspendAll();
    xTaskCreate(looper, "looper0", 2048, (void *)0, 3, NULL);
    xTaskCreate(looper, "looper1", 2048, (void *)1, 3, NULL);
    xTaskResumeAll();
    ulTaskNotifyTake(pdFALSE, portMAX_DELAY);
    ulTaskNotifyTake(pdFALSE, portMAX_DELAY);
    printf("main done\n");
}
