#include <stdio.h>
struct Big { int a[50]; double d[10]; char s[33]; };
static struct Big make(int k) { struct Big b; for (int i = 0; i < 50; i++) b.a[i] = i * k; for (int i = 0; i < 10; i++) b.d[i] = k / (i + 1.0); for (int i = 0; i < 32; i++) b.s[i] = (char)('a' + (i + k) % 26); b.s[32] = 0; return b; }
static long sum(struct Big b) { long s = 0; for (int i = 0; i < 50; i++) s += b.a[i]; for (int i = 0; i < 10; i++) s += (long)(b.d[i] * 100); return s; }
int main(void) { struct Big x = make(3), y; y = x; y.a[0] = 999; struct Big arr[2] = {x, y}; printf("%ld %ld %d %s\n", sum(x), sum(arr[1]), arr[0].a[0], arr[1].s); return 0; }
