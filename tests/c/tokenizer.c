#include <stdio.h>
#include <string.h>
enum T { NUM, STR, PUNCT, IDENT, END };
static const char *src = "{\"name\": \"espb\", \"ver\": 12, \"ok\": true, \"list\": [1, 22, 333]}";
static enum T next(const char **s, char *out) { while (**s == ' ') (*s)++; if (!**s) return END; char c = **s; int n = 0; if (c == '"') { (*s)++; while (**s && **s != '"') out[n++] = *(*s)++; (*s)++; out[n] = 0; return STR; } if (c >= '0' && c <= '9') { while (**s >= '0' && **s <= '9') out[n++] = *(*s)++; out[n] = 0; return NUM; } if ((c >= 'a' && c <= 'z')) { while (**s >= 'a' && **s <= 'z') out[n++] = *(*s)++; out[n] = 0; return IDENT; } out[0] = c; out[1] = 0; (*s)++; return PUNCT; }
int main(void) { const char *s = src; char tok[64]; int counts[5] = {0}; enum T t; while ((t = next(&s, tok)) != END) { counts[t]++; if (t != PUNCT) printf("%d:%s ", t, tok); } printf("\n%d %d %d %d\n", counts[0], counts[1], counts[2], counts[3]); return 0; }
