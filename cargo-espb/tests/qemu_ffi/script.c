/* The module side of the device-FFI test (natives.c has the natives). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "natives.h"

static int counter;
static int add_to(void *ud, int v) {
    int *p = ud;
    *p += v;
    return *p;
}
static int echo_ud(void *ud, int v) { return (int)(intptr_t)ud + v; }
static int cmp_int(const void *a, const void *b) {
    int x = *(const int *)a, y = *(const int *)b;
    return (x > y) - (x < y);
}

int main(void) {
    printf("sum12 %ld\n", dev_sum12(1, -2, 3, -4, 5, -6, 7, -8, 9, -10, 11, -12));
    char buf[160];
    dev_mix(buf, sizeof buf, -1, 0x123456789LL, 2.5, 0.25f, 7, -0x987654321LL, -1.5f, 1e10, 42,
            0x7fffffffffffffffLL);
    printf("mix %s\n", buf);
    printf("fsum10 %.2f\n", dev_fsum10(1, 2, 3, 4, 5, 6, 7, 8, 9.5f, 10.25f));
    printf("dsum5 %.4f\n", dev_dsum5(1.5, -2.25, 3.125, 1e-3, -7));
    printf("i64 %llx\n", (unsigned long long)dev_i64(0x00f0000012345678LL, 4));
    struct dev_pair p = {1000, -7};
    printf("pair %d\n", dev_pair(p, 3));
    int n = dev_vformat(buf, sizeof buf, "%lld|%.3f|%s|%u|%c", -(1LL << 40), 3.14159, "str",
                        4000000000u, 'z');
    printf("vformat %d %s\n", n, buf);
    n = snprintf(buf, 12, "%d-%s-%.1f", 12345, "abcdef", 2.5);
    printf("snprintf %d %s\n", n, buf);
    int q = 0, r = 0;
    int rc = dev_divmod(47, 5, &q, &r);
    printf("divmod %d %d %d\n", rc, q, r);
    struct dev_obj *o = dev_obj_new(77), *o2 = NULL;
    dev_obj_get(&o2, 88);
    printf("objs %d %d %d\n", dev_obj_id(o), dev_obj_id(o2), o == o2);
    int a = dev_store(add_to, &counter);
    int b = dev_store(echo_ud, (void *)0x12345678);
    dev_fire(a, 5);
    int got = dev_fire(a, 6);
    printf("callbacks %d %d %x\n", counter, got, dev_fire(b, 1));
    int v[9] = {5, -3, 12, 0, 7, 7, -100, 42, 1};
    qsort(v, 9, sizeof v[0], cmp_int);
    for (int i = 0; i < 9; i++) printf("%d ", v[i]);
    printf("\n");
    return 3;
}
