#include <stdio.h>
static void sift(double *a, int n, int i) { for (;;) { int l = 2 * i + 1, r = l + 1, m = i; if (l < n && a[l] > a[m]) m = l; if (r < n && a[r] > a[m]) m = r; if (m == i) return; double t = a[i]; a[i] = a[m]; a[m] = t; i = m; } }
int main(void) { double a[64]; for (int i = 0; i < 64; i++) a[i] = (i * 37 % 64) * 1.5 - 20; for (int i = 31; i >= 0; i--) sift(a, 64, i); for (int n = 63; n > 0; n--) { double t = a[0]; a[0] = a[n]; a[n] = t; sift(a, n, 0); } printf("%.1f %.1f %.1f %.1f\n", a[0], a[1], a[32], a[63]); return 0; }
