#include <stdio.h>
static int order[4], n;
static int table[8];
__attribute__((constructor(200))) static void second(void) { order[n++] = 2; for (int i = 0; i < 8; i++) table[i] += i; }
__attribute__((constructor(101))) static void first(void) { order[n++] = 1; for (int i = 0; i < 8; i++) table[i] = i * i; }
__attribute__((constructor)) static void last(void) { order[n++] = 3; }
int main(void) { printf("%d: %d %d %d | ", n, order[0], order[1], order[2]); for (int i = 0; i < 8; i++) printf("%d ", table[i]); printf("\n"); return 0; }
