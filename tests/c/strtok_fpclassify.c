#include <stdio.h>
#include <string.h>
#include <math.h>
int main(void) {
    char buf[] = "  alpha, beta;;gamma  ";
    for (char *t = strtok(buf, " ,;"); t; t = strtok(NULL, " ,;")) printf("[%s]", t);
    char b2[] = "a=1&b=2&&c=3", *save = 0;
    for (char *t = strtok_r(b2, "&", &save); t; t = strtok_r(NULL, "&", &save)) printf("<%s>", t);
    volatile double z = 0.0, one = 1.0; volatile float fz = 0.0f;
    double n = z / z, inf = one / z;
    printf("\n%d %d %d %d %d %d\n", isnan(n), !!isinf(inf), isnan(one), fpclassify(one), fpclassify(z), !!isinf(-1.0f/fz));
    printf("%d %d\n", fpclassify(5e-320), isnormal(one));
    return 0;
}
