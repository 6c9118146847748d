#include <stdio.h>
static const short primes[] = {2, 3, 5, 7, 11, 13, 17, 19, 23, 29};
double coeffs[4] = {1.5, -2.25, 0.125};
long long big_table[3] = {1LL << 62, -1, 12345678901234LL};
float ftab[2][3] = {{1, 2, 3}, {4.5f, 5.5f}};
char msg[] = "global message";
const char *const ptrs[] = {msg, msg + 7, "literal"};
unsigned char bytes[5] = {0xff, 0x80, 0x7f};
int zeroes[1000];
int main(void) { int s = 0; for (int i = 0; i < 10; i++) s += primes[i]; printf("%d %.3f %lld %lld %.1f %s %s %s %d %d %d\n", s, coeffs[0] + coeffs[1] + coeffs[2] + coeffs[3], big_table[0], big_table[1] + big_table[2], ftab[1][1] + ftab[1][2], ptrs[0], ptrs[1], ptrs[2], bytes[0] + bytes[1] + bytes[2] + bytes[3], zeroes[999], (int)sizeof msg); return 0; }
