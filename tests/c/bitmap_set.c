#include <stdio.h>
#include <stdint.h>
static uint64_t bits[16];
static void set(int i) { bits[i >> 6] |= 1ULL << (i & 63); } static void clr(int i) { bits[i >> 6] &= ~(1ULL << (i & 63)); } static int test(int i) { return bits[i >> 6] >> (i & 63) & 1; }
int main(void) { for (int i = 0; i < 1024; i += 3) set(i); for (int i = 0; i < 1024; i += 5) clr(i); int c = 0; for (int w = 0; w < 16; w++) c += __builtin_popcountll(bits[w]); int first = -1; for (int w = 0; w < 16 && first < 0; w++) if (bits[w]) first = w * 64 + __builtin_ctzll(bits[w]); printf("%d %d %d %d\n", c, first, test(999), test(1002)); return 0; }
