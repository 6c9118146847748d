#include <stdio.h>
#include <math.h>
volatile double z = 0.0;
int main(void) { double n = z / z; printf("%.2f %.2f %.2f %.2f\n", fmin(n, 3.0), fmax(2.0, n), fmin(-1.5, 2.5), fmax(-1.5, 2.5)); printf("%.2f %.2f %d\n", fminf(4.0f, -4.0f), fmaxf((float)n, 7.0f), __builtin_isnan(fmin(n, n)) != 0); return 0; }
