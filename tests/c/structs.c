#include <stdio.h>
#include <string.h>
struct P { int x, y; };
struct Big { char name[16]; double v; long long id; short s; };
struct P add(struct P a, struct P b) { struct P r = {a.x + b.x, a.y + b.y}; return r; }
struct Big mk(const char *n, double v) { struct Big b; memset(&b, 0, sizeof b); strcpy(b.name, n); b.v = v; b.id = 1LL << 40; b.s = -3; return b; }
static void show(struct Big b) { printf("%s %.2f %lld %d\n", b.name, b.v, b.id, b.s); }
struct Bits { unsigned a : 3, b : 5, c : 12; int d : 7; };
int main(void) {
    struct P p = add((struct P){1, 2}, (struct P){30, 40});
    printf("%d %d\n", p.x, p.y);
    struct Big b = mk("hello", 2.5); show(b);
    struct Bits bits = {5, 17, 1000, -20}; bits.b += 20;
    printf("%u %u %u %d %u\n", bits.a, bits.b, bits.c, bits.d, (unsigned)sizeof(struct Bits));
    struct P arr[4]; for (int i = 0; i < 4; i++) arr[i] = (struct P){i, i * i};
    int s = 0; for (int i = 0; i < 4; i++) s += arr[i].x * arr[i].y; printf("%d\n", s);
    return 0;
}
