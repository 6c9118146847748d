#include <stdio.h>
#include <stdint.h>
static uint64_t gcd(uint64_t a, uint64_t b) { while (b) { uint64_t t = a % b; a = b; b = t; } return a; }
static uint64_t bgcd(uint64_t a, uint64_t b) { if (!a) return b; if (!b) return a; int k = __builtin_ctzll(a | b); a >>= __builtin_ctzll(a); do { b >>= __builtin_ctzll(b); if (a > b) { uint64_t t = a; a = b; b = t; } b -= a; } while (b); return a << k; }
int main(void) { uint64_t l = 1; for (uint64_t k = 1; k <= 40; k++) l = l / gcd(l, k) * k; printf("%llu %llu %llu\n", (unsigned long long)l, (unsigned long long)gcd(1234567890123456ULL, 9876543210ULL), (unsigned long long)bgcd(1234567890123456ULL, 9876543210ULL)); return 0; }
