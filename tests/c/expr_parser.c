#include <stdio.h>
static const char *p;
static long expr(void);
static long atom(void) { while (*p == ' ') p++; if (*p == '(') { p++; long v = expr(); while (*p == ' ') p++; p++; return v; } if (*p == '-') { p++; return -atom(); } long v = 0; while (*p >= '0' && *p <= '9') v = v * 10 + (*p++ - '0'); return v; }
static long term(void) { long v = atom(); for (;;) { while (*p == ' ') p++; if (*p == '*') { p++; v *= atom(); } else if (*p == '/') { p++; long d = atom(); v = d ? v / d : 0; } else if (*p == '%') { p++; long d = atom(); v = d ? v % d : 0; } else return v; } }
static long expr(void) { long v = term(); for (;;) { while (*p == ' ') p++; if (*p == '+') { p++; v += term(); } else if (*p == '-') { p++; v -= term(); } else return v; } }
static long eval(const char *s) { p = s; return expr(); }
int main(void) { printf("%ld %ld %ld %ld\n", eval("1 + 2 * 3"), eval("(1 + 2) * 3 - -4"), eval("100 / 7 % 5 + (2*(3+(4*5)))"), eval("-(8 - 20) * (3 % 2)")); return 0; }
