#include <stdio.h>
volatile double z = 0.0; volatile float zf = 0.0f;
int main(void) { double n = z / z, one = 1.0; float nf = zf / zf;
    printf("%d %d %d %d %d %d\n", n < one, n > one, n == n, n != n, !(n >= one), __builtin_isunordered(n, one));
    printf("%d %d %d %d %d\n", nf <= 1.0f, nf != nf, __builtin_isgreater(one, n), __builtin_islessgreater(one, 2.0), __builtin_isless(one, 2.0));
    double vals[] = {-1.0, -0.0, 0.0, 1.0}; int c = 0; for (int i = 0; i < 4; i++) for (int j = 0; j < 4; j++) c = c * 3 + (vals[i] < vals[j]) + 2 * (vals[i] == vals[j]); printf("%d\n", c); return 0; }
