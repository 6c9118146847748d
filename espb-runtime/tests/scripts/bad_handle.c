// Hostile use of handles: a made-up queue handle, then a deleted one.
#include <stdio.h>
#include <stdint.h>
#include "freertos/FreeRTOS.h"
#include "freertos/queue.h"

void app_main(void)
{
    int v = 1;
    QueueHandle_t q = xQueueCreate(2, sizeof(int));
    printf("zero-length %s\n", xQueueCreate(0, 4) == NULL ? "NULL" : "queue");
    vQueueDelete(q);
    printf("deleted\n");
    xQueueSend(q, &v, 0);
    printf("not reached\n");
}
