#include <stdio.h>
int main(void) {
    volatile long long big = -9876543210123LL; volatile double dd = -0.125; volatile char c = 'Q'; int x = 77;
    printf("[%d] [%lld] [%f] [%c] [%s] [%u]\n", x, big, dd, c, "str", 4000000000u);
    printf("%d %lld %d %f %d %e\n", 1, big, 2, dd, 3, dd * 1e10);
    printf("%08.3f|%-8d|%+d|%x|%X|%o|%%\n", 3.14159, 42, 5, 255, 255, 8);
    printf("%10s|%-10s|%.2s\n", "right", "left", "truncate");
    printf("%lu %ld %hd %hhu\n", 123456789ul, -5l, (short)-2, (unsigned char)250);
    return 0;
}
