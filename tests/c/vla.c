#include <stdio.h>
static int vsum(int n) { int a[n]; for (int i = 0; i < n; i++) a[i] = i * 3; int s = 0; for (int i = 0; i < n; i++) s += a[i]; return s; }
static double mat(int n) { double m[n][n]; for (int i = 0; i < n; i++) for (int j = 0; j < n; j++) m[i][j] = i + j * 0.5; double t = 0; for (int i = 0; i < n; i++) t += m[i][n - 1 - i]; return t; }
int main(void) { int tot = 0; for (int k = 1; k < 200; k++) tot += vsum(k); printf("%d %.2f\n", tot, mat(9)); return 0; }
