#include <stdio.h>
static double horner(const double *c, int n, double x) { double r = 0; for (int i = n - 1; i >= 0; i--) r = r * x + c[i]; return r; }
int main(void) { double c[] = {1, -3, 0.5, 2, -0.25}; for (double x = -2; x <= 2; x += 0.5) printf("%.5f ", horner(c, 5, x)); double lo = 0, hi = 1; for (int i = 0; i < 50; i++) { double m = (lo + hi) / 2; if (horner(c, 5, lo) * horner(c, 5, m) <= 0) hi = m; else lo = m; } printf("\n%.10f\n", lo); return 0; }
