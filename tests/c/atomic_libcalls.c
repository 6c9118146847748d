#include <stdio.h>
#include <stdint.h>
/* 64-bit and struct-sized atomics: riscv32 has no inline 64-bit atomics, so
   clang emits __atomic_* library calls for some of these. */
struct Pair { int32_t a, b; };
static uint64_t counter = 5;
static struct Pair pair = {1, 2};
static int16_t small = -3;
int main(void) {
    uint64_t old = __atomic_fetch_add(&counter, 1ULL << 35, __ATOMIC_SEQ_CST);
    uint64_t now = __atomic_load_n(&counter, __ATOMIC_ACQUIRE);
    __atomic_store_n(&counter, now * 3, __ATOMIC_RELEASE);
    uint64_t ex = __atomic_exchange_n(&counter, 42, __ATOMIC_SEQ_CST);
    uint64_t expect = 41; int ok1 = __atomic_compare_exchange_n(&counter, &expect, 7, 0, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST);
    int ok2 = __atomic_compare_exchange_n(&counter, &expect, 7, 0, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST);
    uint64_t af = __atomic_add_fetch(&counter, 10, __ATOMIC_SEQ_CST), xf = __atomic_xor_fetch(&counter, 0xff, __ATOMIC_SEQ_CST);
    printf("%llu %llu %llu %d %d %llu %llu %llu\n", (unsigned long long)old, (unsigned long long)now, (unsigned long long)ex, ok1, ok2, (unsigned long long)expect, (unsigned long long)af, (unsigned long long)xf);
    struct Pair p; __atomic_load(&pair, &p, __ATOMIC_SEQ_CST);
    struct Pair q = {p.a + 10, p.b + 20};
    __atomic_store(&pair, &q, __ATOMIC_SEQ_CST);
    struct Pair fin; __atomic_load(&pair, &fin, __ATOMIC_SEQ_CST);
    printf("%d %d %d %d\n", p.a, p.b, fin.a, fin.b);
    int16_t s0 = __atomic_fetch_sub(&small, 100, __ATOMIC_SEQ_CST); int16_t s1 = __atomic_nand_fetch(&small, 0x0ff0, __ATOMIC_SEQ_CST);
    printf("%d %d %d\n", s0, s1, small);
    return 0;
}
