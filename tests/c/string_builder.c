#include <stdio.h>
#include <string.h>
#include <stdlib.h>
struct SB { char *buf; size_t len, cap; };
static void sb_add(struct SB *s, const char *t) { size_t n = strlen(t); if (s->len + n + 1 > s->cap) { s->cap = (s->len + n + 1) * 2; s->buf = realloc(s->buf, s->cap); } memcpy(s->buf + s->len, t, n + 1); s->len += n; }
int main(void) {
    struct SB s = {0, 0, 0}; char tmp[32];
    for (int i = 0; i < 50; i++) { snprintf(tmp, sizeof tmp, "%d,", i * i); sb_add(&s, tmp); }
    printf("%d %.20s...%s\n", (int)s.len, s.buf, s.buf + s.len - 10);
    /* strtok is not a runtime builtin yet: split by hand. */
    long sum = 0; int n = 0; char *tok = s.buf; for (char *c = s.buf; *c; c++) if (*c == ',') { *c = 0; sum += atol(tok); n++; tok = c + 1; } printf("%d %ld\n", n, sum);
    free(s.buf); return 0;
}
