/* An empty self-loop (`for (;;);`) reached only on a path not taken. */
#include <stdio.h>

volatile int stop;

__attribute__((noinline)) int f(int x) {
    if (stop)
        for (;;)
            ;
    return x * 2;
}

__attribute__((noinline)) void g(int *p) {
    if (!p)
        while (1) {
        }
    *p += 1;
}

int main(void) {
    int v = 20;
    g(&v);
    printf("%d\n", f(v));
    return 0;
}
