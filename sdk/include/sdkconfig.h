/* sdkconfig.h as the bundled SDK sees it: ESP-IDF defaults for esp32c3 (see
 * shared IDF facts). A real ESP-IDF build generates this file from menuconfig;
 * `cargo espb build` uses that one when ESP-IDF is available. */
#pragma once
#define CONFIG_IDF_TARGET "esp32c3"
#define CONFIG_IDF_TARGET_ESP32C3 1
#define CONFIG_IDF_FIRMWARE_CHIP_ID 0x0005
#define CONFIG_FREERTOS_HZ 100
#define CONFIG_FREERTOS_UNICORE 1
#define CONFIG_FREERTOS_NUMBER_OF_CORES 1
#define CONFIG_FREERTOS_MAX_TASK_NAME_LEN 16
#define CONFIG_LOG_DEFAULT_LEVEL_INFO 1
#define CONFIG_LOG_DEFAULT_LEVEL 3
#define CONFIG_LOG_MAXIMUM_LEVEL 3
#define CONFIG_LOG_TIMESTAMP_SOURCE_RTOS 1
#define CONFIG_ESP_TIMER_TASK_STACK_SIZE 3584
#define CONFIG_ESP_MAIN_TASK_STACK_SIZE 3584
#define CONFIG_ESPB 1
