/* FreeRTOS as ESP-IDF exposes it (V10.5.1 API, ESP-IDF SMP flavour). */
#pragma once
#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>
#include "sdkconfig.h"
/* On the chips ESP-IDF's FreeRTOS.h brings BIT0... in through the port's SoC
 * headers (scripts use them with event groups); the linux target's does not. */
#include "esp_bit_defs.h"
#ifdef __cplusplus
extern "C" {
#endif

typedef int BaseType_t;
typedef unsigned int UBaseType_t;
typedef uint32_t TickType_t;
typedef uint32_t StackType_t;

#define pdFALSE ((BaseType_t)0)
#define pdTRUE ((BaseType_t)1)
#define pdFAIL pdFALSE
#define pdPASS pdTRUE
#define errQUEUE_EMPTY ((BaseType_t)0)
#define errQUEUE_FULL ((BaseType_t)0)
#define errCOULD_NOT_ALLOCATE_REQUIRED_MEMORY (-1)

#define configTICK_RATE_HZ CONFIG_FREERTOS_HZ
#define configMAX_PRIORITIES 25
#define configMINIMAL_STACK_SIZE 768
#define configMAX_TASK_NAME_LEN CONFIG_FREERTOS_MAX_TASK_NAME_LEN
#define portMAX_DELAY ((TickType_t)0xffffffffUL)
#define portTICK_PERIOD_MS ((TickType_t)1000 / configTICK_RATE_HZ)
#define portNUM_PROCESSORS CONFIG_FREERTOS_NUMBER_OF_CORES
#define pdMS_TO_TICKS(xTimeInMs) ((TickType_t)(((TickType_t)(xTimeInMs) * (TickType_t)configTICK_RATE_HZ) / (TickType_t)1000U))
#define pdTICKS_TO_MS(xTicks) ((TickType_t)((uint64_t)(xTicks) * 1000 / configTICK_RATE_HZ))
#define tskNO_AFFINITY ((BaseType_t)0x7FFFFFFF)

typedef struct {
    volatile uint32_t owner;
    volatile uint32_t count;
} portMUX_TYPE;
#define portMUX_INITIALIZER_UNLOCKED { .owner = 0xB33FFFFF, .count = 0 }

void vPortEnterCritical(portMUX_TYPE *mux);
void vPortExitCritical(portMUX_TYPE *mux);
void vPortYield(void);void vPortYieldFromISR(void);
void *pvPortMalloc(size_t xWantedSize);
void vPortFree(void *pv);
#define portYIELD_FROM_ISR(x) do { if (x) vPortYieldFromISR(); } while (0)

#define portENTER_CRITICAL(mux) vPortEnterCritical(mux)
#define portEXIT_CRITICAL(mux) vPortExitCritical(mux)
#define taskENTER_CRITICAL(mux) vPortEnterCritical(mux)
#define taskEXIT_CRITICAL(mux) vPortExitCritical(mux)
#define portYIELD() vPortYield()

#ifdef __cplusplus
}
#endif
