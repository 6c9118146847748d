#include <stdio.h>
static int leap(int y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }
static long days(int y, int m, int d) { static const int cum[] = {0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334}; long n = (long)(y - 1) * 365 + (y - 1) / 4 - (y - 1) / 100 + (y - 1) / 400; n += cum[m - 1] + d; if (m > 2 && leap(y)) n++; return n; }
int main(void) { printf("%ld %ld %d\n", days(2024, 3, 1) - days(2023, 3, 1), days(2000, 1, 1) - days(1970, 1, 1), (int)((days(2026, 11, 25) + 0) % 7)); return 0; }
