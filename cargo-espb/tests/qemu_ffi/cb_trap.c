/* A comparator that traps inside picolibc's qsort: the qsort call traps
 * with the comparator's own trap, at its C line. */
#include <stdio.h>
#include <stdlib.h>

static volatile int zero;
static int cmp(const void *a, const void *b) {
    return (*(const int *)a - *(const int *)b) / zero;
}

int main(void) {
    int v[4] = {3, 1, 2, 0};
    printf("sorting\n");
    qsort(v, 4, sizeof v[0], cmp);
    printf("not reached\n");
    return 0;
}
