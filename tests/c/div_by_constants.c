#include <stdio.h>
#include <stdint.h>
int main(void) { uint64_t acc = 0; int64_t sacc = 0; for (uint64_t v = 1; v < 1ULL << 62; v = v * 3 + 7) { acc += v / 3 + v / 7 + v / 10 + v / 1000 + v % 9; int64_t s = -(int64_t)v; sacc += s / 3 + s / 10 + s % 7; } printf("%llu %lld\n", (unsigned long long)acc, (long long)sacc);
    uint32_t a32 = 0; for (uint32_t v = 1; v < 0x80000000u; v = v * 5 + 3) a32 += v / 3 + v / 100 + v % 13 + (uint32_t)((int32_t)v / -7); printf("%u\n", a32); return 0; }
