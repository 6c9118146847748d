#include <stdio.h>
#include <stdint.h>
#include <string.h>
static uint32_t be32(const uint8_t *p) { return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3]; }
int main(void) { uint8_t buf[8] = {0xde, 0xad, 0xbe, 0xef, 0x01, 0x02, 0x03, 0x04}; uint32_t le; memcpy(&le, buf, 4); uint64_t le64; memcpy(&le64, buf, 8); printf("%08x %08x %d %016llx %016llx\n", be32(buf), le, __builtin_bswap32(le) == be32(buf), (unsigned long long)le64, (unsigned long long)__builtin_bswap64(le64)); uint16_t s = 0xabcd; printf("%04x\n", (uint16_t)(s << 8 | s >> 8)); return 0; }
