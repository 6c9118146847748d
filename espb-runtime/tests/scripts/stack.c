// uxTaskGetStackHighWaterMark reflects the stack a task really used.
#include <stdio.h>
#include <string.h>
#include "freertos/FreeRTOS.h"
#include "freertos/task.h"

static void deep(void *arg)
{
    char big[1000];
    snprintf(big, sizeof big, "%p", arg); /* the array must exist */
    UBaseType_t left = uxTaskGetStackHighWaterMark(NULL);
    printf("deep used>=1000: %d %d\n", 4096 - (int)left >= 1000, big[0] == '0');
    *(UBaseType_t *)arg = left;
    vTaskDelete(NULL);
}

void app_main(void)
{
    static UBaseType_t deep_left;
    xTaskCreate(deep, "deep", 4096, &deep_left, 5, NULL);
    UBaseType_t mine = uxTaskGetStackHighWaterMark(NULL);
    printf("main left<=3584: %d, deep left<main left: %d\n", mine <= 3584, deep_left < mine);
}
