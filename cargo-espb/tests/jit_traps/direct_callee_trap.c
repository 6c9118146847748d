/* A trap in a compiled function called directly by compiled callers (no
 * shadow-stack frames, so the calls between them are direct calls): the
 * callee's line, and the callers in the backtrace, as interpreted. */
#include <stdio.h>
volatile int zero = 0;
__attribute__((noinline)) static int leaf(int x) {
    return x / (zero + (x > 40 ? 0 : 1)); /* TRAPS HERE */
}
__attribute__((noinline)) static int middle(int x) { return leaf(x * 3) + 1; }
__attribute__((noinline)) static int outer(int x) { return middle(x + 2) * 2; }
int main(void) {
    int s = 0;
    for (int i = 0; i < 20; i++) {
        s += outer(i);
        printf("%d\n", s);
    }
    return 0;
}
