#include <stdio.h>
#include "espb.h"
JIT_HOT int hot_loop(int n) { int s = 0; for (int i = 0; i < n; i++) s += i ^ (i >> 1); return s; }
int main(void) { printf("%d\n", hot_loop(1000)); return 0; }
