#include <stdio.h>
#include <string.h>
#include <stdlib.h>
typedef size_t (*lenfn)(const char *);
typedef int (*putsfn)(const char *);
int main(void) {
    volatile lenfn f = strlen; putsfn p = puts;
    printf("%d\n", (int)f("twelve chars"));
    p("via pointer");
    int (*cmp)(const char *, const char *) = strcmp; printf("%d\n", cmp("a", "b") < 0);
    return 0;
}
