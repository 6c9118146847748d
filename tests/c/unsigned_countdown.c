#include <stdio.h>
int main(void) { unsigned s = 0; for (unsigned i = 10; i-- > 0;) s = s * 3 + i; unsigned char c = 5; int n = 0; while (c--) n++; unsigned long long big = 3; int steps = 0; while (big) { big -= 1; steps++; } printf("%u %d %d %u\n", s, n, steps, (unsigned)c); return 0; }
