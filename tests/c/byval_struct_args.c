#include <stdio.h>
struct Big { int v[6]; double d; };
__attribute__((noinline)) static void mutate(struct Big *b, int k) { for (int i = 0; i < 6; i++) b->v[i] += k; b->d *= 2; }
/* The callee changes its own copy (through a pointer, so the stores really
   happen); the caller's struct must not change. */
__attribute__((noinline)) static int consume(struct Big b, int k) { mutate(&b, k); int s = 0; for (int i = 0; i < 6; i++) s += b.v[i]; return s + (int)b.d; }
__attribute__((noinline)) static struct Big bump(struct Big b) { mutate(&b, 1); return b; }
static int (*volatile fp)(struct Big, int) = consume;
int main(void) { struct Big b = {{1, 2, 3, 4, 5, 6}, 1.5}; int r1 = consume(b, 10), r2 = fp(b, 100); struct Big c = bump(b); printf("%d %d %d %d %.1f %d %.1f\n", r1, r2, b.v[0], b.v[5], b.d, c.v[0], c.d); return 0; }
