// Calls into a native C library and host libc through libffi.
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

typedef int (*binop_t)(int, int);
int tl_apply(binop_t f, int a, int b);
typedef void (*event_cb)(void *ud, int value);
void tl_register(event_cb cb, void *ud);
int tl_fire_from_thread(int n);
struct widget;
int tl_widget_new(int id, struct widget **out);
int tl_widget_id(const struct widget *w);
void tl_widget_free(struct widget *w);
struct tl_job { void (*run)(void *arg); void *arg; int repeat; };
int tl_job_run(const struct tl_job *job);
int tl_fill(char *buf, int n, int c);
int tl_count_char(const char *s, int c);
double tl_scale(double x, float f, long long k);
char *tl_find(char *s, int c);

static int sub(int a, int b) { return a - b; }
static int cmp_int(const void *a, const void *b)
{
    int x = *(const int *)a, y = *(const int *)b;
    return (x > y) - (x < y);
}
struct acc { int sum; int calls; };
static void on_event(void *ud, int v)
{
    struct acc *a = ud;
    a->sum += v;
    a->calls++;
}
static void job(void *arg) { (*(int *)arg) += 1; }
static struct acc acc;
static int counter;

int main(void)
{
    printf("apply %d\n", tl_apply(sub, 10, 3));
    int arr[6] = { 5, -2, 9, 0, 3, 1 };
    qsort(arr, 6, sizeof(int), cmp_int);
    printf("sorted %d %d %d %d %d %d\n", arr[0], arr[1], arr[2], arr[3], arr[4], arr[5]);
    tl_register(on_event, &acc);
    int fired = tl_fire_from_thread(4);
    printf("fired %d sum=%d calls=%d\n", fired, acc.sum, acc.calls);
    struct widget *w = NULL;
    int rc = tl_widget_new(7, &w);
    printf("widget rc=%d id=%d %s\n", rc, tl_widget_id(w), ((uintptr_t)w >> 28) == 8 ? "handle" : "raw");
    tl_widget_free(w);
    struct tl_job j = { job, &counter, 3 };
    int reps = tl_job_run(&j);
    printf("job %d counter=%d\n", reps, counter);
    char buf[8];
    tl_fill(buf, 7, 'x');
    buf[7] = 0;
    printf("fill %s count=%d\n", buf, tl_count_char("banana", 'a'));
    char out[32];
    int n = snprintf(out, sizeof out, "%d|%s|%lld|%.2f|%u", 42, "str", -7LL, 2.5, 4000000000u);
    printf("snprintf %d %s\n", n, out);
    printf("scale %.3f\n", tl_scale(1.5, 2.0f, 3));
    char word[] = "hello";
    char *l = tl_find(word, 'l');
    printf("find +%d %c\n", (int)(l - word), *l);
    return 0;
}
