// The task watchdog as ESP-IDF sets it up (5 s, IDLE subscribed): a task
// that keeps the CPU (busy-waiting in 100 ms steps) starves IDLE and the
// watchdog reports it every 5 s. A subscribed task that resets in time is
// not named, but its resets alone do not restart the timer while IDLE
// starves.
#include <stdio.h>
#include "esp_rom_sys.h"
#include "esp_task_wdt.h"
#include "esp_timer.h"
#include "freertos/FreeRTOS.h"
#include "freertos/task.h"

static void spin_until(int64_t end, int reset)
{
    int64_t next = esp_timer_get_time();
    while (esp_timer_get_time() < end) {
        if (reset && esp_timer_get_time() >= next) {
            ESP_ERROR_CHECK(esp_task_wdt_reset());
            next += 1000000;
        }
        esp_rom_delay_us(100000);
    }
}

void app_main(void)
{
    printf("status %s\n", esp_err_to_name(esp_task_wdt_status(NULL)));
    printf("reset unsubscribed %s\n", esp_err_to_name(esp_task_wdt_reset()));
    ESP_ERROR_CHECK(esp_task_wdt_add(NULL));
    printf("add again %s, status %s\n", esp_err_to_name(esp_task_wdt_add(NULL)),
           esp_err_to_name(esp_task_wdt_status(NULL)));
    esp_task_wdt_config_t cfg = { .timeout_ms = 1000, .idle_core_mask = 1 };
    printf("init again %s\n", esp_err_to_name(esp_task_wdt_init(&cfg)));
    spin_until(12000000, 0);
    printf("resetting from 12 s\n");
    spin_until(18000000, 1);
    ESP_ERROR_CHECK(esp_task_wdt_delete(NULL));
    vTaskDelay(1); /* IDLE runs and feeds the watchdog */
    spin_until(22000000, 0);
    printf("done\n");
}
