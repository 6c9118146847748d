#include <stdio.h>
#include <string.h>
static int use(int n) { char *p = __builtin_alloca(n + 1); memset(p, 'a' + n % 26, n); p[n] = 0; int s = 0; for (int i = 0; i < n; i++) s += p[i]; return s + (int)strlen(p); }
int main(void) { long t = 0; for (int i = 1; i < 300; i += 7) t += use(i); printf("%ld\n", t); return 0; }
