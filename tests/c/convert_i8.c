/* int8_t <-> float/double conversions and widening/narrowing casts. */
#include <stdio.h>
#include <stdint.h>
volatile int8_t vals[] = {0, 1, -1, 127, -128, 37, -91};
int main(void) {
    for (int i = 0; i < (int)(sizeof vals / sizeof vals[0]); i++) {
        int8_t v = vals[i];
        double d = (double)v; float f = (float)v;
        printf("%.1f %.1f ", d, (double)f);
        printf("%d %u %d %u %lld %llu\n", (int)(int8_t)v, (unsigned)(uint8_t)v, (int)(int16_t)v, (unsigned)(uint16_t)v, (long long)(int32_t)v, (unsigned long long)(uint32_t)v);
        double back = d / 3.0; int8_t r = (int8_t)(back);
        printf("%d %lld\n", (int)r, (long long)(int64_t)v);
    }
    return 0;
}
