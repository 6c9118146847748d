#include <stdio.h>
static long trace(int n, int m, int a[n][m]) { long t = 0; for (int i = 0; i < n && i < m; i++) t += a[i][i]; return t; }
static void fill(int n, int m, int a[n][m]) { for (int i = 0; i < n; i++) for (int j = 0; j < m; j++) a[i][j] = i * m + j; }
int main(void) { long tot = 0; for (int n = 1; n < 12; n++) { int m = n + 3; int a[n][m]; fill(n, m, a); tot += trace(n, m, a) * (long)sizeof a; } printf("%ld\n", tot); return 0; }
