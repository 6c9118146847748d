/* A call to `void f(void)` with nothing live after it (the call window
 * must still fit the caller's registers). */
#include <stdio.h>

int g;

__attribute__((noinline)) void set(void) { g = -10; }
__attribute__((noinline)) void bump(void) { g += 3; }

/* The minimal form: nothing is live across the call in `tail`. */
int h;
__attribute__((noinline)) void set_h(void) { h = -10; }
__attribute__((noinline)) int tail(void) {
    h = 10;
    set_h();
    return 0;
}

int main(void) {
    g = 10;
    set();
    bump();
    printf("%d\n", g);
    set();
    return tail() + h + 10;
}

