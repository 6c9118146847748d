/* A 64-bit store straddling the end of linear memory. */
#include <stdint.h>
#include <stdio.h>
volatile uintptr_t edge;
static void put64(uint64_t *p, uint64_t v) {
    *p = v * 3; /* TRAPS HERE */
}
int main(void) {
    uint64_t x = 0;
    put64(&x, 5);
    printf("%llu\n", (unsigned long long)x);
    edge = 0x3ffffffcu;
    put64((uint64_t *)edge, 1);
    return 0;
}
