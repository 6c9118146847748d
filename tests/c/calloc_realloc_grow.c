#include <stdio.h>
#include <stdlib.h>
int main(void) { int cap = 1, n = 0; long *v = calloc(cap, sizeof *v); for (int i = 0; i < 1000; i++) { if (n == cap) { cap *= 2; v = realloc(v, cap * sizeof *v); } v[n++] = (long)i * i; } long s = 0; for (int i = 0; i < n; i++) s += v[i] % 1000; v = realloc(v, 10 * sizeof *v); printf("%d %d %ld %ld\n", n, cap, s, v[9]); free(v); return 0; }
