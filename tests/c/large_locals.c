#include <stdio.h>
#include <string.h>
static int work(int seed) { signed char buf[4096]; int nums[512]; memset(buf, 0, sizeof buf); for (int i = 0; i < 512; i++) nums[i] = seed * i % 97; for (int i = 0; i < 4096; i++) buf[i] = (signed char)(nums[i % 512] + i); int s = 0; for (int i = 0; i < 4096; i += 13) s += buf[i]; return s; }
int main(void) { printf("%d %d\n", work(3), work(11)); return 0; }
