#include <stdio.h>
#include <string.h>
int main(void) { char b[64]; unsigned h = 0; for (int i = -500; i < 500; i += 7) { int n = snprintf(b, sizeof b, "%d:%x:%o:%5.2f", i, (unsigned)i, (unsigned)(i & 0777), i / 8.0); for (int k = 0; k < n; k++) h = h * 31 + (unsigned char)b[k]; } printf("%u %s\n", h, b); return 0; }
