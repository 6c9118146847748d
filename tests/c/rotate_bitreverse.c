#include <stdio.h>
#include <stdint.h>
volatile uint32_t x = 0x12345678u; volatile uint64_t y = 0x0123456789abcdefULL; volatile uint8_t z = 0x96; volatile uint16_t w = 0xbeef;
int main(void) {
    for (int k = 0; k < 40; k += 7) printf("%08x %08x ", __builtin_rotateleft32(x, k), __builtin_rotateright32(x, k));
    printf("\n");
    for (int k = 0; k < 70; k += 13) printf("%016llx ", (unsigned long long)__builtin_rotateleft64(y, k));
    printf("\n%02x %04x ", __builtin_rotateleft8(z, 3), __builtin_rotateright16(w, 5));
    printf("%08x %016llx %02x %04x\n", __builtin_bitreverse32(x), (unsigned long long)__builtin_bitreverse64(y), __builtin_bitreverse8(z), __builtin_bitreverse16(w));
    return 0;
}
