#include <stdio.h>
typedef void (*visit_fn)(int idx, int val, void *ud);
static void each(const int *a, int n, visit_fn f, void *ud) { for (int i = 0; i < n; i++) f(i, a[i], ud); }
struct Acc { long sum; int maxv, maxi; };
static void acc_visit(int i, int v, void *ud) { struct Acc *a = ud; a->sum += v; if (v > a->maxv) { a->maxv = v; a->maxi = i; } }
static void print_visit(int i, int v, void *ud) { (void)ud; if (i % 3 == 0) printf("[%d]=%d ", i, v); }
int main(void) { int a[12]; for (int i = 0; i < 12; i++) a[i] = (i * 37) % 23 - 5; struct Acc acc = {0, -1000, -1}; each(a, 12, acc_visit, &acc); each(a, 12, print_visit, 0); printf("\n%ld %d %d\n", acc.sum, acc.maxv, acc.maxi); return 0; }
