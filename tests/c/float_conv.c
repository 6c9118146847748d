#include <stdio.h>
#include <stdint.h>
volatile double ds[] = {0.5, -0.5, 1.9999, -1.9999, 123456.789, -98765.4321, 4294967295.0, 1e-300};
volatile float fs[] = {0.1f, -3.75f, 16777216.0f, 1e10f};
int main(void) {
    for (int i = 0; i < 8; i++) printf("%d %lld %.6e %.3f\n", (int)(ds[i] / 1e5 > 2e4 ? 0 : ds[i]), (long long)ds[i], ds[i], (float)ds[i]);
    for (int i = 0; i < 4; i++) printf("%.9g %lld %u\n", (double)fs[i], (long long)fs[i], (unsigned)(fs[i] < 0 ? 0 : fs[i] > 4e9f ? 0 : fs[i]));
    uint64_t big = 18446744073709551000ULL; printf("%.1f %.1f\n", (double)big, (double)(int64_t)-9007199254740993LL);
    uint32_t u = 4000000000u; printf("%.1f %.1f\n", (double)u, (float)u);
    double r = 0; for (int i = 1; i <= 100; i++) r += 1.0 / (i * (double)i); printf("%.15f\n", r);
    return 0;
}
