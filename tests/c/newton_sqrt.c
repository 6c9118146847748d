#include <stdio.h>
static double nsqrt(double x) { double r = x > 1 ? x : 1; for (int i = 0; i < 60; i++) r = 0.5 * (r + x / r); return r; }
static float nsqrtf(float x) { float r = x > 1 ? x : 1; for (int i = 0; i < 40; i++) r = 0.5f * (r + x / r); return r; }
int main(void) { for (double x = 0.25; x < 1e6; x *= 7.5) printf("%.12f %.5f\n", nsqrt(x), (double)nsqrtf((float)x)); return 0; }
