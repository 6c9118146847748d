#include <stdio.h>
#include <stdbool.h>
static int calls; static bool t(void) { calls++; return true; } static bool f(void) { calls += 10; return false; }
int main(void) { bool r1 = f() && t(), r2 = t() || f(), r3 = (f() || t()) && !f(); int c = calls; bool arr[5] = {1, 0, 1, 1, 0}; int n = 0; for (int i = 0; i < 5; i++) n += arr[i] ^ (i & 1); printf("%d %d %d %d %d %d\n", r1, r2, r3, c, n, (int)sizeof(bool)); return 0; }
