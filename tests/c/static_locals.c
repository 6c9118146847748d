#include <stdio.h>
static int next_id(void) { static int id = 100; return id++; }
static const char *msg(int i) { static const char *m[] = {"a", "bb", "ccc"}; return m[i % 3]; }
static int memo_fib(int n) { static long long memo[60]; if (n < 2) return n; if (memo[n]) return (int)memo[n]; return (int)(memo[n] = memo_fib(n - 1) + memo_fib(n - 2)); }
int main(void) { for (int i = 0; i < 4; i++) printf("%d %s ", next_id(), msg(i)); printf("%d\n", memo_fib(45)); return 0; }
