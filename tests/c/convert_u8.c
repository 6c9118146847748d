/* uint8_t <-> float/double conversions and widening/narrowing casts. */
#include <stdio.h>
#include <stdint.h>
volatile uint8_t vals[] = {0, 1, 255, 128, 37, 200};
int main(void) {
    for (int i = 0; i < (int)(sizeof vals / sizeof vals[0]); i++) {
        uint8_t v = vals[i];
        double d = (double)v; float f = (float)v;
        printf("%.1f %.1f ", d, (double)f);
        printf("%d %u %d %u %lld %llu\n", (int)(int8_t)v, (unsigned)(uint8_t)v, (int)(int16_t)v, (unsigned)(uint16_t)v, (long long)(int32_t)v, (unsigned long long)(uint32_t)v);
        double back = d / 3.0; uint8_t r = (uint8_t)(back);
        printf("%u %lld\n", (unsigned)r, (long long)(int64_t)v);
    }
    return 0;
}
