#include <stdio.h>
static void swap_loop(int n) { int a = 1, b = 2, c = 3; for (int i = 0; i < n; i++) { int t = a; a = b; b = c; c = t + i; } printf("%d %d %d\n", a, b, c); }
static int collatz(unsigned n) { int s = 0; while (n != 1) { n = n & 1 ? 3 * n + 1 : n / 2; s++; } return s; }
static int nested(int n) { int t = 0; for (int i = 0; i < n; i++) for (int j = i; j < n; j++) { if ((i + j) % 3 == 0) continue; if (j > 3 * i + 5) break; t += i * j; } return t; }
int main(void) { swap_loop(37); int best = 0, arg = 0; for (unsigned k = 1; k < 3000; k++) { int c = collatz(k); if (c > best) { best = c; arg = k; } } printf("%d %d %d\n", best, arg, nested(60)); return 0; }
