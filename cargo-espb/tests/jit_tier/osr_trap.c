/* Tier-up, then a trap: `scan` is compiled while its loop runs and
 * continues in machine code; the out-of-bounds load after that must trap
 * with the interpreter's message, function, C line and backtrace. */
#include <stdint.h>
#include <stdio.h>

static volatile int rounds = 400000;
static volatile int bad_at = 300000;
static int data[16];

__attribute__((noinline)) static unsigned scan(int n)
{
    const int *volatile p = data;
    unsigned s = 0;
    for (int i = 0; i < n; i++) {
        if (i == bad_at)
            p = (const int *)0x7ffffff0;
        s += (unsigned)p[i & 3] + (unsigned)i; /* TRAPS HERE */
    }
    return s;
}

int main(void)
{
    printf("start\n");
    printf("%u\n", scan(rounds));
    return 0;
}
