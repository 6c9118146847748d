/* __builtin_trap() in a compiled function. */
#include <stdio.h>
volatile int state = 2;
static int check(int v) {
    if (v > 1)
        __builtin_trap(); /* TRAPS HERE */
    return v;
}
int main(void) {
    printf("%d\n", check(1));
    printf("%d\n", check(state));
    return 0;
}
