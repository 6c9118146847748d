// ESP_LOGx as ESP-IDF prints it, level filtering, esp_err_to_name, chip info.
#include <stdio.h>
#include <string.h>
#include "esp_log.h"
#include "esp_err.h"
#include "esp_chip_info.h"
#include "esp_system.h"
#include "freertos/FreeRTOS.h"
#include "freertos/task.h"

static const char *TAG = "demo";

void app_main(void)
{
    ESP_LOGI(TAG, "hello %d %s", 42, "world");
    vTaskDelay(pdMS_TO_TICKS(1230));
    ESP_LOGW(TAG, "warn %.2f", 3.14159);
    ESP_LOGE("other", "error %lld", (long long)-5);
    ESP_LOGD(TAG, "debug is compiled out at level INFO");
    esp_log_level_set(TAG, ESP_LOG_ERROR);
    ESP_LOGI(TAG, "filtered");
    ESP_LOGE(TAG, "still shown");
    esp_log_level_set("*", ESP_LOG_WARN);
    ESP_LOGI(TAG, "filtered again");
    ESP_LOGW(TAG, "shown at warn");
    printf("lvl %d\n", (int)esp_log_level_get("nobody"));
    printf("%s %s %s\n", esp_err_to_name(ESP_OK), esp_err_to_name(ESP_ERR_TIMEOUT), esp_err_to_name(1234));
    esp_chip_info_t info;
    esp_chip_info(&info);
    printf("model=%d cores=%d features=%#lx rev=%d\n", (int)info.model, info.cores, (unsigned long)info.features, info.revision);
    ESP_EARLY_LOGI(TAG, "early %d", 1);
    /* ESP-IDF v6 Log V2: esp_log adds the prefix (colour, timestamp, tag). */
    esp_log((esp_log_config_t){.data = ESP_LOG_WARN | (1 << 4) | (1 << 5)}, TAG, "v2 %d", 7);
    esp_log((esp_log_config_t){.data = ESP_LOG_WARN | (1 << 4) | (1 << 5) | (1 << 6)}, NULL, "v2 bare");
    esp_log((esp_log_config_t){.data = ESP_LOG_ERROR | (1 << 4)}, TAG, "v2 red");
    esp_log((esp_log_config_t){.data = ESP_LOG_INFO | (1 << 4)}, TAG, "v2 filtered");
    printf("heap_ok=%d\n", esp_get_free_heap_size() > 1000);
}
