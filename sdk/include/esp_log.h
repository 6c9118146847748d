/* esp_log as in ESP-IDF v6 (CONFIG_LOG_VERSION_1, CONFIG_LOG_COLORS off,
 * CONFIG_LOG_TIMESTAMP_SOURCE_RTOS): ESP_LOGx expands to
 *   esp_log(ESP_LOG_CONFIG_INIT(level), tag, "L (%lu) tag: fmt\n", esp_log_timestamp(), tag, ...)
 * exactly as ESP-IDF's own esp_log.h does, so a script makes the same imports
 * with these headers as with ESP-IDF's. (ESP-IDF 5.x called esp_log_write;
 * the runtime's host platform serves both.) */
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
/* The log configuration word ESP-IDF v6 passes to esp_log(): the level in
 * the low 3 bits, option flags above (all clear for ESP_LOGx in log V1). */
typedef struct {
    union {
        struct {
            esp_log_level_t log_level : 3;
            uint32_t constrained_env : 1;
            uint32_t require_formatting : 1;
            uint32_t dis_color : 1;
            uint32_t dis_timestamp : 1;
            uint32_t binary_mode : 1;
            uint32_t reserved : 24;
        } opts;
        uint32_t data;
    };
} esp_log_config_t;

#define ESP_LOG_LEVEL_LEN 3
#define ESP_LOG_LEVEL_MASK ((1 << ESP_LOG_LEVEL_LEN) - 1)
#define ESP_LOG_GET_LEVEL(config) ((config) & ESP_LOG_LEVEL_MASK)
#define ESP_LOG_CONFIG_INIT(configs) ((esp_log_config_t){.data = (configs)})
#define ESP_LOG_ENABLED(configs) (LOG_LOCAL_LEVEL >= ESP_LOG_GET_LEVEL(configs))

void esp_log(esp_log_config_t config, const char *tag, const char *format, ...) __attribute__((format(printf, 3, 4)));
void esp_log_write(esp_log_level_t level, const char *tag, const char *format, ...) __attribute__((format(printf, 3, 4)));
void esp_log_writev(esp_log_level_t level, const char *tag, const char *format, va_list args);

#define LOG_FORMAT(letter, format) #letter " (%" PRIu32 ") %s: " format "\n"

#define ESP_LOG_LEVEL(configs, tag, format, ...) do {                                                            \
        if (ESP_LOG_GET_LEVEL(configs) == ESP_LOG_ERROR)        { esp_log(ESP_LOG_CONFIG_INIT(ESP_LOG_ERROR), tag, LOG_FORMAT(E, format), esp_log_timestamp(), tag, ##__VA_ARGS__); } \
        else if (ESP_LOG_GET_LEVEL(configs) == ESP_LOG_WARN)    { esp_log(ESP_LOG_CONFIG_INIT(ESP_LOG_WARN), tag, LOG_FORMAT(W, format), esp_log_timestamp(), tag, ##__VA_ARGS__); } \
        else if (ESP_LOG_GET_LEVEL(configs) == ESP_LOG_DEBUG)   { esp_log(ESP_LOG_CONFIG_INIT(ESP_LOG_DEBUG), tag, LOG_FORMAT(D, format), esp_log_timestamp(), tag, ##__VA_ARGS__); } \
        else if (ESP_LOG_GET_LEVEL(configs) == ESP_LOG_VERBOSE) { esp_log(ESP_LOG_CONFIG_INIT(ESP_LOG_VERBOSE), tag, LOG_FORMAT(V, format), esp_log_timestamp(), tag, ##__VA_ARGS__); } \
        else                                                    { esp_log(ESP_LOG_CONFIG_INIT(ESP_LOG_INFO), tag, LOG_FORMAT(I, format), esp_log_timestamp(), tag, ##__VA_ARGS__); } \
    } while (0)

#define ESP_LOG_LEVEL_LOCAL(configs, tag, format, ...) do {                                  \
        if (ESP_LOG_ENABLED(configs)) { ESP_LOG_LEVEL(configs, tag, format, ##__VA_ARGS__); } \
    } while (0)

#define ESP_LOGE(tag, format, ...) ESP_LOG_LEVEL_LOCAL(ESP_LOG_ERROR, tag, format, ##__VA_ARGS__)
#define ESP_LOGW(tag, format, ...) ESP_LOG_LEVEL_LOCAL(ESP_LOG_WARN, tag, format, ##__VA_ARGS__)
#define ESP_LOGI(tag, format, ...) ESP_LOG_LEVEL_LOCAL(ESP_LOG_INFO, tag, format, ##__VA_ARGS__)
#define ESP_LOGD(tag, format, ...) ESP_LOG_LEVEL_LOCAL(ESP_LOG_DEBUG, tag, format, ##__VA_ARGS__)
#define ESP_LOGV(tag, format, ...) ESP_LOG_LEVEL_LOCAL(ESP_LOG_VERBOSE, tag, format, ##__VA_ARGS__)

#define ESP_EARLY_LOGE(tag, format, ...) do { if (LOG_LOCAL_LEVEL >= ESP_LOG_ERROR) esp_rom_printf(LOG_FORMAT(E, format), esp_log_timestamp(), tag, ##__VA_ARGS__); } while (0)
#define ESP_EARLY_LOGW(tag, format, ...) do { if (LOG_LOCAL_LEVEL >= ESP_LOG_WARN) esp_rom_printf(LOG_FORMAT(W, format), esp_log_timestamp(), tag, ##__VA_ARGS__); } while (0)
#define ESP_EARLY_LOGI(tag, format, ...) do { if (LOG_LOCAL_LEVEL >= ESP_LOG_INFO) esp_rom_printf(LOG_FORMAT(I, format), esp_log_timestamp(), tag, ##__VA_ARGS__); } while (0)
#define ESP_EARLY_LOGD(tag, format, ...) do { if (LOG_LOCAL_LEVEL >= ESP_LOG_DEBUG) esp_rom_printf(LOG_FORMAT(D, format), esp_log_timestamp(), tag, ##__VA_ARGS__); } while (0)

#ifdef __cplusplus
}
#endif
