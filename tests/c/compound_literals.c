#include <stdio.h>
struct P { int x, y; };
static int dot(const struct P *a, const struct P *b) { return a->x * b->x + a->y * b->y; }
static int sum(const int *a, int n) { int s = 0; while (n--) s += *a++; return s; }
int main(void) { printf("%d %d %d\n", dot(&(struct P){3, 4}, &(struct P){.y = 2, .x = -1}), sum((int[]){1, 2, 3, 4, 5}, 5), ((struct P[]){{1, 2}, {3, 4}})[1].y); return 0; }
