#include <stdio.h>
#include <stdint.h>
static uint64_t mulmod(uint64_t a, uint64_t b, uint64_t m) { uint64_t r = 0; a %= m; while (b) { if (b & 1) r = (r + a) % m; a = (a * 2) % m; b >>= 1; } return r; }
static uint64_t powmod(uint64_t b, uint64_t e, uint64_t m) { uint64_t r = 1; while (e) { if (e & 1) r = mulmod(r, b, m); b = mulmod(b, b, m); e >>= 1; } return r; }
int main(void) {
    volatile int64_t a = 123456789012345LL, b = -98765;
    printf("%lld %lld %lld %lld\n", a * b, a / b, a % b, a >> 7);
    printf("%llu\n", (unsigned long long)powmod(2, 1000000, 1000000007));
    uint64_t h = 1469598103934665603ULL; for (int i = 0; i < 100; i++) { h ^= (uint64_t)i; h *= 1099511628211ULL; }
    printf("%016llx\n", (unsigned long long)h);
    int64_t m = INT64_MIN; printf("%lld %d\n", m, m < b);
    uint32_t x = 0xffffffffu, y = 0xfffffffeu; printf("%llu\n", (unsigned long long)x * y);
    return 0;
}
