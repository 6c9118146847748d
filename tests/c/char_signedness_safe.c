#include <stdio.h>
int main(void) { signed char sc[4] = {-1, -128, 127, 0}; unsigned char uc[4] = {255, 128, 127, 0}; int ss = 0, us = 0; for (int i = 0; i < 4; i++) { ss += sc[i]; us += uc[i]; } printf("%d %d %d %d\n", ss, us, (int)(signed char)uc[0], (int)(unsigned char)sc[1]); return 0; }
