#include <stdio.h>
static int lower_bound(const int *a, int n, int x) { int lo = 0, hi = n; while (lo < hi) { int mid = lo + (hi - lo) / 2; if (a[mid] < x) lo = mid + 1; else hi = mid; } return lo; }
int main(void) { int a[100]; for (int i = 0; i < 100; i++) a[i] = i * 3 - 50; long t = 0; for (int x = -60; x < 260; x += 7) t += lower_bound(a, 100, x) * (x & 3); printf("%ld %d %d\n", t, lower_bound(a, 100, -1000), lower_bound(a, 100, 1000)); return 0; }
