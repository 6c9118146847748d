/* Pointer fields inside a struct argument: a string the native reads and a
 * buffer it fills, described by hints as `in 0.0 size strlen`, `out 0.8 size 64`. */
#include <stdio.h>

struct tl_greeting { const char *name; int times; char *out; };
int tl_greet(const struct tl_greeting *g);

int main(void)
{
    char buf[64] = "untouched";
    char who[8] = "espb";
    struct tl_greeting g = { who, 3, buf };
    int n = tl_greet(&g);
    printf("%d [%s]\n", n, buf);
    return n == 25 ? 0 : 1;
}
