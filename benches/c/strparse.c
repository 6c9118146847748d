/* strparse: string building and parsing of the kind configuration and
 * telemetry code does. Each repetition writes RECORDS text records
 * ("id=17;name=valve42;value=-1234;flags=0x1f2e", plus comment lines and
 * stray spaces) into a buffer with hand-written integer formatting, then
 * tokenises it line by line, parses decimal and hexadecimal fields, and
 * counts the names in an open-addressing hash table. The parser's totals must
 * equal the generator's bookkeeping (record count, value sum, flag xor,
 * number of distinct names). */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define RECORDS 4000
#define REPS 32
#define NWORDS 32
#define NSUFFIX 50
#define TABLE_SIZE 4096 /* > NWORDS * NSUFFIX, power of two */

static const char *const WORDS[NWORDS] = {
    "alpha",  "bravo",   "charlie", "delta",  "echo",   "foxtrot", "golf",   "hotel",
    "india",  "juliet",  "kilo",    "lima",   "mike",   "november", "oscar", "papa",
    "sensor", "motor",   "valve",   "pump",   "heater", "fan",     "relay",  "switch",
    "led",    "button",  "encoder", "stepper", "servo", "battery", "charger", "uart",
};

typedef struct {
    const char *name; /* points into the arena, NUL-terminated */
    uint32_t len;
    uint32_t hash;
    uint32_t count;
} slot;

static slot table[TABLE_SIZE];
static char arena[NWORDS * NSUFFIX * 16];
static uint32_t arena_used;
static uint8_t seen[NWORDS * NSUFFIX];
static uint32_t rng_state;

static uint32_t rnd(void)
{
    rng_state = rng_state * 1103515245u + 12345u;
    return rng_state >> 8;
}

static char *put_str(char *p, const char *s)
{
    size_t n = strlen(s);
    memcpy(p, s, n);
    return p + n;
}

static char *put_uint(char *p, uint32_t v)
{
    char tmp[12];
    int n = 0;
    do {
        tmp[n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    while (n)
        *p++ = tmp[--n];
    return p;
}

static char *put_int(char *p, int32_t v)
{
    if (v < 0) {
        *p++ = '-';
        return put_uint(p, (uint32_t)0 - (uint32_t)v);
    }
    return put_uint(p, (uint32_t)v);
}

static char *put_hex(char *p, uint32_t v)
{
    static const char digits[] = "0123456789abcdef";
    char tmp[8];
    int n = 0;
    do {
        tmp[n++] = digits[v & 15];
        v >>= 4;
    } while (v);
    while (n)
        *p++ = tmp[--n];
    return p;
}

static int is_space(char c) { return c == ' ' || c == '\t'; }

static int key_is(const char *k, size_t klen, const char *lit)
{
    size_t i = 0;
    for (; i < klen; i++)
        if (lit[i] != k[i])
            return 0;
    return lit[i] == '\0';
}

static uint32_t fnv1a(const char *s, size_t n)
{
    uint32_t h = 2166136261u;
    for (size_t i = 0; i < n; i++) {
        h ^= (uint8_t)s[i];
        h *= 16777619u;
    }
    return h;
}

static int count_name(const char *s, size_t n)
{
    uint32_t h = fnv1a(s, n);
    uint32_t i = h & (TABLE_SIZE - 1);
    for (;;) {
        slot *e = &table[i];
        if (!e->name) {
            if (arena_used + n + 1 > sizeof arena)
                return -1;
            char *dst = arena + arena_used;
            memcpy(dst, s, n);
            dst[n] = '\0';
            arena_used += (uint32_t)n + 1;
            e->name = dst;
            e->len = (uint32_t)n;
            e->hash = h;
            e->count = 1;
            return 1;
        }
        if (e->hash == h && e->len == n && memcmp(e->name, s, n) == 0) {
            e->count++;
            return 0;
        }
        i = (i + 1) & (TABLE_SIZE - 1);
    }
}

static int parse_int(const char *s, size_t n, int32_t *out)
{
    size_t i = 0;
    int neg = 0;
    if (i < n && (s[i] == '-' || s[i] == '+'))
        neg = s[i++] == '-';
    if (i == n)
        return 0;
    uint32_t v = 0;
    for (; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return 0;
        v = v * 10 + (uint32_t)(s[i] - '0');
    }
    *out = neg ? (int32_t)((uint32_t)0 - v) : (int32_t)v;
    return 1;
}

static int parse_hex(const char *s, size_t n, uint32_t *out)
{
    if (n < 3 || s[0] != '0' || (s[1] != 'x' && s[1] != 'X'))
        return 0;
    uint32_t v = 0;
    for (size_t i = 2; i < n; i++) {
        char c = s[i];
        uint32_t d;
        if (c >= '0' && c <= '9')
            d = (uint32_t)(c - '0');
        else if (c >= 'a' && c <= 'f')
            d = (uint32_t)(c - 'a' + 10);
        else if (c >= 'A' && c <= 'F')
            d = (uint32_t)(c - 'A' + 10);
        else
            return 0;
        v = v << 4 | d;
    }
    *out = v;
    return 1;
}

int main(void)
{
    char *text = malloc(RECORDS * 80 + 1);
    if (!text) {
        printf("strparse: FAIL malloc\n");
        return 2;
    }
    uint32_t total_records = 0, total_distinct = 0;
    int64_t total_sum = 0;
    rng_state = 2024;
    for (int rep = 0; rep < REPS; rep++) {
        /* ---- generate ---- */
        memset(seen, 0, sizeof seen);
        int64_t gen_sum = 0;
        uint32_t gen_xor = 0, gen_distinct = 0, gen_records = 0;
        char *p = text;
        for (uint32_t r = 0; r < RECORDS; r++) {
            if (rnd() % 10 == 0) {
                p = put_str(p, "# comment ");
                p = put_uint(p, r);
                *p++ = '\n';
                continue;
            }
            uint32_t w = rnd() % NWORDS, sfx = rnd() % NSUFFIX;
            int32_t value = (int32_t)(rnd() % 2000001u) - 1000000;
            uint32_t flags = rnd() & 0xffffu;
            int spaced = rnd() % 4 == 0;
            p = put_str(p, "id=");
            p = put_uint(p, gen_records);
            p = put_str(p, spaced ? " ; name=" : ";name=");
            p = put_str(p, WORDS[w]);
            p = put_uint(p, sfx);
            p = put_str(p, ";value=");
            p = put_int(p, value);
            p = put_str(p, spaced ? ";  flags=0x" : ";flags=0x");
            p = put_hex(p, flags);
            *p++ = '\n';
            gen_sum += value;
            gen_xor ^= flags;
            gen_records++;
            if (!seen[w * NSUFFIX + sfx]) {
                seen[w * NSUFFIX + sfx] = 1;
                gen_distinct++;
            }
        }
        *p = '\0';

        /* ---- parse ---- */
        memset(table, 0, sizeof table);
        arena_used = 0;
        int64_t sum = 0;
        uint32_t xr = 0, distinct = 0, records = 0;
        size_t len = strlen(text);
        const char *s = text, *end = text + len;
        while (s < end) {
            const char *eol = s;
            while (eol < end && *eol != '\n')
                eol++;
            if (*s != '#') {
                int32_t id = -1, value = 0;
                uint32_t flags = 0;
                int have = 0;
                const char *f = s;
                while (f < eol) {
                    const char *fe = f;
                    while (fe < eol && *fe != ';')
                        fe++;
                    const char *k = f, *ke = f;
                    while (k < fe && is_space(*k))
                        k++;
                    ke = k;
                    while (ke < fe && *ke != '=')
                        ke++;
                    if (ke == fe) {
                        printf("strparse: FAIL field without '=' in record %u\n", (unsigned)records);
                        return 1;
                    }
                    const char *v = ke + 1, *ve = fe;
                    while (ve > v && is_space(ve[-1]))
                        ve--;
                    const char *kend = ke;
                    while (kend > k && is_space(kend[-1]))
                        kend--;
                    size_t klen = (size_t)(kend - k), vlen = (size_t)(ve - v);
                    int ok = 1;
                    if (key_is(k, klen, "id")) {
                        ok = parse_int(v, vlen, &id);
                        have |= 1;
                    } else if (key_is(k, klen, "name")) {
                        int r = count_name(v, vlen);
                        ok = r >= 0;
                        distinct += r > 0;
                        have |= 2;
                    } else if (key_is(k, klen, "value")) {
                        ok = parse_int(v, vlen, &value);
                        have |= 4;
                    } else if (key_is(k, klen, "flags")) {
                        ok = parse_hex(v, vlen, &flags);
                        have |= 8;
                    } else {
                        ok = 0;
                    }
                    if (!ok) {
                        printf("strparse: FAIL bad field in record %u\n", (unsigned)records);
                        return 1;
                    }
                    f = fe < eol ? fe + 1 : fe;
                }
                if (have != 15 || id != (int32_t)records) {
                    printf("strparse: FAIL incomplete record %u\n", (unsigned)records);
                    return 1;
                }
                sum += value;
                xr ^= flags;
                records++;
            }
            s = eol < end ? eol + 1 : eol;
        }
        if (records != gen_records || sum != gen_sum || xr != gen_xor ||
            distinct != gen_distinct) {
            printf("strparse: FAIL parsed %u records sum %lld xor %x distinct %u, generated %u %lld "
                   "%x %u\n",
                   (unsigned)records, (long long)sum, (unsigned)xr, (unsigned)distinct,
                   (unsigned)gen_records, (long long)gen_sum, (unsigned)gen_xor,
                   (unsigned)gen_distinct);
            return 1;
        }
        total_records += records;
        total_distinct += distinct;
        total_sum += sum;
    }
    free(text);
    printf("strparse: %u records, %u names, value sum %lld ok\n", (unsigned)total_records,
           (unsigned)total_distinct, (long long)total_sum);
    return 0;
}
