#include <stdio.h>
int main(void) { char b[200]; int n = sprintf(b, "%5.1f|%-6s|%06d|%x|%#x|%+.3e|%%|%3c|%.0f", 2.345, "ab", -42, 0xabc, 255, -12345.678, 'k', 2.5); printf("%d %s\n", n, b);
    n = snprintf(b, 10, "%s", "0123456789abcdef"); printf("%d %s\n", n, b); printf("%lld %llx %lu\n", -1LL, 0xfedcba9876543210ULL, 4294967295ul); return 0; }
