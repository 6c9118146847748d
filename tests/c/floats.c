#include <stdio.h>
#include <math.h>
volatile double d = 2.75; volatile float f = -1.5f;
int main(void) {
    double x = d * 3.0 - 1.0 / 3.0; float y = f * f + 0.25f;
    printf("%.10f %.6f\n", x, y);
    printf("%f %f %f %f\n", floor(d), ceil(d), trunc(-d), round(d));
    printf("%f %f %f\n", sqrt(d), fabs(f), fmin(d, f));
    printf("%.3f %.3f %.3f\n", sin(d), cos(d), pow(d, 3.5));
    printf("%d %u %lld\n", (int)-d, (unsigned)d, (long long)(d * 1e12));
    printf("%f %f\n", (double)(long long)-123456789012LL, (float)4000000000u);
    printf("%d %d %d\n", d > f, d == 2.75, f != f);
    double z = 0.0; printf("%d\n", __builtin_isnan(z / z) != 0);
    printf("%.2f %.2f\n", fmax(1.0, 2.0), copysign(3.0, -0.5));
    printf("%f\n", fmod(d * 10, 3.0));
    return 0;
}
