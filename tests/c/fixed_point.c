#include <stdio.h>
#include <stdint.h>
typedef int32_t q16;
static q16 qmul(q16 a, q16 b) { return (q16)(((int64_t)a * b) >> 16); }
static q16 qdiv(q16 a, q16 b) { return (q16)(((int64_t)a << 16) / b); }
static q16 qsqrt(q16 x) { q16 r = x > 65536 ? x / 2 : 65536; for (int i = 0; i < 20; i++) r = (r + qdiv(x, r)) / 2; return r; }
int main(void) { q16 a = 3 << 16 | 0x8000, b = -(2 << 16); printf("%d %d %d %d\n", qmul(a, b), qdiv(a, b), qsqrt(2 << 16), qsqrt(100 << 16) >> 16); return 0; }
