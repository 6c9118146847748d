#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
volatile uint32_t v32 = 0x00f0a501u; volatile uint64_t v64 = 0x0000300000c00000ULL; volatile uint16_t v16 = 0x1234;
static uint32_t rotl(uint32_t x, int k) { return (x << k) | (x >> (32 - k)); }
static uint64_t rotr64(uint64_t x, int k) { return (x >> k) | (x << (64 - k)); }
int main(void) {
    printf("%d %d %d\n", __builtin_clz(v32), __builtin_ctz(v32), __builtin_popcount(v32));
    printf("%d %d %d\n", __builtin_clzll(v64), __builtin_ctzll(v64), __builtin_popcountll(v64));
    printf("%08x %016llx %04x\n", __builtin_bswap32(v32), (unsigned long long)__builtin_bswap64(v64), __builtin_bswap16(v16));
    for (int k = 1; k < 32; k += 5) printf("%08x ", rotl(v32, k)); printf("\n");
    for (int k = 1; k < 64; k += 9) printf("%llx ", (unsigned long long)rotr64(v64, k)); printf("\n");
    printf("%d %d\n", __builtin_parity(v32), __builtin_ffs(v32));
    uint32_t x = v32, r = 0; for (int i = 0; i < 32; i++) { r = (r << 1) | (x & 1); x >>= 1; } printf("%08x\n", r);
    int m = -12345; printf("%d %d\n", m < 0 ? -m : m, abs(m));
    return 0;
}
