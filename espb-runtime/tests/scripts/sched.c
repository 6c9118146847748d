// Priority inheritance, critical sections deferring a switch, suspend/resume.
#include <stdio.h>
#include "freertos/FreeRTOS.h"
#include "freertos/task.h"
#include "freertos/semphr.h"

static SemaphoreHandle_t m;
static TaskHandle_t hi_task, sus_task;
static portMUX_TYPE mux = portMUX_INITIALIZER_UNLOCKED;

static void low(void *arg)
{
    (void)arg;
    xSemaphoreTake(m, portMAX_DELAY);
    vTaskDelay(5);
    printf("low holds, prio %u\n", (unsigned)uxTaskPriorityGet(NULL));
    xSemaphoreGive(m);
    printf("low gave, prio %u\n", (unsigned)uxTaskPriorityGet(NULL));
    vTaskDelete(NULL);
}

static void high(void *arg)
{
    (void)arg;
    xSemaphoreTake(m, portMAX_DELAY);
    printf("high got it at %lu\n", (unsigned long)xTaskGetTickCount());
    xSemaphoreGive(m);
    ulTaskNotifyTake(pdTRUE, portMAX_DELAY);
    printf("high notified\n");
    vTaskDelete(NULL);
}

static void sleeper(void *arg)
{
    (void)arg;
    for (int i = 0; ; i++) {
        printf("sleeper %d at %lu\n", i, (unsigned long)xTaskGetTickCount());
        vTaskDelay(10);
    }
}

void app_main(void)
{
    m = xSemaphoreCreateMutex();
    xTaskCreate(low, "low", 2048, NULL, 2, NULL);
    vTaskDelay(1);
    xTaskCreate(high, "high", 2048, NULL, 4, &hi_task);
    printf("main after high blocked, high state %d\n", (int)eTaskGetState(hi_task));
    vTaskDelay(10);
    taskENTER_CRITICAL(&mux);
    xTaskNotifyGive(hi_task);
    printf("in critical\n");
    taskEXIT_CRITICAL(&mux);
    printf("after critical\n");
    xTaskCreate(sleeper, "sleeper", 2048, NULL, 3, &sus_task);
    vTaskDelay(15);
    vTaskSuspend(sus_task);
    printf("suspended state %d\n", (int)eTaskGetState(sus_task));
    vTaskDelay(30);
    vTaskResume(sus_task);
    vTaskDelay(5);
    vTaskDelete(sus_task);
    printf("tasks %u\n", (unsigned)uxTaskGetNumberOfTasks());
}
