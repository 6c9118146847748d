#include <stdio.h>
#include <stdint.h>
volatile int vals[] = {7, -7, 3, -3, 1, -1, 2147483647, -2147483647 - 1};
int main(void) {
    for (int i = 0; i < 8; i++)
        for (int j = 0; j < 6; j++) {
            int a = vals[i], b = vals[j];
            if (b == -1 && a == -2147483647 - 1) continue; /* UB in C */
            printf("%d/%d=%d r%d u%u ur%u\n", a, b, a / b, a % b, (unsigned)a / (unsigned)b, (unsigned)a % (unsigned)b);
        }
    volatile long long p = -9000000000000000000LL, q = 7;
    printf("%lld %lld %llu\n", p / q, p % q, (unsigned long long)p / 3);
    return 0;
}
