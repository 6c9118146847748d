#include <stdio.h>
#include <stdlib.h>
int main(void) { const char *in[] = {"0x1f", "-077", "101101", "zz", "  +42abc", "-2147483648", "4294967295"}; int bases[] = {16, 8, 2, 36, 10, 10, 10}; for (int i = 0; i < 7; i++) { char *e; long v = strtol(in[i], &e, bases[i]); printf("%ld [%s] ", v, e); } printf("\n%lu %lld %.3f\n", strtoul("4294967295", 0, 10), strtoll("-9000000000", 0, 10), strtod("-1.5e3", 0)); return 0; }
