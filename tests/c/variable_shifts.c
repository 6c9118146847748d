#include <stdio.h>
#include <stdint.h>
volatile int amounts[] = {0, 1, 3, 7, 15, 31};
int main(void) { uint32_t acc = 0; uint64_t acc64 = 0; for (int i = 0; i < 6; i++) { int k = amounts[i]; uint8_t b = (uint8_t)(0xa5 << (k & 7)); int8_t sb = (int8_t)((int8_t)-100 >> (k & 7)); uint16_t h = (uint16_t)(0xf00f >> (k & 15)); int16_t sh = (int16_t)((int16_t)-30000 >> (k & 15)); acc = acc * 31 + b + (uint8_t)sb + h + (uint16_t)sh + (0x80000000u >> k) + (uint32_t)((int32_t)0x80000000 >> k); acc64 = acc64 * 131 + (0x8000000000000001ULL >> (2 * k)) + (uint64_t)((int64_t)-5 << (2 * k)); } printf("%u %llu\n", acc, (unsigned long long)acc64); return 0; }
