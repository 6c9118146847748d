#include <stdio.h>
#include <stdint.h>
#define CAP 8
struct Ring { uint32_t head, tail; int data[CAP]; };
static int push(struct Ring *r, int v) { if (r->head - r->tail == CAP) return 0; r->data[r->head++ % CAP] = v; return 1; }
static int pop(struct Ring *r, int *v) { if (r->head == r->tail) return 0; *v = r->data[r->tail++ % CAP]; return 1; }
int main(void) { struct Ring r = {0xfffffffcu, 0xfffffffcu, {0}}; int v, out = 0, dropped = 0; for (int i = 0; i < 40; i++) { if (!push(&r, i)) dropped++; if (i % 3 == 0 && pop(&r, &v)) out += v; } while (pop(&r, &v)) out += v * 2; printf("%d %d %u\n", out, dropped, r.head); return 0; }
