/* INT_MIN / -1 in a signed division. */
#include <limits.h>
#include <stdio.h>
volatile int num = INT_MIN, den = -1;
static int quotient(int a, int b) {
    return a / b; /* TRAPS HERE */
}
int main(void) {
    printf("%d\n", quotient(7, 2));
    printf("%d\n", quotient(num, den));
    return 0;
}
