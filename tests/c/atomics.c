#include <stdio.h>
#include <stdint.h>
#include <stdatomic.h>
atomic_int ai = 10; _Atomic long long al = 1LL << 40; atomic_uchar ac = 250;
int main(void) {
    int old = atomic_fetch_add(&ai, 5); printf("%d %d\n", old, atomic_load(&ai));
    atomic_fetch_sub(&ai, 3); atomic_fetch_or(&ai, 0x100); atomic_fetch_and(&ai, ~1); atomic_fetch_xor(&ai, 7);
    printf("%d\n", ai);
    int exp = 999; int ok = atomic_compare_exchange_strong(&ai, &exp, 1); printf("%d %d\n", ok, exp);
    ok = atomic_compare_exchange_strong(&ai, &exp, 1); printf("%d %d\n", ok, atomic_exchange(&ai, 42));
    printf("%lld ", atomic_fetch_add(&al, 5)); printf("%lld\n", atomic_load(&al));
    printf("%d ", atomic_fetch_add(&ac, 10)); printf("%d\n", atomic_load(&ac));
    atomic_thread_fence(memory_order_seq_cst);
    atomic_store(&ai, -7); printf("%d\n", atomic_load(&ai));
    return 0;
}
