#include <stdio.h>
#include <stdlib.h>
struct T { int k; struct T *l, *r; };
static struct T *ins(struct T *t, int k) { if (!t) { t = malloc(sizeof *t); t->k = k; t->l = t->r = 0; return t; } if (k < t->k) t->l = ins(t->l, k); else t->r = ins(t->r, k); return t; }
static int height(struct T *t) { if (!t) return 0; int a = height(t->l), b = height(t->r); return 1 + (a > b ? a : b); }
static void walk(struct T *t, long *s, int *n) { if (!t) return; walk(t->l, s, n); *s += (long)t->k * ++*n; walk(t->r, s, n); }
static void freet(struct T *t) { if (!t) return; freet(t->l); freet(t->r); free(t); }
int main(void) { struct T *t = 0; unsigned x = 7; for (int i = 0; i < 500; i++) { x = x * 1664525u + 1013904223u; t = ins(t, (int)(x >> 20)); } long s = 0; int n = 0; walk(t, &s, &n); printf("%d %ld %d\n", height(t), s, n); freet(t); return 0; }
