/* The demo script: a FreeRTOS task, a software timer whose state travels as
 * its ID (user data), and printf. It is ordinary ESP-IDF C; `cargo espb
 * build` turns it into espb-build/{{name}}.espb, `cargo espb run
 * --virtual-time` runs it on this PC, the firmware runs it on the board. */
#include <stdint.h>
#include <stdio.h>
#include "freertos/FreeRTOS.h"
#include "freertos/task.h"
#include "freertos/timers.h"

/* What the timer callback needs, handed to it as the timer's ID. */
typedef struct {
    const char *label;
    int fired;
} tick_state_t;

static tick_state_t tick_state = {"tick", 0};

/* Called by the timer service task every 100 ms. */
static void on_tick(TimerHandle_t timer)
{
    tick_state_t *st = pvTimerGetTimerID(timer);
    st->fired++;
    printf("timer '%s' fired %d time(s)\n", st->label, st->fired);
}

/* A task that counts, sleeping 250 ms between steps, then deletes itself. */
static void counter_task(void *arg)
{
    int limit = (int)(intptr_t)arg;
    for (int i = 1; i <= limit; i++) {
        printf("counter: %d/%d\n", i, limit);
        vTaskDelay(pdMS_TO_TICKS(250));
    }
    printf("counter: done\n");
    vTaskDelete(NULL);
}

void app_main(void)
{
    printf("hello from an espb module\n");

    TaskHandle_t task = NULL;
    if (xTaskCreate(counter_task, "counter", 2048, (void *)(intptr_t)3, 5, &task) != pdPASS) {
        printf("could not create the task\n");
        return;
    }

    TimerHandle_t timer = xTimerCreate("tick", pdMS_TO_TICKS(100), pdTRUE, &tick_state, on_tick);
    xTimerStart(timer, 0);

    /* Let both run for a little over a second of (possibly simulated) time. */
    vTaskDelay(pdMS_TO_TICKS(1050));
    xTimerStop(timer, 0);
    xTimerDelete(timer, 0);
    printf("app_main: timer fired %d times, task %s\n", tick_state.fired, task ? "created" : "missing");
}
