/* Integers wider than 64 bits that clang produces from C: bit-field
   containers of 65..128 bits and __builtin_mul_overflow on mixed types. */
#include <stdio.h>

struct packed {
    unsigned long long a : 40;
    unsigned long long b : 40;
    long long c : 30;
} __attribute__((packed));

struct packed p;

__attribute__((noinline)) void set(unsigned long long a, unsigned long long b, long long c) {
    p.a = a;
    p.b = b;
    p.c = c;
}

__attribute__((noinline)) int mulo(int a, long long b, long long *out) {
    return __builtin_mul_overflow(a, b, out);
}

__attribute__((noinline)) int mulo_u(unsigned long long a, int b, unsigned long long *out) {
    return __builtin_mul_overflow(a, b, out);
}

__attribute__((noinline)) int mulo33(int a, unsigned b, int *out) {
    return __builtin_mul_overflow(a, b, out);
}

int main(void) {
    set(0x12345678ABULL, 0xFEDCBA9876ULL, -123456789);
    printf("%llx %llx %lld\n", (unsigned long long)p.a, (unsigned long long)p.b, (long long)p.c);
    p.b += 0x100000001ULL;
    p.c >>= 3;
    printf("%llx %lld\n", (unsigned long long)p.b, (long long)p.c);
    long long r;
    int ov = mulo(-3, 0x2aaaaaaaaaaaaaabLL, &r);
    printf("%d %lld\n", ov, r);
    ov = mulo(2, 0x3fffffffffffffffLL, &r);
    printf("%d %lld\n", ov, r);
    ov = mulo(-1, -0x7fffffffffffffffLL - 1, &r);
    printf("%d %lld\n", ov, r);
    unsigned long long u;
    ov = mulo_u(0x8000000000000000ULL, -1, &u);
    printf("%d %llx\n", ov, u);
    ov = mulo_u(3, 5, &u);
    printf("%d %llu\n", ov, u);
    int s;
    ov = mulo33(-1, 0x80000000u, &s);
    printf("%d %d\n", ov, s);
    ov = mulo33(65536, 32767u, &s);
    printf("%d %d\n", ov, s);
    return 0;
}
