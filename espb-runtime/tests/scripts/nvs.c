// NVS round trip: a boot counter, a string and a blob survive runs.
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include "esp_err.h"

/* nvs.h / nvs_flash.h as ESP-IDF declares them. */
typedef uint32_t nvs_handle_t;
typedef enum { NVS_READONLY, NVS_READWRITE } nvs_open_mode_t;
esp_err_t nvs_flash_init(void);
esp_err_t nvs_flash_erase(void);
esp_err_t nvs_open(const char *name, nvs_open_mode_t open_mode, nvs_handle_t *out_handle);
esp_err_t nvs_get_i32(nvs_handle_t handle, const char *key, int32_t *out_value);
esp_err_t nvs_set_i32(nvs_handle_t handle, const char *key, int32_t value);
esp_err_t nvs_get_u8(nvs_handle_t handle, const char *key, uint8_t *out_value);
esp_err_t nvs_set_str(nvs_handle_t handle, const char *key, const char *value);
esp_err_t nvs_get_str(nvs_handle_t handle, const char *key, char *out_value, size_t *length);
esp_err_t nvs_set_blob(nvs_handle_t handle, const char *key, const void *value, size_t length);
esp_err_t nvs_get_blob(nvs_handle_t handle, const char *key, void *out_value, size_t *length);
esp_err_t nvs_commit(nvs_handle_t handle);
void nvs_close(nvs_handle_t handle);

void app_main(void)
{
    esp_err_t err = nvs_flash_init();
    if (err == 0x110d) {
        printf("corrupt, erasing\n");
        ESP_ERROR_CHECK(nvs_flash_erase());
        err = nvs_flash_init();
    }
    ESP_ERROR_CHECK(err);
    nvs_handle_t h;
    printf("ro open: %s\n", esp_err_to_name(nvs_open("app", NVS_READONLY, &h)));
    ESP_ERROR_CHECK(nvs_open("app", NVS_READWRITE, &h));
    int32_t boots = 0;
    err = nvs_get_i32(h, "boots", &boots);
    printf("boots=%d (%s)\n", (int)boots, esp_err_to_name(err));
    uint8_t wrong;
    printf("as u8: %s\n", esp_err_to_name(nvs_get_u8(h, "boots", &wrong)));
    size_t len = 0;
    if (nvs_get_str(h, "name", NULL, &len) == ESP_OK) {
        char small[4];
        size_t sl = sizeof small;
        printf("short buffer: %s\n", esp_err_to_name(nvs_get_str(h, "name", small, &sl)));
        char name[32];
        ESP_ERROR_CHECK(nvs_get_str(h, "name", name, &len));
        uint8_t blob[4] = { 0 };
        size_t bl = sizeof blob;
        ESP_ERROR_CHECK(nvs_get_blob(h, "blob", blob, &bl));
        printf("name=%s len=%u blob=%u:%02x%02x%02x\n", name, (unsigned)len, (unsigned)bl, blob[0], blob[1], blob[2]);
    }
    ESP_ERROR_CHECK(nvs_set_i32(h, "boots", boots + 1));
    ESP_ERROR_CHECK(nvs_set_str(h, "name", "espb-device"));
    ESP_ERROR_CHECK(nvs_set_blob(h, "blob", "\x01\x02\x03", 3));
    printf("long key: %s\n", esp_err_to_name(nvs_set_i32(h, "a_key_that_is_too_long", 1)));
    ESP_ERROR_CHECK(nvs_commit(h));
    nvs_close(h);
    printf("closed: %s\n", esp_err_to_name(nvs_commit(h)));
}
