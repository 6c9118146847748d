/* sort: a generic qsort-style sort (element size + comparator function
 * pointer, byte-wise swaps) written for this project: median-of-three
 * quicksort with an insertion sort below 16 elements. Sorts COUNT records
 * by (key, id) and COUNT integers descending, REPS times with fresh data.
 * Verifies order, that the records are a permutation of the input, and a
 * checksum of the sorted ids computed independently (see expected.py). */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define COUNT 20000
#define REPS 6
#define EXPECTED 0xd22890eau /* see expected.py */

typedef struct {
    uint32_t key;
    uint32_t id;
    uint16_t tag;
} record;

typedef int (*cmp_fn)(const void *, const void *);

static int cmp_record(const void *pa, const void *pb)
{
    const record *a = pa, *b = pb;
    if (a->key != b->key)
        return a->key < b->key ? -1 : 1;
    if (a->id != b->id)
        return a->id < b->id ? -1 : 1;
    return 0;
}

static int cmp_int_desc(const void *pa, const void *pb)
{
    int32_t a = *(const int32_t *)pa, b = *(const int32_t *)pb;
    return (a < b) - (a > b);
}

static void swap_bytes(unsigned char *a, unsigned char *b, size_t size)
{
    while (size--) {
        unsigned char t = *a;
        *a++ = *b;
        *b++ = t;
    }
}

static void insertion_sort(unsigned char *base, size_t n, size_t size, cmp_fn cmp)
{
    for (size_t i = 1; i < n; i++)
        for (size_t j = i; j > 0 && cmp(base + (j - 1) * size, base + j * size) > 0; j--)
            swap_bytes(base + (j - 1) * size, base + j * size, size);
}

static void my_qsort(void *vbase, size_t n, size_t size, cmp_fn cmp)
{
    unsigned char *base = vbase;
    while (n >= 16) {
        unsigned char *lo = base, *mid = base + (n / 2) * size, *hi = base + (n - 1) * size;
        if (cmp(mid, lo) < 0)
            swap_bytes(mid, lo, size);
        if (cmp(hi, mid) < 0) {
            swap_bytes(hi, mid, size);
            if (cmp(mid, lo) < 0)
                swap_bytes(mid, lo, size);
        }
        /* pivot goes to position n-2 */
        unsigned char *piv = base + (n - 2) * size;
        swap_bytes(mid, piv, size);
        size_t i = 0, j = n - 2;
        for (;;) {
            while (cmp(base + (++i) * size, piv) < 0) {
            }
            while (j > 0 && cmp(base + (--j) * size, piv) > 0) {
            }
            if (i >= j)
                break;
            swap_bytes(base + i * size, base + j * size, size);
        }
        swap_bytes(base + i * size, piv, size);
        /* recurse into the smaller half, loop on the larger */
        size_t left = i, right = n - i - 1;
        if (left < right) {
            my_qsort(base, left, size, cmp);
            base += (i + 1) * size;
            n = right;
        } else {
            my_qsort(base + (i + 1) * size, right, size, cmp);
            n = left;
        }
    }
    insertion_sort(base, n, size, cmp);
}

int main(void)
{
    record *recs = malloc(COUNT * sizeof(record));
    int32_t *ints = malloc(COUNT * sizeof(int32_t));
    if (!recs || !ints) {
        printf("sort: FAIL malloc\n");
        return 2;
    }
    uint32_t x = 42, chk = 0;
    for (int rep = 0; rep < REPS; rep++) {
        uint64_t key_sum = 0, int_sum = 0;
        for (uint32_t i = 0; i < COUNT; i++) {
            x = x * 1103515245u + 12345u;
            recs[i].key = (x >> 8) % 5000u; /* many duplicate keys */
            recs[i].id = i;
            recs[i].tag = (uint16_t)(i * 7u);
            key_sum += recs[i].key;
            x = x * 1103515245u + 12345u;
            ints[i] = (int32_t)(x ^ (x >> 13));
            int_sum += (uint32_t)ints[i];
        }
        my_qsort(recs, COUNT, sizeof(record), cmp_record);
        my_qsort(ints, COUNT, sizeof(int32_t), cmp_int_desc);
        uint64_t key_sum2 = 0, int_sum2 = 0;
        for (uint32_t i = 0; i < COUNT; i++) {
            key_sum2 += recs[i].key;
            int_sum2 += (uint32_t)ints[i];
            if (recs[i].tag != (uint16_t)(recs[i].id * 7u)) {
                printf("sort: FAIL record %u corrupted\n", (unsigned)i);
                return 1;
            }
            if (i > 0 && (cmp_record(&recs[i - 1], &recs[i]) >= 0 || ints[i - 1] < ints[i])) {
                printf("sort: FAIL not sorted at %u\n", (unsigned)i);
                return 1;
            }
            chk = chk * 31u + recs[i].id;
        }
        if (key_sum != key_sum2 || int_sum != int_sum2) {
            printf("sort: FAIL not a permutation\n");
            return 1;
        }
        chk ^= (uint32_t)ints[COUNT / 2];
    }
    free(recs);
    free(ints);
    if (chk != EXPECTED) {
        printf("sort: FAIL checksum %08x expected %08x\n", (unsigned)chk, (unsigned)EXPECTED);
        return 1;
    }
    printf("sort: %d records + %d ints x%d checksum %08x ok\n", COUNT, COUNT, REPS, (unsigned)chk);
    return 0;
}
