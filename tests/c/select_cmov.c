#include <stdio.h>
volatile int data[] = {3, -1, 4, -1, 5, -9, 2, 6};
int main(void) {
    int pos = 0, neg = 0, clamp = 0; long long wide = 0; double dsel = 0;
    for (int i = 0; i < 8; i++) { int v = data[i]; pos += v > 0 ? v : 0; neg += v < 0; clamp += v > 4 ? 4 : v < -2 ? -2 : v; wide += v & 1 ? (long long)v << 33 : -v; dsel += v > 2 ? 0.5 * v : -0.25; }
    printf("%d %d %d %lld %.2f\n", pos, neg, clamp, wide, dsel);
    return 0;
}
