// Event groups (wait for all bits set by two tasks) and task notifications.
#include <stdio.h>
#include "freertos/FreeRTOS.h"
#include "freertos/task.h"
#include "freertos/event_groups.h"

#define BIT_A (1 << 0)
#define BIT_B (1 << 1)

static EventGroupHandle_t eg;
static TaskHandle_t waiter;

static void setter(void *arg)
{
    int bit = (int)(intptr_t)arg;
    vTaskDelay(bit == BIT_A ? 3 : 7);
    EventBits_t r = xEventGroupSetBits(eg, bit);
    printf("set %d -> %lu at %lu\n", bit, (unsigned long)r, (unsigned long)xTaskGetTickCount());
    vTaskDelete(NULL);
}

static void notified(void *arg)
{
    (void)arg;
    uint32_t n = ulTaskNotifyTake(pdTRUE, portMAX_DELAY);
    printf("take %lu at %lu\n", (unsigned long)n, (unsigned long)xTaskGetTickCount());
    uint32_t v = 0;
    BaseType_t ok = xTaskNotifyWait(0, 0xffffffff, &v, pdMS_TO_TICKS(200));
    printf("wait ok=%d v=%#lx at %lu\n", (int)ok, (unsigned long)v, (unsigned long)xTaskGetTickCount());
    ok = xTaskNotifyWait(0, 0, &v, 1);
    printf("wait ok=%d at %lu\n", (int)ok, (unsigned long)xTaskGetTickCount());
    ok = xTaskNotifyWait(0, 0, &v, 20);
    printf("wait ok=%d v=%#lx at %lu\n", (int)ok, (unsigned long)v, (unsigned long)xTaskGetTickCount());
    vTaskDelete(NULL);
}

void app_main(void)
{
    eg = xEventGroupCreate();
    xTaskCreate(setter, "a", 2048, (void *)BIT_A, 3, NULL);
    xTaskCreate(setter, "b", 2048, (void *)BIT_B, 3, NULL);
    EventBits_t bits = xEventGroupWaitBits(eg, BIT_A | BIT_B, pdTRUE, pdTRUE, portMAX_DELAY);
    printf("all bits %lu at %lu, left %lu\n", (unsigned long)bits, (unsigned long)xTaskGetTickCount(),
           (unsigned long)xEventGroupGetBits(eg));
    bits = xEventGroupWaitBits(eg, BIT_A, pdFALSE, pdFALSE, 4);
    printf("timeout bits %lu at %lu\n", (unsigned long)bits, (unsigned long)xTaskGetTickCount());

    xTaskCreate(notified, "n", 2048, NULL, 4, &waiter);
    vTaskDelay(2);
    xTaskNotifyGive(waiter);
    xTaskNotifyGive(waiter);
    vTaskDelay(2);
    xTaskNotify(waiter, 0xab, eSetBits);
    uint32_t prev = 1;
    TaskHandle_t me = xTaskGetCurrentTaskHandle();
    BaseType_t r1 = xTaskGenericNotify(me, 0, 0x10, eSetValueWithOverwrite, &prev);
    BaseType_t r2 = xTaskGenericNotify(me, 0, 0x20, eSetValueWithoutOverwrite, NULL);
    printf("self %d %d prev %#lx take %lu state %d\n", (int)r1, (int)r2, (unsigned long)prev,
           (unsigned long)ulTaskNotifyTake(pdTRUE, 0), (int)eTaskGetState(waiter));
    vTaskDelay(10);
    vEventGroupDelete(eg);
}
