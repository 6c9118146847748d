// Shapes the analysis must survive without guessing: mutual recursion
// through wrapper parameters, variable-length arrays, variable indices into
// locals and into a table of callbacks, an address one element before an
// array, and callbacks chosen in a loop.
#include <stdio.h>

void take(void *p, int n);
void take_cb(void (*cb)(void *), void *arg);

static void c1(void *a) { (void)a; }
static void c2(void *a) { (void)a; }
static void (*const table[2])(void *) = { c1, c2 };

static void rec_b(char *p, int n);
__attribute__((noinline)) static void rec_a(char *p, int n) { rec_b(p, n); }
__attribute__((noinline)) static void rec_b(char *p, int n)
{
    if (n > 0)
        rec_a(p, n - 1);
    else
        take(p, n);
}

int main(int argc, char **argv)
{
    (void)argv;
    char vla[argc + 4];
    take(vla, argc);
    int arr[8] = { 0 };
    take(&arr[argc & 7], 4);
    take(&arr[0] - 1, 4);
    take_cb(table[argc & 1], NULL);
    void (*cb)(void *) = c1;
    for (int i = 0; i < argc; i++)
        cb = (i & 1) ? c1 : c2;
    take_cb(cb, arr);
    char word[6] = "hello";
    rec_a(word, argc);
    printf("%d\n", arr[1]);
    return 0;
}
