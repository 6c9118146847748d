// How a run ends: selected by argv[1].
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "esp_system.h"
#include "freertos/FreeRTOS.h"
#include "freertos/task.h"
#include "freertos/queue.h"

static QueueHandle_t q;
static void waiter(void *arg)
{
    (void)arg;
    int v;
    xQueueReceive(q, &v, portMAX_DELAY);
    vTaskDelete(NULL);
}

int main(int argc, char **argv)
{
    const char *mode = argc > 1 ? argv[1] : "";
    printf("mode %s\n", mode);
    if (!strcmp(mode, "blocked")) {
        q = xQueueCreate(1, sizeof(int));
        xTaskCreate(waiter, "waiter", 2048, NULL, 2, NULL);
        vTaskDelete(NULL); /* main ends without returning a status */
    }
    if (!strcmp(mode, "restart"))
        esp_restart();
    if (!strcmp(mode, "exit"))
        exit(3);
    if (!strcmp(mode, "abort"))
        abort();
    return 5;
}
