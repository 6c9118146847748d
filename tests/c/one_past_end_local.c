/* A pointer one past the end of a local array is valid C. */
#include <stdio.h>

__attribute__((noinline)) int sum(int *b, int *e) {
    int s = 0;
    while (b < e)
        s += *b++;
    return s;
}

__attribute__((noinline)) long diff(char *b, char *e) { return e - b; }

int main(void) {
    int a[4] = {1, 2, 3, 4};
    char c[16];
    printf("%d %ld\n", sum(a, a + 4), diff(c, c + sizeof c));
    return sum(a, a + 4) - 10;
}
