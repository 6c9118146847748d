#include <stdio.h>
struct Two { int a, b; }; struct Three { int a, b, c; }; struct DF { double d; float f; }; struct Small { char c; short s; }; struct LL { long long x; };
static struct Two two(int k) { return (struct Two){k, -k}; }
static struct Three three(int k) { return (struct Three){k, k * 2, k * 3}; }
static struct DF df(double d) { return (struct DF){d * 2, (float)d / 2}; }
static struct Small small(int k) { return (struct Small){(char)('a' + k), (short)(k * 1000)}; }
static struct LL ll(int k) { return (struct LL){(long long)k << 40}; }
int main(void) { struct Two t = two(7); struct Three h = three(5); struct DF d = df(1.25); struct Small s = small(3); struct LL l = ll(3); printf("%d %d %d %d %d %.3f %.3f %c %d %lld\n", t.a, t.b, h.a, h.b, h.c, d.d, d.f, s.c, s.s, l.x); return 0; }
