/* crc32: table-driven CRC-32 (IEEE 802.3, reflected, poly 0xEDB88320) over a
 * 64 KiB pseudo-random buffer, chained REPS times, i.e. the CRC of the buffer
 * repeated REPS times. Checked against the standard "123456789" vector and a
 * value computed independently (zlib.crc32, see expected.py). */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define BUF_SIZE 65536
#define REPS 160
#define EXPECTED 0x105f6c14u /* see expected.py */

static uint32_t crc_table[256];
static uint8_t crc_buf[BUF_SIZE];

static void make_table(void)
{
    for (uint32_t i = 0; i < 256; i++) {
        uint32_t c = i;
        for (int k = 0; k < 8; k++)
            c = (c & 1) ? 0xEDB88320u ^ (c >> 1) : c >> 1;
        crc_table[i] = c;
    }
}

static uint32_t crc32_update(uint32_t crc, const uint8_t *p, size_t n)
{
    crc = ~crc;
    while (n--)
        crc = crc_table[(crc ^ *p++) & 0xffu] ^ (crc >> 8);
    return ~crc;
}

int main(void)
{
    make_table();
    uint32_t check = crc32_update(0, (const uint8_t *)"123456789", 9);
    if (check != 0xCBF43926u) {
        printf("crc32: FAIL check vector %08x\n", (unsigned)check);
        return 1;
    }
    uint32_t x = 12345;
    for (size_t i = 0; i < BUF_SIZE; i++) {
        x = x * 1103515245u + 12345u;
        crc_buf[i] = (uint8_t)(x >> 16);
    }
    uint32_t crc = 0;
    for (int rep = 0; rep < REPS; rep++)
        crc = crc32_update(crc, crc_buf, BUF_SIZE);
    if (crc != EXPECTED) {
        printf("crc32: FAIL %08x expected %08x\n", (unsigned)crc, (unsigned)EXPECTED);
        return 1;
    }
    printf("crc32: %08x over %d bytes ok\n", (unsigned)crc, BUF_SIZE * REPS);
    return 0;
}
