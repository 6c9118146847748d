/* Unbounded recursion exhausts the shadow stack (or the call depth). */
#include <stdio.h>
volatile int stop = -1;
static int depth(int n, volatile char *prev) {
    volatile char frame[64];
    frame[0] = (char)n;
    if (n == stop)
        return prev[0];
    return depth(n + 1, frame) + frame[0]; /* TRAPS HERE */
}
int main(void) {
    printf("%d\n", depth(0, "x"));
    return 0;
}
