/* A load far outside linear memory through a computed pointer. */
#include <stdint.h>
#include <stdio.h>
volatile uintptr_t where = 0x3ff00000u;
static int peek(const int *p, int i) {
    return p[i]; /* TRAPS HERE */
}
int main(void) {
    int local[4] = {1, 2, 3, 4};
    printf("%d\n", peek(local, 2));
    printf("%d\n", peek((const int *)where, 1));
    return 0;
}
