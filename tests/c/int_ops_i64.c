/* int64_t arithmetic with exact wrap-around, division, shifts and comparisons. */
#include <stdio.h>
#include <stdint.h>
volatile int64_t vals[] = {0, 1, -1, 9223372036854775807LL, -9223372036854775807LL-1, 1234567890123LL, -98765432109LL};
#define N (int)(sizeof vals / sizeof vals[0])
int main(void) {
    for (int i = 0; i < N; i++) {
        for (int j = 0; j < N; j++) {
            int64_t a = vals[i], b = vals[j];
            int64_t add = (int64_t)(a + b), sub = (int64_t)(a - b), mul = (int64_t)(a * b), x = (int64_t)(a ^ b), o = (int64_t)(a | b), n = (int64_t)(a & b);
            printf("%lld %lld %lld %lld %lld %lld", (long long)add, (long long)sub, (long long)mul, (long long)x, (long long)o, (long long)n);
            if (b != 0 && !(a == (int64_t)((int64_t)1 << 63) && b == (int64_t)-1)) printf(" %lld %lld", (long long)(int64_t)(a / b), (long long)(int64_t)(a % b));
            printf(" %d%d%d%d%d%d\n", a < b, a <= b, a > b, a >= b, a == b, a != b);
        }
        int64_t a = vals[i];
        for (int s = 0; s < 64; s += 12) printf("%lld %lld ", (long long)(int64_t)(a << s), (long long)(int64_t)(a >> s));
        printf("%lld %lld %d\n", (long long)(int64_t)-a, (long long)(int64_t)~a, !a);
    }
    return 0;
}
