/* uint64_t <-> float/double conversions and widening/narrowing casts. */
#include <stdio.h>
#include <stdint.h>
volatile uint64_t vals[] = {0, 1, 18446744073709551615ULL, 9223372036854775808ULL, 1234567890123ULL};
int main(void) {
    for (int i = 0; i < (int)(sizeof vals / sizeof vals[0]); i++) {
        uint64_t v = vals[i];
        double d = (double)v; float f = (float)v;
        printf("%.1f %.1f ", d, (double)f);
        printf("%d %u %d %u %lld %llu\n", (int)(int8_t)v, (unsigned)(uint8_t)v, (int)(int16_t)v, (unsigned)(uint16_t)v, (long long)(int32_t)v, (unsigned long long)(uint32_t)v);
        double back = d / 3.0; uint64_t r = (uint64_t)(back);
        printf("%llu %lld\n", (unsigned long long)r, (long long)(int64_t)v);
    }
    return 0;
}
