#include <stdio.h>
#include <stdint.h>
volatile uint64_t u = 0x8000000000000001ULL; volatile int64_t s = -0x123456789LL;
int main(void) {
    for (int k = 0; k < 64; k += 7) printf("%llx %llx %llx\n", (unsigned long long)(u << k), (unsigned long long)(u >> k), (unsigned long long)(s >> k));
    uint32_t lo = (uint32_t)u, hi = (uint32_t)(u >> 32); printf("%08x %08x\n", hi, lo);
    uint64_t join = ((uint64_t)hi << 32) | lo; printf("%d\n", join == u);
    int64_t n = s; n *= n; printf("%lld %lld\n", n, (int64_t)((uint64_t)n >> 3));
    return 0;
}
