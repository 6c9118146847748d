/* uint16_t arithmetic with exact wrap-around, division, shifts and comparisons. */
#include <stdio.h>
#include <stdint.h>
volatile uint16_t vals[] = {0, 1, 65535, 32768, 1234, 50000};
#define N (int)(sizeof vals / sizeof vals[0])
int main(void) {
    for (int i = 0; i < N; i++) {
        for (int j = 0; j < N; j++) {
            uint16_t a = vals[i], b = vals[j];
            uint16_t add = (uint16_t)(a + b), sub = (uint16_t)(a - b), mul = (uint16_t)(a * b), x = (uint16_t)(a ^ b), o = (uint16_t)(a | b), n = (uint16_t)(a & b);
            printf("%u %u %u %u %u %u", (unsigned)add, (unsigned)sub, (unsigned)mul, (unsigned)x, (unsigned)o, (unsigned)n);
            if (b != 0) printf(" %u %u", (unsigned)(uint16_t)(a / b), (unsigned)(uint16_t)(a % b));
            printf(" %d%d%d%d%d%d\n", a < b, a <= b, a > b, a >= b, a == b, a != b);
        }
        uint16_t a = vals[i];
        for (int s = 0; s < 16; s += 3) printf("%u %u ", (unsigned)(uint16_t)(a << s), (unsigned)(uint16_t)(a >> s));
        printf("%u %u %d\n", (unsigned)(uint16_t)-a, (unsigned)(uint16_t)~a, !a);
    }
    return 0;
}
