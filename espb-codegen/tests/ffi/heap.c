// Buffers and a callback struct on the module heap: blocks from malloc and
// calloc with constant sizes are described like locals.
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct { void (*cb)(void *arg); void *arg; } job_t;
int dev_fill(char *buf, int len);
int dev_send(const char *msg);
int dev_run(const job_t *job);

static int n;
static void tick(void *a) { (*(int *)a)++; }

int main(void)
{
    char *buf = malloc(64);
    dev_fill(buf, 64);
    printf("%s\n", buf);
    char *msg = malloc(16);
    strcpy(msg, "hello");
    dev_send(msg);
    job_t *j = calloc(1, sizeof *j);
    j->cb = tick;
    j->arg = &n;
    dev_run(j);
    free(buf);
    free(msg);
    free(j);
    printf("%d\n", n);
    return 0;
}
