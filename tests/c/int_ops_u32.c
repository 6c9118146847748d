/* uint32_t arithmetic with exact wrap-around, division, shifts and comparisons. */
#include <stdio.h>
#include <stdint.h>
volatile uint32_t vals[] = {0, 1, 4294967295u, 2147483648u, 123456u, 3000000000u};
#define N (int)(sizeof vals / sizeof vals[0])
int main(void) {
    for (int i = 0; i < N; i++) {
        for (int j = 0; j < N; j++) {
            uint32_t a = vals[i], b = vals[j];
            uint32_t add = (uint32_t)(a + b), sub = (uint32_t)(a - b), mul = (uint32_t)(a * b), x = (uint32_t)(a ^ b), o = (uint32_t)(a | b), n = (uint32_t)(a & b);
            printf("%u %u %u %u %u %u", (unsigned)add, (unsigned)sub, (unsigned)mul, (unsigned)x, (unsigned)o, (unsigned)n);
            if (b != 0) printf(" %u %u", (unsigned)(uint32_t)(a / b), (unsigned)(uint32_t)(a % b));
            printf(" %d%d%d%d%d%d\n", a < b, a <= b, a > b, a >= b, a == b, a != b);
        }
        uint32_t a = vals[i];
        for (int s = 0; s < 32; s += 6) printf("%u %u ", (unsigned)(uint32_t)(a << s), (unsigned)(uint32_t)(a >> s));
        printf("%u %u %d\n", (unsigned)(uint32_t)-a, (unsigned)(uint32_t)~a, !a);
    }
    return 0;
}
