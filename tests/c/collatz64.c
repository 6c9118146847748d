#include <stdio.h>
#include <stdint.h>
int main(void) { uint64_t best = 0, arg = 0, peak = 0; for (uint64_t s = 1; s < 20000; s++) { uint64_t n = s, k = 0; while (n != 1) { n = n & 1 ? 3 * n + 1 : n >> 1; if (n > peak) peak = n; k++; } if (k > best) { best = k; arg = s; } } printf("%llu %llu %llu\n", (unsigned long long)best, (unsigned long long)arg, (unsigned long long)peak); return 0; }
