/* Integer division by zero inside a loop (the divide's slow path). */
#include <stdio.h>
volatile int divisors[4] = {3, 2, 1, 0};
static int sum_quotients(int n) {
    int s = 0;
    for (int i = 0; i < n; i++)
        s += 1000 / divisors[i]; /* TRAPS HERE */
    return s;
}
int main(void) {
    printf("%d\n", sum_quotients(3));
    printf("%d\n", sum_quotients(4));
    return 0;
}
