#include <stdio.h>
static long long f10(int a, long long b, double c, float d, char e, short f, unsigned g, long long h, double i, int j) { return a + b + (long long)(c * 10) + (long long)d + e + f + g + h + (long long)i + j; }
static double fmix(double a, float b, double c, float d, double e, float f, double g, float h) { return a - b + c * d - e / f + g * h; }
struct Pair { int a, b; };
static int spair(struct Pair p, struct Pair q, int k) { return p.a * q.b - p.b * q.a + k; }
int main(void) { printf("%lld\n", f10(1, 1LL << 40, 2.5, 3.5f, 'A', -7, 4000000000u, -5, 1e3, 9)); printf("%.4f\n", fmix(1.5, 2.5f, 3.25, 4.0f, 5.5, 0.5f, 6.0, 0.25f)); printf("%d\n", spair((struct Pair){3, 4}, (struct Pair){5, 6}, 100)); return 0; }
