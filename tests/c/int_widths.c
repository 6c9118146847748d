#include <stdio.h>
#include <stdint.h>
volatile int8_t a8 = -100; volatile uint8_t b8 = 200; volatile int16_t a16 = -30000; volatile uint16_t b16 = 60000;
int main(void) {
    int8_t s8 = a8 - 100; uint8_t u8 = b8 + 100; int16_t s16 = a16 - 10000; uint16_t u16 = b16 + 10000;
    printf("%d %u %d %u\n", s8, u8, s16, u16);
    printf("%d %d %d\n", (int8_t)(a8 * 3), (int8_t)(a8 >> 2), (uint8_t)b8 >> 3);
    printf("%d %d\n", a8 / 7, a8 % 7);
    printf("%d %d\n", a16 / 7, (int16_t)(a16 % 7));
    int64_t x = (int64_t)a16 * 1000000007LL; uint64_t y = (uint64_t)b16 << 40;
    printf("%lld %llu %lld %llu\n", x, y, x / 12345, y % 999983);
    printf("%d %d\n", s8 < 0, u8 > 40);
    _Bool t = b8 > 100; printf("%d\n", t + t);
    uint32_t w = 0x80000000u; printf("%u %d\n", w >> 31, (int32_t)w >> 31);
    return 0;
}
