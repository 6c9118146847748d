/* Many calls passing a large struct by value; the callee owns its copy. */
#include <stdio.h>
#include <string.h>

struct big {
    char bytes[2048];
    int tag;
};

__attribute__((noinline)) int check(struct big b, int want) {
    int s = 0;
    for (int i = 0; i < 2048; i += 128)
        s += b.bytes[i];
    b.tag += 1; /* the callee owns its copy */
    return s + (b.tag == want + 1);
}

int main(void) {
    static struct big g;
    memset(g.bytes, 1, sizeof g.bytes);
    g.tag = 5;
    int t = 0;
    t += check(g, 5); t += check(g, 5); t += check(g, 5); t += check(g, 5);
    t += check(g, 5); t += check(g, 5); t += check(g, 5); t += check(g, 5);
    t += check(g, 5); t += check(g, 5); t += check(g, 5); t += check(g, 5);
    t += check(g, 5); t += check(g, 5); t += check(g, 5); t += check(g, 5);
    printf("%d %d\n", t, g.tag);
    return 0;
}
