#include <stdio.h>
int main(void) { for (int y = -8; y <= 8; y++) { for (int x = -30; x <= 10; x++) { double cr = x / 15.0, ci = y / 8.0, zr = 0, zi = 0; int k = 0; while (k < 60 && zr * zr + zi * zi < 4) { double t = zr * zr - zi * zi + cr; zi = 2 * zr * zi + ci; zr = t; k++; } putchar(" .:-=+*#%@"[k % 10]); } putchar('\n'); } return 0; }
