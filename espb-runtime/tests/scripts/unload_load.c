// Load for the unload test: eight tasks call a native that calls them back,
// a native thread pumps callbacks, a FreeRTOS timer and an esp_timer fire
// periodically. Every callback that reaches module code tells the native
// side (wk_note), so the test sees whether any arrives after the unload.
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include "esp_timer.h"
#include "freertos/FreeRTOS.h"
#include "freertos/task.h"
#include "freertos/timers.h"

typedef void (*event_cb)(void *ud, int value);
void wk_register(event_cb cb, void *ud);
int wk_pump_start(void);
int wk_apply(int (*f)(int), int x);
// (An argument: a call without one right after entry of a one-register
// function hits a translator bug, see the report.)
void wk_note(int why);

static int twice(int x)
{
    wk_note(1);
    return 2 * x;
}

static void on_event(void *ud, int v)
{
    (void)ud;
    wk_note(v);
}

static void worker(void *arg)
{
    int id = (int)(intptr_t)arg;
    for (int i = 0;; i++) {
        if (wk_apply(twice, i + id) != 2 * (i + id))
            abort();
        char *p = malloc(48 + id);
        snprintf(p, 48, "%d:%d", id, i);
        free(p);
        if (i % 8 == id)
            vTaskDelay(1);
    }
}

static void on_timer(TimerHandle_t t)
{
    (void)t;
    wk_note(3);
}

static void on_alarm(void *arg)
{
    (void)arg;
    wk_note(4);
}

void app_main(void)
{
    wk_register(on_event, NULL);
    wk_pump_start();
    for (int i = 0; i < 8; i++)
        xTaskCreate(worker, "worker", 2048, (void *)(intptr_t)i, 2 + i % 3, NULL);
    xTimerStart(xTimerCreate("tick", 1, pdTRUE, NULL, on_timer), 0);
    esp_timer_handle_t h;
    esp_timer_create(&(esp_timer_create_args_t){ .callback = on_alarm, .name = "alarm" }, &h);
    esp_timer_start_periodic(h, 700);
    printf("loaded\n");
}
