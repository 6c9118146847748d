/* Unbounded recursion of a function without a shadow-stack frame: every
 * call is a direct call between compiled functions (until the room for
 * pending calls runs out and a call takes the interpreter's path); the
 * call depth (or the register stack) runs out with the same trap and
 * backtrace as interpreted. */
#include <stdio.h>
volatile int stop = -1;
__attribute__((noinline)) static int down(int n) {
    if (n == stop)
        return 0;
    return 3 * down(n + 1) + 1; /* TRAPS HERE */
}
int main(void) {
    printf("%d\n", down(0));
    return 0;
}
