/* long double: riscv32's IEEE binary128, soft-float in the runtime. Every
   printed value is exact in both binary128 and the native build's x87
   80-bit format (or rounded to double first), so the outputs agree. */
#include <stdarg.h>
#include <stdio.h>

long double g = 1.5L;
long double table[4] = {1.0L, -2.25L, 0.125L, 1e300L};
struct rec {
    long double x;
    int tag;
};

__attribute__((noinline)) long double add(long double a, long double b) { return a + b; }
__attribute__((noinline)) long double mul(long double a, long double b) { return a * b; }
__attribute__((noinline)) struct rec make(long double v, int tag) {
    struct rec r = {v, tag};
    return r;
}
__attribute__((noinline)) long double sum(int n, ...) {
    va_list ap;
    va_start(ap, n);
    long double s = 0;
    for (int i = 0; i < n; i++)
        s += va_arg(ap, long double);
    va_end(ap);
    return s;
}
__attribute__((noinline)) int cmp(long double a, long double b) {
    return (a < b) * 1 + (a <= b) * 2 + (a == b) * 4 + (a != b) * 8 + (a > b) * 16 + (a >= b) * 32;
}

static long double (*volatile fp)(long double, long double) = mul;

int main(void) {
    long double x = add(g, table[1]);
    printf("add %.3f\n", (double)x);
    printf("mul %.4f\n", (double)fp(table[1], table[2]));
    long double third = 1.0L / 3.0L;
    printf("third*3==1 %d, (double)third==1/3.0 %d\n", third * 3 == 1.0L, (double)third == 1.0 / 3.0);
    /* 2^-60 survives in long double precision, not in double */
    long double tiny = 1.0L + 1.0L / (1LL << 60);
    printf("1+2^-60 > 1: %d, as double > 1: %d\n", tiny > 1.0L, (double)tiny > 1.0);
    struct rec r = make(table[3] * table[3], 7);
    printf("1e600 finite %d > DBL_MAX %d tag %d\n", r.x - r.x == 0, r.x > 1.7976931348623157e308L, r.tag);
    printf("sum %.3f\n", (double)sum(4, 1.0L, 2.5L, -0.25L, table[2]));
    for (int i = 0; i < 4; i++)
        printf("cmp %d %d\n", cmp(table[i], 0.125L), cmp(0.125L, table[i]));
    long long ll = (long long)(table[3] / 1e290L);
    unsigned u = (unsigned)(-table[1] * 4);
    int neg = (int)(long double)-7;
    printf("conv %lld %u %d %d\n", ll, u, neg, (int)(-2.75L));
    unsigned long long big = 18446744073709551615ULL;
    long double lb = big;
    printf("u64 round trip %d\n", (unsigned long long)lb == big);
    float f = (float)third;
    printf("float %.6f\n", (double)f);
    long double nz = -0.0L;
    printf("signbit %d isinf %d isnan %d\n", __builtin_signbit(nz) != 0, __builtin_isinf(table[3] / 0.0L),
           __builtin_isnan(0.0L / 0.0L));
    long double acc = 0;
    for (int i = 1; i <= 10; i++)
        acc = acc * 2 + i;
    printf("acc %.1f\n", (double)acc);
    printf("%Lf %.2Lf\n", table[1], g);
    return 0;
}
