#include <stdio.h>
#include <stdint.h>
volatile uint16_t h[] = {1, 0x80, 0x8000, 0x1234}; volatile uint8_t b[] = {1, 0x10, 0x80, 0x6};
int main(void) { for (int i = 0; i < 4; i++) printf("%d %d %d %d | ", __builtin_clzs(h[i]), __builtin_ctzs(h[i]), __builtin_clz((unsigned)b[i] << 24), __builtin_ctz(b[i])); printf("\n"); uint64_t x = 1; for (int i = 0; i < 64; i += 9) printf("%d/%d ", __builtin_clzll(x << i), __builtin_ctzll(x << i)); printf("\n"); return 0; }
