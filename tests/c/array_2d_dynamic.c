#include <stdio.h>
#include <stdlib.h>
int main(void) { int rows = 7, cols = 9; int **m = malloc(rows * sizeof *m); for (int r = 0; r < rows; r++) { m[r] = malloc(cols * sizeof **m); for (int c = 0; c < cols; c++) m[r][c] = (r + 1) * (c - 4); }
    long det = 0; for (int r = 0; r < rows; r++) for (int c = 0; c < cols; c++) det += (long)m[r][c] * m[(r + 3) % rows][(c + 5) % cols]; printf("%ld\n", det);
    for (int r = 0; r < rows; r++) free(m[r]); free(m); return 0; }
