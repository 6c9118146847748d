#include <stdio.h>
#include <stdint.h>
typedef int32_t v4i __attribute__((vector_size(16)));
typedef float v4f __attribute__((vector_size(16)));
typedef uint8_t v8b __attribute__((vector_size(8)));
static v4i va = {1, -2, 3, -4}, vb = {10, 20, 30, 40};
static v4f fa = {0.5f, 1.5f, -2.25f, 8.0f};
int main(void) {
    v4i s = va + vb, p = va * vb, sh = vb >> 1, m = va & 6;
    v4i lt = va < vb;
    v4f f = fa * fa + 1.0f;
    v8b bytes = {250, 5, 128, 7, 0, 255, 16, 99};
    v8b wrap = bytes + (uint8_t)10;
    for (int i = 0; i < 4; i++) printf("%d %d %d %d %d %.3f\n", s[i], p[i], sh[i], m[i], lt[i], f[i]);
    for (int i = 0; i < 8; i++) printf("%u ", wrap[i]);
    v4i r = __builtin_shufflevector(va, vb, 7, 0, 5, 2);
    printf("\n%d %d %d %d\n", r[0], r[1], r[2], r[3]);
    volatile int k = 2; v4i t = va; t[k] = 99; printf("%d %d\n", t[2], va[k]);
    return 0;
}
