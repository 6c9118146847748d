/* Output capture for the natively compiled benchmarks (see native_shim.h). */
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>

static char out_buf[4096];
static size_t out_len;

int espb_bench_printf(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    size_t room = sizeof out_buf - out_len;
    int n = vsnprintf(out_buf + out_len, room, fmt, ap);
    va_end(ap);
    if (n > 0)
        out_len += (size_t)n < room ? (size_t)n : room - 1;
    return n;
}

const char *espb_bench_output(size_t *len)
{
    *len = out_len;
    return out_buf;
}

void espb_bench_output_reset(void) { out_len = 0; }
