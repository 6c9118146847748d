#include <stdio.h>
#include <string.h>
int main(void) { const char buf[] = "find the needle in the haystack, needle!"; const char *p = memchr(buf, 'n', sizeof buf); const char *q = strstr(p + 1, "needle"); const char *r = strstr(q + 1, "needle"); printf("%d %d %d %d\n", (int)(p - buf), (int)(q - buf), (int)(r - buf), memcmp(buf, "find", 4)); printf("%d %d\n", (int)strspn("aaabbbccc", "ab"), (int)strcspn("hello world", " ")); return 0; }
