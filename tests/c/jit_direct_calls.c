/* Calls between compiled functions (direct calls under the JIT) mixed with
 * interpreted ones: mutual recursion compiled <-> interpreted (`--jit
 * hot`), recursion deeper than the room for pending direct calls, callees
 * with and without shadow-stack frames, 64-bit arguments and results. */
#include <stdint.h>
#include <stdio.h>
#include "espb.h"

static int odd(int n);
/* Compiled with `--jit hot`; `odd` stays interpreted (until tier-up). */
JIT_HOT __attribute__((noinline)) static int even(int n) { return n == 0 ? 1 : odd(n - 1); }
__attribute__((noinline)) static int odd(int n) { return n == 0 ? 0 : even(n - 1); }

JIT_HOT __attribute__((noinline)) static uint64_t mix(uint64_t a, uint32_t b) {
    return (a * 6364136223846793005ULL + b) ^ (a >> 29);
}

/* Deep non-tail recursion: more levels than one entry of compiled code
 * has room for (32 pending direct calls). */
JIT_HOT __attribute__((noinline)) static uint64_t chain(int n, uint64_t acc) {
    if (n == 0)
        return acc;
    return mix(chain(n - 1, mix(acc, (uint32_t)n)), (uint32_t)n) + 1;
}

/* A callee with a shadow-stack frame (the interpreter's call path). */
JIT_HOT __attribute__((noinline)) static int framed(int n) {
    volatile int buf[8];
    for (int i = 0; i < 8; i++) buf[i] = n + i;
    int s = 0;
    for (int i = 0; i < 8; i++) s += buf[i];
    return s;
}

JIT_HOT __attribute__((noinline)) static int calls_framed(int n) {
    int s = 0;
    for (int i = 0; i < n; i++) s += framed(i) + even(i % 7);
    return s;
}

int main(void) {
    int e = 0;
    for (int i = 0; i < 60; i++) e += even(i) * i;
    printf("even: %d\n", e);
    printf("chain(10): %llu\n", (unsigned long long)chain(10, 1));
    printf("chain(100): %llu\n", (unsigned long long)chain(100, 7));
    printf("chain(700): %llu\n", (unsigned long long)chain(700, 3));
    printf("framed: %d\n", calls_framed(200));
    uint64_t h = 0;
    for (int i = 0; i < 5000; i++) h = mix(h, (uint32_t)i);
    printf("mix: %llu\n", (unsigned long long)h);
    return 0;
}
