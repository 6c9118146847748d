#include <stdio.h>
#include <stdint.h>
typedef int32_t v2i __attribute__((vector_size(8)));
typedef uint16_t v4h __attribute__((vector_size(8)));
typedef float v2f __attribute__((vector_size(8)));
typedef uint8_t v16b __attribute__((vector_size(16)));
/* Vectors passed and returned by value (as integers in the riscv32 ABI). */
__attribute__((noinline)) v2i add2(v2i a, v2i b) { return a + b; }
__attribute__((noinline)) v4h mix(v4h a, v4h b) { return (a ^ b) + (uint16_t)0x8001; }
__attribute__((noinline)) v2f scale(v2f a, float k) { return a * k; }
__attribute__((noinline)) v16b rev(v16b x) { return __builtin_shufflevector(x, x, 15, 14, 13, 12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1, 0); }
int main(void) {
    v2i r = add2((v2i){2147483647, -5}, (v2i){1, 12});
    v4h m = mix((v4h){1, 0xffff, 0x1234, 7}, (v4h){3, 1, 0x4321, 0x8000});
    v2f s = scale((v2f){1.5f, -0.25f}, 4.0f);
    v16b b; for (int i = 0; i < 16; i++) b[i] = (uint8_t)(i * 17);
    v16b rb = rev(b);
    uint64_t bits; __builtin_memcpy(&bits, &m, 8);
    printf("%d %d | %u %u %u %u | %.2f %.2f | %u %u | %016llx\n", r[0], r[1], m[0], m[1], m[2], m[3], s[0], s[1], rb[0], rb[15], (unsigned long long)bits);
    return 0;
}
