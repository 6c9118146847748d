#include <stdio.h>
#include <stdarg.h>
#include <stdint.h>
static void vlog(char *out, int cap, const char *fmt, ...) { va_list ap; va_start(ap, fmt); vsnprintf(out, cap, fmt, ap); va_end(ap); }
static long long total(int n, ...) { va_list ap; va_start(ap, n); long long t = 0; for (int i = 0; i < n; i++) { int kind = va_arg(ap, int); if (kind == 0) t += va_arg(ap, int); else if (kind == 1) t += va_arg(ap, long long); else t += (long long)(va_arg(ap, double) * 100); } va_end(ap); return t; }
int main(void) { char buf[128]; vlog(buf, sizeof buf, "%s|%5.2f|%lld|%c|%u", "x", 3.14159, (long long)INT64_MIN, 'z', 3000000000u); puts(buf);
    printf("%lld\n", total(5, 0, 7, 1, 1LL << 50, 2, 1.25, 0, -3, 2, -0.5)); return 0; }
