/* The end-to-end firmware script: tasks, a queue, a FreeRTOS timer whose
 * state travels as its ID, an esp_timer whose callback sits in a struct
 * (compound literal), NVS and ESP_LOGI. Every event is tens of milliseconds
 * from the next, so real FreeRTOS (ESP-IDF's linux target) and the host
 * platform in virtual time print the same lines. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include "esp_err.h"
#include "esp_log.h"
#include "esp_timer.h"
#include "freertos/FreeRTOS.h"
#include "freertos/queue.h"
#include "freertos/task.h"
#include "freertos/timers.h"
#include "nvs.h"
#include "nvs_flash.h"

static const char *TAG = "rtos";

typedef struct {
    int id;
    int weight;
} job_t;

static QueueHandle_t jobs;

/* Priority 4, above app_main's 1: each send returns to it before app_main
 * sees the job. */
static void producer(void *arg)
{
    int base = (int)(intptr_t)arg;
    for (int i = 1; i <= 3; i++) {
        job_t j = {base + i, i * i};
        if (xQueueSend(jobs, &j, portMAX_DELAY) != pdPASS) {
            printf("producer: send failed\n");
        }
        printf("producer: sent job %d\n", j.id);
        vTaskDelay(pdMS_TO_TICKS(20));
    }
    printf("producer: done\n");
    vTaskDelete(NULL);
}

typedef struct {
    const char *label;
    int count;
    int limit;
} blink_t;

static blink_t blink = {"blink", 0, 3};

static void on_blink(TimerHandle_t t)
{
    blink_t *b = pvTimerGetTimerID(t);
    b->count++;
    ESP_LOGI(TAG, "timer %s (%s) #%d", pcTimerGetName(t), b->label, b->count);
    if (b->count == b->limit) {
        xTimerStop(t, 0);
    }
}

typedef struct {
    int fired;
    int value;
} once_t;

static once_t once = {0, 7};

static void on_once(void *arg)
{
    once_t *o = arg;
    o->fired++;
    printf("esp_timer: fired with value %d\n", o->value);
}

static int32_t nvs_round_trip(void)
{
    esp_err_t err = nvs_flash_init();
    if (err != ESP_OK) {
        ESP_LOGE(TAG, "nvs_flash_init: %s", esp_err_to_name(err));
        return -1;
    }
    nvs_handle_t h;
    ESP_ERROR_CHECK(nvs_open("espb", NVS_READWRITE, &h));
    int32_t boots = 0;
    err = nvs_get_i32(h, "boots", &boots);
    /* esp_err_to_name's string is the firmware's: ESP_LOGI (a native) reads
     * it; the runtime's printf could not (docs/firmware.md). */
    ESP_LOGI(TAG, "nvs: first read: %s", esp_err_to_name(err));
    ESP_ERROR_CHECK(nvs_set_i32(h, "boots", boots + 41));
    ESP_ERROR_CHECK(nvs_commit(h));
    ESP_ERROR_CHECK(nvs_get_i32(h, "boots", &boots));
    nvs_close(h);
    return boots;
}

void app_main(void)
{
    ESP_LOGI(TAG, "start: %d ticks per second", (int)configTICK_RATE_HZ);
    printf("nvs: boots = %ld\n", (long)nvs_round_trip());

    jobs = xQueueCreate(4, sizeof(job_t));
    TaskHandle_t prod = NULL;
    xTaskCreate(producer, "producer", 3072, (void *)(intptr_t)100, 4, &prod);
    int total = 0;
    for (int i = 0; i < 3; i++) {
        job_t j;
        if (xQueueReceive(jobs, &j, pdMS_TO_TICKS(1000)) == pdTRUE) {
            total += j.weight;
            printf("app_main: job %d weight %d\n", j.id, j.weight);
        }
    }

    TimerHandle_t t = xTimerCreate("blinker", pdMS_TO_TICKS(100), pdTRUE, &blink, on_blink);
    esp_timer_handle_t et;
    ESP_ERROR_CHECK(esp_timer_create(&(esp_timer_create_args_t){
                                         .callback = on_once,
                                         .arg = &once,
                                         .name = "once",
                                     },
                                     &et));
    xTimerStart(t, 0);
    ESP_ERROR_CHECK(esp_timer_start_once(et, 150 * 1000));
    vTaskDelay(pdMS_TO_TICKS(450));

    ESP_LOGI(TAG, "done: total weight %d, blinks %d, esp_timer fired %d, timer %s", total, blink.count,
             once.fired, xTimerIsTimerActive(t) ? "active" : "stopped");
    xTimerDelete(t, 0);
    esp_timer_delete(et);
    exit(0);
}
