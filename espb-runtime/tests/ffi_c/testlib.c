/* A native library for the FFI tests, compiled for the host by the tests. */
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef int (*binop_t)(int, int);
int tl_apply(binop_t f, int a, int b) { return f(a, b); }

/* Stores a callback and its user data; fires it later, from another thread. */
typedef void (*event_cb)(void *ud, int value);
static event_cb saved_cb;
static void *saved_ud;
void tl_register(event_cb cb, void *ud) { saved_cb = cb; saved_ud = ud; }
static void *runner(void *p)
{
    int n = (int)(intptr_t)p;
    for (int i = 1; i <= n; i++)
        saved_cb(saved_ud, i * 10);
    return NULL;
}
int tl_fire_from_thread(int n)
{
    pthread_t t;
    if (!saved_cb || pthread_create(&t, NULL, runner, (void *)(intptr_t)n))
        return -1;
    pthread_join(t, NULL);
    return n;
}
int tl_fire_here(int v)
{
    if (!saved_cb)
        return -1;
    saved_cb(saved_ud, v);
    return 0;
}

/* An opaque object returned through an out-parameter. */
struct widget { int id; char name[12]; };
int tl_widget_new(int id, struct widget **out)
{
    struct widget *w = malloc(sizeof *w);
    if (!w)
        return -1;
    w->id = id;
    snprintf(w->name, sizeof w->name, "w%d", id);
    *out = w;
    return 0;
}
int tl_widget_id(const struct widget *w) { return w ? w->id : -1; }
void tl_widget_free(struct widget *w) { free(w); }

/* A struct with a callback field and its argument. */
struct tl_job { void (*run)(void *arg); void *arg; int repeat; };
int tl_job_run(const struct tl_job *job)
{
    for (int i = 0; i < job->repeat; i++)
        job->run(job->arg);
    return job->repeat;
}

int tl_fill(char *buf, int n, int c) { memset(buf, c, (size_t)n); return n; }
int tl_count_char(const char *s, int c)
{
    int k = 0;
    for (; *s; s++)
        k += *s == c;
    return k;
}
double tl_scale(double x, float f, long long k) { return x * f + (double)k; }
/* Returns a pointer into its argument. */
char *tl_find(char *s, int c) { return strchr(s, c); }

/* A struct holding plain pointers (not callbacks): the native reads the
 * string field and writes into the buffer field, like
 * esp_timer_create_args_t.name or a driver config's buffer pointers. */
struct tl_greeting { const char *name; int times; char *out; };
int tl_greet(const struct tl_greeting *g)
{
    int n = 0;
    for (int i = 0; i < g->times && n < 63; i++)
        n += snprintf(g->out + n, (size_t)(64 - n), "%shi %s", i ? ", " : "", g->name);
    return n;
}
