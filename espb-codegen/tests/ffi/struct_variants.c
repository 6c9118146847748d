// A struct holding a callback and its argument, filled in the ways C code
// does it: a named local initialised from a constant (memcpy at -O0), a
// static const global, a global filled at run time, and a field chosen at
// run time. One native per way, so each is checked on its own.
#include <stdio.h>

typedef struct {
    void (*callback)(void *arg);
    void *arg;
    int flags;
    const char *name;
} job_t;

int run_a(const job_t *job);
int run_b(const job_t *job);
int run_c(const job_t *job);
int run_d(const job_t *job);

static int count;
int verbose;

static void cb1(void *arg) { (*(int *)arg) += 1; }
static void cb2(void *arg) { (*(int *)arg) += 2; }
static void cb3(void *arg) { (*(int *)arg) += 3; }

static const job_t fixed = { cb2, &count, 0, "fixed" };
static job_t later;

int main(void)
{
    job_t named = { .callback = cb1, .arg = &count, .name = "named" };
    run_a(&named);
    run_b(&fixed);
    later.callback = cb3;
    later.arg = &count;
    run_c(&later);
    job_t chosen = { verbose ? cb1 : cb2, &count, 1, "chosen" };
    run_d(&chosen);
    printf("%d\n", count);
    return 0;
}
