/* Baseline: the driver without any runtime (its size is subtracted). */
#include "common.h"

int main(int argc, char **argv)
{
    size_t len;
    uint8_t *bytes = argc > 1 ? read_file(argv[1], &len) : NULL;
    if (!bytes)
        return 2;
    printf("%zu bytes\n", len);
    free(bytes);
    return 0;
}
