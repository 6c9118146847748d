#include <stdio.h>
#include <stdint.h>
struct __attribute__((packed)) Pk { uint8_t tag; uint32_t val; uint16_t s; };
struct Flags { unsigned ready : 1, mode : 3, level : 4, count : 24; };
struct SBits { int a : 5; int b : 11; unsigned c : 16; };
int main(void) {
    struct Pk p[3]; for (int i = 0; i < 3; i++) { p[i].tag = (uint8_t)i; p[i].val = 0x01020304u * (i + 1); p[i].s = (uint16_t)(1000 * i); }
    unsigned t = 0; for (int i = 0; i < 3; i++) t += p[i].val ^ p[i].s ^ p[i].tag; printf("%u %d\n", t, (int)sizeof p);
    struct Flags f = {0}; f.ready = 1; f.mode = 5; f.level = 12; f.count = 0xabcdef; f.mode += 4; f.count++;
    printf("%u %u %u %u\n", f.ready, f.mode, f.level, f.count);
    struct SBits sb = {-3, -1000, 65535}; sb.a -= 20; sb.c += 2; printf("%d %d %u\n", sb.a, sb.b, sb.c);
    return 0;
}
