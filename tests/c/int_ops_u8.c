/* uint8_t arithmetic with exact wrap-around, division, shifts and comparisons. */
#include <stdio.h>
#include <stdint.h>
volatile uint8_t vals[] = {0, 1, 255, 128, 37, 200};
#define N (int)(sizeof vals / sizeof vals[0])
int main(void) {
    for (int i = 0; i < N; i++) {
        for (int j = 0; j < N; j++) {
            uint8_t a = vals[i], b = vals[j];
            uint8_t add = (uint8_t)(a + b), sub = (uint8_t)(a - b), mul = (uint8_t)(a * b), x = (uint8_t)(a ^ b), o = (uint8_t)(a | b), n = (uint8_t)(a & b);
            printf("%u %u %u %u %u %u", (unsigned)add, (unsigned)sub, (unsigned)mul, (unsigned)x, (unsigned)o, (unsigned)n);
            if (b != 0) printf(" %u %u", (unsigned)(uint8_t)(a / b), (unsigned)(uint8_t)(a % b));
            printf(" %d%d%d%d%d%d\n", a < b, a <= b, a > b, a >= b, a == b, a != b);
        }
        uint8_t a = vals[i];
        for (int s = 0; s < 8; s += 1) printf("%u %u ", (unsigned)(uint8_t)(a << s), (unsigned)(uint8_t)(a >> s));
        printf("%u %u %d\n", (unsigned)(uint8_t)-a, (unsigned)(uint8_t)~a, !a);
    }
    return 0;
}
