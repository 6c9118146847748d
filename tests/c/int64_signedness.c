#include <stdio.h>
#include <stdint.h>
volatile int64_t a = -1; volatile uint64_t b = 1;
int main(void) { printf("%d %d %d %d\n", a < (int64_t)b, (uint64_t)a > b, (int32_t)a == -1, (uint32_t)a == 0xffffffffu); int64_t m = INT64_MIN; printf("%d %lld %llu\n", m < 0, m >> 63, (unsigned long long)m >> 63); int32_t x = -5; uint64_t ux = (uint64_t)x; int64_t sx = x; printf("%llx %lld\n", (unsigned long long)ux, sx); return 0; }
