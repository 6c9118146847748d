#include <stdio.h>
volatile int zero = 0;
static int divide(int a, int b) {
    return a / b;
}
int main(void) {
    printf("before\n");
    return divide(7, zero);
}
