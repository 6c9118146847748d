#include <stdio.h>
#include <stdlib.h>
#include <string.h>
int main(void) { void *slots[64] = {0}; unsigned s = 17; unsigned long check = 0; for (int round = 0; round < 3000; round++) { s = s * 1103515245u + 12345u; int i = (s >> 8) % 64; if (slots[i]) { check += ((unsigned char *)slots[i])[0]; free(slots[i]); slots[i] = 0; } else { size_t n = (s >> 16) % 700 + 1; slots[i] = malloc(n); memset(slots[i], (int)(n & 0xff), n); } } for (int i = 0; i < 64; i++) free(slots[i]); printf("%lu\n", check); return 0; }
