#include <stdio.h>
#include <stdint.h>
static uint32_t adler(const uint8_t *p, int n) { uint32_t a = 1, b = 0; for (int i = 0; i < n; i++) { a = (a + p[i]) % 65521; b = (b + a) % 65521; } return b << 16 | a; }
int main(void) { uint8_t buf[2000]; for (int i = 0; i < 2000; i++) buf[i] = (uint8_t)(i * 31 + (i >> 3)); printf("%08x %08x\n", adler((const uint8_t *)"Wikipedia", 9), adler(buf, 2000)); return 0; }
