#include <stdio.h>
#include <math.h>
int main(void) {
    volatile double x = 0.7; volatile float y = 2.25f;
    printf("%.6f %.6f %.6f %.6f\n", exp(x), log(x + 1), atan2(x, 0.3), tan(x));
    printf("%.5f %.5f %.5f\n", sqrtf(y), powf(y, 1.5f), floorf(-y));
    printf("%.4f %.4f %.4f %.4f\n", rint(2.5), rint(3.5), nearbyint(-2.5), round(-2.5));
    printf("%.4f %.4f\n", fmaf(y, y, 1.0f), fma(x, x, -0.49));
    printf("%.6f %.6f\n", hypot(3.0, 4.0), cbrt(27.0));
    long l = lround(2.5); long long ll = llround(-7.5); printf("%ld %lld\n", l, ll);
    printf("%.3f %.3f\n", fabsf(-y), ldexp(x, 4));
    return 0;
}
