#include <stdio.h>
#include <string.h>
int main(void) { unsigned h = 0; for (int round = 0; round < 500; round++) { int n = round % 37 + 1; char buf[n]; memset(buf, round & 0x7f, n); for (int i = 0; i < n; i++) h = h * 33 + (unsigned char)buf[i]; double d[n / 2 + 1]; for (int i = 0; i <= n / 2; i++) d[i] = i * 0.5; h += (unsigned)d[n / 2]; } printf("%u\n", h); return 0; }
