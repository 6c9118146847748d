// esp_log_writev through a va_list, and ESP-IDF v6's esp_log(config, ...).
#include <stdarg.h>
#include <stdint.h>
#include "esp_log.h"

static void my_log(const char *tag, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    esp_log_writev(ESP_LOG_WARN, tag, fmt, ap);
    va_end(ap);
}

void app_main(void)
{
    my_log("va", "W (%lu) %s: %d %s %lld %.1f\n", (unsigned long)esp_log_timestamp(), "va", 7, "seven", 7LL << 40, 7.5);
    esp_log(ESP_LOG_CONFIG_INIT(3), "v6", "I (%lu) %s: level %d\n", (unsigned long)esp_log_timestamp(), "v6", 3);
    esp_log(ESP_LOG_CONFIG_INIT(4), "v6", "D (%lu) %s: filtered\n", (unsigned long)esp_log_timestamp(), "v6");
}
