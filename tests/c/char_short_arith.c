#include <stdio.h>
#include <stdint.h>
volatile uint8_t bytes[16];
int main(void) {
    for (int i = 0; i < 16; i++) bytes[i] = (uint8_t)(i * 37 + 11);
    uint8_t x = 0; for (int i = 0; i < 16; i++) x += bytes[i] * 3; printf("%u\n", x);
    uint16_t h = 0xffff; h += bytes[3]; printf("%u\n", h);
    int8_t sc = 127; sc++; printf("%d\n", sc);
    int16_t ss = -32768; ss--; printf("%d\n", ss);
    uint8_t sh = 0x81; printf("%u %u %d\n", (uint8_t)(sh << 1), sh >> 1, (int8_t)sh >> 1);
    unsigned sum = 0; for (uint8_t c = 250; c != 4; c++) sum += c; printf("%u\n", sum);
    int16_t arr[5] = {-300, 200, -100, 32000, -32000}; long t = 0; for (int i = 0; i < 5; i++) t += arr[i] * arr[i]; printf("%ld\n", t);
    return 0;
}
