// A producer task created with a parameter and a handle out-parameter, and a
// consumer receiving into a local.
#include <stdio.h>
#include "freertos/FreeRTOS.h"
#include "freertos/task.h"
#include "freertos/queue.h"

struct msg { int id; int value; };

static QueueHandle_t q;

static void producer(void *arg)
{
    int base = *(int *)arg;
    for (int i = 0; i < 3; i++) {
        struct msg m = { i, base + i };
        xQueueSend(q, &m, portMAX_DELAY);
    }
    vTaskDelete(NULL);
}

static int base = 100;

void app_main(void)
{
    q = xQueueCreate(4, sizeof(struct msg));
    TaskHandle_t h;
    xTaskCreate(producer, "producer", 2048, &base, 5, &h);
    struct msg got;
    for (int i = 0; i < 3; i++) {
        if (xQueueReceive(q, &got, portMAX_DELAY) == pdTRUE)
            printf("got %d %d\n", got.id, got.value);
    }
    printf("task %s\n", h ? "created" : "missing");
}
