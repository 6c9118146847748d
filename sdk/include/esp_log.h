/* esp_log as in ESP-IDF 5.x with CONFIG_LOG_COLORS off: ESP_LOGx expands to
 * esp_log_write(level, tag, "L (%lu) tag: fmt\n", esp_log_timestamp(), tag, ...). */
#pragma once
#include <stdint.h>
#include <stdarg.h>
#include <inttypes.h>
#include "sdkconfig.h"
#include "esp_rom_sys.h"
#ifdef __cplusplus
extern "C" {
#endif

typedef enum {
    ESP_LOG_NONE,
    ESP_LOG_ERROR,
    ESP_LOG_WARN,
    ESP_LOG_INFO,
    ESP_LOG_DEBUG,
    ESP_LOG_VERBOSE
} esp_log_level_t;

#ifndef LOG_LOCAL_LEVEL
#define LOG_LOCAL_LEVEL CONFIG_LOG_MAXIMUM_LEVEL
#endif

void esp_log_level_set(const char *tag, esp_log_level_t level);
esp_log_level_t esp_log_level_get(const char *tag);
uint32_t esp_log_timestamp(void);
uint32_t esp_log_early_timestamp(void);
void esp_log_write(esp_log_level_t level, const char *tag, const char *format, ...) __attribute__((format(printf, 3, 4)));
void esp_log_writev(esp_log_level_t level, const char *tag, const char *format, va_list args);

#define LOG_FORMAT(letter, format) #letter " (%" PRIu32 ") %s: " format "\n"

#define ESP_LOG_LEVEL(level, tag, format, ...) do {                                                              \
        if (level == ESP_LOG_ERROR)        { esp_log_write(ESP_LOG_ERROR, tag, LOG_FORMAT(E, format), esp_log_timestamp(), tag, ##__VA_ARGS__); } \
        else if (level == ESP_LOG_WARN)    { esp_log_write(ESP_LOG_WARN, tag, LOG_FORMAT(W, format), esp_log_timestamp(), tag, ##__VA_ARGS__); } \
        else if (level == ESP_LOG_DEBUG)   { esp_log_write(ESP_LOG_DEBUG, tag, LOG_FORMAT(D, format), esp_log_timestamp(), tag, ##__VA_ARGS__); } \
        else if (level == ESP_LOG_VERBOSE) { esp_log_write(ESP_LOG_VERBOSE, tag, LOG_FORMAT(V, format), esp_log_timestamp(), tag, ##__VA_ARGS__); } \
        else                               { esp_log_write(ESP_LOG_INFO, tag, LOG_FORMAT(I, format), esp_log_timestamp(), tag, ##__VA_ARGS__); } \
    } while (0)

#define ESP_LOG_LEVEL_LOCAL(level, tag, format, ...) do {                   \
        if (LOG_LOCAL_LEVEL >= level) ESP_LOG_LEVEL(level, tag, format, ##__VA_ARGS__); \
    } while (0)

#define ESP_LOGE(tag, format, ...) ESP_LOG_LEVEL_LOCAL(ESP_LOG_ERROR, tag, format, ##__VA_ARGS__)
#define ESP_LOGW(tag, format, ...) ESP_LOG_LEVEL_LOCAL(ESP_LOG_WARN, tag, format, ##__VA_ARGS__)
#define ESP_LOGI(tag, format, ...) ESP_LOG_LEVEL_LOCAL(ESP_LOG_INFO, tag, format, ##__VA_ARGS__)
#define ESP_LOGD(tag, format, ...) ESP_LOG_LEVEL_LOCAL(ESP_LOG_DEBUG, tag, format, ##__VA_ARGS__)
#define ESP_LOGV(tag, format, ...) ESP_LOG_LEVEL_LOCAL(ESP_LOG_VERBOSE, tag, format, ##__VA_ARGS__)

#define ESP_EARLY_LOGE(tag, format, ...) do { if (LOG_LOCAL_LEVEL >= ESP_LOG_ERROR) esp_rom_printf(LOG_FORMAT(E, format), esp_log_early_timestamp(), tag, ##__VA_ARGS__); } while (0)
#define ESP_EARLY_LOGW(tag, format, ...) do { if (LOG_LOCAL_LEVEL >= ESP_LOG_WARN) esp_rom_printf(LOG_FORMAT(W, format), esp_log_early_timestamp(), tag, ##__VA_ARGS__); } while (0)
#define ESP_EARLY_LOGI(tag, format, ...) do { if (LOG_LOCAL_LEVEL >= ESP_LOG_INFO) esp_rom_printf(LOG_FORMAT(I, format), esp_log_early_timestamp(), tag, ##__VA_ARGS__); } while (0)
#define ESP_EARLY_LOGD(tag, format, ...) do { if (LOG_LOCAL_LEVEL >= ESP_LOG_DEBUG) esp_rom_printf(LOG_FORMAT(D, format), esp_log_early_timestamp(), tag, ##__VA_ARGS__); } while (0)

#ifdef __cplusplus
}
#endif
