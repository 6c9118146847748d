#include <stdio.h>
#include <stdint.h>
#include <stdatomic.h>
static atomic_flag lock = ATOMIC_FLAG_INIT; static atomic_short s = 5; static atomic_uchar flags;
int main(void) { int a = atomic_flag_test_and_set(&lock), b = atomic_flag_test_and_set(&lock); atomic_flag_clear(&lock); int c = atomic_flag_test_and_set(&lock); short old = atomic_fetch_sub(&s, 10); atomic_fetch_or(&flags, 0x81); unsigned char f2 = atomic_fetch_and(&flags, 0x0f); printf("%d %d %d %d %d %u %u\n", a, b, c, old, atomic_load(&s), f2, atomic_load(&flags));
    int m = 10; __atomic_fetch_max(&m, 42, __ATOMIC_SEQ_CST); __atomic_fetch_min(&m, 17, __ATOMIC_SEQ_CST); unsigned u = 5; __atomic_fetch_max(&u, 0xfffffff0u, __ATOMIC_SEQ_CST); printf("%d %u\n", m, u); return 0; }
