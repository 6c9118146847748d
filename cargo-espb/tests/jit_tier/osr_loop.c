/* Tier-up: `walk` is not JIT_HOT; its loop runs hot in the interpreter, is
 * compiled while it runs and continues in machine code (on-stack
 * replacement at the loop's backward branch). `step` is called from the
 * loop, so returns from it are entry points too. The output must be the
 * host interpreter's. */
#include <stdint.h>
#include <stdio.h>

static volatile int rounds = 300000;
static uint32_t table[64];

__attribute__((noinline)) static uint32_t step(uint32_t h, uint32_t v)
{
    return (h ^ v) * 16777619u;
}

__attribute__((noinline)) static uint64_t walk(int n)
{
    uint32_t h = 2166136261u;
    uint64_t s = 0;
    for (int i = 0; i < n; i++) {
        h = step(h, (uint32_t)i);
        table[i & 63] += h;
        s += h >> 3;
        if ((i & 0xffff) == 0)
            printf("%d %u\n", i, (unsigned)h);
    }
    return s;
}

int main(void)
{
    uint64_t s = walk(rounds);
    uint32_t t = 0;
    for (int k = 0; k < 64; k++)
        t = t * 31 + table[k];
    printf("%llu %u\n", (unsigned long long)s, (unsigned)t);
    return 0;
}
