#include <stdio.h>
#include <stdint.h>
#include <string.h>
static uint32_t table[256];
static void init(void) { for (uint32_t i = 0; i < 256; i++) { uint32_t c = i; for (int k = 0; k < 8; k++) c = c & 1 ? 0xedb88320u ^ (c >> 1) : c >> 1; table[i] = c; } }
static uint32_t crc(const uint8_t *p, size_t n) { uint32_t c = 0xffffffffu; while (n--) c = table[(c ^ *p++) & 0xff] ^ (c >> 8); return c ^ 0xffffffffu; }
int main(void) { init(); const char *s = "The quick brown fox jumps over the lazy dog"; printf("%08x\n", crc((const uint8_t *)s, strlen(s))); uint8_t buf[1000]; for (int i = 0; i < 1000; i++) buf[i] = (uint8_t)(i * i); printf("%08x\n", crc(buf, 1000)); return 0; }
