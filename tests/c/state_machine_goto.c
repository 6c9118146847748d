#include <stdio.h>
static int parse(const char *s) {
    int val = 0, sign = 1, count = 0;
start:
    if (*s == ' ') { s++; goto start; }
    if (*s == '-') { sign = -1; s++; }
digits:
    if (*s >= '0' && *s <= '9') { val = val * 10 + (*s++ - '0'); count++; goto digits; }
    if (*s == ',') { s++; printf("%d ", sign * val); val = 0; sign = 1; goto start; }
    printf("%d\n", sign * val);
    return count;
}
int main(void) { printf("%d\n", parse("  12, -7,300,  -45, 0")); return 0; }
