// Natives espb has no hints for: the analysis alone finds the callback, its
// user data, a handle out-parameter, a buffer the native fills in, a string
// and a struct holding a callback.
#include <stdio.h>

struct widget;
typedef void (*event_cb)(void *ud, int value);
void dev_on_event(event_cb cb, void *ud);
int dev_widget_new(int id, const char *label, struct widget **out);
int dev_read(struct widget *w, char *buf, int len);
struct dev_job { void (*run)(void *arg); void *arg; int repeat; };
int dev_job_run(const struct dev_job *job);

struct acc { int sum; int calls; };
static struct acc acc;
static int counter;

static void on_event(void *ud, int v)
{
    struct acc *a = ud;
    a->sum += v;
    a->calls++;
}

static void job(void *arg) { (*(int *)arg) += 1; }

int main(void)
{
    dev_on_event(on_event, &acc);
    struct widget *w = NULL;
    int rc = dev_widget_new(7, "seven", &w);
    char buf[16];
    int n = dev_read(w, buf, sizeof buf);
    printf("rc=%d n=%d %s\n", rc, n, buf);
    struct dev_job j = { job, &counter, 3 };
    printf("job %d counter=%d\n", dev_job_run(&j), counter);
    return 0;
}
