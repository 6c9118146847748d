/* Finding the module: embedded in the firmware, or in the `espb` partition. */
#pragma once
#include <stddef.h>
#include <stdint.h>
#include "esp_err.h"

/* The module bytes and where they came from. `bytes` stays valid for the
 * life of the program (flash-mapped or in .rodata). */
typedef struct {
    const uint8_t *bytes;
    size_t len;
    const char *origin;
} espb_module_image_t;

/* Prefers the module embedded by `cargo espb build`; falls back to the
 * `espb` data partition. */
esp_err_t espb_find_module(espb_module_image_t *out);
