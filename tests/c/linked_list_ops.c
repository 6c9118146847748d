#include <stdio.h>
#include <stdlib.h>
struct N { int v; struct N *next; };
static struct N *push(struct N *h, int v) { struct N *n = malloc(sizeof *n); n->v = v; n->next = h; return n; }
static struct N *reverse(struct N *h) { struct N *p = 0; while (h) { struct N *n = h->next; h->next = p; p = h; h = n; } return p; }
static struct N *remove_if(struct N *h, int m) { struct N **pp = &h; while (*pp) { if ((*pp)->v % m == 0) { struct N *d = *pp; *pp = d->next; free(d); } else pp = &(*pp)->next; } return h; }
int main(void) { struct N *h = 0; for (int i = 1; i <= 20; i++) h = push(h, i * 3); h = reverse(h); h = remove_if(h, 4); for (struct N *n = h; n; n = n->next) printf("%d ", n->v); printf("\n"); while (h) { struct N *n = h->next; free(h); h = n; } return 0; }
