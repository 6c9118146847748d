/* fma() is one rounding of the exact x*y+z: operands over the whole
 * exponent range, close products and addends (cancellation, ties, carries),
 * halfway cases, subnormal and overflowing results. The native build calls the C
 * library's fma; the module's `f64.fma` must give the same bits. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <math.h>

static uint64_t state = 0x2545f4914f6cdd1dull;

static uint64_t next(void) {
    state ^= state << 13;
    state ^= state >> 7;
    state ^= state << 17;
    return state;
}

static double from_bits(uint64_t b) {
    double d;
    memcpy(&d, &b, sizeof d);
    return d;
}

static uint64_t bits(double d) {
    uint64_t b;
    memcpy(&b, &d, sizeof b);
    return b;
}

/* `v` with its exponent field replaced by `base` plus its top `spread` bits. */
static double with_exp(uint64_t v, uint64_t base, int spread) {
    uint64_t e = base + (v >> (64 - spread));
    return from_bits((v & ~(0x7ffull << 52)) | (e << 52));
}

int main(void) {
    uint64_t hash = 0;
    int nan = 0, inf = 0, sub = 0;
    for (int i = 0; i < 6000; i++) {
        uint64_t a = next(), b = next(), c = next();
        double x, y, z;
        switch (i % 5) {
        case 0: /* anything, NaN and infinities included */
            x = from_bits(a), y = from_bits(b), z = from_bits(c);
            break;
        case 1: /* products and addends of one size, often cancelling */
            x = with_exp(a, 0x3ff, 1), y = with_exp(b, 0x3ff, 1);
            z = with_exp(c, 0x3ff, 2);
            z = (a & 1) ? -z : z;
            z = (x * y < 0) ? z : -z;
            break;
        case 2: /* tiny products, subnormal addends */
            x = with_exp(a, 0x1c0, 6), y = with_exp(b, 0x1c0, 6);
            z = from_bits(c >> 10);
            break;
        case 3: /* short significands: exact products, halfway sums (ties) */
            x = with_exp(a & ~0x3ffffffull, 0x3ff, 1), y = with_exp(b & ~0x3ffffffull, 0x3ff, 1);
            z = (double)(int)(c & 0xf) * 1.1102230246251565e-16 * ((c & 0x10) ? 1 : -1);
            break;
        default: /* near the top of the range */
            x = with_exp(a, 0x5f0, 5), y = with_exp(b, 0x5f0, 5);
            z = -with_exp(c, 0x7e0, 5);
            break;
        }
        double r = fma(x, y, z);
        if (r != r) {
            nan++; /* NaN payloads differ between C libraries */
            continue;
        }
        if (r == INFINITY || r == -INFINITY)
            inf++;
        if (r != 0 && fabs(r) < 2.2250738585072014e-308)
            sub++;
        hash = (hash ^ bits(r)) * 0x100000001b3ull;
        if (i < 8)
            printf("fma(%016llx, %016llx, %016llx) = %016llx\n", (unsigned long long)bits(x),
                   (unsigned long long)bits(y), (unsigned long long)bits(z),
                   (unsigned long long)bits(r));
    }
    printf("hash %016llx nan %d inf %d subnormal %d\n", (unsigned long long)hash, nan, inf, sub);
    /* Exact cancellation is +0; a tiny negative product plus -0 stays -0. */
    volatile double t = 1e-300, one = 1.0, mz = -0.0;
    printf("%016llx %016llx\n", (unsigned long long)bits(fma(one, one, -one)),
           (unsigned long long)bits(fma(-t, t, mz)));
    return 0;
}
