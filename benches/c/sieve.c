/* sieve: sieve of Eratosthenes below LIMIT on a malloc'ed byte array,
 * REPS times. The prime count below 500000 is 41538; the sum of those primes
 * is checked too (see expected.py). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define LIMIT 500000
#define REPS 24
#define EXPECTED_COUNT 41538u
#define EXPECTED_SUM 0x4eef3d23u /* see expected.py */

int main(void)
{
    uint8_t *composite = malloc(LIMIT);
    if (!composite) {
        printf("sieve: FAIL malloc\n");
        return 2;
    }
    uint32_t count = 0, sum = 0;
    for (int rep = 0; rep < REPS; rep++) {
        memset(composite, 0, LIMIT);
        count = 0;
        sum = 0;
        for (uint32_t i = 2; i < LIMIT; i++) {
            if (composite[i])
                continue;
            count++;
            sum += i;
            if (i <= LIMIT / i)
                for (uint32_t j = i * i; j < LIMIT; j += i)
                    composite[j] = 1;
        }
        if (count != EXPECTED_COUNT || sum != EXPECTED_SUM) {
            printf("sieve: FAIL count %u sum %u\n", (unsigned)count, (unsigned)sum);
            free(composite);
            return 1;
        }
    }
    free(composite);
    printf("sieve: %u primes below %d, sum %u, x%d ok\n", (unsigned)count, LIMIT, (unsigned)sum,
           REPS);
    return 0;
}
