/* coremark_like: a mixed workload modelled on CoreMark's three kernels (it is
 * not CoreMark and reports no CoreMark score): linked-list work (find,
 * reverse, bottom-up merge sort by two keys), a small int16 matrix kernel
 * (multiply, add/multiply by constants, bit extraction) and a number-token
 * scanner state machine, all folded into a CRC-16. Each kernel checks
 * itself: the lists must come back sorted and as a permutation, then in
 * their original order; every matrix product passes Freivalds' check; the
 * scanner's token classes must equal the generator's bookkeeping. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define ITERS 1500
#define NLIST 96
#define MAT 12
#define TOKENS 64

typedef struct node {
    struct node *next;
    int16_t data;
    int16_t idx;
} node;

static node pool[NLIST];
static int16_t ma[MAT * MAT], mb[MAT * MAT];
static int32_t mc[MAT * MAT];
static char text[TOKENS * 12 + 1];
static uint32_t seed;

static uint32_t rnd(void)
{
    seed = seed * 1664525u + 1013904223u;
    return seed >> 8;
}

static uint16_t crc16_byte(uint8_t b, uint16_t crc)
{
    for (int i = 0; i < 8; i++) {
        uint8_t x = (uint8_t)((b ^ crc) & 1);
        b >>= 1;
        crc >>= 1;
        if (x)
            crc ^= 0xA001;
    }
    return crc;
}

static uint16_t crc16(int32_t v, uint16_t crc)
{
    uint32_t u = (uint32_t)v;
    crc = crc16_byte((uint8_t)u, crc);
    crc = crc16_byte((uint8_t)(u >> 8), crc);
    crc = crc16_byte((uint8_t)(u >> 16), crc);
    return crc16_byte((uint8_t)(u >> 24), crc);
}

/* ---- list ---------------------------------------------------------------- */

typedef int (*node_cmp)(const node *, const node *);
static int by_data(const node *a, const node *b) { return a->data != b->data ? a->data - b->data : a->idx - b->idx; }
static int by_idx(const node *a, const node *b) { return a->idx - b->idx; }

/* Bottom-up merge sort of a singly linked list (as in CoreMark). */
static node *list_sort(node *list, node_cmp cmp)
{
    for (int insize = 1;; insize *= 2) {
        node *p = list, *tail = NULL;
        list = NULL;
        int merges = 0;
        while (p) {
            merges++;
            node *q = p;
            int psize = 0;
            for (int i = 0; i < insize && q; i++) {
                psize++;
                q = q->next;
            }
            int qsize = insize;
            while (psize > 0 || (qsize > 0 && q)) {
                node *e;
                if (psize == 0) {
                    e = q, q = q->next, qsize--;
                } else if (qsize == 0 || !q || cmp(p, q) <= 0) {
                    e = p, p = p->next, psize--;
                } else {
                    e = q, q = q->next, qsize--;
                }
                if (tail)
                    tail->next = e;
                else
                    list = e;
                tail = e;
            }
            p = q;
        }
        tail->next = NULL;
        if (merges <= 1)
            return list;
    }
}

static node *list_reverse(node *list)
{
    node *prev = NULL;
    while (list) {
        node *next = list->next;
        list->next = prev;
        prev = list;
        list = next;
    }
    return prev;
}

static node *list_find(node *list, int16_t data)
{
    while (list && list->data != data)
        list = list->next;
    return list;
}

static int list_kernel(uint16_t *crc)
{
    node *head = NULL;
    int32_t sum = 0;
    for (int i = NLIST - 1; i >= 0; i--) {
        pool[i].data = (int16_t)(rnd() % 2000) - 1000;
        pool[i].idx = (int16_t)i;
        pool[i].next = head;
        head = &pool[i];
        sum += pool[i].data;
    }
    for (int k = 0; k < 8; k++) {
        node *f = list_find(head, (int16_t)((int32_t)(rnd() % 2000) - 1000));
        *crc = crc16(f ? f->idx : -1, *crc);
    }
    head = list_reverse(head);
    head = list_sort(head, by_data);
    int32_t sum2 = 0, n = 0;
    for (node *p = head; p; p = p->next, n++) {
        sum2 += p->data;
        if (p->next && by_data(p, p->next) > 0)
            return 0;
    }
    if (n != NLIST || sum2 != sum)
        return 0;
    *crc = crc16(head->data, *crc);
    head = list_reverse(head); /* now descending */
    *crc = crc16(head->data, *crc);
    head = list_sort(head, by_idx);
    int i = 0;
    for (node *p = head; p; p = p->next, i++)
        if (p->idx != i)
            return 0;
    return i == NLIST;
}

/* ---- matrix -------------------------------------------------------------- */

static int matrix_kernel(uint16_t *crc)
{
    for (int i = 0; i < MAT * MAT; i++) {
        ma[i] = (int16_t)((int32_t)(rnd() % 256) - 128);
        mb[i] = (int16_t)((int32_t)(rnd() % 256) - 128);
    }
    int16_t k = (int16_t)(rnd() % 64 + 1);
    for (int i = 0; i < MAT * MAT; i++)
        ma[i] = (int16_t)(ma[i] + k);
    for (int i = 0; i < MAT; i++)
        for (int j = 0; j < MAT; j++) {
            int32_t s = 0;
            for (int x = 0; x < MAT; x++)
                s += (int32_t)ma[i * MAT + x] * mb[x * MAT + j];
            mc[i * MAT + j] = s;
        }
    /* Freivalds: A (B r) == C r */
    int32_t r[MAT], br[MAT];
    for (int i = 0; i < MAT; i++)
        r[i] = (int32_t)(rnd() % 7) - 3;
    for (int i = 0; i < MAT; i++) {
        int32_t s = 0;
        for (int x = 0; x < MAT; x++)
            s += mb[i * MAT + x] * r[x];
        br[i] = s;
    }
    for (int i = 0; i < MAT; i++) {
        int32_t abr = 0, cr = 0;
        for (int x = 0; x < MAT; x++) {
            abr += ma[i * MAT + x] * br[x];
            cr += mc[i * MAT + x] * r[x];
        }
        if (abr != cr)
            return 0;
    }
    int32_t acc = 0;
    for (int i = 0; i < MAT * MAT; i++) {
        int32_t v = mc[i] * k;
        acc += (v >> 2) & 0x0f;
        acc += (v & 0xff) > 128 ? 1 : 0;
    }
    *crc = crc16(acc, *crc);
    return 1;
}

/* ---- state machine ------------------------------------------------------- */

enum { T_INT, T_FLOAT, T_EXP, T_HEX, T_BAD, T_KINDS };
enum { S_START, S_SIGN, S_INT, S_DOT, S_FRAC, S_E, S_ESIGN, S_EXP, S_ZERO, S_X, S_HEX, S_BAD };

static char *put_digits(char *p, uint32_t n)
{
    char t[10];
    int k = 0;
    do {
        t[k++] = (char)('0' + n % 10);
        n /= 10;
    } while (n);
    while (k)
        *p++ = t[--k];
    return p;
}

static int classify(const char *s, const char *e)
{
    int st = S_START;
    for (; s < e; s++) {
        char c = *s;
        int digit = c >= '0' && c <= '9';
        switch (st) {
        case S_START:
            st = c == '0' ? S_ZERO : digit ? S_INT : (c == '+' || c == '-') ? S_SIGN : c == '.' ? S_DOT : S_BAD;
            break;
        case S_SIGN:
            st = digit ? S_INT : c == '.' ? S_DOT : S_BAD;
            break;
        case S_ZERO:
            st = (c == 'x' || c == 'X') ? S_X : digit ? S_INT : c == '.' ? S_DOT : S_BAD;
            break;
        case S_INT:
            st = digit ? S_INT : c == '.' ? S_DOT : (c == 'e' || c == 'E') ? S_E : S_BAD;
            break;
        case S_DOT:
        case S_FRAC:
            st = digit ? S_FRAC : (st == S_FRAC && (c == 'e' || c == 'E')) ? S_E : S_BAD;
            break;
        case S_E:
            st = digit ? S_EXP : (c == '+' || c == '-') ? S_ESIGN : S_BAD;
            break;
        case S_ESIGN:
        case S_EXP:
            st = digit ? S_EXP : S_BAD;
            break;
        case S_X:
        case S_HEX:
            st = (digit || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F')) ? S_HEX : S_BAD;
            break;
        default:
            return T_BAD;
        }
    }
    switch (st) {
    case S_INT:
    case S_ZERO:
        return T_INT;
    case S_FRAC:
        return T_FLOAT;
    case S_EXP:
        return T_EXP;
    case S_HEX:
        return T_HEX;
    default:
        return T_BAD;
    }
}

static int state_kernel(uint16_t *crc)
{
    static const char hexd[] = "0123456789abcdef";
    uint32_t want[T_KINDS] = {0}, got[T_KINDS] = {0};
    char *p = text;
    for (int t = 0; t < TOKENS; t++) {
        int kind = (int)(rnd() % T_KINDS);
        want[kind]++;
        switch (kind) {
        case T_INT:
            if (rnd() & 1)
                *p++ = '-';
            p = put_digits(p, rnd() % 100000);
            break;
        case T_FLOAT:
            p = put_digits(p, rnd() % 1000);
            *p++ = '.';
            p = put_digits(p, rnd() % 1000);
            break;
        case T_EXP:
            p = put_digits(p, rnd() % 100);
            *p++ = '.';
            p = put_digits(p, rnd() % 100);
            *p++ = 'e';
            *p++ = (rnd() & 1) ? '-' : '+';
            p = put_digits(p, rnd() % 40);
            break;
        case T_HEX: {
            *p++ = '0';
            *p++ = 'x';
            uint32_t v = rnd();
            for (int k = 0; k < 4; k++)
                *p++ = hexd[(v >> (4 * k)) & 15];
            break;
        }
        default: /* never starts with 0, which would make "0x.." valid hex */
            p = put_digits(p, rnd() % 100 + 1);
            *p++ = (rnd() & 1) ? '/' : 'x';
            p = put_digits(p, rnd() % 100);
            break;
        }
        *p++ = ',';
    }
    *p = '\0';
    const char *s = text;
    while (*s) {
        const char *e = s;
        while (*e && *e != ',')
            e++;
        int k = classify(s, e);
        got[k]++;
        *crc = crc16((int32_t)(e - s) * T_KINDS + k, *crc);
        s = *e ? e + 1 : e;
    }
    for (int k = 0; k < T_KINDS; k++)
        if (got[k] != want[k])
            return 0;
    return 1;
}

int main(void)
{
    uint16_t crc = 0;
    seed = 0x5eed;
    for (int it = 0; it < ITERS; it++) {
        if (!list_kernel(&crc)) {
            printf("coremark_like: FAIL list kernel, iteration %d\n", it);
            return 1;
        }
        if (!matrix_kernel(&crc)) {
            printf("coremark_like: FAIL matrix kernel, iteration %d\n", it);
            return 1;
        }
        if (!state_kernel(&crc)) {
            printf("coremark_like: FAIL state kernel, iteration %d\n", it);
            return 1;
        }
    }
    printf("coremark_like: %d iterations, crc %04x ok\n", ITERS, (unsigned)crc);
    return 0;
}
