#include <stdio.h>
typedef int (*binop)(int, int);
static int add(int a, int b) { return a + b; }
static int sub(int a, int b) { return a - b; }
static int mul(int a, int b) { return a * b; }
static binop pick(int k) { binop t[] = {add, sub, mul}; return t[k % 3]; }
static long long apply64(long long (*f)(long long), long long x) { return f(x); }
static long long twice(long long x) { return 2 * x; }
static double dapply(double (*f)(double, double), double a) { return f(a, a); }
static double dmul(double a, double b) { return a * b; }
int main(void) {
    volatile int k = 0; int acc = 1;
    for (int i = 0; i < 9; i++) acc = pick(k + i)(acc, i + 2);
    printf("%d %lld %.2f\n", acc, apply64(twice, 1LL << 35), dapply(dmul, 1.5));
    return 0;
}
