/* fib: the seed benchmark. Iterative 64-bit Fibonacci(85), repeated 7000
 * times; the input is read through a volatile so that no compiler can fold
 * the computation, and every result is stored to a volatile sink so that no
 * repetition can be dropped. */
#include <stdint.h>
#include <stdio.h>

/* Compiled to machine code by espb's JIT (`--jit hot`, the default). */
#ifndef JIT_HOT
#define JIT_HOT __attribute__((annotate("espb_jit_hot")))
#endif

/* `-DREPS=N` for the RV32 harness's start-up-free fib measurement. */
#ifndef REPS
#define REPS 7000
#endif
#define EXPECTED 259695496911122585ULL

static volatile int fib_input = 85;
static volatile uint64_t fib_sink;

JIT_HOT __attribute__((noinline)) static uint64_t fib(int n)
{
    uint64_t a = 0, b = 1;
    for (int i = 0; i < n; i++) {
        uint64_t t = a + b;
        a = b;
        b = t;
    }
    return a;
}

int main(void)
{
    uint64_t r = 0;
    for (int rep = 0; rep < REPS; rep++) {
        r = fib(fib_input);
        fib_sink = r;
    }
    if (r != EXPECTED) {
        printf("fib: FAIL fib(85) = %llu, expected %llu\n", (unsigned long long)r,
               (unsigned long long)EXPECTED);
        return 1;
    }
    printf("fib: fib(85) = %llu x%d ok\n", (unsigned long long)r, REPS);
    return 0;
}
