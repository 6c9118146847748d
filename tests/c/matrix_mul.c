#include <stdio.h>
#define N 12
static int A[N][N], B[N][N], C[N][N];
static double D[N][N];
int main(void) {
    for (int i = 0; i < N; i++) for (int j = 0; j < N; j++) { A[i][j] = i - j; B[i][j] = i * j % 7; D[i][j] = (i + 1) / (double)(j + 1); }
    for (int i = 0; i < N; i++) for (int j = 0; j < N; j++) { int s = 0; for (int k = 0; k < N; k++) s += A[i][k] * B[k][j]; C[i][j] = s; }
    long t = 0; for (int i = 0; i < N; i++) t += C[i][i] * (i + 1); printf("%ld\n", t);
    double tr = 0; for (int i = 0; i < N; i++) for (int k = 0; k < N; k++) tr += D[i][k] * D[k][i]; printf("%.6f\n", tr);
    return 0;
}
