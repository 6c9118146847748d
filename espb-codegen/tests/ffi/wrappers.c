// Natives reached through the script's own helper functions, as at -O0
// where nothing is inlined: the analysis follows the helpers' parameters to
// what their callers pass.
#include <stdio.h>
#include "freertos/FreeRTOS.h"
#include "freertos/task.h"
#include "freertos/queue.h"

struct reading { int sensor; int value; };
static QueueHandle_t q;
static int shared = 42;

__attribute__((noinline)) static void start_task(TaskFunction_t fn, const char *name, void *arg)
{
    xTaskCreate(fn, name, 2048, arg, 5, NULL);
}

__attribute__((noinline)) static void post(const struct reading *r)
{
    xQueueSend(q, r, 0);
}

__attribute__((noinline)) static int fetch(struct reading *r)
{
    return xQueueReceive(q, r, portMAX_DELAY);
}

static void worker(void *arg)
{
    struct reading r = { 1, *(int *)arg };
    post(&r);
    vTaskDelete(NULL);
}

static void other(void *arg)
{
    (void)arg;
    struct reading r = { 2, 7 };
    post(&r);
    vTaskDelete(NULL);
}

void app_main(void)
{
    q = xQueueCreate(4, sizeof(struct reading));
    start_task(worker, "worker", &shared);
    start_task(other, "other", NULL);
    struct reading got;
    for (int i = 0; i < 2; i++)
        if (fetch(&got))
            printf("sensor %d value %d\n", got.sensor, got.value);
}
