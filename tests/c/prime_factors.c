#include <stdio.h>
#include <stdint.h>
int main(void) { uint64_t ns[] = {600851475143ULL, 9999999967ULL, 1ULL << 40, 123456789012ULL}; for (int i = 0; i < 4; i++) { uint64_t n = ns[i]; printf("%llu:", (unsigned long long)n); for (uint64_t d = 2; d * d <= n; d++) while (n % d == 0) { printf(" %llu", (unsigned long long)d); n /= d; } if (n > 1) printf(" %llu", (unsigned long long)n); printf("\n"); } return 0; }
