#include <stdio.h>
#include <stdlib.h>
#include <string.h>
static void ms(long long *a, long long *t, int n) { if (n < 2) return; int h = n / 2; ms(a, t, h); ms(a + h, t, n - h); int i = 0, j = h, k = 0; while (i < h && j < n) t[k++] = a[i] <= a[j] ? a[i++] : a[j++]; while (i < h) t[k++] = a[i++]; while (j < n) t[k++] = a[j++]; memcpy(a, t, n * sizeof *a); }
int main(void) { int n = 333; long long *a = malloc(n * sizeof *a), *t = malloc(n * sizeof *t); for (int i = 0; i < n; i++) a[i] = ((long long)i * 7919 % 1000) * 100000000LL - 50000000000LL; ms(a, t, n); printf("%lld %lld %lld\n", a[0], a[n / 2], a[n - 1]); free(a); free(t); return 0; }
