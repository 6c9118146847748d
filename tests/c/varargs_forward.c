#include <stdio.h>
#include <stdarg.h>
static int inner(const char *tag, va_list ap) { int n = va_arg(ap, int); long long s = 0; for (int i = 0; i < n; i++) s += va_arg(ap, long long); double d = va_arg(ap, double); return printf("%s %lld %.2f\n", tag, s, d); }
static int outer(const char *tag, ...) { va_list ap; va_start(ap, tag); int r = inner(tag, ap); va_end(ap); return r; }
struct S { int a; double b; };
static double sptr(int n, ...) { va_list ap; va_start(ap, n); double t = 0; while (n--) { struct S *s = va_arg(ap, struct S *); t += s->a * s->b; } va_end(ap); return t; }
int main(void) { int r = outer("sum", 3, 1LL << 40, -5LL, 7LL, 2.75); struct S x = {2, 1.5}, y = {-3, 0.25}; printf("%d %.3f\n", r, sptr(2, &x, &y)); return 0; }
