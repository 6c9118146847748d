#include <stdio.h>
#include <stdint.h>
static int decode(const unsigned char *s, uint32_t *out) { int n = 0; while (*s) { uint32_t c = *s++; int extra = c >= 0xf0 ? 3 : c >= 0xe0 ? 2 : c >= 0xc0 ? 1 : 0; if (extra) c &= 0x3f >> extra; while (extra--) c = c << 6 | (*s++ & 0x3f); out[n++] = c; } return n; }
int main(void) { const unsigned char s[] = "h\xc3\xa9llo \xe2\x82\xac \xf0\x9f\x98\x80!"; uint32_t cp[32]; int n = decode(s, cp); for (int i = 0; i < n; i++) printf("%x ", cp[i]); printf("%d\n", n); return 0; }
