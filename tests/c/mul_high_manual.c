#include <stdio.h>
#include <stdint.h>
static void mul64x64(uint64_t a, uint64_t b, uint64_t *hi, uint64_t *lo) { uint64_t al = (uint32_t)a, ah = a >> 32, bl = (uint32_t)b, bh = b >> 32; uint64_t ll = al * bl, lh = al * bh, hl = ah * bl, hh = ah * bh; uint64_t mid = (ll >> 32) + (uint32_t)lh + (uint32_t)hl; *lo = (mid << 32) | (uint32_t)ll; *hi = hh + (lh >> 32) + (hl >> 32) + (mid >> 32); }
int main(void) { uint64_t vals[] = {0, 1, 0xffffffffffffffffULL, 0x123456789abcdefULL, 0xfedcba9876543210ULL}; for (int i = 0; i < 5; i++) for (int j = i; j < 5; j++) { uint64_t h, l; mul64x64(vals[i], vals[j], &h, &l); printf("%016llx%016llx\n", (unsigned long long)h, (unsigned long long)l); } return 0; }
