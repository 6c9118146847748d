#include <stdio.h>
static void qs(int *a, int lo, int hi) { if (lo >= hi) return; int p = a[(lo + hi) / 2], i = lo, j = hi; while (i <= j) { while (a[i] < p) i++; while (a[j] > p) j--; if (i <= j) { int t = a[i]; a[i] = a[j]; a[j] = t; i++; j--; } } qs(a, lo, j); qs(a, i, hi); }
int main(void) { int a[200]; unsigned s = 99; for (int i = 0; i < 200; i++) { s ^= s << 13; s ^= s >> 17; s ^= s << 5; a[i] = (int)(s % 10000) - 5000; } qs(a, 0, 199); int ok = 1; for (int i = 1; i < 200; i++) ok &= a[i - 1] <= a[i]; printf("%d %d %d %d\n", ok, a[0], a[100], a[199]); return 0; }
