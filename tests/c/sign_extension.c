#include <stdio.h>
#include <stdint.h>
volatile uint8_t raw8[] = {0x7f, 0x80, 0xff, 0x01}; volatile uint16_t raw16[] = {0x7fff, 0x8000, 0xffff};
int main(void) { for (int i = 0; i < 4; i++) { int8_t s = (int8_t)raw8[i]; int16_t w = s; int32_t d = w; int64_t q = d; printf("%d %d %d %lld %llu\n", s, w, d, (long long)q, (unsigned long long)(uint64_t)q); } for (int i = 0; i < 3; i++) { int16_t s = (int16_t)raw16[i]; printf("%d %lld %u\n", s, (long long)s, (uint32_t)s); } int32_t x = -1; printf("%lld %llu\n", (long long)(int64_t)x, (unsigned long long)(uint32_t)x); return 0; }
