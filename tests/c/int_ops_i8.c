/* int8_t arithmetic with exact wrap-around, division, shifts and comparisons. */
#include <stdio.h>
#include <stdint.h>
volatile int8_t vals[] = {0, 1, -1, 127, -128, 37, -91};
#define N (int)(sizeof vals / sizeof vals[0])
int main(void) {
    for (int i = 0; i < N; i++) {
        for (int j = 0; j < N; j++) {
            int8_t a = vals[i], b = vals[j];
            int8_t add = (int8_t)(a + b), sub = (int8_t)(a - b), mul = (int8_t)(a * b), x = (int8_t)(a ^ b), o = (int8_t)(a | b), n = (int8_t)(a & b);
            printf("%d %d %d %d %d %d", (int)add, (int)sub, (int)mul, (int)x, (int)o, (int)n);
            if (b != 0 && !(a == (int8_t)((int8_t)1 << 7) && b == (int8_t)-1)) printf(" %d %d", (int)(int8_t)(a / b), (int)(int8_t)(a % b));
            printf(" %d%d%d%d%d%d\n", a < b, a <= b, a > b, a >= b, a == b, a != b);
        }
        int8_t a = vals[i];
        for (int s = 0; s < 8; s += 1) printf("%d %d ", (int)(int8_t)(a << s), (int)(int8_t)(a >> s));
        printf("%d %d %d\n", (int)(int8_t)-a, (int)(int8_t)~a, !a);
    }
    return 0;
}
