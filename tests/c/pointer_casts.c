#include <stdio.h>
#include <stdint.h>
int main(void) { int a[4] = {10, 20, 30, 40}; uintptr_t p = (uintptr_t)&a[0]; p += 2 * sizeof(int); int *q = (int *)p; printf("%d %d\n", *q, (int)((uintptr_t)&a[3] - (uintptr_t)a));
    uint8_t raw[8] = {1, 2, 3, 4, 5, 6, 7, 8}; uint32_t w; __builtin_memcpy(&w, raw + 1, 4); printf("%08x\n", w);
    intptr_t d = (intptr_t)&a[0] - (intptr_t)&a[3]; printf("%d %d\n", (int)d, (int)sizeof(void *)); return 0; }
