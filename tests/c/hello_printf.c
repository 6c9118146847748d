#include <stdio.h>
int main(void) {
    printf("hello %d %s %c\n", 42, "world", 'x');
    printf("%lld %llu %x %5d|%-5d|\n", -1234567890123LL, 18446744073709551615ULL, 0xbeef, 7, 8);
    printf("%f %.3f %e %g\n", 2.5, 3.14159, 12345.678, 0.0001);
    printf("%p\n", (void *)0x1234);
    puts("done");
    return 0;
}
