// app_main computes for 1.2 s without blocking: the work itself takes the
// (virtual) time, and the task watchdog sees IDLE starve.
#include <stdio.h>
#include "esp_timer.h"

void app_main(void)
{
    unsigned long n = 0;
    while (esp_timer_get_time() < 1200000)
        n++;
    printf("computed %s\n", n > 1000 ? "a lot" : "little");
}
