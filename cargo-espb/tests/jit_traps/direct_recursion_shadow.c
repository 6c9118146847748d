/* Unbounded mutual recursion between a function without a shadow-stack
 * frame (called directly from compiled code) and one with a frame (called
 * through the interpreter's call path): the shadow stack (or the call
 * depth) runs out entering the framed one, with the same trap and
 * backtrace as interpreted. */
#include <stdio.h>
volatile int stop = -1;
static int pong(int n);
__attribute__((noinline)) static int ping(int n) {
    if (n == stop)
        return 0;
    return 3 * pong(n + 1) + 1; /* TRAPS HERE */
}
__attribute__((noinline)) static int pong(int n) {
    volatile char frame[48];
    frame[0] = (char)n;
    return ping(n + 1) ^ frame[0];
}
int main(void) {
    printf("%d\n", ping(0));
    return 0;
}
