/* int16_t arithmetic with exact wrap-around, division, shifts and comparisons. */
#include <stdio.h>
#include <stdint.h>
volatile int16_t vals[] = {0, 1, -1, 32767, -32768, 1234, -4321};
#define N (int)(sizeof vals / sizeof vals[0])
int main(void) {
    for (int i = 0; i < N; i++) {
        for (int j = 0; j < N; j++) {
            int16_t a = vals[i], b = vals[j];
            int16_t add = (int16_t)(a + b), sub = (int16_t)(a - b), mul = (int16_t)(a * b), x = (int16_t)(a ^ b), o = (int16_t)(a | b), n = (int16_t)(a & b);
            printf("%d %d %d %d %d %d", (int)add, (int)sub, (int)mul, (int)x, (int)o, (int)n);
            if (b != 0 && !(a == (int16_t)((int16_t)1 << 15) && b == (int16_t)-1)) printf(" %d %d", (int)(int16_t)(a / b), (int)(int16_t)(a % b));
            printf(" %d%d%d%d%d%d\n", a < b, a <= b, a > b, a >= b, a == b, a != b);
        }
        int16_t a = vals[i];
        for (int s = 0; s < 16; s += 3) printf("%d %d ", (int)(int16_t)(a << s), (int)(int16_t)(a >> s));
        printf("%d %d %d\n", (int)(int16_t)-a, (int)(int16_t)~a, !a);
    }
    return 0;
}
