#include <stdio.h>
static int sum_to(int n) { int s = 0; for (int i = 1; i <= n; i++) s += i; return s; }
static unsigned fib(unsigned n) { unsigned a = 0, b = 1; while (n--) { unsigned t = a + b; a = b; b = t; } return a; }
int fact(int n) { return n <= 1 ? 1 : n * fact(n - 1); }
int main(void) {
    volatile int n = 100;
    printf("%d %u %d\n", sum_to(n), fib(40), fact(10));
    int x = n;
    printf("%d %d %d %d\n", x / 7, x % 7, -x / 7, -x % 7);
    unsigned u = 0xffffffffu; u += n;
    printf("%u %u\n", u, u >> 3);
    return 3;
}
