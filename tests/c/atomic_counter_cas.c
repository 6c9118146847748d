#include <stdio.h>
#include <stdint.h>
#include <stdatomic.h>
static atomic_uint counter; static _Atomic uint64_t big; static atomic_int maxv = -100;
static void update_max(int v) { int cur = atomic_load(&maxv); while (v > cur && !atomic_compare_exchange_weak(&maxv, &cur, v)) {} }
int main(void) { for (int i = 0; i < 1000; i++) { atomic_fetch_add_explicit(&counter, 3, memory_order_relaxed); atomic_fetch_add(&big, (uint64_t)i << 30); update_max((i * 37) % 101 - 50); } printf("%u %llu %d\n", atomic_load(&counter), (unsigned long long)atomic_load(&big), atomic_load(&maxv)); unsigned prev = atomic_exchange(&counter, 7); printf("%u %u\n", prev, atomic_fetch_sub(&counter, 2)); return 0; }
