#include <stdio.h>
#include <string.h>
#include <stdint.h>
int main(void) { uint8_t a[300], b[300]; for (int n = 0; n < 300; n += 37) { memset(a, n & 0xff, sizeof a); memset(a, 0xab, n); memcpy(b, a, sizeof a); memmove(b + 1, b, n); uint32_t h = 0; for (int i = 0; i < 300; i++) h = h * 131 + b[i]; printf("%u ", h); } printf("\n");
    struct { int x[5]; double d; } s1 = {{1, 2, 3, 4, 5}, 2.5}, s2; s2 = s1; s2.x[4] = 9; printf("%d %d %.1f\n", s1.x[4], s2.x[4], s2.d); return 0; }
