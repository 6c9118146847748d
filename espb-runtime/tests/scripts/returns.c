// A task function that returns: ESP-IDF logs and aborts.
#include <stdio.h>
#include "freertos/FreeRTOS.h"
#include "freertos/task.h"

static void bad(void *arg) { printf("bad runs %d\n", *(int *)arg); }
static int v = 3;

void app_main(void)
{
    xTaskCreate(bad, "bad", 2048, &v, 3, NULL);
    printf("unreachable\n");
}
