#include <stdio.h>
enum S { RED, RED_AMBER, GREEN, AMBER, FLASH };
static enum S step(enum S s, int tick, int fault) { if (fault) return FLASH; switch (s) { case RED: return tick % 4 == 3 ? RED_AMBER : RED; case RED_AMBER: return GREEN; case GREEN: return tick % 5 == 4 ? AMBER : GREEN; case AMBER: return RED; case FLASH: return tick % 10 == 0 ? RED : FLASH; } return RED; }
int main(void) { enum S s = RED; int hist[5] = {0}; for (int t = 0; t < 200; t++) { s = step(s, t, t % 47 == 46); hist[s]++; } for (int i = 0; i < 5; i++) printf("%d ", hist[i]); printf("%d\n", s); return 0; }
