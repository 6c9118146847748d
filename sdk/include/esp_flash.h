#pragma once
/* The SPI flash API of ESP-IDF's `spi_flash` component (esp_flash.h), as
 * scripts use it: the default chip, named by NULL. */
#include <stdbool.h>
#include <stdint.h>
#include "esp_err.h"
#ifdef __cplusplus
extern "C" {
#endif

typedef struct esp_flash_t esp_flash_t;

/* ESP-IDF exports the default chip as a variable; every esp_flash_* call
 * also takes NULL for it, which is what a module passes. */
#define esp_flash_default_chip ((esp_flash_t *)0)

esp_err_t esp_flash_read(esp_flash_t *chip, void *buffer, uint32_t address, uint32_t length);
esp_err_t esp_flash_write(esp_flash_t *chip, const void *buffer, uint32_t address, uint32_t length);
esp_err_t esp_flash_erase_region(esp_flash_t *chip, uint32_t start, uint32_t len);
esp_err_t esp_flash_erase_chip(esp_flash_t *chip);
esp_err_t esp_flash_get_size(esp_flash_t *chip, uint32_t *out_size);
esp_err_t esp_flash_get_physical_size(esp_flash_t *chip, uint32_t *flash_size);
esp_err_t esp_flash_read_id(esp_flash_t *chip, uint32_t *out_id);

#ifdef __cplusplus
}
#endif
