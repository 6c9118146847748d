#include <stdio.h>
static int __attribute__((noinline)) f(int x) { return x * 3 + 1; }
int main(void) { int a = f(1), b = f(a), c = f(b), d = f(c), e = f(d); long long p = (long long)a * b; double q = c / 7.0; int g = f(e) + a + b + c + d + e; printf("%d %d %d %d %d %lld %.4f %d\n", a, b, c, d, e, p, q + f(2), g); return 0; }
