// A task at the idle priority (0) that keeps computing shares the CPU with
// IDLE tick by tick (configIDLE_SHOULD_YIELD): IDLE still runs and feeds the
// task watchdog. At priority 1 the same task starves IDLE.
#include <stdint.h>
#include <stdio.h>
#include "esp_rom_sys.h"
#include "esp_timer.h"
#include "freertos/FreeRTOS.h"
#include "freertos/task.h"

static void spinner(void *arg)
{
    (void)arg;
    esp_rom_delay_us(6000000);
    printf("spun 6 s at priority %u\n", (unsigned)uxTaskPriorityGet(NULL));
    vTaskDelete(NULL);
}

void app_main(void)
{
    xTaskCreate(spinner, "spin0", 2048, NULL, 0, NULL);
    vTaskDelay(pdMS_TO_TICKS(6500));
    xTaskCreate(spinner, "spin1", 2048, NULL, 1, NULL);
}
