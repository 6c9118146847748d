#include <stdio.h>
#include <stdint.h>
static int pc_table(uint32_t x) { static const uint8_t t[16] = {0, 1, 1, 2, 1, 2, 2, 3, 1, 2, 2, 3, 2, 3, 3, 4}; int c = 0; while (x) { c += t[x & 15]; x >>= 4; } return c; }
int main(void) { uint32_t s = 1; int bad = 0, tot = 0; for (int i = 0; i < 500; i++) { s = s * 747796405u + 2891336453u; bad += pc_table(s) != __builtin_popcount(s); tot += __builtin_parity(s) + __builtin_ffs(s); } uint64_t w = 0xf0f0f0f00000ffffULL; printf("%d %d %d %d %d\n", bad, tot, __builtin_popcountll(w), __builtin_parityll(w), __builtin_ffsll(w << 20)); return 0; }
