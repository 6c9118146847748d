#include <stdio.h>
static int mod_pos(int a, int m) { int r = a % m; return r < 0 ? r + m : r; }
int main(void) { for (int a = -13; a <= 13; a += 5) printf("%d:%d:%d:%d ", a, a % 4, mod_pos(a, 4), a / 4); long long b = -10000000007LL; printf("\n%lld %lld\n", b % 3, b / 3); return 0; }
