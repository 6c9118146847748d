#include <stdio.h>
#include <stdint.h>
#include <string.h>
#define W 40
static void mul_small(uint32_t *a, uint32_t m) { uint64_t c = 0; for (int i = 0; i < W; i++) { uint64_t t = (uint64_t)a[i] * m + c; a[i] = (uint32_t)t; c = t >> 32; } }
static uint32_t div_small(uint32_t *a, uint32_t d) { uint64_t r = 0; for (int i = W - 1; i >= 0; i--) { uint64_t cur = (r << 32) | a[i]; a[i] = (uint32_t)(cur / d); r = cur % d; } return (uint32_t)r; }
static int is_zero(const uint32_t *a) { for (int i = 0; i < W; i++) if (a[i]) return 0; return 1; }
int main(void) { uint32_t a[W]; memset(a, 0, sizeof a); a[0] = 1; for (uint32_t k = 2; k <= 60; k++) mul_small(a, k); char digits[400]; int n = 0; while (!is_zero(a)) digits[n++] = (char)('0' + div_small(a, 10)); for (int i = n - 1; i >= 0; i--) putchar(digits[i]); printf("\n%d\n", n); return 0; }
