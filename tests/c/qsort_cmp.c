#include <stdio.h>
#include <stdlib.h>
#include <string.h>
static int cmp_int(const void *a, const void *b) { int x = *(const int *)a, y = *(const int *)b; return (x > y) - (x < y); }
static int cmp_str(const void *a, const void *b) { return strcmp(*(const char *const *)a, *(const char *const *)b); }
struct R { int k; double v; };
static int cmp_r(const void *a, const void *b) { const struct R *x = a, *y = b; return x->v < y->v ? -1 : x->v > y->v; }
int main(void) {
    int a[20]; unsigned s = 12345; for (int i = 0; i < 20; i++) { s = s * 1103515245u + 12345u; a[i] = (int)(s >> 16) % 1000 - 500; }
    qsort(a, 20, sizeof a[0], cmp_int); for (int i = 0; i < 20; i++) printf("%d ", a[i]); printf("\n");
    const char *w[] = {"pear", "apple", "fig", "banana", "cherry"}; qsort(w, 5, sizeof w[0], cmp_str);
    for (int i = 0; i < 5; i++) printf("%s ", w[i]); printf("\n");
    struct R r[5] = {{1, 2.5}, {2, -1.0}, {3, 9.75}, {4, 0.0}, {5, 2.4}}; qsort(r, 5, sizeof r[0], cmp_r);
    for (int i = 0; i < 5; i++) printf("%d ", r[i].k); printf("\n");
    int key = a[7]; int *f = bsearch(&key, a, 20, sizeof a[0], cmp_int); printf("%d\n", f ? *f == key : -1);
    return 0;
}
