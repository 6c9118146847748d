/* Variadic functions called through pointers: a native (`sprintf`,
 * `snprintf`, `printf` taken by address) gets each variadic argument with
 * its exact type; a module function gets them packed, as in a direct call. */
#include <stdarg.h>
#include <stdio.h>

static int sum(int n, ...) {
    va_list ap;
    va_start(ap, n);
    int s = 0;
    for (int k = 0; k < n; k++)
        s += va_arg(ap, int);
    va_end(ap);
    return s;
}

static double dsum(int n, ...) {
    va_list ap;
    va_start(ap, n);
    double s = 0;
    for (int k = 0; k < n; k++)
        s += va_arg(ap, double);
    va_end(ap);
    return s;
}

int main(void) {
    char buf[64];
    int (*volatile fmt)(char *, const char *, ...) = sprintf;
    int n = fmt(buf, "%d-%s-%.1f", 0, "x", 1.5);
    printf("%d [%s]\n", n, buf);
    int (*volatile sfmt)(char *, size_t, const char *, ...) = snprintf;
    n = sfmt(buf, sizeof buf, "%lld|%c|%u|%g", -123456789012345LL, 'q', 42u, 0.25);
    printf("%d [%s]\n", n, buf);
    int (*volatile pf)(const char *, ...) = printf;
    pf("%s %d %.3f %lx\n", "through printf", -7, 2.0 / 3.0, 0xdeadbeefUL);
    int (*volatile m)(int, ...) = sum;
    double (*volatile dm)(int, ...) = dsum;
    printf("%d %.2f\n", m(4, 1, 2, 3, 4), dm(3, 0.5, 1.25, 2.0));
    /* The same pointer variable holding a native, then a module function. */
    int (*volatile either)(char *, const char *, ...) = sprintf;
    for (int k = 0; k < 2; k++) {
        n = either(buf, "%d:%d", k, k * 10);
        printf("%d %s\n", n, buf);
    }
    return 0;
}
