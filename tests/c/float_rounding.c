#include <stdio.h>
#include <math.h>
int main(void) { double v[] = {-2.5, -1.5, -0.5, 0.5, 1.5, 2.5, -2.7, 2.7, 1e15 + 0.5}; for (int i = 0; i < 9; i++) printf("%.1f %.1f %.1f %.1f %.1f %.1f\n", floor(v[i]), ceil(v[i]), trunc(v[i]), round(v[i]), rint(v[i]), nearbyint(v[i]));
    float f[] = {-3.5f, 3.5f, 0.49999997f}; for (int i = 0; i < 3; i++) printf("%.1f %.1f %.1f %.1f\n", floorf(f[i]), ceilf(f[i]), roundf(f[i]), rintf(f[i])); return 0; }
