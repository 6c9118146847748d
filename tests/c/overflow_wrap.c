#include <stdio.h>
#include <stdint.h>
#include <limits.h>
volatile int big = INT_MAX; volatile unsigned ub = UINT_MAX;
int main(void) {
    unsigned u = ub; u += 2; printf("%u\n", u);
    int r; printf("%d ", __builtin_add_overflow(big, 1, &r)); printf("%d\n", r);
    printf("%d ", __builtin_sub_overflow(-big, 5, &r)); printf("%d\n", r);
    printf("%d ", __builtin_mul_overflow(big, 3, &r)); printf("%d\n", r);
    unsigned ur; printf("%d %u\n", __builtin_add_overflow(ub, 5u, &ur), ur);
    printf("%d %u\n", __builtin_mul_overflow(ub, 3u, &ur), ur);
    long long ll; printf("%d %lld\n", __builtin_mul_overflow((long long)big * 4, (long long)big, &ll), ll);
    unsigned long long ull; printf("%d %llu\n", __builtin_mul_overflow(0xffffffffffULL, 0xffffffffffULL, &ull), ull);
    int8_t c; printf("%d %d\n", __builtin_add_overflow((int8_t)100, (int8_t)100, &c), c);
    return 0;
}
