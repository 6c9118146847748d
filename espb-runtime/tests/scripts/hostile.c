// A hostile module: every entry hands the runtime, a native or the host
// platform something that would write outside the module's memory, free what
// is not allocated, or call what is not a function. Each must trap at its C
// line (the `/* L:name */` marks) or return an error — never write outside.
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "esp_timer.h"
#include "freertos/FreeRTOS.h"
#include "freertos/queue.h"
#include "freertos/task.h"
#include "nvs.h"
#include "nvs_flash.h"

typedef void (*event_cb)(void *ud, int value);
struct wk_obj;
int wk_fill(char *buf, int n, int c);
int wk_strlen(const char *s);
int wk_obj_new(int id, struct wk_obj **out);
int wk_obj_id(const struct wk_obj *o);
void wk_register(event_cb cb, void *ud);

static int data_word = 5;
static void task_fn(void *arg) { (void)arg; vTaskDelete(NULL); }
static int two_args(int a, int b) { return a + b; }

// --- the linear-memory edges: `at` comes from the embedder (the end of
// memory, the null guard, a wrapping address) ---
int fill_at(uint32_t at, int n) { return wk_fill((char *)at, n, 'x'); /* L:fill_at */ }
int strlen_at(uint32_t at) { return wk_strlen((const char *)at); /* L:strlen_at */ }
int memcpy_to(uint32_t at, int n)
{
    static const char src[64] = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcde";
    memcpy((void *)at, src, (size_t)n); /* L:memcpy_to */
    return n;
}
int memset_at(uint32_t at, int n) { memset((void *)at, 'y', (size_t)n); /* L:memset_at */ return n; }
int snprintf_at(uint32_t at, int size)
{
    return snprintf((char *)at, (size_t)size, "%s-%d", "hello world", 42); /* L:snprintf_at */
}
int obj_out_at(uint32_t at) { return wk_obj_new(7, (struct wk_obj **)at); /* L:obj_out_at */ }
uint32_t obj_new(int id)
{
    struct wk_obj *o = 0;
    wk_obj_new(id, &o);
    return (uint32_t)(uintptr_t)o;
}
int obj_id(uint32_t handle) { return wk_obj_id((const struct wk_obj *)handle); /* L:obj_id */ }

// --- the host platform ---
static void nvs_blob_past_end(void)
{
    nvs_flash_init();
    nvs_handle_t h;
    nvs_open("hostile", NVS_READWRITE, &h);
    char blob[16] = "0123456789abcde";
    nvs_set_blob(h, "b", blob, sizeof blob);
    size_t len = sizeof blob;
    nvs_get_blob(h, "b", (void *)0x3ffffff8, &len); /* L:nvs_blob_past_end */
    printf("not reached\n");
}

static void nvs_len_outside(void)
{
    nvs_flash_init();
    nvs_handle_t h;
    nvs_open("hostile", NVS_READWRITE, &h);
    char blob[4] = "abc";
    nvs_set_blob(h, "b", blob, sizeof blob);
    char out[4];
    nvs_get_blob(h, "b", out, (size_t *)0xfffffffc); /* L:nvs_len_outside */
    printf("not reached\n");
}

static void task_handle_outside(void)
{
    xTaskCreate(task_fn, "t", 2048, NULL, 1, (TaskHandle_t *)0xfffffff0); /* L:task_handle_outside */
    printf("not reached\n");
}

static void timer_handle_in_null_guard(void)
{
    esp_timer_handle_t *out = (esp_timer_handle_t *)0x10;
    esp_timer_create(&(esp_timer_create_args_t){ .callback = task_fn, .name = "t" }, out); /* L:timer_handle_in_null_guard */
    printf("not reached\n");
}

static void queue_item_outside(void)
{
    QueueHandle_t q = xQueueCreate(2, 8);
    int64_t v = 1;
    xQueueSend(q, &v, 0);
    xQueueReceive(q, (void *)0x3ffffffc, 0); /* L:queue_item_outside */
    printf("not reached\n");
}

static void freed_block(void)
{
    char *p = malloc(32);
    free(p);
    // Writing into a freed block stays inside the module's memory (and the
    // heap keeps its bookkeeping outside it): no trap, no harm done.
    wk_fill(p, 32, 'z');
    snprintf(p, 32, "%s", "still inside");
    char *q = malloc(32);
    printf("heap intact: %d\n", q != NULL && wk_strlen(p) >= 0);
    free(q);
    free(p); /* L:freed_block */
    printf("not reached\n");
}

static void foreign_queue_handle(uint32_t h)
{
    int v = 1;
    xQueueSend((QueueHandle_t)h, &v, 0); /* L:foreign_queue_handle */
    printf("not reached\n");
}

static void task_handle_as_queue(void)
{
    int v = 1;
    xQueueSend((QueueHandle_t)xTaskGetCurrentTaskHandle(), &v, 0); /* L:task_handle_as_queue */
    printf("not reached\n");
}

static void data_as_task_function(void)
{
    xTaskCreate((TaskFunction_t)(uintptr_t)&data_word, "t", 2048, NULL, 1, NULL); /* L:data_as_task_function */
    printf("not reached\n");
}

static void wrong_signature_task(void)
{
    xTaskCreate((TaskFunction_t)(uintptr_t)two_args, "t", 2048, NULL, 1, NULL); /* L:wrong_signature_task */
    printf("not reached\n");
}

static void data_as_native_callback(void)
{
    wk_register((event_cb)(uintptr_t)&data_word, NULL); /* L:data_as_native_callback */
    printf("not reached\n");
}

static void number_as_native_callback(void)
{
    wk_register((event_cb)(uintptr_t)0x1234, NULL); /* L:number_as_native_callback */
    printf("not reached\n");
}

void make_queue(void)
{
    printf("%lu\n", (unsigned long)(uintptr_t)xQueueCreate(1, 4));
}

// The host-platform cases, by name (`argv[1]`; `argv[2]`: a number).
int main(int argc, char **argv)
{
    static const struct { const char *name; void (*run)(void); } cases[] = {
        { "nvs_blob_past_end", nvs_blob_past_end },
        { "nvs_len_outside", nvs_len_outside },
        { "task_handle_outside", task_handle_outside },
        { "timer_handle_in_null_guard", timer_handle_in_null_guard },
        { "queue_item_outside", queue_item_outside },
        { "freed_block", freed_block },
        { "task_handle_as_queue", task_handle_as_queue },
        { "data_as_task_function", data_as_task_function },
        { "wrong_signature_task", wrong_signature_task },
        { "data_as_native_callback", data_as_native_callback },
        { "number_as_native_callback", number_as_native_callback },
        { "make_queue", make_queue },
    };
    if (argc >= 3 && strcmp(argv[1], "foreign_queue_handle") == 0) {
        foreign_queue_handle((uint32_t)strtoul(argv[2], NULL, 0));
        return 0;
    }
    for (size_t i = 0; argc >= 2 && i < sizeof cases / sizeof cases[0]; i++) {
        if (strcmp(argv[1], cases[i].name) == 0) {
            cases[i].run();
            return 0;
        }
    }
    printf("unknown case\n");
    return 2;
}
