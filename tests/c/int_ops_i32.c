/* int32_t arithmetic with exact wrap-around, division, shifts and comparisons. */
#include <stdio.h>
#include <stdint.h>
volatile int32_t vals[] = {0, 1, -1, 2147483647, -2147483647-1, 123456, -98765};
#define N (int)(sizeof vals / sizeof vals[0])
int main(void) {
    for (int i = 0; i < N; i++) {
        for (int j = 0; j < N; j++) {
            int32_t a = vals[i], b = vals[j];
            int32_t add = (int32_t)(a + b), sub = (int32_t)(a - b), mul = (int32_t)(a * b), x = (int32_t)(a ^ b), o = (int32_t)(a | b), n = (int32_t)(a & b);
            printf("%d %d %d %d %d %d", (int)add, (int)sub, (int)mul, (int)x, (int)o, (int)n);
            if (b != 0 && !(a == (int32_t)((int32_t)1 << 31) && b == (int32_t)-1)) printf(" %d %d", (int)(int32_t)(a / b), (int)(int32_t)(a % b));
            printf(" %d%d%d%d%d%d\n", a < b, a <= b, a > b, a >= b, a == b, a != b);
        }
        int32_t a = vals[i];
        for (int s = 0; s < 32; s += 6) printf("%d %d ", (int)(int32_t)(a << s), (int)(int32_t)(a >> s));
        printf("%d %d %d\n", (int)(int32_t)-a, (int)(int32_t)~a, !a);
    }
    return 0;
}
