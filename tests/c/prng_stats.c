#include <stdio.h>
#include <stdint.h>
static uint64_t s[2] = {0x9e3779b97f4a7c15ULL, 0xbf58476d1ce4e5b9ULL};
static uint64_t next(void) { uint64_t s0 = s[0], s1 = s[1], r = s0 + s1; s1 ^= s0; s[0] = ((s0 << 55) | (s0 >> 9)) ^ s1 ^ (s1 << 14); s[1] = (s1 << 36) | (s1 >> 28); return r; }
int main(void) { int hist[10] = {0}; double mean = 0; for (int i = 0; i < 5000; i++) { uint64_t r = next(); hist[r % 10]++; mean += (double)(r >> 11) / 9007199254740992.0; } for (int i = 0; i < 10; i++) printf("%d ", hist[i]); printf("%.6f\n", mean / 5000); return 0; }
