// A native library's own threads (no FreeRTOS task) call back into the
// module and use FreeRTOS as ESP-IDF allows in an interrupt.
#include <stdio.h>
#include "esp_timer.h"
#include "freertos/FreeRTOS.h"
#include "freertos/queue.h"
#include "freertos/task.h"

typedef void (*event_cb)(void *ud, int value);
void wk_register(event_cb cb, void *ud);
int wk_start(int n, int period_us);
int wk_join(void);
int wk_fire_and_wait(int n);

static QueueHandle_t q;
static volatile int mode;
static portMUX_TYPE mux = portMUX_INITIALIZER_UNLOCKED;
static volatile unsigned shared;

static void on_event(void *ud, int v)
{
    (void)ud;
    switch (mode) {
    case 0: {
        BaseType_t woken = pdFALSE;
        xQueueSendFromISR(q, &v, &woken);
        portYIELD_FROM_ISR(woken);
        break;
    }
    case 1:
        xQueueSend(q, &v, 0);
        break;
    case 2:
        for (int i = 0; i < 2000; i++) {
            portENTER_CRITICAL(&mux);
            shared = shared + 1;
            portEXIT_CRITICAL(&mux);
        }
        break;
    case 3: {
        int x;
        xQueueReceive(q, &x, pdMS_TO_TICKS(100));
        break;
    }
    case 4:
        vTaskDelay(1);
        break;
    }
}

static volatile int high_got;

// Woken by the native thread's FromISR calls while main computes: it must
// preempt main, as after an interrupt.
static void high(void *arg)
{
    (void)arg;
    for (int i = 0; i < 3; i++) {
        int v;
        xQueueReceive(q, &v, portMAX_DELAY);
        high_got++;
    }
    vTaskDelete(NULL);
}

static void receive(int n, const char *how)
{
    for (int i = 0; i < n; i++) {
        int v = 0;
        if (xQueueReceive(q, &v, portMAX_DELAY) == pdTRUE)
            printf("got %d (%s)\n", v, how);
    }
}

void app_main(void)
{
    q = xQueueCreate(8, sizeof(int));
    wk_register(on_event, NULL);
    mode = 0;
    wk_start(3, 20000);
    receive(3, "FromISR, main waited forever");
    wk_join();
    mode = 1;
    wk_start(2, 20000);
    receive(2, "xQueueSend with no wait");
    wk_join();
    // The thread runs while this task is inside the native call.
    mode = 0;
    printf("fire and wait: %d\n", wk_fire_and_wait(2));
    receive(2, "sent while main was in the native call");
    mode = 2;
    wk_start(3, 1000);
    for (int i = 0; i < 6000; i++) {
        portENTER_CRITICAL(&mux);
        shared = shared + 1;
        portEXIT_CRITICAL(&mux);
    }
    wk_join();
    printf("shared %u\n", shared);
    mode = 0;
    xTaskCreate(high, "high", 2048, NULL, 5, NULL);
    wk_start(3, 20000);
    int64_t until = esp_timer_get_time() + 2000000;
    while (high_got < 3 && esp_timer_get_time() < until) {
    }
    printf("high got %d while main computed\n", high_got);
    wk_join();
}

// Other entries: a native thread that calls what needs a task.
void bad_wait(void)
{
    q = xQueueCreate(8, sizeof(int));
    wk_register(on_event, NULL);
    mode = 3;
    wk_start(1, 0);
    vTaskDelay(pdMS_TO_TICKS(1000));
    printf("not reached\n");
}

void bad_delay(void)
{
    wk_register(on_event, NULL);
    mode = 4;
    wk_start(1, 0);
    vTaskDelay(pdMS_TO_TICKS(1000));
    printf("not reached\n");
}
