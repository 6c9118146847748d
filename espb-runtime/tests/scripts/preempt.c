// A priority-1 task spins for 1.5 s without blocking. A priority-5 task is
// woken meanwhile by a delay's end, a FreeRTOS software timer (whose daemon
// shares priority 1 with the spinner: it gets the CPU at the next tick), an
// esp_timer alarm and a GPIO interrupt; each time it preempts the spinner
// within one tick (10 ms) of the event.
#include <stdio.h>
#include "driver/gpio.h"
#include "esp_timer.h"
#include "freertos/FreeRTOS.h"
#include "freertos/semphr.h"
#include "freertos/task.h"
#include "freertos/timers.h"

static SemaphoreHandle_t sem;
static volatile int64_t event_at;

static void report(const char *what, int64_t at)
{
    int64_t late = esp_timer_get_time() - at;
    printf("%s: high ran %s\n", what, late >= 0 && late < 10000 ? "within one tick" : "LATE");
}

static void high(void *arg)
{
    (void)arg;
    vTaskDelay(pdMS_TO_TICKS(70));
    report("delay", 70000);
    const char *what[] = { "software timer", "esp_timer", "gpio isr" };
    for (int i = 0; i < 3; i++) {
        xSemaphoreTake(sem, portMAX_DELAY);
        report(what[i], event_at);
    }
    vTaskDelete(NULL);
}

static void timer_cb(TimerHandle_t t)
{
    (void)t;
    xSemaphoreGive(sem);
}

static void alarm_cb(void *arg)
{
    (void)arg;
    event_at = esp_timer_get_time();
    xSemaphoreGive(sem);
}

static void isr(void *arg)
{
    (void)arg;
    BaseType_t woken = pdFALSE;
    event_at = esp_timer_get_time();
    xSemaphoreGiveFromISR(sem, &woken);
    portYIELD_FROM_ISR(woken);
}

void app_main(void)
{
    sem = xSemaphoreCreateBinary();
    xTaskCreate(high, "high", 2048, NULL, 5, NULL);
    TimerHandle_t t = xTimerCreate("once", pdMS_TO_TICKS(250), pdFALSE, NULL, timer_cb);
    event_at = 250000;
    xTimerStart(t, 0);
    esp_timer_handle_t alarm;
    esp_timer_create(&(esp_timer_create_args_t){ .callback = alarm_cb, .name = "alarm" }, &alarm);
    esp_timer_start_once(alarm, 555555);
    gpio_config(&(gpio_config_t){ .pin_bit_mask = 1ULL << 4, .mode = GPIO_MODE_INPUT,
                                  .intr_type = GPIO_INTR_POSEDGE });
    gpio_install_isr_service(0);
    gpio_isr_handler_add(4, isr, NULL);
    unsigned long spins = 0;
    while (esp_timer_get_time() < 1500000)
        spins++;
    printf("main spun until tick %lu\n", (unsigned long)xTaskGetTickCount());
    esp_timer_delete(alarm);
    xTimerDelete(t, 0);
}
