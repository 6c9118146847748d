#include <stdio.h>
#include <float.h>
volatile double vals[] = {0.0, -0.0, 1.5, -2.0, 1e308 * 10, -1e308 * 10, 0.0 / 0.0, 4.9e-324, DBL_MIN};
volatile float fv[] = {0.0f, 1e38f * 10, -1e-45f, 3.0f};
int main(void) {
    for (int i = 0; i < 9; i++) {
        double x = vals[i];
        printf("%d %d %d %d %d %d\n", __builtin_isnan(x) != 0, __builtin_isinf(x) != 0, __builtin_isfinite(x) != 0, __builtin_isnormal(x) != 0, __builtin_signbit(x) != 0,
               __builtin_fpclassify(0, 1, 2, 3, 4, x));
    }
    for (int i = 0; i < 4; i++) { float y = fv[i]; printf("%d %d %d\n", __builtin_isinf_sign(y), __builtin_isnormal(y) != 0, __builtin_isnan(y) != 0); }
    return 0;
}
