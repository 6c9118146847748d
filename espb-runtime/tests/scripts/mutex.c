// A mutex protecting a counter shared by three tasks that yield while
// holding it; a counting semaphore reports when all of them are done.
#include <stdio.h>
#include "freertos/FreeRTOS.h"
#include "freertos/task.h"
#include "freertos/semphr.h"

static SemaphoreHandle_t lock, done;
static volatile int counter;

static void worker(void *arg)
{
    int id = (int)(intptr_t)arg;
    for (int i = 0; i < 10; i++) {
        xSemaphoreTake(lock, portMAX_DELAY);
        int v = counter;
        vTaskDelay(1); /* another task runs while we hold the lock */
        counter = v + 1;
        xSemaphoreGive(lock);
    }
    printf("worker %d done\n", id);
    xSemaphoreGive(done);
    vTaskDelete(NULL);
}

void app_main(void)
{
    lock = xSemaphoreCreateMutex();
    done = xSemaphoreCreateCounting(3, 0);
    for (int i = 0; i < 3; i++)
        xTaskCreate(worker, "worker", 2048, (void *)(intptr_t)i, 2 + i, NULL);
    for (int i = 0; i < 3; i++)
        xSemaphoreTake(done, portMAX_DELAY);
    printf("counter=%d tick=%lu give_unheld=%d\n", counter, (unsigned long)xTaskGetTickCount(), (int)xSemaphoreGive(lock));
    SemaphoreHandle_t r = xSemaphoreCreateRecursiveMutex();
    printf("rec %d %d %d %d %d\n", (int)xSemaphoreTakeRecursive(r, 0), (int)xSemaphoreTakeRecursive(r, 0),
           (int)xSemaphoreGiveRecursive(r), (int)xSemaphoreGiveRecursive(r), (int)xSemaphoreGiveRecursive(r));
    SemaphoreHandle_t b = xSemaphoreCreateBinary();
    printf("bin %d %d %d %d\n", (int)xSemaphoreTake(b, 0), (int)xSemaphoreGive(b), (int)xSemaphoreGive(b), (int)xSemaphoreTake(b, 5));
    TickType_t t0 = xTaskGetTickCount();
    printf("timeout %d after %lu ticks\n", (int)xSemaphoreTake(b, 5), (unsigned long)(xTaskGetTickCount() - t0));
}
