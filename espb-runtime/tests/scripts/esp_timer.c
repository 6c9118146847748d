// esp_timer: a periodic timer whose callback and user data travel inside
// esp_timer_create_args_t, and a one-shot timer.
#include <stdio.h>
#include "esp_timer.h"
#include "esp_log.h"
#include "freertos/FreeRTOS.h"
#include "freertos/task.h"

struct counter { int n; int64_t last; };

static void periodic_cb(void *arg)
{
    struct counter *c = arg;
    c->n++;
    c->last = esp_timer_get_time();
    printf("periodic n=%d t=%lld\n", c->n, (long long)c->last);
}

static void once_cb(void *arg)
{
    printf("once arg=%s t=%lld\n", (const char *)arg, (long long)esp_timer_get_time());
}

static struct counter cnt;

void app_main(void)
{
    esp_timer_handle_t p, o;
    ESP_ERROR_CHECK(esp_timer_create(&(esp_timer_create_args_t){ .callback = periodic_cb, .arg = &cnt, .name = "per" }, &p));
    const esp_timer_create_args_t oa = { .callback = once_cb, .arg = "hello", .name = "once" };
    ESP_ERROR_CHECK(esp_timer_create(&oa, &o));
    ESP_ERROR_CHECK(esp_timer_start_periodic(p, 1500));
    ESP_ERROR_CHECK(esp_timer_start_once(o, 4200));
    printf("again=%s\n", esp_err_to_name(esp_timer_start_once(o, 10)));
    vTaskDelay(1);
    ESP_ERROR_CHECK(esp_timer_stop(p));
    printf("stopped n=%d active=%d %s\n", cnt.n, (int)esp_timer_is_active(p), esp_err_to_name(esp_timer_stop(p)));
    ESP_ERROR_CHECK(esp_timer_delete(p));
    ESP_ERROR_CHECK(esp_timer_delete(o));
}
