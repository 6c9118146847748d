#include <stdio.h>
static int helper(int x) { return x * 2; }
int visible(int x) { return helper(x) + 1; }
void app_main(void) { printf("%d\n", visible(20)); }
