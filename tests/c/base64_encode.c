#include <stdio.h>
#include <string.h>
static const char T[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
static void b64(const unsigned char *in, int n, char *out) { int j = 0; for (int i = 0; i < n; i += 3) { unsigned v = in[i] << 16 | (i + 1 < n ? in[i + 1] << 8 : 0) | (i + 2 < n ? in[i + 2] : 0); out[j++] = T[v >> 18 & 63]; out[j++] = T[v >> 12 & 63]; out[j++] = i + 1 < n ? T[v >> 6 & 63] : '='; out[j++] = i + 2 < n ? T[v & 63] : '='; } out[j] = 0; }
int main(void) { const char *s[] = {"", "f", "fo", "foo", "foobar", "espb bytecode!"}; char out[64]; for (int i = 0; i < 6; i++) { b64((const unsigned char *)s[i], (int)strlen(s[i]), out); printf("[%s] ", out); } printf("\n"); return 0; }
