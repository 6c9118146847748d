/* Empty inline asm as compiler barriers, as ESP-IDF and gcc's tests use
 * them: a memory clobber, a value laundered through "+r", tied and untied
 * operands, and a memory operand. */
#include <stdio.h>

static int launder(int x) {
    __asm__("" : "+r"(x));
    return x;
}

static long long launder64(long long x) {
    __asm__ __volatile__("" : "=r"(x) : "0"(x));
    return x;
}

static double launder_d(double d) {
    __asm__("" : "+r"(d));
    return d;
}

int counter;

int main(void) {
    int a = 5, b = 7;
    __asm__ __volatile__("" ::: "memory");
    counter = 1;
    __asm__ volatile("" : : : "memory");
    counter += launder(a) * launder(b);
    int x = 3, y = 4;
    __asm__("" : "+r"(x), "+r"(y));
    __asm__ volatile("" : "+m"(counter));
    __asm__ volatile("" : : "r"(&counter) : "memory");
    printf("%d %d %d %lld %.2f\n", counter, x, y, launder64(1LL << 40), launder_d(2.5));
    return 0;
}
