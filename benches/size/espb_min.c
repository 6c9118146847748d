/* Loads an .espb module through the C API and calls main. */
#include "common.h"
#include "espb_runtime.h"

int main(int argc, char **argv)
{
    size_t len;
    uint8_t *bytes = argc > 1 ? read_file(argv[1], &len) : NULL;
    if (!bytes)
        return 2;
    espb_instance_t *inst = NULL;
    if (espb_load(bytes, len, NULL, &inst) != ESP_OK) {
        printf("%s\n", espb_last_error());
        return 1;
    }
    espb_value_t r;
    esp_err_t err = espb_call(inst, "main", NULL, 0, &r);
    printf("status %d\n", (int)err);
    espb_unload(inst);
    free(bytes);
    return err == ESP_OK ? 0 : 1;
}
