// app_main keeps the CPU for 11 s (a busy wait, as esp_rom_delay_us is).
#include <stdio.h>
#include "esp_rom_sys.h"

void app_main(void)
{
    esp_rom_delay_us(11000000);
    printf("spun 11 s\n");
}
