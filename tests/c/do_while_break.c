#include <stdio.h>
int main(void) { int i = 0, s = 0; do { s += i; if (s > 100) break; i += 3; } while (i < 1000); int j = 10, c = 0; while (1) { if (--j < 0) break; if (j % 2) continue; c += j; } printf("%d %d %d %d\n", i, s, j, c); return 0; }
