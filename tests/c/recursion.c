#include <stdio.h>
static int ack(int m, int n) { if (m == 0) return n + 1; if (n == 0) return ack(m - 1, 1); return ack(m - 1, ack(m, n - 1)); }
static long long fibr(int n) { return n < 2 ? n : fibr(n - 1) + fibr(n - 2); }
static int is_even(int n); static int is_odd(int n) { return n == 0 ? 0 : is_even(n - 1); } static int is_even(int n) { return n == 0 ? 1 : is_odd(n - 1); }
static void hanoi(int n, int a, int b, int c, int *moves) { if (!n) return; hanoi(n - 1, a, c, b, moves); (*moves)++; hanoi(n - 1, c, b, a, moves); }
int main(void) { int m = 0; hanoi(12, 1, 2, 3, &m); printf("%d %lld %d %d %d\n", ack(2, 3), fibr(24), is_even(101), is_odd(77), m); return 0; }
