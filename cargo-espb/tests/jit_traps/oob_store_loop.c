/* A loop that writes past the end of linear memory. */
#include <stdint.h>
#include <stdio.h>
volatile uintptr_t base = 0x3ffffff0u;
static void fill(unsigned char *p, int n) {
    for (int i = 0; i < n; i++)
        p[i * 4096] = (unsigned char)i; /* TRAPS HERE */
}
int main(void) {
    static unsigned char buf[64];
    fill(buf, 1);
    puts("small fill ok");
    fill((unsigned char *)base, 1 << 20);
    return 0;
}
