#include <stdio.h>
#include <stdlib.h>
static int cmpd(const void *a, const void *b) { double x = *(const double *)a, y = *(const double *)b; return (x > y) - (x < y); }
static int cmpd_desc(const void *a, const void *b) { return cmpd(b, a); }
int main(void) { double v[50]; for (int i = 0; i < 50; i++) v[i] = ((i * 7919) % 101) / 7.0 - 5; qsort(v, 50, sizeof v[0], cmpd); printf("%.4f %.4f %.4f ", v[0], v[25], v[49]); qsort(v, 50, sizeof v[0], cmpd_desc); printf("%.4f %.4f\n", v[0], v[49]); return 0; }
