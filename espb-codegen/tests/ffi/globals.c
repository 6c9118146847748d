// Natives filling in global variables: a handle into a global pointer
// variable, a plain integer; and module-heap functions, which take heap
// blocks rather than buffers.
#include <stdio.h>
#include <stdlib.h>

struct widget;
int dev_widget_new(int id, struct widget **out);
int dev_get(int *out);

static struct widget *g_w;
static int g_n;

int main(void)
{
    char *p = malloc(8);
    dev_widget_new(1, &g_w);
    dev_get(&g_n);
    p = realloc(p, 16);
    printf("%d %d\n", g_n, g_w != NULL);
    free(p);
    return 0;
}
