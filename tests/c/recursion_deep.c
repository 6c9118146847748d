#include <stdio.h>
static long depth_sum(int n) { volatile int pad[4] = {n, n, n, n}; if (n == 0) return 0; return pad[2] + depth_sum(n - 1); }
static int gcd(int a, int b) { return b ? gcd(b, a % b) : a; }
static void perm(int *a, int k, int n, int *count) { if (k == n) { (*count)++; return; } for (int i = k; i < n; i++) { int t = a[k]; a[k] = a[i]; a[i] = t; perm(a, k + 1, n, count); t = a[k]; a[k] = a[i]; a[i] = t; } }
int main(void) { int a[6] = {1, 2, 3, 4, 5, 6}, c = 0; perm(a, 0, 6, &c); printf("%ld %d %d\n", depth_sum(2000), gcd(1071, 462), c); return 0; }
