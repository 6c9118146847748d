#include <stdio.h>
#include <stdarg.h>
static int sum_ints(int n, ...) { va_list ap; va_start(ap, n); int s = 0; for (int i = 0; i < n; i++) s += va_arg(ap, int); va_end(ap); return s; }
static double mixed(const char *fmt, ...) {
    va_list ap; va_start(ap, fmt); double acc = 0;
    for (; *fmt; fmt++) switch (*fmt) { case 'i': acc += va_arg(ap, int); break; case 'l': acc += (double)va_arg(ap, long long); break; case 'd': acc += va_arg(ap, double); break; case 's': acc += va_arg(ap, char *)[0]; break; }
    va_end(ap); return acc;
}
static int copy_sum(int n, ...) { va_list ap, aq; va_start(ap, n); va_copy(aq, ap); int a = 0, b = 0; for (int i = 0; i < n; i++) a += va_arg(ap, int); for (int i = 0; i < n; i++) b += 2 * va_arg(aq, int); va_end(ap); va_end(aq); return a + b; }
static void myprintf(const char *fmt, ...) { va_list ap; va_start(ap, fmt); vprintf(fmt, ap); va_end(ap); }
int main(void) {
    printf("%d %d\n", sum_ints(3, 1, 2, 3), sum_ints(0));
    printf("%.3f\n", mixed("ildsi", 5, 1LL << 33, 2.5, "A", -1));
    printf("%d\n", copy_sum(4, 1, 2, 3, 4));
    myprintf("%s-%d-%.1f\n", "v", 9, 1.5);
    return 0;
}
