// Producer/consumer over a queue; the producer's handle comes back through
// an out-parameter and it gets its parameter through pvParameters.
#include <stdio.h>
#include "freertos/FreeRTOS.h"
#include "freertos/task.h"
#include "freertos/queue.h"

static QueueHandle_t q;

static void producer(void *arg)
{
    int base = *(int *)arg;
    for (int i = 0; i < 5; i++) {
        int v = base + i;
        xQueueSend(q, &v, portMAX_DELAY);
        printf("sent %d at %lu\n", v, (unsigned long)xTaskGetTickCount());
        vTaskDelay(pdMS_TO_TICKS(100));
    }
    vTaskDelete(NULL);
}

static void consumer(void *arg)
{
    (void)arg;
    for (int i = 0; i < 5; i++) {
        int v;
        if (xQueueReceive(q, &v, portMAX_DELAY) == pdTRUE)
            printf("got %d at %lu in %s\n", v, (unsigned long)xTaskGetTickCount(), pcTaskGetName(NULL));
    }
    printf("waiting=%u\n", (unsigned)uxQueueMessagesWaiting(q));
    vTaskDelete(NULL);
}

static int base = 100;

void app_main(void)
{
    q = xQueueCreate(4, sizeof(int));
    TaskHandle_t p = NULL;
    xTaskCreate(consumer, "cons", 2048, NULL, 5, NULL);
    BaseType_t ok = xTaskCreate(producer, "prod", 2048, &base, 4, &p);
    printf("created=%d handle=%s name=%s\n", (int)ok, p != NULL ? "set" : "null", pcTaskGetName(p));
}
