/* A read through a null pointer lands in the null guard. */
#include <stdio.h>
struct node { int value; struct node *next; };
static int sum(const struct node *n) {
    int s = 0;
    for (int i = 0; i < 3; i++) {
        s += n->value; /* TRAPS HERE */
        n = n->next;
    }
    return s;
}
int main(void) {
    struct node c = {3, 0}, b = {2, &c}, a = {1, &b};
    printf("%d\n", sum(&b) + sum(&a));
    printf("%d\n", sum(&c));
    return 0;
}
