/* Loads an .espb module through the C API and calls main. */
#include "common.h"
#include "espb.h"

int main(int argc, char **argv)
{
    size_t len;
    uint8_t *bytes = argc > 1 ? read_file(argv[1], &len) : NULL;
    if (!bytes)
        return 2;
    espb_instance *inst = espb_load(bytes, len, NULL);
    if (!inst) {
        printf("%s\n", espb_last_error());
        return 1;
    }
    espb_value r;
    espb_status st = espb_call_by_name(inst, "main", NULL, 0, &r);
    printf("status %d\n", (int)st);
    espb_unload(inst);
    free(bytes);
    return st == ESPB_OK ? 0 : 1;
}
