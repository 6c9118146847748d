/* A comparison that its block's branch tests and that is also used as a
 * value in another block (here `eol < end` folded by LLVM into the reuse of
 * `*eol == '\n'` as `zext`): the translator fuses the comparison into the
 * branch and recomputes the 0/1 value where it is read. */
#include <stdio.h>

__attribute__((noinline)) static int lines(const char *s, const char *end, int *chars)
{
    int n = 0;
    while (s < end) {
        const char *eol = s;
        while (eol < end && *eol != '\n')
            eol++;
        n++;
        *chars += (int)(eol - s);
        s = eol + (eol < end);
    }
    return n;
}

__attribute__((noinline)) static int fields(const char *s, const char *end, char sep, int *seps)
{
    int n = 0;
    while (s < end) {
        const char *fe = s;
        while (fe < end && *fe != sep)
            fe++;
        n += fe > s;
        *seps += fe < end;
        s = fe + (fe < end);
    }
    return n;
}

int main(void)
{
    static const char text[] = "alpha;beta\n\ngamma;;delta\nlast line without newline";
    volatile int cut = 0;
    const char *end = text + sizeof text - 1 - cut;
    int chars = 0, seps = 0;
    int l = lines(text, end, &chars);
    int l2 = lines(text, text + 11, &chars);
    int f = fields(text, end, ';', &seps);
    int f2 = fields(text, end, 'z', &seps);
    printf("lines=%d,%d chars=%d fields=%d,%d seps=%d\n", l, l2, chars, f, f2, seps);
    return l == 4 ? 0 : 1;
}
