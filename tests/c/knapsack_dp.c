#include <stdio.h>
int main(void) { int w[] = {12, 7, 11, 8, 9, 3, 14, 5}, v[] = {24, 13, 23, 15, 16, 5, 30, 9}; int best[51] = {0}; for (int i = 0; i < 8; i++) for (int c = 50; c >= w[i]; c--) if (best[c - w[i]] + v[i] > best[c]) best[c] = best[c - w[i]] + v[i]; printf("%d %d %d\n", best[50], best[20], best[7]); return 0; }
