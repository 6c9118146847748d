#include <stdio.h>
#include <stdlib.h>
static void check(int v) { if (v > 10) { printf("too big %d\n", v); exit(7); } }
int main(void) { for (int i = 0; i < 20; i += 3) { printf("%d\n", i); check(i); } return 0; }
