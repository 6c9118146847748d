#pragma once
/* ESP-IDF's esp_cpu.h (esp_hw_support), the part scripts use. */
#include <stdint.h>
#ifdef __cplusplus
extern "C" {
#endif

typedef uint32_t esp_cpu_cycle_count_t;

/* CPU cycles (160 MHz on the host platform's ESP32-C3), wrapping at 32 bits. */
esp_cpu_cycle_count_t esp_cpu_get_cycle_count(void);

#ifdef __cplusplus
}
#endif
