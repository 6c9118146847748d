#include <stdio.h>
volatile double zero = 0.0;
int main(void) { double inf = 1.0 / zero, ninf = -1.0 / zero; printf("%f %f %d %d\n", inf, ninf, inf > 1e308, ninf < -1e308); printf("%e %g %.3g\n", 1e-310, 5e-324, 1.7976931348623157e308); float fi = (float)inf, tiny = 1e-40f; printf("%f %g %d\n", fi, tiny, tiny > 0); printf("%.1f %.1f\n", -0.0, 0.0 * -1.0); return 0; }
