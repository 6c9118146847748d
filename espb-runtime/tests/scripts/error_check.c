// ESP_ERROR_CHECK on a failing call aborts with ESP-IDF's message.
#include <stdio.h>
#include "esp_err.h"
#include "esp_timer.h"

void app_main(void)
{
    printf("before\n");
    ESP_ERROR_CHECK(esp_timer_start_once(NULL, 10));
    printf("not reached\n");
}
