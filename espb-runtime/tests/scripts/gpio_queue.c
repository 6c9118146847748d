// ESP-IDF's GPIO example pattern: the ISR posts the pin number with
// xQueueSendFromISR, a task receives it.
#include <stdio.h>
#include "driver/gpio.h"
#include "freertos/FreeRTOS.h"
#include "freertos/task.h"
#include "freertos/queue.h"

/* As ESP-IDF's queue.h/task.h declare the ISR variants. */
BaseType_t xQueueGenericSendFromISR(QueueHandle_t q, const void *item, BaseType_t *woken, BaseType_t pos);
void vTaskGenericNotifyGiveFromISR(TaskHandle_t t, UBaseType_t idx, BaseType_t *woken);
void vPortYieldFromISR(void);

static QueueHandle_t evt;
static TaskHandle_t counter_task;
static int woke_flags;

static void IRAM_ATTR_isr(void *arg)
{
    uint32_t pin = (uint32_t)(uintptr_t)arg;
    BaseType_t woken = pdFALSE;
    xQueueGenericSendFromISR(evt, &pin, &woken, 0);
    vTaskGenericNotifyGiveFromISR(counter_task, 0, &woken);
    woke_flags += woken;
    if (woken)
        vPortYieldFromISR();
}

static void counter(void *arg)
{
    (void)arg;
    for (;;)
        ulTaskNotifyTake(pdFALSE, portMAX_DELAY);
}

void app_main(void)
{
    evt = xQueueCreate(10, sizeof(uint32_t));
    xTaskCreate(counter, "counter", 2048, NULL, 3, &counter_task);
    gpio_config_t in = { .pin_bit_mask = 1ULL << 5, .mode = GPIO_MODE_INPUT, .intr_type = GPIO_INTR_ANYEDGE };
    gpio_config(&in);
    gpio_install_isr_service(0);
    gpio_isr_handler_add(GPIO_NUM_5, IRAM_ATTR_isr, (void *)5);
    for (int i = 0; i < 3; i++) {
        uint32_t pin;
        if (xQueueReceive(evt, &pin, pdMS_TO_TICKS(1000)))
            printf("GPIO[%lu] intr, val: %d at %lu\n", (unsigned long)pin, gpio_get_level(pin), (unsigned long)xTaskGetTickCount());
    }
    printf("woken flags %d\n", woke_flags);
    vTaskDelete(counter_task);
}
