#include <stdio.h>
#include <stdint.h>
volatile int32_t a = 2147483000, b = 1000, c = -2147483000;
volatile uint8_t u1 = 200, u2 = 100; volatile int16_t s1 = 30000, s2 = 5000;
int main(void) {
    printf("%d %d\n", __builtin_elementwise_add_sat(a, b), __builtin_elementwise_sub_sat(c, b));
    printf("%u %u\n", (unsigned)__builtin_elementwise_add_sat(u1, u2), (unsigned)__builtin_elementwise_sub_sat(u2, u1));
    printf("%d %d\n", __builtin_elementwise_add_sat(s1, s2), __builtin_elementwise_sub_sat((int16_t)-s1, s2));
    volatile int64_t x = INT64_MAX - 5; printf("%lld %lld\n", (long long)__builtin_elementwise_add_sat(x, (int64_t)10), (long long)__builtin_elementwise_sub_sat((int64_t)-x, (int64_t)10));
    volatile uint64_t y = UINT64_MAX - 3; printf("%llu\n", (unsigned long long)__builtin_elementwise_add_sat(y, (uint64_t)9));
    return 0;
}
