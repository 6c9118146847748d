/* esp_task_wdt.h: the task watchdog (TWDT), ESP-IDF v5 API. The host
 * platform initialises it at start-up as ESP-IDF does by default
 * (CONFIG_ESP_TASK_WDT_INIT, 5 s, the IDLE task subscribed, no panic). */
#pragma once
#include <stdbool.h>
#include <stdint.h>
#include "esp_err.h"
#include "freertos/FreeRTOS.h"
#include "freertos/task.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct {
    uint32_t timeout_ms;     /* TWDT timeout */
    uint32_t idle_core_mask; /* cores whose IDLE task is subscribed */
    bool trigger_panic;      /* abort on a timeout instead of printing */
} esp_task_wdt_config_t;

esp_err_t esp_task_wdt_init(const esp_task_wdt_config_t *config);
esp_err_t esp_task_wdt_reconfigure(const esp_task_wdt_config_t *config);
esp_err_t esp_task_wdt_deinit(void);
esp_err_t esp_task_wdt_add(TaskHandle_t task_handle);
esp_err_t esp_task_wdt_reset(void);
esp_err_t esp_task_wdt_delete(TaskHandle_t task_handle);
esp_err_t esp_task_wdt_status(TaskHandle_t task_handle);

#ifdef __cplusplus
}
#endif
