#include <stdio.h>
#include <stdint.h>
#define ROR(x, n) (((x) >> (n)) | ((x) << (32 - (n))))
int main(void) {
    uint32_t h[8] = {0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19};
    for (uint32_t round = 0; round < 64; round++) {
        uint32_t s1 = ROR(h[4], 6) ^ ROR(h[4], 11) ^ ROR(h[4], 25), ch = (h[4] & h[5]) ^ (~h[4] & h[6]);
        uint32_t t1 = h[7] + s1 + ch + round * 0x428a2f98u, s0 = ROR(h[0], 2) ^ ROR(h[0], 13) ^ ROR(h[0], 22), maj = (h[0] & h[1]) ^ (h[0] & h[2]) ^ (h[1] & h[2]);
        for (int k = 7; k > 0; k--) h[k] = h[k - 1]; h[4] += t1; h[0] = t1 + s0 + maj;
    }
    for (int k = 0; k < 8; k++) printf("%08x", h[k]); printf("\n"); return 0;
}
