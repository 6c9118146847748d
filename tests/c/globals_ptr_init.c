#include <stdio.h>
int counter = 5;
int table[] = {1, 2, 3, 4};
int *ptr_to_counter = &counter;
int *ptr_mid = &table[2];
const char *names[] = {"zero", "one", "two"};
struct Node { int v; struct Node *next; };
struct Node n3 = {3, 0}, n2 = {2, &n3}, n1 = {1, &n2};
static int sq(int x) { return x * x; }
static int cube(int x) { return x * x * x; }
int (*ops[])(int) = {sq, cube};
struct { const char *s; int (*f)(int); } named = {"cube", cube};
char buf[64];
int main(void) {
    *ptr_to_counter += 1; printf("%d %d\n", counter, *ptr_mid);
    for (int i = 0; i < 3; i++) printf("%s ", names[i]); printf("\n");
    for (struct Node *n = &n1; n; n = n->next) printf("%d ", n->v); printf("\n");
    printf("%d %d %s %d\n", ops[0](7), ops[1](3), named.s, named.f(2));
    buf[10] = 'x'; printf("%d %c\n", buf[0], buf[10]);
    return 0;
}
