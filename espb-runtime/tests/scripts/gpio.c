// GPIO: toggle an output that reads back (INPUT_OUTPUT) and count edges of
// an input pin through an ISR that notifies a task.
#include <stdio.h>
#include "driver/gpio.h"
#include "freertos/FreeRTOS.h"
#include "freertos/task.h"

static TaskHandle_t handler_task;
static volatile int edges;

static void isr(void *arg)
{
    edges += (int)(intptr_t)arg;
    xTaskNotifyGive(handler_task);
}

static void handler(void *arg)
{
    (void)arg;
    for (;;) {
        ulTaskNotifyTake(pdTRUE, portMAX_DELAY);
        printf("edge %d level=%d at %lu\n", edges, gpio_get_level(GPIO_NUM_4), (unsigned long)xTaskGetTickCount());
    }
}

void app_main(void)
{
    gpio_config_t out = { .pin_bit_mask = 1ULL << 2, .mode = GPIO_MODE_INPUT_OUTPUT };
    ESP_ERROR_CHECK(gpio_config(&out));
    for (int i = 0; i < 4; i++) {
        gpio_set_level(GPIO_NUM_2, i & 1);
        printf("pin2=%d\n", gpio_get_level(GPIO_NUM_2));
        vTaskDelay(pdMS_TO_TICKS(100));
    }
    gpio_set_direction(GPIO_NUM_3, GPIO_MODE_OUTPUT);
    gpio_set_level(GPIO_NUM_3, 1);
    printf("output-only reads %d\n", gpio_get_level(GPIO_NUM_3));
    printf("bad pin %s\n", esp_err_to_name(gpio_set_level(40, 1)));

    xTaskCreate(handler, "h", 2048, NULL, 5, &handler_task);
    gpio_config_t in = { .pin_bit_mask = 1ULL << 4, .mode = GPIO_MODE_INPUT, .intr_type = GPIO_INTR_POSEDGE };
    ESP_ERROR_CHECK(gpio_config(&in));
    ESP_ERROR_CHECK(gpio_install_isr_service(0));
    ESP_ERROR_CHECK(gpio_isr_handler_add(GPIO_NUM_4, isr, (void *)10));
    vTaskDelay(pdMS_TO_TICKS(2000));
    printf("edges=%d\n", edges);
    vTaskDelete(handler_task);
}
