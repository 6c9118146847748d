#include <stdio.h>
#include "esp_timer.h"
#include "freertos/FreeRTOS.h"
#include "freertos/task.h"

static int fired;

static void on_timer(void *arg)
{
    int *counter = arg;
    *counter += 1;
}

void app_main(void)
{
    esp_timer_handle_t h;
    esp_timer_create(&(esp_timer_create_args_t){ .callback = on_timer, .arg = &fired, .name = "t" }, &h);
    esp_timer_start_periodic(h, 1000);
    vTaskDelay(10);
    esp_timer_stop(h);
    esp_timer_delete(h);
    printf("fired %d\n", fired);
}
