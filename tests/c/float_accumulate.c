#include <stdio.h>
int main(void) { float fs = 0; double ds = 0; for (int i = 1; i <= 1000; i++) { fs += 1.0f / i; ds += 1.0 / i; } float prod = 1; for (int i = 1; i < 30; i++) prod *= 1.1f; printf("%.7f %.15f %.5f\n", fs, ds, prod);
    double x = 1; for (int i = 0; i < 60; i++) x = x * 0.5 + 1.0 / (i + 1); printf("%.17g\n", x); return 0; }
