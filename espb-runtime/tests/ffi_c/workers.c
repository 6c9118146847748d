/* A native library with threads of its own, for the host-platform tests: it
 * calls module callbacks from threads that are no FreeRTOS task, the way a
 * driver or protocol library does. Compiled for the host by the tests. */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

typedef void (*event_cb)(void *ud, int value);
static event_cb cb;
static void *cb_ud;
void wk_register(event_cb f, void *ud) { cb = f; cb_ud = ud; }

static pthread_t worker;
static int worker_running;
static int worker_n, worker_period_us;

static void *worker_main(void *p)
{
    (void)p;
    pthread_setname_np(pthread_self(), "wk-worker");
    for (int i = 1; i <= worker_n; i++) {
        if (worker_period_us)
            usleep(worker_period_us);
        cb(cb_ud, i);
    }
    return NULL;
}

/* Starts a thread that calls the callback n times, period_us apart. */
int wk_start(int n, int period_us)
{
    if (worker_running || !cb)
        return -1;
    worker_n = n;
    worker_period_us = period_us;
    if (pthread_create(&worker, NULL, worker_main, NULL))
        return -1;
    worker_running = 1;
    return 0;
}

int wk_join(void)
{
    if (!worker_running)
        return -1;
    pthread_join(worker, NULL);
    worker_running = 0;
    return 0;
}

/* A thread calls back n times while the caller waits inside this call. */
int wk_fire_and_wait(int n)
{
    if (wk_start(n, 0))
        return -1;
    return wk_join();
}

/* Calls f(x) on the caller's thread. */
int wk_apply(int (*f)(int), int x) { return f(x); }

/* Calls that reached module code, counted by the module through wk_note. */
static atomic_long notes;
void wk_note(int why) { (void)why; atomic_fetch_add(&notes, 1); }
long wk_notes(void) { return atomic_load(&notes); }

/* A pump: a thread calling the callback as fast as it can until stopped. */
static pthread_t pump;
static atomic_int pump_on;
static atomic_long pumped;
static void *pump_main(void *p)
{
    (void)p;
    pthread_setname_np(pthread_self(), "wk-pump");
    for (int i = 1; atomic_load(&pump_on); i++) {
        cb(cb_ud, i);
        atomic_fetch_add(&pumped, 1);
        usleep(50);
    }
    return NULL;
}
int wk_pump_start(void)
{
    if (!cb || atomic_load(&pump_on))
        return -1;
    atomic_store(&pump_on, 1);
    return pthread_create(&pump, NULL, pump_main, NULL) ? -1 : 0;
}
long wk_pump_stop(void)
{
    if (!atomic_exchange(&pump_on, 0))
        return -1;
    pthread_join(pump, NULL);
    return atomic_load(&pumped);
}

/* Plain natives a hostile module passes bad pointers to. */
int wk_fill(char *buf, int n, int c) { memset(buf, c, (size_t)n); return n; }
int wk_strlen(const char *s) { return (int)strlen(s); }
struct wk_obj { int id; };
int wk_obj_new(int id, struct wk_obj **out)
{
    struct wk_obj *o = malloc(sizeof *o);
    if (!o)
        return -1;
    o->id = id;
    *out = o;
    return 0;
}
int wk_obj_id(const struct wk_obj *o) { return o ? o->id : -1; }
