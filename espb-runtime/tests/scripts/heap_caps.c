// ESP-IDF's allocators on the module heap.
#include <stdio.h>
#include <string.h>
#include <stdint.h>
#include <stddef.h>
#include "esp_system.h"

void *pvPortMalloc(size_t);
void vPortFree(void *);
void *heap_caps_malloc(size_t size, uint32_t caps);
void *heap_caps_calloc(size_t n, size_t size, uint32_t caps);
void heap_caps_free(void *ptr);
size_t heap_caps_get_free_size(uint32_t caps);
#define MALLOC_CAP_8BIT (1 << 2)

void app_main(void)
{
    size_t before = heap_caps_get_free_size(MALLOC_CAP_8BIT);
    char *a = pvPortMalloc(100);
    int *z = heap_caps_calloc(8, sizeof(int), MALLOC_CAP_8BIT);
    char *b = heap_caps_malloc(1000, MALLOC_CAP_8BIT);
    strcpy(a, "ok");
    int sum = 0;
    for (int i = 0; i < 8; i++)
        sum += z[i];
    printf("%s zeroed=%d used>=1132: %d same=%d\n", a, sum == 0, before - esp_get_free_heap_size() >= 1132,
           esp_get_free_heap_size() == heap_caps_get_free_size(0));
    vPortFree(a);
    heap_caps_free(z);
    heap_caps_free(b);
    printf("back=%d huge=%p\n", heap_caps_get_free_size(0) == before, heap_caps_calloc(0x10000, 0x10000, 0));
    vPortFree(a);
}
