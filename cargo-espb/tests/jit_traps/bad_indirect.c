/* A call through a pointer that is no function. */
#include <stdint.h>
#include <stdio.h>
typedef int (*op_fn)(int);
static int twice(int x) { return 2 * x; }
volatile uintptr_t bogus = 0x1234;
static int apply(op_fn f, int x) {
    return f(x) + 1; /* TRAPS HERE */
}
int main(void) {
    printf("%d\n", apply(twice, 20));
    printf("%d\n", apply((op_fn)bogus, 1));
    return 0;
}
