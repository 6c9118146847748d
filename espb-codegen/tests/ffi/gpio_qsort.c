// A GPIO ISR handler with an argument, and qsort with a module comparator.
#include <stdio.h>
#include <stdlib.h>
#include "driver/gpio.h"

struct edge_count { int rising; };
static struct edge_count edges;

static void on_edge(void *arg)
{
    struct edge_count *e = arg;
    e->rising++;
}

static int by_value(const void *a, const void *b)
{
    int x = *(const int *)a, y = *(const int *)b;
    return (x > y) - (x < y);
}

void app_main(void)
{
    gpio_install_isr_service(0);
    gpio_isr_handler_add(GPIO_NUM_4, on_edge, &edges);
    int v[5] = { 4, -1, 9, 0, 2 };
    qsort(v, 5, sizeof v[0], by_value);
    printf("%d %d %d %d %d edges %d\n", v[0], v[1], v[2], v[3], v[4], edges.rising);
}
