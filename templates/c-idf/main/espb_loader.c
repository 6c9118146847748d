/* Locates the module. Partition layout (written by `cargo espb flash
 * --module-only`, see docs/cli.md): 8-byte magic "ESPBIMG1", u32 length,
 * u32 CRC-32 of the module (zlib polynomial), then the module itself. */
#include <string.h>
#include "esp_log.h"
#include "esp_partition.h"
#include "esp_rom_crc.h"
#include "espb_loader.h"

static const char *TAG = "espb";

/* Defined by build/espb/espb_module_blob.c when `cargo espb build` ran
 * before the firmware build; weak so the firmware links without it. */
extern const uint8_t espb_module_blob[] __attribute__((weak));
extern const size_t espb_module_blob_len __attribute__((weak));

#define IMAGE_HEADER 16

static esp_err_t from_partition(espb_module_image_t *out)
{
    const esp_partition_t *part =
        esp_partition_find_first(ESP_PARTITION_TYPE_DATA, ESP_PARTITION_SUBTYPE_ANY, "espb");
    if (part == NULL) {
        ESP_LOGE(TAG, "no partition named `espb` in the partition table");
        return ESP_ERR_NOT_FOUND;
    }
    uint8_t header[IMAGE_HEADER];
    esp_err_t err = esp_partition_read(part, 0, header, sizeof header);
    if (err != ESP_OK) {
        return err;
    }
    if (memcmp(header, "ESPBIMG1", 8) != 0) {
        ESP_LOGE(TAG, "the espb partition holds no module; run `cargo espb flash --module-only`");
        return ESP_ERR_NOT_FOUND;
    }
    uint32_t len, crc;
    memcpy(&len, header + 8, 4);
    memcpy(&crc, header + 12, 4);
    if (len == 0 || len > part->size - IMAGE_HEADER) {
        ESP_LOGE(TAG, "module length %u does not fit the %u-byte partition", (unsigned)len, (unsigned)part->size);
        return ESP_ERR_INVALID_SIZE;
    }
    /* Mapped, not copied: the interpreter runs the bytecode where it lies. */
    const void *mapped;
    esp_partition_mmap_handle_t handle;
    err = esp_partition_mmap(part, 0, IMAGE_HEADER + len, ESP_PARTITION_MMAP_DATA, &mapped, &handle);
    if (err != ESP_OK) {
        return err;
    }
    const uint8_t *bytes = (const uint8_t *)mapped + IMAGE_HEADER;
    if (esp_rom_crc32_le(0, bytes, len) != crc) {
        ESP_LOGE(TAG, "module CRC mismatch: the partition is corrupt or was partly written");
        esp_partition_munmap(handle);
        return ESP_ERR_INVALID_CRC;
    }
    out->bytes = bytes;
    out->len = len;
    out->origin = "espb partition";
    return ESP_OK;
}

esp_err_t espb_find_module(espb_module_image_t *out)
{
    if (&espb_module_blob_len != NULL && espb_module_blob_len > 0) {
        out->bytes = espb_module_blob;
        out->len = espb_module_blob_len;
        out->origin = "firmware image";
        return ESP_OK;
    }
    return from_partition(out);
}
