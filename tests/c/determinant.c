#include <stdio.h>
static double det(int n, double m[6][6]) { if (n == 1) return m[0][0]; double s = 0, sub[6][6]; for (int c = 0; c < n; c++) { for (int i = 1; i < n; i++) for (int j = 0, k = 0; j < n; j++) if (j != c) sub[i - 1][k++] = m[i][j]; s += (c % 2 ? -1 : 1) * m[0][c] * det(n - 1, sub); } return s; }
int main(void) { double m[6][6]; for (int i = 0; i < 6; i++) for (int j = 0; j < 6; j++) m[i][j] = (i == j ? 4.0 : 0) + (i * 3 + j * 7) % 5 * 0.5; printf("%.6f\n", det(6, m)); return 0; }
