/* abort() from a compiled function: a host function's trap located at its
 * call site, with the compiled callers in the backtrace. */
#include <stdio.h>
#include <stdlib.h>
volatile int limit = 5;
static int step(int i) {
    if (i >= limit)
        abort(); /* TRAPS HERE */
    return i * i;
}
static int run(int n) {
    int s = 0;
    for (int i = 0; i < n; i++) s += step(i);
    return s;
}
int main(void) {
    printf("%d\n", run(5));
    printf("%d\n", run(9));
    return 0;
}
