#include <stdio.h>
#include <stdint.h>
union U { float f; uint32_t u; uint8_t b[4]; };
union D { double d; uint64_t u; struct { uint32_t lo, hi; } w; };
enum Color { RED, GREEN = 5, BLUE };
static const char *cname(enum Color c) { return c == RED ? "red" : c == GREEN ? "green" : c == BLUE ? "blue" : "?"; }
int main(void) {
    union U u; u.f = 1.5f; printf("%08x %d %d\n", u.u, u.b[3], u.b[0]);
    union D d; d.d = -2.0; printf("%016llx %08x %08x\n", (unsigned long long)d.u, d.w.lo, d.w.hi);
    for (int c = 0; c < 8; c++) printf("%s ", cname((enum Color)c)); printf("%d\n", BLUE);
    return 0;
}
