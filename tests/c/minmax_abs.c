#include <stdio.h>
#include <stdlib.h>
volatile int v[] = {5, -17, 42, 0, -2147483647, 99, -3};
volatile unsigned uv[] = {5, 4000000000u, 7, 0};
volatile long long lv[] = {-5000000000LL, 3, 9000000000LL};
int main(void) {
    int mn = v[0], mx = v[0], sa = 0;
    for (int i = 1; i < 7; i++) { mn = v[i] < mn ? v[i] : mn; mx = v[i] > mx ? v[i] : mx; }
    for (int i = 0; i < 7; i++) sa += abs(v[i]) % 1000;
    unsigned umx = 0, umn = ~0u; for (int i = 0; i < 4; i++) { umx = uv[i] > umx ? uv[i] : umx; umn = uv[i] < umn ? uv[i] : umn; }
    long long lm = 0; for (int i = 0; i < 3; i++) lm = llabs(lv[i]) > lm ? llabs(lv[i]) : lm;
    printf("%d %d %d %u %u %lld\n", mn, mx, sa, umx, umn, lm);
    signed char sc[] = {-5, 100, -128, 7}; int m8 = 0; for (int i = 0; i < 4; i++) m8 = sc[i] < m8 ? sc[i] : m8; printf("%d\n", m8);
    return 0;
}
