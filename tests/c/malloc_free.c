#include <stdio.h>
#include <stdlib.h>
#include <string.h>
struct L { int v; struct L *next; };
int main(void) {
    struct L *head = 0; for (int i = 0; i < 100; i++) { struct L *n = malloc(sizeof *n); n->v = i * i; n->next = head; head = n; }
    long s = 0; int c = 0; while (head) { struct L *n = head; head = n->next; s += n->v; c++; free(n); } printf("%ld %d\n", s, c);
    int *a = calloc(50, sizeof(int)); int z = 0; for (int i = 0; i < 50; i++) z += a[i]; printf("%d\n", z);
    a = realloc(a, 100 * sizeof(int)); for (int i = 0; i < 100; i++) a[i] = i; int t = 0; for (int i = 0; i < 100; i++) t += a[i]; printf("%d\n", t); free(a);
    char *d = strdup("duplicate"); printf("%s\n", d); free(d);
    return 0;
}
