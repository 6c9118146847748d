/* matmul: integer matrix multiply, N x N, 32-bit wrapping arithmetic.
 * The product is fed back as the next left operand REPS times; the last
 * product is verified with Freivalds' check (A(Bx) == Cx, exact over
 * Z/2^32) and a running checksum is compared with a value computed
 * independently (see expected.py). */
#include <stdint.h>
#include <stdio.h>

#define N 128
#define REPS 48
#define EXPECTED 0x57562864u /* see expected.py */

static uint32_t mat_a[N * N], mat_b[N * N], mat_c[N * N];

static void matmul(uint32_t *restrict c, const uint32_t *restrict a, const uint32_t *restrict b)
{
    for (int i = 0; i < N; i++) {
        uint32_t *row = c + i * N;
        for (int j = 0; j < N; j++)
            row[j] = 0;
        for (int k = 0; k < N; k++) {
            uint32_t aik = a[i * N + k];
            const uint32_t *brow = b + k * N;
            for (int j = 0; j < N; j++)
                row[j] += aik * brow[j];
        }
    }
}

static void matvec(uint32_t *out, const uint32_t *m, const uint32_t *v)
{
    for (int i = 0; i < N; i++) {
        uint32_t s = 0;
        for (int k = 0; k < N; k++)
            s += m[i * N + k] * v[k];
        out[i] = s;
    }
}

int main(void)
{
    uint32_t x = 7;
    for (int i = 0; i < N * N; i++) {
        x = x * 1664525u + 1013904223u;
        mat_a[i] = (uint32_t)((int32_t)((x >> 16) & 0xff) - 128);
        x = x * 1664525u + 1013904223u;
        mat_b[i] = (uint32_t)((int32_t)((x >> 16) & 0xff) - 128);
    }
    uint32_t chk = 0;
    for (int rep = 0; rep < REPS; rep++) {
        matmul(mat_c, mat_a, mat_b);
        for (int i = 0; i < N * N; i++)
            chk = chk * 31u + mat_c[i];
        if (rep == REPS - 1) {
            uint32_t r[N], br[N], abr[N], cr[N];
            for (int i = 0; i < N; i++)
                r[i] = (uint32_t)i * 2654435761u + 1u;
            matvec(br, mat_b, r);
            matvec(abr, mat_a, br);
            matvec(cr, mat_c, r);
            for (int i = 0; i < N; i++) {
                if (abr[i] != cr[i]) {
                    printf("matmul: FAIL Freivalds check at row %d\n", i);
                    return 1;
                }
            }
        } else {
            for (int i = 0; i < N * N; i++)
                mat_a[i] = (uint32_t)((int32_t)((mat_c[i] >> 4) & 0xff) - 128);
        }
    }
    if (chk != EXPECTED) {
        printf("matmul: FAIL checksum %08x expected %08x\n", (unsigned)chk, (unsigned)EXPECTED);
        return 1;
    }
    printf("matmul: %dx%d x%d checksum %08x ok\n", N, N, REPS, (unsigned)chk);
    return 0;
}
