/* uint64_t arithmetic with exact wrap-around, division, shifts and comparisons. */
#include <stdio.h>
#include <stdint.h>
volatile uint64_t vals[] = {0, 1, 18446744073709551615ULL, 9223372036854775808ULL, 1234567890123ULL};
#define N (int)(sizeof vals / sizeof vals[0])
int main(void) {
    for (int i = 0; i < N; i++) {
        for (int j = 0; j < N; j++) {
            uint64_t a = vals[i], b = vals[j];
            uint64_t add = (uint64_t)(a + b), sub = (uint64_t)(a - b), mul = (uint64_t)(a * b), x = (uint64_t)(a ^ b), o = (uint64_t)(a | b), n = (uint64_t)(a & b);
            printf("%llu %llu %llu %llu %llu %llu", (unsigned long long)add, (unsigned long long)sub, (unsigned long long)mul, (unsigned long long)x, (unsigned long long)o, (unsigned long long)n);
            if (b != 0) printf(" %llu %llu", (unsigned long long)(uint64_t)(a / b), (unsigned long long)(uint64_t)(a % b));
            printf(" %d%d%d%d%d%d\n", a < b, a <= b, a > b, a >= b, a == b, a != b);
        }
        uint64_t a = vals[i];
        for (int s = 0; s < 64; s += 12) printf("%llu %llu ", (unsigned long long)(uint64_t)(a << s), (unsigned long long)(uint64_t)(a >> s));
        printf("%llu %llu %d\n", (unsigned long long)(uint64_t)-a, (unsigned long long)(uint64_t)~a, !a);
    }
    return 0;
}
